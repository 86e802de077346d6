import type { Precision } from './precision.js';

/**
 * The small set of float64 kernels the spectrum needs, behind one interface so a faster
 * backend (WebAssembly SIMD, worker threads) can replace the reference without touching callers.
 *
 * Layout conventions used everywhere in rnn-lyapunov:
 * - a weight matrix is row-major [rows × cols], exactly like a PyTorch tensor;
 * - a *block* of k vectors of length n ("n×k block") is column-major: vector j occupies
 *   [j*n, (j+1)*n). Each tangent vector is contiguous, which suits both A·v and QR.
 */
export interface LinalgKernels {
  readonly name: string;
  /** The arithmetic the kernels compute in (their inputs and outputs are Float64Arrays either way). */
  readonly precision: Precision;
  /** The float64 wasm kernels' cell steps (absent elsewhere: the layers run their JavaScript). */
  readonly cellForward?: CellForwardKernels;
  /**
   * out = A·X (+ out when `accumulate`), A m×n row-major, X an n×k block, out an m×k block.
   * With `layout`, X and out are blocks inside larger arrays (rows of a state block, say): column
   * j of X is x[xOffset + j·ldx ..+ n), column j of out is out[outOffset + j·ldo ..+ m); other
   * entries of `out` are left as they are. The entries read from X must not overlap the
   * entries written (x and out may be one array when they are different rows of it).
   */
  matmulBlock(
    a: Float64Array, m: number, n: number,
    x: Float64Array, k: number,
    out: Float64Array, accumulate?: boolean, layout?: BlockLayout,
  ): void;
  /**
   * For each trajectory b < batch: out_b (+)= F_b·X_b, where F_b (R×n, R = `rows`) is the formed
   * matrix of formRows (formed-rows.ts) with coefficients coef[b·G·R ..+ G·R] from `weight`
   * (G·n×n row-major, G = gates ≤ 4), plus diagonal[b·n + r] at (r, r) for r < n unless
   * `diagonal` is null; it is formed where it is multiplied, never copied. X_b (n×k) and out_b
   * (R×k) lie as `layout` says, trajectory b's blocks `layout.xStride` and `layout.outStride`
   * further on; the entries read from X must not overlap the entries written. With `start`,
   * out_b starts as its scaled rows instead of 0 (accumulate must then be false).
   */
  formedProducts(
    weight: Float64Array, gates: number, rows: number, n: number, coef: Float64Array, diagonal: Float64Array | null,
    x: Float64Array, k: number, out: Float64Array, accumulate: boolean, layout: StridedBlockLayout, batch: number,
    start?: ScaledRows | null,
  ): void;
  /**
   * Thin QR in place: the n×k block z (k ≤ n) becomes Q with orthonormal columns, and
   * rDiag[j] = R_jj > 0 (signs moved into Q). A column that is exactly dependent gives
   * R_jj = 0 and is replaced by a unit vector orthogonal to the previous ones. Norms are scaled
   * (LAPACK dnrm2 style) where a plain sum of squares could under- or overflow, so a column of
   * any finite magnitude (1e-300 or 1e300 in float64, 1e-35 or 1e35 in float32) keeps its
   * direction and R_jj scales with it; only an exactly zero column counts as dependent.
   */
  qrPositive(z: Float64Array, n: number, k: number, rDiag: Float64Array): void;
  /**
   * Storage for `count` orthonormal n×k bases kept as the Householder reflectors of the QR that
   * produced them, never formed as Q (see reflectorStep). Allocate once per run.
   */
  createReflectorStore(n: number, k: number, count: number): ReflectorStore;
  /**
   * The factorisation half of a Householder QR: z (n×k; left unspecified) = Q·R, and slot
   * `index` of the store keeps Q's reflectors. rDiag[j] = |R_jj|, scaled norms as in qrPositive.
   * Q = H_0…H_{k−1}·I[:, :k] is as orthonormal as qrPositive's; its columns' signs are those of
   * R_jj (the exponents need only |R_jj|).
   */
  qrReflectors(z: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array): void;
  /**
   * One step of the QR iteration on a stored basis Q: Z = M·Q with M n×n row-major (a dense
   * Jacobian), then qrReflectors of Z into the same slot. 4n²k − 2nk² flops for the product,
   * against 2nk² − 2k³/3 to form Q and 2n²k to multiply by it.
   */
  reflectorStep(m: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array): void;
  /**
   * reflectorStep for a QR iteration that sorts each QR's rows by decreasing norm (Householder QR
   * of a row-graded matrix keeps the small rows' relative accuracy only with the large rows
   * first), in the coordinates of the stored reflectors: the step uses M' = P·M·P₀ᵀ, P the order
   * of M's rows by decreasing norm (ties in index order) and P₀ the order of the slot's last QR,
   * given in `order` (n entries: its row p was row order[p]), which becomes P's. M is left
   * unspecified. Returns how many rows of M are exactly zero.
   */
  sortedReflectorStep(m: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array, order: Int32Array): number;
  /**
   * The weight (G·n×n row-major, W_g its rows g·n ..+ n; G = gates ≤ 4) of the formed Jacobians
   * that formedReflectorStep forms for the store, copied: a later change of its entries is seen
   * only once it is set again.
   */
  setFormedWeight(store: ReflectorStore, weight: Float64Array, gates: number): void;
  /**
   * sortedReflectorStep of the formed matrix M = Σ_g diag(coef[g·n ..+ n])·W_g, plus diag(diagonal)
   * unless it is null, formed where it is multiplied (formed-rows.ts: a zero coefficient skips its
   * term, each entry summed over the gates in order). W: the store's setFormedWeight.
   */
  formedReflectorStep(
    coef: Float64Array, diagonal: Float64Array | null, store: ReflectorStore, index: number, rDiag: Float64Array, order: Int32Array,
  ): number;
  /**
   * The backward step of covariant Lyapunov vectors: C ← R⁻¹·C, then column j divided by its
   * norm, norms[j] (k³/6 flops). R is k×k upper triangular packed by columns (column l's rows
   * 0..l at l(l+1)/2), C k×k upper triangular, column-major; C's entries below the diagonal are
   * neither read nor written. A column whose norm is 0 or not finite (R singular) is left
   * undivided, its norm reported. Norms are scaled as in qrPositive.
   */
  triangularSolve(r: Float64Array, k: number, c: Float64Array, norms: Float64Array): void;
}

