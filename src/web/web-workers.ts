/**
 * The batch split over Web Workers, as modelSpectrumThreaded splits it over Node's worker
 * threads: the same requests (batch-parts.ts), the same progress (the slowest part's steps) and
 * the same merge, so the spectrum is the CLI's to the last bit. Every part runs in a worker, a
 * single one included: the page's thread only draws.
 */
import {
  mergedSpectrum, partTransfers, rebuildError, type SpectrumPartOutcome, type SpectrumWorkerMessage, type SpectrumWorkerRequest,
} from '../model-spectrum/batch-parts.js';
import type { ModelSpectrumResult } from '../model-spectrum/model-spectrum.js';
import { CancelledError } from './errors.js';

export interface WorkerRun {
  result: Promise<ModelSpectrumResult>;
  /** Stops every worker at once; `result` then rejects with a CancelledError. */
  cancel(): void;
}

export function runInWorkers(
  requests: readonly SpectrumWorkerRequest[], workerUrl: string, onProgress: (done: number, total: number) => void,
): WorkerRun {
  const done = requests.map(() => 0);
  const workers: Worker[] = [];
  let cancelled: (() => void) | undefined;
  const stopAll = () => workers.forEach((worker) => worker.terminate());
  const parts = requests.map((request, p) => new Promise<SpectrumPartOutcome>((resolve, reject) => {
    const worker = new Worker(workerUrl);
    workers.push(worker);
    worker.onmessage = (event: MessageEvent<SpectrumWorkerMessage>) => {
      const message = event.data;
      if (message.kind === 'progress') {
        done[p] = message.done;
        onProgress(Math.min(...done), message.total);
      } else if (message.kind === 'result') {
        resolve(message);
      } else {
        reject(rebuildError(message.error));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`spectrum worker ${p} failed: ${event.message}`));
    };
    worker.postMessage(request, partTransfers(request));
  }));
  const stopped = new Promise<never>((_resolve, reject) => {
    cancelled = () => reject(new CancelledError());
  });
  const result = Promise.race([Promise.all(parts), stopped]).then(mergedSpectrum).finally(stopAll);
  return {
    result,
    cancel: () => {
      stopAll();
      cancelled!();
    },
  };
}
