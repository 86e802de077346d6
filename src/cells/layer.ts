/**
 * One layer of a cell, working on *compact blocks*: an R×cols block holds, for each column
 * (a trajectory in `forward`, a tangent vector in `tangent`), R contiguous values. Tangent
 * columns are ordered trajectory-major: column c belongs to trajectory ⌊c/k⌋.
 *
 * Pre-activation blocks have G·H rows (gate g, unit i at row g·H + i, PyTorch's gate order).
 * The system runs the matrix products (one kernel call per layer and per product) and hands
 * the layer the results; the layer applies the nonlinearities and caches what the tangent needs.
 *
 * The tangent has two equivalent forms. Structured (`tangent`): the system multiplies all B·k
 * tangent columns by the whole G·H×H weight at once, the layer combines the G gate rows
 * elementwise: 2·G·H² flops per column. Formed (`formedCoefficients` + `formedTangent`): every
 * derivative the layer needs is a sum over gates of diag(coefficient) × that gate's weight rows,
 * so per trajectory the system forms those few H×H matrices (G·H² multiply-adds in all) and
 * multiplies only them: 2·F·H² flops per column, F = `formedMatrices` < G for gated cells.
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
  /** The number F of H×H matrices per trajectory that the formed tangent multiplies by. */
  readonly formedMatrices: number;
  /**
   * Coefficients of the formed matrices for trajectory b of the last `forward`: matrix f is
   * Σ_g diag(coef[(f·G + g)·H .. +H]) · (rows g·H .. g·H + H of the weight), where the weight is
   * U = weight_hh ('hidden': the derivative in δh) or W = weight_ih ('input': in δx, the new h
   * of the layer below). Zero coefficients mark gates a matrix does not use.
   */
  formedCoefficients(b: number, weight: 'hidden' | 'input', coef: Float64Array): void;
  /**
   * The formed tangent's elementwise part for trajectory b, on H×k blocks: products[f] holds
   * matrix f (hidden) times δh plus matrix f (input) times δx. dcOld/dcNew as in `tangent`.
   */
  formedTangent(
    b: number, products: readonly Float64Array[],
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