/**
 * The arithmetic the kernels run in ('float64' | 'float32'): the one precision type of the
 * package, defined with training's storage precision (a leaf module without dependencies).
 * Inputs and outputs are Float64Arrays either way; 'float32' rounds the inputs to float32 and
 * computes in float32 (twice the SIMD width, looser results).
 */
export { PRECISIONS, type Precision } from './precision.js';

/** Bases held as reflectors by one kernels instance (opaque: only that instance reads it). */
export interface ReflectorStore {
  readonly n: number;
  readonly k: number;
  readonly count: number;
}

/** Checks the shape createReflectorStore is asked for. */
export function checkReflectorStoreShape(n: number, k: number, count: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(k) || !Number.isInteger(count) || k < 1 || k > n || count < 0) {
    throw new RangeError(`createReflectorStore: expected integers 1 ≤ k ≤ n and count ≥ 0, got n=${n}, k=${k}, count=${count}`);
  }
}

/** Checks a store's slot index against the store. */
export function checkReflectorSlot(method: string, store: ReflectorStore, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= store.count) {
    throw new RangeError(`${method}: slot ${index} is outside a store of ${store.count} bases`);
  }
}

/** Checks setFormedWeight's weight and gate count against the store's n. */
export function checkFormedWeight(store: ReflectorStore, weight: Float64Array, gates: number): void {
  if (!Number.isInteger(gates) || gates < 1 || gates > 4) throw new RangeError(`setFormedWeight: gates must be an integer from 1 to 4, got ${gates}`);
  const need = gates * store.n * store.n;
  if (weight.length !== need) throw new RangeError(`setFormedWeight: weight holds ${weight.length} doubles, expected gates·n·n = ${need}`);
}

