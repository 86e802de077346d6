// Thin QR with positive diagonal by block classical Gram–Schmidt with re-orthogonalisation
// (BCGS2, Barlow & Smoktunowicz 2013). Each block of columns is projected against all previous
// Q columns with two matrix–matrix products (the BLAS-3 part that carries almost all flops),
// orthonormalised internally, and then the whole step is repeated once: the second pass removes
// what rounding left along the previous columns, which keeps QᵀQ = I to machine precision even
// when the block is ill-conditioned (the analysis needs cond(Z)·ε < 1).
// Only diag(R) is kept: R_kk = S₂·S₁ for the two intra-block triangles, so diag R = diag S₂ ⊙ diag S₁.
import { dotProducts } from './dot-products';
import { packLength, subtractProduct } from './subtract-product';
import { dot, scale } from './simd';

/** Columns per block: wide enough for the products to run near peak, narrow enough that the
 * column-by-column intra-block work (cost 8·n·k·width) stays a small fraction of 4·n·k². */
function blockWidth(k: i32): i32 {
  return k >= 256 ? 32 : 16;
}

// Scratch layout (doubles): projection coefficients k × width, then the first pass's diagonal
// (width), then subtractProduct's packing strip.
/** Doubles of scratch qrPositive needs for blocks of up to k columns. */
export function qrWorkLength(k: i32): i32 {
  const b = blockWidth(k);
  return k * b + b + packLength(k);
}

/**
 * z (n×k, column-major, byte address) becomes Q; rDiag[j] = R_jj ≥ 0. A column that vanishes
 * (R_jj = 0, or not finite) is replaced by the first coordinate axis independent of the
 * previous columns, as in the reference kernels. work: qrWorkLength(k) doubles.
 */
export function qrPositive(z: usize, n: i32, k: i32, rDiag: usize, work: usize): void {
  const colBytes = (<usize>n) << 3;
  const b = blockWidth(k);
  const coeffs = work;
  const firstPassDiag = coeffs + ((<usize>(k * b)) << 3);
  const pack = firstPassDiag + ((<usize>b) << 3);
  for (let j0 = 0; j0 < k; j0 += b) {
    const width = min(b, k - j0);
    const block = z + <usize>j0 * colBytes;
    const diag = rDiag + (<usize>j0 << 3);
    if (j0 == 0) {
      orthonormaliseBlock(z, n, 0, width, diag, coeffs, pack);
      continue;
    }
    projectOut(z, n, j0, block, width, coeffs, pack);
    orthonormaliseBlock(z, n, j0, width, firstPassDiag, coeffs, pack);
    projectOut(z, n, j0, block, width, coeffs, pack);
    orthonormaliseBlock(z, n, j0, width, diag, coeffs, pack);
    for (let c = 0; c < width; c++) {
      const o = (<usize>c) << 3;
      store<f64>(diag + o, load<f64>(diag + o) * load<f64>(firstPassDiag + o));
    }
  }
}

/** block −= Q₀·(Q₀ᵀ·block), Q₀ = the first `count` columns of z. */
function projectOut(z: usize, n: i32, count: i32, block: usize, width: i32, coeffs: usize, pack: usize): void {
  dotProducts(z, n, count, block, n, width, n, coeffs, count, false);
  subtractProduct(z, n, n, count, coeffs, count, block, n, width, pack);
}

/** Column-by-column CGS2 of columns j0..j0+width−1 against the earlier columns of the block. */
function orthonormaliseBlock(z: usize, n: i32, j0: i32, width: i32, diag: usize, coeffs: usize, pack: usize): void {
  const colBytes = (<usize>n) << 3;
  const first = z + <usize>j0 * colBytes;
  for (let c = 0; c < width; c++) {
    const y = first + <usize>c * colBytes;
    if (c > 0) {
      projectOut(first, n, c, y, 1, coeffs, pack);
      projectOut(first, n, c, y, 1, coeffs, pack);
    }
    const norm = Math.sqrt(dot(y, y, n));
    store<f64>(diag + ((<usize>c) << 3), norm);
    if (norm > 0 && isFinite(norm)) scale(y, n, 1 / norm);
    else replaceWithOrthogonalUnit(z, n, j0 + c, coeffs, pack);
  }
}

/** Column j collapsed: the first coordinate axis that stays independent of columns 0..j−1. */
function replaceWithOrthogonalUnit(z: usize, n: i32, j: i32, coeffs: usize, pack: usize): void {
  const colBytes = (<usize>n) << 3;
  const y = z + <usize>j * colBytes;
  for (let axis = 0; axis < n; axis++) {
    memory.fill(y, 0, colBytes);
    store<f64>(y + ((<usize>axis) << 3), 1);
    if (j > 0) {
      projectOut(z, n, j, y, 1, coeffs, pack);
      projectOut(z, n, j, y, 1, coeffs, pack);
    }
    const norm = Math.sqrt(dot(y, y, n));
    if (norm > 1e-8) {
      scale(y, n, 1 / norm);
      return;
    }
  }
}
