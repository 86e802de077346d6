// A worker thread of modelSpectrumThreaded: runs its part of the batch and posts the sums back.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorMessage } from '../errors.js';
import { modelSpectrumSums } from './model-spectrum.js';
import { spectrumKernels, type SpectrumWorkerMessage, type SpectrumWorkerRequest } from './threads.js';

const request = workerData as SpectrumWorkerRequest;
const post = (message: SpectrumWorkerMessage) => parentPort!.postMessage(message);
try {
  const { sums, model } = modelSpectrumSums(request.model, request.inputs, {
    ...request.options,
    ...spectrumKernels(request.backend, request.precision),
    onProgress: (done, total) => post({ kind: 'progress', done, total }),
  }, request.firstTrajectory);
  post({ kind: 'result', sums, model });
} catch (error) {
  post({ kind: 'error', error: toErrorMessage(error) });
}
