// A Web Worker of the page (web-workers.ts): runs its part of the batch with the WebAssembly
// kernels inlined in its bundle, and posts the progress and the sums back.
import { spectrumPartMessage, type SpectrumWorkerMessage, type SpectrumWorkerRequest } from '../model-spectrum/batch-parts.js';
import { provideInlinedKernels } from './inlined-kernels.js';

provideInlinedKernels();
const scope = self as unknown as { onmessage: (event: MessageEvent<SpectrumWorkerRequest>) => void; postMessage(message: SpectrumWorkerMessage): void };
scope.onmessage = (event) => {
  const post = (message: SpectrumWorkerMessage) => scope.postMessage(message);
  post(spectrumPartMessage(event.data, post));
};
