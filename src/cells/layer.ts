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
 * elementwise: 2·G·H² flops per column. Formed (`formedCoefficients` and the optional
 * `formedDiagonal`, `formedCellCoupling`): the layer's new rows of the state are
 *   [δh'; δc'] = F_U·δh + F_W·δx (+ coupling ⊙ [δc; δc], joint LSTM),
 * where every row of F_V is a sum over gates of a coefficient times that gate's row of V. So per
 * trajectory the system forms the R×H matrices (R = `formedRows`: H, or 2H for [h'; c']) and
 * multiplies the layer's rows of the tangent block by them straight into its rows of the result:
 * 2·R·H flops per column against 2·G·H², and no elementwise pass over the block.
 */
export interface CellLayer {
  /** Gate count G. */
  readonly gates: number;
  /**
   * True when the cell needs U·h apart from W·x (GRU: the reset gate multiplies U_n h + b_hn
   * only). Otherwise the system accumulates both products into `fromHidden` and passes null.
   */
  readonly separateProjections: boolean;
  /**
   * One step for B trajectories. fromHidden = U·h (+ W·x unless separateProjections), fromInput = W·x
   * when separateProjections. hOld/cOld and hNew/cNew are H×B (c only for LSTM).
   */
  forward(
    fromInput: Float64Array | null, fromHidden: Float64Array,
    hOld: Float64Array, cOld: Float64Array | null,
    hNew: Float64Array, cNew: Float64Array | null,
  ): void;
  /**
   * The exact forward-mode derivative of the last `forward`, for B·k tangent columns.
   * fromHidden = U·δh (+ W·δx unless separateProjections); fromInput = W·δx when separateProjections,
   * null when δx = 0 (layer 0: inputs are not perturbed). dcOld null means δc = 0 (LSTM
   * h-only mode); dcNew null means δc' is not wanted.
   */
  tangent(
    k: number,
    fromInput: Float64Array | null, fromHidden: Float64Array,
    dhOld: Float64Array, dcOld: Float64Array | null,
    dhNew: Float64Array, dcNew: Float64Array | null,
  ): void;
  /** Rows R of the formed matrices: the layer's rows of the state, H, or 2H for the joint LSTM. */
  readonly formedRows: number;
  /**
   * Coefficients of the formed matrix F_V (R×H) for trajectory b of the last `forward`: row r is
   * Σ_g coef[g·R + r] · (row g·H + r mod H of V), where V is U = weight_hh ('hidden': the
   * derivative in δh) or W = weight_ih ('input': in δx, the new h of the layer below). Zero
   * coefficients mark gates a row does not use.
   */
  formedCoefficients(b: number, weight: 'hidden' | 'input', coef: Float64Array): void;
  /** When ∂h'/∂h has a diagonal term outside the gates (GRU: + z): diagonal[i] adds to F_U[i, i]. */
  formedDiagonal?(b: number, diagonal: Float64Array): void;
  /** Joint LSTM: new row r also gets coupling[r] · δc_{r mod H} (the forget gate's path). */
  formedCellCoupling?(b: number, coupling: Float64Array): void;
  /**
   * log|det| of this layer's diagonal Jacobian block ∂h'_l/∂h_l for trajectory b, when a closed
   * form exists (vanilla RNN); undefined otherwise.
   */
  logAbsDetBlock?(b: number): number;
}
