import assert from 'node:assert/strict';
import { referenceKernels } from '../src/linalg/index.js';
import { trainInRunDirectory, type TrainConfigInput } from '../src/train/index.js';

/** Trains `config` in `dir` and stops it (an aborted signal) once epoch `epoch` is logged: a run to resume. */
export async function trainAndStopAfter(dir: string, config: TrainConfigInput, epoch: number): Promise<void> {
  const controller = new AbortController();
  await assert.rejects(
    trainInRunDirectory(dir, config, {
      hooks: { kernels: referenceKernels, signal: controller.signal, onEpoch: (m) => m.epoch === epoch && controller.abort(new Error('stop')) },
    }),
    /stop/,
  );
}
