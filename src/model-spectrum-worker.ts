// A worker thread of modelSpectrumThreaded: runs its part of the batch and posts the sums back.
import { parentPort, workerData } from 'node:worker_threads';
import { createKernels } from './linalg/backends.js';
import { modelSpectrumSums } from './model-spectrum.js';
import type { SpectrumWorkerMessage, SpectrumWorkerRequest } from './model-spectrum-threads.js';

const request = workerData as SpectrumWorkerRequest;
const post = (message: SpectrumWorkerMessage) => parentPort!.postMessage(message);
try {
  const { sums, model } = modelSpectrumSums(request.model, request.inputs, {
    ...request.options,
    kernels: createKernels(request.backend, { precision: request.precision }),
    onProgress: (done, total) => post({ kind: 'progress', done, total }),
  });
  post({ kind: 'result', sums, model });
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  post({ kind: 'error', name, message });
}