/** Checks formedReflectorStep's coefficients (G·n) and diagonal (n, or null). */
export function checkFormedTerms(coef: Float64Array, diagonal: Float64Array | null, gates: number, n: number): void {
  if (coef.length < gates * n) throw new RangeError(`formedReflectorStep: coef holds ${coef.length} doubles, expected at least gates·n = ${gates * n}`);
  if (diagonal !== null && diagonal.length < n) throw new RangeError(`formedReflectorStep: diagonal holds ${diagonal.length} doubles, expected at least n = ${n}`);
}

/** Checks sortedReflectorStep's row order: n entries. */
export function checkRowOrder(method: string, order: Int32Array, n: number): void {
  if (order.length < n) throw new RangeError(`${method}: order holds ${order.length} entries, expected at least n = ${n}`);
}

/** Where matmulBlock's X and out lie in their arrays (offsets and column strides in elements). */
export interface BlockLayout {
  xOffset: number;
  ldx: number;
  outOffset: number;
  ldo: number;
}

/** The LSTM layer's forward step's outputs (cells/lstm-layer.ts), each B×H. */
export interface LstmForwardOut { fromI: Float64Array; fromF: Float64Array; fromG: Float64Array; fromO: Float64Array; a: Float64Array; f: Float64Array; cNew: Float64Array; hNew: Float64Array }
/** The GRU layer's forward step's outputs (cells/gru-layer.ts), each B×H. */
export interface GruForwardOut { a: Float64Array; rFromHidden: Float64Array; zFromOld: Float64Array; r: Float64Array; z: Float64Array; hNew: Float64Array }

/**
 * The spectrum's float64 LSTM and GRU layer steps run in the module: the layers' own JavaScript
 * (their reference twin) operation for operation, fdlibm's exp and tanh compiled instead of
 * ported, so the outputs have the same bits. A layer without bias passes zeros.
 */
export interface CellForwardKernels {
  /** pre B×4H (gates i, f, g, o), bias 4H (b_ih + b_hh), cOld B×H. */
  lstm(batch: number, hidden: number, pre: Float64Array, bias: Float64Array, cOld: Float64Array, out: LstmForwardOut): void;
  /** x = W x and fromHidden = U h, B×3H each (gates r, z, n), biases 3H each, hOld B×H. */
  gru(
    batch: number, hidden: number, x: Float64Array, fromHidden: Float64Array, biasIh: Float64Array, biasHh: Float64Array,
    hOld: Float64Array, out: GruForwardOut,
  ): void;
}

/** A BlockLayout repeated per trajectory: trajectory b's X and out start xStride and outStride elements further. */
export interface StridedBlockLayout extends BlockLayout {
  xStride: number;
  outStride: number;
}

/**
 * formedProducts' start of out_b: out_b[r, j] = scale[b·R + r]·X_b[from + (r mod n), j], rows of
 * X_b's columns beyond the n the product reads (the joint LSTM's f⊙δc and a⊙f⊙δc: from = n, R = 2n).
 */
export interface ScaledRows {
  scale: Float64Array;
  from: number;
}

/** Checks formedProducts' shapes and that every trajectory's blocks lie inside x and out. */
export function checkFormedProducts(
  weight: Float64Array, gates: number, rows: number, n: number, coef: Float64Array, diagonal: Float64Array | null,
  x: Float64Array, k: number, out: Float64Array, layout: StridedBlockLayout, batch: number,
  accumulate = false, start: ScaledRows | null = null,
): void {
  if (!Number.isInteger(gates) || gates < 1 || gates > 4) throw new RangeError(`formedProducts: gates must be an integer from 1 to 4, got ${gates}`);
  for (const [name, value] of [['rows', rows], ['n', n], ['k', k], ['batch', batch], ['xStride', layout.xStride], ['outStride', layout.outStride]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`formedProducts: ${name} must be a non-negative integer, got ${value}`);
  }
  if (weight.length !== gates * n * n) throw new RangeError(`formedProducts: weight holds ${weight.length} doubles, expected gates·n·n = ${gates * n * n}`);
  if (coef.length < batch * gates * rows) throw new RangeError(`formedProducts: coef holds ${coef.length} doubles, expected at least batch·gates·rows = ${batch * gates * rows}`);
  if (diagonal !== null && diagonal.length < batch * n) throw new RangeError(`formedProducts: diagonal holds ${diagonal.length} doubles, expected at least batch·n = ${batch * n}`);
  if (start !== null) checkScaledRows(start, rows, n, k, x.length, layout, batch, accumulate);
  if (batch === 0) return;
  const last = (batch - 1);
  checkLayout('formedProducts', rows, n, k, x.length, out.length, {
    xOffset: layout.xOffset + last * layout.xStride, ldx: layout.ldx, outOffset: layout.outOffset + last * layout.outStride, ldo: layout.ldo,
  });
}

