/**
 * A recurrent network as PyTorch stores it: per layer `weight_ih_l{k}` [G·H, I_k],
 * `weight_hh_l{k}` [G·H, H], optional `bias_ih_l{k}`, `bias_hh_l{k}` [G·H], computing x·Wᵀ.
 * Gate order is PyTorch's: LSTM i, f, g, o (G = 4); GRU r, z, n (G = 3); RNN G = 1.
 */
export type CellKind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

export const CELL_KINDS: readonly CellKind[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'];

export interface LayerWeights {
  /** [G·H × inputSize of this layer], row-major. */
  weightIh: Float64Array;
  /** [G·H × H], row-major. */
  weightHh: Float64Array;
  /** [G·H], present iff the model has bias. */
  biasIh?: Float64Array;
  biasHh?: Float64Array;
}

export interface RnnModel {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  layers: LayerWeights[];
}

/**
 * The dimension of the state whose tangent dynamics a spectrum follows: L·H, or 2·L·H for an
 * LSTM's joint (h, c) state (the default for an LSTM when `lstmState` is not given).
 */
export function stateDimension(model: Pick<RnnModel, 'cell' | 'numLayers' | 'hiddenSize'>, lstmState?: LstmState): number {
  return model.numLayers * model.hiddenSize * (model.cell === 'lstm' && lstmState !== 'h' ? 2 : 1);
}

export function gateCount(cell: CellKind): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/** Input sequences driving a batch: data is B×T×I row-major (sequence, step, feature). */
export interface InputSequences {
  batch: number;
  steps: number;
  size: number;
  data: Float64Array;
}

/**
 * Which state the LSTM's tangent dynamics track: the true state (h, c) of dimension 2N per
 * layer ('joint', our default), or h alone at fixed c ('h', as the authors' code does).
 */
export type LstmState = 'joint' | 'h';
