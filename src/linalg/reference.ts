import { checkLayout, checkReflectorSlot, checkReflectorStoreShape, packedLayout, type LinalgKernels, type ReflectorStore } from './kernels.js';

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
  createReflectorStore,
  qrReflectors,
  reflectorStep,
  qrPositive(z, n, k, rDiag, columnNorms) {
    if (k > n) throw new RangeError(`qrPositive: k=${k} exceeds n=${n}`);
    if (columnNorms) for (let j = 0; j < k; j++) columnNorms[j] = Math.sqrt(dot(z, j * n, j * n, n));
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
      let norm = 0;
      for (let i = 0; i < n; i++) norm += z[vo + i]! * z[vo + i]!;
      norm = Math.sqrt(norm);
      rDiag[j] = norm;
      if (norm > 0 && Number.isFinite(norm)) {
        const inv = 1 / norm;
        for (let i = 0; i < n; i++) z[vo + i] = z[vo + i]! * inv;
      } else {
        replaceWithOrthogonalUnit(z, n, j);
      }
    }
  },
};

/** The js store: per slot the reflectors' vectors (below the diagonal of an n×k block) and τ's. */
interface JsReflectorStore extends ReflectorStore {
  vectors: Float64Array;
  taus: Float64Array;
  /** reflectorStep's Z (n×k) and one row of M (n), allocated with the store rather than per step. */
  z: Float64Array;
  row: Float64Array;
}

function createReflectorStore(n: number, k: number, count: number): JsReflectorStore {
  checkReflectorStoreShape(n, k, count);
  return {
    n, k, count, vectors: new Float64Array(count * n * k), taus: new Float64Array(count * k),
    z: new Float64Array(n * k), row: new Float64Array(n),
  };
}

/**
 * Unblocked Householder (LAPACK dgeqr2 with dlarfg's β = −sign(α)·‖x‖, which avoids
 * cancellation in α − β): reflector j is I − τ_j v_j v_jᵀ, v_j = (0…0, 1, z[j+1.., j]).
 */
function qrReflectors(z: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array, columnNorms?: Float64Array): void {
  const { n, k, vectors, taus } = ownStore('qrReflectors', store, index);
  checkSize('qrReflectors', 'z', z.length, n * k);
  if (columnNorms) for (let j = 0; j < k; j++) columnNorms[j] = Math.sqrt(dot(z, j * n, j * n, n));
  for (let j = 0; j < k; j++) {
    const col = j * n;
    const alpha = z[col + j]!;
    let sigma2 = 0;
    for (let i = j + 1; i < n; i++) sigma2 += z[col + i]! * z[col + i]!;
    let tau = 0;
    let beta = alpha;
    if (sigma2 > 0 || !Number.isFinite(sigma2)) {
      const norm = Math.sqrt(alpha * alpha + sigma2);
      beta = alpha >= 0 ? -norm : norm;
      tau = (beta - alpha) / beta;
      const inv = 1 / (alpha - beta);
      for (let i = j + 1; i < n; i++) z[col + i] = z[col + i]! * inv;
      z[col + j] = beta;
    }
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
function reflectorStep(m: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array, columnNorms?: Float64Array): void {
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
  qrReflectors(z, store, index, rDiag, columnNorms);
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
    const norm = Math.sqrt(dot(z, vo, vo, n));
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
