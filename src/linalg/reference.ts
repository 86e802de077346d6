import { checkFormedProducts, checkFormedTerms, checkFormedWeight, checkLayout, checkReflectorSlot, checkReflectorStoreShape, checkRowOrder, packedLayout, type LinalgKernels, type ReflectorStore, type ScaledRows, type StridedBlockLayout, writeScaledRows } from './kernels.js';
import { formRows } from './formed-rows.js';
import { gatherRows, rowsByDecreasingNorm } from './matrix-rows.js';

/** Plain loops: the reference every faster backend is tested against, and the fallback. */
export const referenceKernels: LinalgKernels = {
  name: 'js',
  precision: 'float64',
  matmulBlock(a, m, n, x, k, out, accumulate = false, layout = packedLayout(m, n)) {
    checkLayout('matmulBlock', m, n, k, x.length, out.length, layout);
    const { xOffset, ldx, outOffset, ldo } = layout;
    for (let j = 0; j < k; j++) {
      const xo = xOffset + j * ldx;
      const oo = outOffset + j * ldo;
      for (let i = 0; i < m; i++) {
        const ao = i * n;
        let s = 0;
        for (let c = 0; c < n; c++) s += a[ao + c]! * x[xo + c]!;
        out[oo + i] = accumulate ? out[oo + i]! + s : s;
      }
    }
  },
  formedProducts,
  createReflectorStore,
  triangularSolve,
  qrReflectors,
  reflectorStep,
  sortedReflectorStep,
  setFormedWeight,
  formedReflectorStep,
  qrPositive(z, n, k, rDiag) {
    if (k > n) throw new RangeError(`qrPositive: k=${k} exceeds n=${n}`);
    // Modified Gram–Schmidt with one full re-orthogonalisation pass ("twice is enough",
    // Giraud et al. 2005): keeps Q orthonormal to machine precision even for ill-conditioned
    // blocks, which long products of Jacobians are.
    for (let j = 0; j < k; j++) {
      const vo = j * n;
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < j; p++) {
          const po = p * n;
          let d = 0;
          for (let i = 0; i < n; i++) d += z[po + i]! * z[vo + i]!;
          for (let i = 0; i < n; i++) z[vo + i] = z[vo + i]! - d * z[po + i]!;
        }
      }
      let squares = 0;
      for (let i = 0; i < n; i++) squares += z[vo + i]! * z[vo + i]!;
      if (squares >= TINY_SQUARE && squares <= HUGE_SQUARE) {
        const norm = Math.sqrt(squares);
        rDiag[j] = norm;
        const inv = 1 / norm;
        for (let i = 0; i < n; i++) z[vo + i] = z[vo + i]! * inv;
      } else {
        rDiag[j] = normaliseScaled(z, n, j);
      }
    }
  },
};

/**
 * Column j of qrPositive when its sum of squares may have under- or overflowed (or the column is
 * zero or not finite), the rare path: divided by its scaled norm, which is returned; a zero or
 * non-finite column is replaced by a unit vector (its norm, 0, ∞ or NaN, still returned).
 */
function normaliseScaled(z: Float64Array, n: number, j: number): number {
  const vo = j * n;
  const norm = scaledNorm(z, vo, n);
  if (norm > 0 && Number.isFinite(norm)) {
    for (let i = 0; i < n; i++) z[vo + i] = z[vo + i]! / norm;
  } else {
    replaceWithOrthogonalUnit(z, n, j);
  }
  return norm;
}

/** Back substitution by columns of R (contiguous in its packed storage): see LinalgKernels.triangularSolve. */
function triangularSolve(r: Float64Array, k: number, c: Float64Array, norms: Float64Array): void {
  checkSize('triangularSolve', 'r', r.length, (k * (k + 1)) / 2);
  checkSize('triangularSolve', 'c', c.length, k * k);
  checkSize('triangularSolve', 'norms', norms.length, k);
  for (let j = 0; j < k; j++) {
    const col = j * k;
    for (let l = j; l >= 0; l--) {
      const rl = (l * (l + 1)) / 2;
      const x = c[col + l]! / r[rl + l]!;
      c[col + l] = x;
      for (let i = 0; i < l; i++) c[col + i] = c[col + i]! - x * r[rl + i]!;
    }
    let squares = 0;
    for (let i = 0; i <= j; i++) squares += c[col + i]! * c[col + i]!;
    const norm = squares >= TINY_SQUARE && squares <= HUGE_SQUARE ? Math.sqrt(squares) : scaledNorm(c, col, j + 1);
    norms[j] = norm;
    if (norm > 0 && Number.isFinite(norm)) for (let i = 0; i <= j; i++) c[col + i] = c[col + i]! / norm;
  }
}

