import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RnnModel } from '../cells/model.js';
import {
  mergedSpectrum, partTransfers, rebuildError, runSpectrumPart, spectrumPartRequests,
  type SpectrumPartOutcome, type SpectrumWorkerMessage, type SpectrumWorkerRequest, type ThreadedSpectrumOptions,
} from './batch-parts.js';
import type { ModelSpectrumResult, SpectrumInputs } from './model-spectrum.js';

/**
 * `modelSpectrum` with the batch split over worker threads: the trajectories are independent, so
 * each thread runs consecutive sequences of the batch with its own kernels, and the accumulated
 * sums are merged before the statistics (batch-parts.ts). Every trajectory's arithmetic is the
 * same as in one thread (the random initial bases included), so the result is identical for any
 * thread count when qrEvery = 1; with qrEvery > 1 each thread's conditioning guard watches its own
 * trajectories. One thread runs in the calling thread.
 */
export async function modelSpectrumThreaded(
  model: RnnModel, inputs: SpectrumInputs, options: ThreadedSpectrumOptions,
): Promise<ModelSpectrumResult> {
  const requests = spectrumPartRequests(model, inputs, { ...options, threads: options.threads ?? availableParallelism() });
  const outcomes = requests.length === 1 ? [runSpectrumPart(requests[0]!, options.onProgress)] : await runWorkers(requests, options.onProgress);
  return mergedSpectrum(outcomes);
}

/**
 * A worker running worker.ts. In dist/ that is a .js file; under tsx (tests, benches)
 * it is .ts, and on Node 20 a worker does not inherit the tsx loader: a two-line bootstrap
 * registers it first.
 */
function startWorker(request: SpectrumWorkerRequest): Worker {
  const extension = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./worker${extension}`, import.meta.url);
  const transferList = partTransfers(request);
  if (extension !== '.ts') return new Worker(url, { workerData: request, transferList });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: request, transferList });
}

async function runWorkers(
  requests: SpectrumWorkerRequest[], onProgress: ((done: number, total: number) => void) | undefined,
): Promise<SpectrumPartOutcome[]> {
  const done = requests.map(() => 0);
  const workers: Worker[] = [];
  try {
    return await Promise.all(requests.map((request, p) => new Promise<SpectrumPartOutcome>((resolve, reject) => {
      const worker = startWorker(request);
      workers.push(worker);
      worker.on('message', (message: SpectrumWorkerMessage) => {
        if (message.kind === 'progress') {
          done[p] = message.done;
          onProgress?.(Math.min(...done), message.total);
        } else if (message.kind === 'result') {
          resolve(message);
        } else {
          reject(rebuildError(message.error));
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`spectrum worker ${p} exited with code ${code} before it reported`)));
    })));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
