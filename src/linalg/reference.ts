import { checkLayout, packedLayout, type LinalgKernels } from './kernels.js';

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