/** The js store: per slot the reflectors' vectors (below the diagonal of an n×k block) and τ's. */
interface JsReflectorStore extends ReflectorStore {
  vectors: Float64Array;
  taus: Float64Array;
  /** reflectorStep's Z (n×k) and one row of M (n), allocated with the store rather than per step. */
  z: Float64Array;
  row: Float64Array;
  /** sortedReflectorStep's work: M gathered, row norms, the sort's scratch and the previous order (made by its first call). */
  sorting: { m: Float64Array; norms: Float64Array; scratch: Int32Array; columns: Int32Array } | null;
  /** setFormedWeight's copy, its gate count, and formedReflectorStep's M. */
  formed: { weight: Float64Array; gates: number; m: Float64Array } | null;
}

function createReflectorStore(n: number, k: number, count: number): JsReflectorStore {
  checkReflectorStoreShape(n, k, count);
  return {
    n, k, count, vectors: new Float64Array(count * n * k), taus: new Float64Array(count * k),
    z: new Float64Array(n * k), row: new Float64Array(n), sorting: null, formed: null,
  };
}

/**
 * Unblocked Householder (LAPACK dgeqr2 with dlarfg's β = −sign(α)·‖x‖, which avoids
 * cancellation in α − β): reflector j is I − τ_j v_j v_jᵀ, v_j = (0…0, 1, z[j+1.., j]). ‖x‖ is
 * the plain sum of squares unless that may have under- or overflowed, when scaledReflector
 * recomputes the reflector from scaled norms.
 */
function qrReflectors(z: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array): void {
  const { n, k, vectors, taus } = ownStore('qrReflectors', store, index);
  checkSize('qrReflectors', 'z', z.length, n * k);
  for (let j = 0; j < k; j++) {
    const col = j * n;
    const alpha = z[col + j]!;
    const sigma2 = dot(z, col + j + 1, col + j + 1, n - j - 1);
    let tau: number;
    if (sigma2 >= TINY_SQUARE && sigma2 <= HUGE_SQUARE && Math.abs(alpha) <= SQRT_HUGE_SQUARE) {
      const norm = Math.sqrt(alpha * alpha + sigma2);
      const beta = alpha >= 0 ? -norm : norm;
      tau = (beta - alpha) / beta;
      const inv = 1 / (alpha - beta);
      for (let i = j + 1; i < n; i++) z[col + i] = z[col + i]! * inv;
      z[col + j] = beta;
    } else {
      tau = scaledReflector(z, col + j, n - j - 1);
    }
    const beta = z[col + j]!;
    rDiag[j] = Math.abs(beta);
    taus[index * k + j] = tau;
    if (tau === 0) continue;
    for (let c = j + 1; c < k; c++) {
      const cc = c * n;
      let s = z[cc + j]!;
      for (let i = j + 1; i < n; i++) s += z[col + i]! * z[cc + i]!;
      s *= tau;
      z[cc + j] = z[cc + j]! - s;
      for (let i = j + 1; i < n; i++) z[cc + i] = z[cc + i]! - s * z[col + i]!;
    }
  }
  vectors.set(z.subarray(0, n * k), index * n * k);
}

/** Z = M·H_0…H_{k−1}·I[:, :k] (the reflectors applied to M's rows one after another), then its QR. */
function reflectorStep(m: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array): void {
  const { n, k, vectors, taus, z, row } = ownStore('reflectorStep', store, index);
  checkSize('reflectorStep', 'm', m.length, n * n);
  const v = index * n * k;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < n; c++) row[c] = m[i * n + c]!;
    for (let j = 0; j < k; j++) {
      const tau = taus[index * k + j]!;
      if (tau === 0) continue;
      const col = v + j * n;
      let s = row[j]!;
      for (let c = j + 1; c < n; c++) s += row[c]! * vectors[col + c]!;
      s *= tau;
      row[j] = row[j]! - s;
      for (let c = j + 1; c < n; c++) row[c] = row[c]! - s * vectors[col + c]!;
    }
    for (let j = 0; j < k; j++) z[j * n + i] = row[j]!;
  }
  qrReflectors(z, store, index, rDiag);
}

