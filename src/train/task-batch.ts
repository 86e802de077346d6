import type { TrainingBatch } from './bptt/batch.js';
import type { Batch } from './tasks/task.js';

/**
 * A task's batch in the engine's terms: its one-hot symbols (when it has them) take the sparse
 * input path; 'ce-per-step' reads every masked-in step, 'mse-per-step' every step, 'ce-last' and 'mse' the last step.
 */
export function trainingBatch(batch: Batch): TrainingBatch {
  const inputs = batch.symbols !== undefined
    ? { kind: 'one-hot' as const, indices: batch.symbols }
    : { kind: 'dense' as const, data: batch.inputs };
  const shape = { batch: batch.batch, steps: batch.steps, inputs };
  switch (batch.loss) {
    case 'ce-per-step':
      return { ...shape, targets: { loss: 'cross-entropy', at: 'every-step', classes: batch.targets, mask: batch.mask } };
    case 'ce-last':
      return { ...shape, targets: { loss: 'cross-entropy', at: 'last-step', classes: batch.targets } };
    case 'mse':
      return { ...shape, targets: { loss: 'mse', at: 'last-step', values: batch.targets } };
    case 'mse-per-step':
      return { ...shape, targets: { loss: 'mse', at: 'every-step', values: batch.targets } };
  }
}
