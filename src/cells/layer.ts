/**
 * One layer of a cell, working on *compact blocks*: an R×cols block holds, for each column
 * (a trajectory in `forward`, a tangent vector in `tangent`), R contiguous values. Tangent
 * columns are ordered trajectory-major: column c belongs to trajectory ⌊c/k⌋.
 *
 * Pre-activation blocks have G·H rows (gate g, unit i at row g·H + i, PyTorch's gate order).
 * The system runs the matrix products (one kernel call per layer and per product) and hands
 * the layer the results; the layer applies the nonlinearities and caches what the tangent needs.
 */
export interface CellLayer {
  /** Gate count G. */
  readonly gates: number;
  /**
   * True when the cell needs U·h apart from W·x (GRU: the reset gate multiplies U_n h + b_hn
   * only). Otherwise the system accumulates both products into `fromHidden` and passes null.
   */
  readonly separateInput: boolean;
  /**
   * One step for B trajectories. fromHidden = U·h (+ W·x unless separateInput), fromInput = W·x
   * when separateInput. hOld/cOld and hNew/cNew are H×B (c only for LSTM).
   */
  forward(
    fromInput: Float64Array | null, fromHidden: Float64Array,
    hOld: Float64Array, cOld: Float64Array | null,
    hNew: Float64Array, cNew: Float64Array | null,
  ): void;
  /**
   * The exact forward-mode derivative of the last `forward`, for B·k tangent columns.
   * fromHidden = U·δh (+ W·δx unless separateInput); fromInput = W·δx when separateInput,
   * null when δx = 0 (layer 0: inputs are not perturbed). dcOld null means δc = 0 (LSTM
   * h-only mode); dcNew null means δc' is not wanted.
   */
  tangent(
    k: number,
    fromInput: Float64Array | null, fromHidden: Float64Array,
    dhOld: Float64Array, dcOld: Float64Array | null,
    dhNew: Float64Array, dcNew: Float64Array | null,
  ): void;
  /**
   * log|det| of this layer's diagonal Jacobian block ∂h'_l/∂h_l for trajectory b, when a closed
   * form exists (vanilla RNN); undefined otherwise.
   */
  logAbsDetBlock?(b: number): number;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
