// A worker thread of modelSpectrumThreaded: runs its part of the batch and posts the sums back.
import { parentPort, workerData } from 'node:worker_threads';
import { spectrumPartMessage, type SpectrumWorkerMessage, type SpectrumWorkerRequest } from './batch-parts.js';

const post = (message: SpectrumWorkerMessage) => parentPort!.postMessage(message);
post(spectrumPartMessage(workerData as SpectrumWorkerRequest, post));
