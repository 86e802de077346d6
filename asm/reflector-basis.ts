// The QR iteration with the basis kept as Householder reflectors instead of an explicit Q. Each
// step needs Z = J·Q (J a dense n×n Jacobian) and the QR of Z; forming Q from the reflectors
// (2nk² − 2k³/3 flops) and multiplying J by it (2n²k) is replaced by applying the reflectors to
// J's rows (4n²k − 2nk², i.e. 2n³ against 10n³/3 at k = n). Generic over T (see simd.ts).
import { applyTransposed, factorise, reflectorsLength, scratchLength } from './householder-qr';
import { bytes } from './simd';
import { formRows } from './formed-rows';
import { gatherColumns, rowsByDecreasingNorm } from './sorted-rows';

/** Elements of T of one stored basis (a slot), in whole 64-byte blocks so every slot is aligned. */
export function reflectorSlotLength<T>(n: i32, k: i32): i32 {
  const block = 64 / <i32>sizeof<T>();
  return (reflectorsLength<T>(n, k) + block - 1) / block * block;
}

/**
 * Elements of T of the scratch qrReflectors, reflectorStep and sortedReflectorStep share: their QR
 * scratch, then Z, then sortedReflectorStep's row norms, one row, and two orders of n i32 (4n
 * elements hold them for f32 and f64 alike).
 */
export function reflectorWorkLength<T>(n: i32, k: i32): i32 {
  return scratchLength<T>(n, k, n) + n * k + 4 * n;
}

/**
 * QR of z (n×k, k ≤ n; left unspecified) with its reflectors stored in `slot`; rDiag[j] = |R_jj|.
 */
export function qrReflectors<T>(z: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize): void {
  factorise<T>(z, n, k, rDiag, slot, work);
  for (let j = 0; j < k; j++) {
    const r = rDiag + bytes<T>(<usize>j);
    store<T>(r, abs<T>(load<T>(r)));
  }
}

/**
 * One step: Z = M·Q with M n×n row-major (overwritten) and Q the basis in `slot`, then
 * qrReflectors of Z into the same slot. M's memory read as column-major is Mᵀ, so applying Qᵀ
 * from the left (the factorisation's own trailing update) turns it into (M·Q)ᵀ, whose first k
 * rows are Z's columns.
 */
export function reflectorStep<T>(m: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize): void {
  applyTransposed<T>(m, n, k, n, slot, work);
  const z = work + bytes<T>(<usize>scratchLength<T>(n, k, n));
  transposeRows<T>(m, n, k, z, 0);
  qrReflectors<T>(z, n, k, rDiag, slot, work);
}

/**
 * reflectorStep in the coordinates of the reflectors when every QR sorts its rows (see
 * src/lyapunov/orthonormalisation.ts): M's columns are taken in `order` (n i32: on entry the row
 * order of the slot's last QR), Z's rows by decreasing norm of M's rows, and `order` becomes that
 * order. Returns how many of M's rows are exactly zero. Z's rows are M's rows in any order (each
 * row of M is a column of the reflectors' product, on its own), so the row sort costs only the
 * reads of transposeRows; the column gather is done in place.
 */
export function sortedReflectorStep<T>(m: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize, order: usize): i32 {
  const z = work + bytes<T>(<usize>scratchLength<T>(n, k, n));
  const norms = z + bytes<T>(<usize>(n * k));
  const row = norms + bytes<T>(<usize>n);
  const columns = row + bytes<T>(<usize>n);
  const scratch = columns + (<usize>n << 2);
  memory.copy(columns, order, <usize>n << 2);
  const zero = rowsByDecreasingNorm<T>(m, n, norms, order, scratch);
  gatherColumns<T>(m, n, columns, row);
  applyTransposed<T>(m, n, k, n, slot, work);
  transposeRows<T>(m, n, k, z, order);
  qrReflectors<T>(z, n, k, rDiag, slot, work);
  return zero;
}

/**
 * sortedReflectorStep of the formed matrix M = Σ_g diag(coef_g)·W_g (+ diag(diagonal) unless 0),
 * formed into m (n×n) first: see formed-rows.ts.
 */
export function formedReflectorStep<T>(
  weight: usize, gates: i32, coef: usize, diagonal: usize,
  m: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize, order: usize,
): i32 {
  formRows<T>(weight, gates, n, n, coef, diagonal, m);
  return sortedReflectorStep<T>(m, n, k, rDiag, slot, work, order);
}

/** Tiles of the transposition: 8×8 elements read and written while their cache lines are hot. */
const TILE: i32 = 8;

/**
 * z (n×k, column-major) = the first k columns of m (n×n, row-major), its rows in `order` (n i32;
 * 0: in index order): z[i + j·n] = m[order[i]·n + j]. For f64, two rows by two columns per step
 * (two loads, two shuffles, two stores); the rest, and f32, element by element in 8×8 tiles.
 */
function transposeRows<T>(m: usize, n: i32, k: i32, z: usize, order: usize): void {
  const colBytes = bytes<T>(<usize>n);
  let done = 0;
  if (sizeof<T>() == 8) {
    const k2 = k & ~1;
    for (; done + 2 <= n; done += 2) {
      const a = m + <usize>rowAt(order, done) * colBytes, b = m + <usize>rowAt(order, done + 1) * colBytes;
      let to = z + (<usize>done << 3);
      for (let j = 0; j < k2; j += 2) {
        const o = <usize>j << 3;
        const va = v128.load(a + o), vb = v128.load(b + o);
        v128.store(to, v128.shuffle<f64>(va, vb, 0, 2));
        v128.store(to + colBytes, v128.shuffle<f64>(va, vb, 1, 3));
        to += 2 * colBytes;
      }
      if (k & 1) {
        store<f64>(to, load<f64>(a + (<usize>k2 << 3)));
        store<f64>(to, load<f64>(b + (<usize>k2 << 3)), 8);
      }
    }
  }
  for (let i0 = done; i0 < n; i0 += TILE) {
    const i1 = min(n, i0 + TILE);
    for (let j0 = 0; j0 < k; j0 += TILE) {
      const j1 = min(k, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const row = m + <usize>rowAt(order, i) * colBytes;
        for (let j = j0; j < j1; j++) store<T>(z + <usize>j * colBytes + bytes<T>(<usize>i), load<T>(row + bytes<T>(<usize>j)));
      }
    }
  }
}

/** Row i of `order` (n i32), or i where order is 0. */
// @ts-ignore: decorator
@inline function rowAt(order: usize, i: i32): i32 {
  return order == 0 ? i : load<i32>(order + (<usize>i << 2));
}