/**
 * formedProducts' start written into `target` at out's indices + `shift` (the js twin: out itself,
 * shift 0; the float32 stage: its own offset), each entry one float64 product, rounded once to
 * the target's precision.
 */
export function writeScaledRows(
  start: ScaledRows, rows: number, n: number, x: Float64Array, k: number, layout: StridedBlockLayout, batch: number,
  target: Float64Array | Float32Array, shift: number,
): void {
  const { scale, from } = start;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < k; j++) {
      const xAt = layout.xOffset + b * layout.xStride + j * layout.ldx + from;
      const outAt = shift + layout.outOffset + b * layout.outStride + j * layout.ldo;
      for (let r = 0; r < rows; r++) target[outAt + r] = scale[b * rows + r]! * x[xAt + (r % n)]!;
    }
  }
}

function checkScaledRows(
  start: ScaledRows, rows: number, n: number, k: number, xLength: number, layout: StridedBlockLayout, batch: number, accumulate: boolean,
): void {
  if (accumulate) throw new RangeError('formedProducts: start and accumulate exclude each other (out starts as the scaled rows)');
  const { scale, from } = start;
  if (!Number.isInteger(from) || from < 0) throw new RangeError(`formedProducts: start.from must be a non-negative integer, got ${from}`);
  if (scale.length < batch * rows) throw new RangeError(`formedProducts: start.scale holds ${scale.length} doubles, expected at least batch·rows = ${batch * rows}`);
  const read = from + Math.min(rows, n);
  if (rows > 0 && read > layout.ldx) throw new RangeError(`formedProducts: start reads rows up to from + min(rows, n) = ${read} of columns only layout.ldx = ${layout.ldx} apart`);
  const end = layout.xOffset + (batch - 1) * layout.xStride + (k - 1) * layout.ldx + read;
  if (batch > 0 && k > 0 && rows > 0 && end > xLength) throw new RangeError(`formedProducts: x holds ${xLength} doubles, start reads up to ${end}`);
}

/** The layout of blocks that are whole arrays: X is n×k and out m×k, both from element 0. */
export function packedLayout(m: number, n: number): BlockLayout {
  return { xOffset: 0, ldx: n, outOffset: 0, ldo: m };
}

/** Checks that a layout's strides can hold a column and that its blocks lie inside x and out. */
export function checkLayout(method: string, m: number, n: number, k: number, xLength: number, outLength: number, layout: BlockLayout): void {
  const { xOffset, ldx, outOffset, ldo } = layout;
  for (const [name, value] of [['xOffset', xOffset], ['ldx', ldx], ['outOffset', outOffset], ['ldo', ldo]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${method}: layout.${name} must be a non-negative integer, got ${value}`);
  }
  if (ldx < n) throw new RangeError(`${method}: layout.ldx = ${ldx} is shorter than a column of X (n = ${n})`);
  if (ldo < m) throw new RangeError(`${method}: layout.ldo = ${ldo} is shorter than a column of out (m = ${m})`);
  if (k > 0 && xOffset + (k - 1) * ldx + n > xLength) {
    throw new RangeError(`${method}: x holds ${xLength} doubles, expected at least xOffset + (k−1)·ldx + n = ${xOffset + (k - 1) * ldx + n}`);
  }
  if (k > 0 && outOffset + (k - 1) * ldo + m > outLength) {
    throw new RangeError(`${method}: out holds ${outLength} doubles, expected at least outOffset + (k−1)·ldo + m = ${outOffset + (k - 1) * ldo + m}`);
  }
}