/** M's rows sorted by decreasing norm and its columns in the previous order (matrix-rows.ts), then reflectorStep. */
function sortedReflectorStep(m: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array, order: Int32Array): number {
  const own = ownStore('sortedReflectorStep', store, index);
  const n = own.n;
  checkSize('sortedReflectorStep', 'm', m.length, n * n);
  checkRowOrder('sortedReflectorStep', order, n);
  own.sorting ??= { m: new Float64Array(n * n), norms: new Float64Array(n), scratch: new Int32Array(n), columns: new Int32Array(n) };
  const { m: sorted, norms, scratch, columns } = own.sorting;
  columns.set(order.subarray(0, n));
  const zero = rowsByDecreasingNorm(m, n, n, n, 1, order, norms, scratch);
  gatherRows(m, n, order, columns, sorted);
  reflectorStep(sorted, store, index, rDiag);
  return zero;
}

/** formedProducts' F, reused from call to call (grown when a larger one is needed). */
let formedScratch = new Float64Array(0);

/** Each trajectory's matrix formed by formRows, its diagonal added, out started as the scaled rows (if any), then matmulBlock. */
function formedProducts(
  weight: Float64Array, gates: number, rows: number, n: number, coef: Float64Array, diagonal: Float64Array | null,
  x: Float64Array, k: number, out: Float64Array, accumulate: boolean, layout: StridedBlockLayout, batch: number,
  start: ScaledRows | null = null,
): void {
  checkFormedProducts(weight, gates, rows, n, coef, diagonal, x, k, out, layout, batch, accumulate, start);
  if (formedScratch.length < rows * n) formedScratch = new Float64Array(rows * n);
  const f = formedScratch.subarray(0, rows * n);
  if (start !== null) writeScaledRows(start, rows, n, x, k, layout, batch, out, 0);
  for (let b = 0; b < batch; b++) {
    formRows(weight, gates, n, rows, coef.subarray(b * gates * rows), f);
    if (diagonal !== null) for (let i = 0; i < Math.min(n, rows); i++) f[i * n + i] = f[i * n + i]! + diagonal[b * n + i]!;
    const xAt = layout.xOffset + b * layout.xStride, outAt = layout.outOffset + b * layout.outStride;
    referenceKernels.matmulBlock(f, rows, n, x, k, out, accumulate || start !== null, { xOffset: xAt, ldx: layout.ldx, outOffset: outAt, ldo: layout.ldo });
  }
}

function setFormedWeight(store: ReflectorStore, weight: Float64Array, gates: number): void {
  const own = ownStore('setFormedWeight', store, 0);
  checkFormedWeight(store, weight, gates);
  own.formed = { weight: weight.slice(), gates, m: own.formed?.m ?? new Float64Array(own.n * own.n) };
}

/** M formed by formRows (formed-rows.ts) and its diagonal added, then sortedReflectorStep. */
function formedReflectorStep(
  coef: Float64Array, diagonal: Float64Array | null, store: ReflectorStore, index: number, rDiag: Float64Array, order: Int32Array,
): number {
  const { n, formed } = ownStore('formedReflectorStep', store, index);
  if (formed === null) throw new RangeError('formedReflectorStep: no weight set for this store (call setFormedWeight first)');
  checkFormedTerms(coef, diagonal, formed.gates, n);
  const { weight, gates, m } = formed;
  formRows(weight, gates, n, n, coef, m);
  if (diagonal !== null) for (let i = 0; i < n; i++) m[i * n + i] = m[i * n + i]! + diagonal[i]!;
  return sortedReflectorStep(m, store, index, rDiag, order);
}

