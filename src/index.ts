/**
 * rnn-lyapunov: Lyapunov spectra of recurrent networks driven by sequence data.
 * The layers, in the order data flows: data → cells → tangent dynamics → spectrum.
 */
export * from './linalg/index.js';
export * from './cells/index.js';
export * from './lyapunov/index.js';
export * from './io/index.js';
export * from './model-spectrum/index.js';
export * from './train/index.js';
