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

/** What the forward, tangent and backward machinery needs to know of a cell kind, decided here once. */
export interface CellTraits {
  readonly gates: number;
  readonly hasCellState: boolean;
  /**
   * W·x + b_ih and U·h + b_hh are kept apart rather than summed: the GRU's reset gate scales
   * U_n h + b_hn only.
   */
  readonly separateProjections: boolean;
  /** h_{t-1} also reaches h_t outside U (the GRU's z ⊙ h). */
  readonly directHidden: boolean;
}

export function cellTraits(cell: CellKind): CellTraits {
  return { gates: gateCount(cell), hasCellState: cell === 'lstm', separateProjections: cell === 'gru', directHidden: cell === 'gru' };
}

type Tuple<N extends number, T, R extends T[] = []> = R['length'] extends N ? R : Tuple<N, T, [...R, T]>;

/** `count` arrays of `size` zeros: a layer's per-trajectory caches. */
export function zeroArrays<N extends number>(count: N, size: number): Tuple<N, Float64Array> {
  return Array.from({ length: count }, () => new Float64Array(size)) as Tuple<N, Float64Array>;
}

/** Input sequences driving a batch: data is B×T×I row-major (sequence, step, feature). */
export interface InputSequences {
  batch: number;
  steps: number;
  size: number;
  data: Float64Array;
}

/**
 * Input sequences made step by step, for a drive too long to hold: `readStep(t, out)` writes step
 * t of every sequence into out, B×I (sequence, feature). Steps are read in order, except that a
 * redone interval (the spectrum's conditioning guard, the compat warm-up) reads steps again.
 */
export interface InputStream {
  batch: number;
  steps: number;
  size: number;
  readStep(t: number, out: Float64Array): void;
}

/** What drives a cell system: sequences held whole, or made step by step. */
export type InputSource = InputSequences | InputStream;

export function isInputStream(inputs: InputSource): inputs is InputStream {
  return typeof (inputs as Partial<InputStream>).readStep === 'function';
}

/**
 * Which state the LSTM's tangent dynamics track: the true state (h, c) of dimension 2N per
 * layer ('joint', our default), or h alone at fixed c ('h', as the authors' code does).
 */
export type LstmState = 'joint' | 'h';