/** The store as the js kernels made it: another backend's store has none of its arrays. */
function ownStore(method: string, store: ReflectorStore, index: number): JsReflectorStore {
  if (!((store as Partial<JsReflectorStore>).vectors instanceof Float64Array)) {
    throw new RangeError(`${method}: the reflector store was created by other kernels (create it with these kernels' createReflectorStore)`);
  }
  checkReflectorSlot(method, store, index);
  return store as JsReflectorStore;
}

function checkSize(method: string, name: string, have: number, need: number): void {
  if (have < need) throw new RangeError(`${method}: ${name} holds ${have} doubles, expected at least ${need}`);
}

/** Column j collapsed: use the first coordinate axis that is independent of columns 0..j-1. */
function replaceWithOrthogonalUnit(z: Float64Array, n: number, j: number): void {
  const vo = j * n;
  for (let axis = 0; axis < n; axis++) {
    for (let i = 0; i < n; i++) z[vo + i] = i === axis ? 1 : 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        const d = dot(z, p * n, vo, n);
        for (let i = 0; i < n; i++) z[vo + i] = z[vo + i]! - d * z[p * n + i]!;
      }
    }
    const norm = scaledNorm(z, vo, n);
    if (norm > 1e-8) {
      for (let i = 0; i < n; i++) z[vo + i] = z[vo + i]! / norm;
      return;
    }
  }
}

function dot(z: Float64Array, a: number, b: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += z[a + i]! * z[b + i]!;
  return s;
}

// Scaled norms (LAPACK dnrm2 / dlarfg style) at the cost of plain ones: the kernels sum the squares
// as they always did, and only when the sum falls outside [TINY_SQUARE, HUGE_SQUARE] (or is not
// finite) recompute that one norm with scaledNorm. Below 2^-960 squares of entries under 2^-511
// may have been lost to underflow (above it, each such square's error is under 2^-115 of the
// sum); above 2^960 the sum nears overflow. Inside, the norm is in [2^-480, 2^480], so 1/norm and
// α² + σ² (|α| ≤ 2^480) stay in range. The same thresholds as the f64 wasm kernels (asm/scaled-norm.ts).
const TINY_SQUARE = 2 ** -960;
const HUGE_SQUARE = 2 ** 960;
const SQRT_HUGE_SQUARE = 2 ** 480;

/** ‖z[o..o+len)‖ in two passes, big·√Σ(z_i/big)² with big = max |z_i|: no under- or overflow; 0, ∞ or NaN as the entries are. */
function scaledNorm(z: Float64Array, o: number, len: number): number {
  let big = 0;
  for (let i = 0; i < len; i++) big = Math.max(big, Math.abs(z[o + i]!)); // NaN stays NaN
  if (!(big > 0) || big === Infinity) return big;
  let s = 0;
  for (let i = 0; i < len; i++) {
    const x = z[o + i]! / big;
    s += x * x;
  }
  return big * Math.sqrt(s);
}

/**
 * dlarfg's reflector of the column with α at z[diag] and x the len entries after it, from scaled
 * norms (the rare path: the plain sum of squares may have under- or overflowed, or x is zero):
 * writes β to z[diag] and v to x, returns τ. x = 0 gives τ = 0 and H = I (β = α: a zero column
 * gives R_jj = 0); non-finite entries give a non-finite β.
 */
function scaledReflector(z: Float64Array, diag: number, len: number): number {
  const alpha = z[diag]!;
  const xNorm = scaledNorm(z, diag + 1, len);
  if (xNorm === 0) return 0;
  // a = α/big and x = ‖x‖/big are at most 1 and one of them is 1, so r = √(a² + x²) ∈ [1, √2] and
  // β = −sign(α)·big·r overflows only if the norm itself does; (α − β)/big = a ± r is in [1, 1 + √2].
  const big = Math.max(Math.abs(alpha), xNorm);
  const a = alpha / big;
  const x = xNorm / big;
  const r = Math.sqrt(a * a + x * x);
  const beta = alpha >= 0 ? -(big * r) : big * r;
  const invD = 1 / (alpha >= 0 ? a + r : a - r);
  for (let i = diag + 1; i <= diag + len; i++) z[i] = (z[i]! / big) * invD;
  z[diag] = beta;
  return 1 + Math.abs(a) / r; // (β − α)/β
}
