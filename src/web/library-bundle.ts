// The entry of dist/web/rnn-lyapunov.js (rnn-lyapunov/browser): the library with the kernels inlined.
import { provideInlinedKernels } from './inlined-kernels.js';

provideInlinedKernels();
export * from './library.js';
