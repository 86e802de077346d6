// A Web Worker of the page (web-workers.ts): runs its part of the batch with the WebAssembly
// kernels inlined in its bundle, and posts the progress and the sums back.
import { provideKernelWasm } from '../linalg/kernel-wasm-source.browser.js';
import { spectrumPartMessage, type SpectrumWorkerMessage, type SpectrumWorkerRequest } from '../model-spectrum/batch-parts.js';

/** build/kernels.wasm as base64, put in by scripts/build-web.mjs. */
declare const KERNELS_WASM_BASE64: string;

provideKernelWasm(Uint8Array.from(atob(KERNELS_WASM_BASE64), (c) => c.charCodeAt(0)));
const scope = self as unknown as { onmessage: (event: MessageEvent<SpectrumWorkerRequest>) => void; postMessage(message: SpectrumWorkerMessage): void };
scope.onmessage = (event) => {
  const post = (message: SpectrumWorkerMessage) => scope.postMessage(message);
  post(spectrumPartMessage(event.data, post));
};
