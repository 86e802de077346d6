/**
 * Each cell's step for training, beside its forward and tangent (../rnn-layer.ts, …): the
 * forward pass in the training precision that keeps what backward needs, and the backward step
 * of exact BPTT. The loop over time, the workspace and the loss live in `train`.
 */
import type { CellKind } from '../model.js';
import { gruStep } from './gru.js';
import { lstmStep } from './lstm.js';
import { rnnReluStep, rnnTanhStep } from './rnn.js';
import type { CellStep } from './step.js';

export type { CellStep, StepViews } from './step.js';

export function cellStep(cell: CellKind): CellStep {
  switch (cell) {
    case 'rnn_tanh': return rnnTanhStep;
    case 'rnn_relu': return rnnReluStep;
    case 'lstm': return lstmStep;
    case 'gru': return gruStep;
  }
}
