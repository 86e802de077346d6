import type { BpttEngine } from './bptt/engine.js';
import type { FloatArray } from '../linalg/precision.js';
import { trainingBatch } from './task-batch.js';
import type { EvalSplit, Task } from './tasks/task.js';
import { TrainConfigError } from './errors.js';

export interface EvaluationResult {
  /** Mean loss over every position (CE) or element (MSE) of the split. */
  loss: number;
  /** Share of positions predicted right (CE tasks), else null. */
  accuracy: number | null;
}

/** Loss (and accuracy) of the current weights on a fixed split, in eval mode (no dropout). */
export function evaluateSplit(engine: BpttEngine, params: FloatArray, task: Task, split: EvalSplit, batchSize: number): EvaluationResult {
  let sum = 0;
  let count = 0;
  let correct = 0;
  let classified = true;
  for (const batch of task.evalBatches(split, batchSize)) {
    const result = engine.evaluate(params, trainingBatch(batch));
    sum += result.loss * result.count;
    count += result.count;
    if (result.correct === null) classified = false;
    else correct += result.correct;
  }
  if (count === 0) throw new TrainConfigError(`task ${task.name}: the ${split} split has no positions to evaluate`);
  return { loss: sum / count, accuracy: classified ? correct / count : null };
}
