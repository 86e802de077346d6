// The row sorting and column gathering of the reflector step (reflector-basis.ts), inside the
// module so that the Jacobian is read where it already lies: the same arithmetic and the same
// order as the js twin (src/linalg/matrix-rows.ts), so the spectra keep their bits. Generic over T
// (see simd.ts); norms are T's sums of squares.
import { bytes } from './simd';

/**
 * order = the rows of the n×n row-major m by decreasing squared norm, ties in index order
 * (norms: n elements of T, scratch: n i32). Each row's norm is summed in column order, four rows
 * at a time (four independent addition chains). Returns how many rows are exactly zero: only a
 * row whose squared norm is 0 is scanned (tiny entries can square to 0).
 */
export function rowsByDecreasingNorm<T>(m: usize, n: i32, norms: usize, order: usize, scratch: usize): i32 {
  const rowBytes = bytes<T>(<usize>n);
  let i = sizeof<T>() == 8 ? rowNormsInPairs(m, n, norms) : 0;
  for (; i + 4 <= n; i += 4) {
    const r0 = m + <usize>i * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
    let s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0;
    for (let o: usize = 0; o < rowBytes; o += sizeof<T>()) {
      const v0 = load<T>(r0 + o), v1 = load<T>(r1 + o), v2 = load<T>(r2 + o), v3 = load<T>(r3 + o);
      s0 += v0 * v0;
      s1 += v1 * v1;
      s2 += v2 * v2;
      s3 += v3 * v3;
    }
    const at = norms + bytes<T>(<usize>i);
    store<T>(at, s0);
    store<T>(at, s1, sizeof<T>());
    store<T>(at, s2, 2 * sizeof<T>());
    store<T>(at, s3, 3 * sizeof<T>());
  }
  for (; i < n; i++) {
    const row = m + <usize>i * rowBytes;
    let s: T = 0;
    for (let o: usize = 0; o < rowBytes; o += sizeof<T>()) s += load<T>(row + o) * load<T>(row + o);
    store<T>(norms + bytes<T>(<usize>i), s);
  }
  let zero = 0;
  for (i = 0; i < n; i++) {
    store<i32>(order + (<usize>i << 2), i);
    if (load<T>(norms + bytes<T>(<usize>i)) == 0 && isZeroRow<T>(m + <usize>i * rowBytes, rowBytes)) zero++;
  }
  sortByDecreasingNorm<T>(order, norms, scratch, n);
  return zero;
}

/**
 * The f64 row norms of rows 0 … 8⌊n/8⌋ − 1 (returned), eight rows at a time: each lane of an
 * f64x2 sums one row, in column order as the scalar loop does, so a lane's sum has the same bits;
 * two columns of a pair of rows are loaded as two vectors and regrouped by column (a shuffle).
 */
function rowNormsInPairs(m: usize, n: i32, norms: usize): i32 {
  const rowBytes = <usize>n << 3;
  const pairBytes = <usize>(n & ~1) << 3;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const r0 = m + <usize>i * rowBytes;
    const r2 = r0 + 2 * rowBytes, r4 = r2 + 2 * rowBytes, r6 = r4 + 2 * rowBytes;
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (let o: usize = 0; o < pairBytes; o += 16) {
      s0 = addColumnSquares(s0, v128.load(r0 + o), v128.load(r0 + rowBytes + o));
      s1 = addColumnSquares(s1, v128.load(r2 + o), v128.load(r2 + rowBytes + o));
      s2 = addColumnSquares(s2, v128.load(r4 + o), v128.load(r4 + rowBytes + o));
      s3 = addColumnSquares(s3, v128.load(r6 + o), v128.load(r6 + rowBytes + o));
    }
    if (n & 1) {
      const last = pairBytes;
      s0 = addSquares(s0, f64x2.replace_lane(f64x2.splat(load<f64>(r0 + last)), 1, load<f64>(r0 + rowBytes + last)));
      s1 = addSquares(s1, f64x2.replace_lane(f64x2.splat(load<f64>(r2 + last)), 1, load<f64>(r2 + rowBytes + last)));
      s2 = addSquares(s2, f64x2.replace_lane(f64x2.splat(load<f64>(r4 + last)), 1, load<f64>(r4 + rowBytes + last)));
      s3 = addSquares(s3, f64x2.replace_lane(f64x2.splat(load<f64>(r6 + last)), 1, load<f64>(r6 + rowBytes + last)));
    }
    const at = norms + (<usize>i << 3);
    v128.store(at, s0);
    v128.store(at, s1, 16);
    v128.store(at, s2, 32);
    v128.store(at, s3, 48);
  }
  return i;
}

/** s + (a₀², b₀²) + (a₁², b₁²): columns j and j + 1 of two rows whose columns j, j + 1 are a and b. */
// @ts-ignore: decorator
@inline function addColumnSquares(s: v128, a: v128, b: v128): v128 {
  return addSquares(addSquares(s, v128.shuffle<f64>(a, b, 0, 2)), v128.shuffle<f64>(a, b, 1, 3));
}

// @ts-ignore: decorator
@inline function addSquares(s: v128, v: v128): v128 {
  return f64x2.add(s, f64x2.mul(v, v));
}

function isZeroRow<T>(row: usize, rowBytes: usize): bool {
  for (let o: usize = 0; o < rowBytes; o += sizeof<T>()) if (load<T>(row + o) != 0) return false;
  return true;
}

/**
 * The js twin's stable bottom-up merge sort of order[0..n) by decreasing norms[i]: the right
 * element is taken only when its norm is strictly larger (so ties, and NaN, keep index order).
 */
function sortByDecreasingNorm<T>(order: usize, norms: usize, scratch: usize, n: i32): void {
  let from = order;
  let to = scratch;
  const end = <usize>n;
  for (let width: usize = 1; width < end; width *= 2) {
    for (let lo: usize = 0; lo < end; lo += 2 * width) {
      const mid = min(lo + width, end);
      const hi = min(lo + 2 * width, end);
      let a = lo, c = mid, out = lo;
      while (a < mid && c < hi) {
        const left = load<i32>(from + (a << 2));
        const right = load<i32>(from + (c << 2));
        if (load<T>(norms + bytes<T>(<usize>right)) > load<T>(norms + bytes<T>(<usize>left))) {
          store<i32>(to + (out << 2), right);
          c++;
        } else {
          store<i32>(to + (out << 2), left);
          a++;
        }
        out++;
      }
      for (; a < mid; a++, out++) store<i32>(to + (out << 2), load<i32>(from + (a << 2)));
      for (; c < hi; c++, out++) store<i32>(to + (out << 2), load<i32>(from + (c << 2)));
    }
    const swap = from;
    from = to;
    to = swap;
  }
  if (from != order) memory.copy(order, from, end << 2);
}

/**
 * Each row of the n×n row-major m gets its columns in `columns` order (n i32), in place through
 * one row of scratch (n elements of T): m[i, c] ← m[i, columns[c]].
 */
export function gatherColumns<T>(m: usize, n: i32, columns: usize, row: usize): void {
  const rowBytes = bytes<T>(<usize>n);
  for (let i = 0; i < n; i++) {
    const at = m + <usize>i * rowBytes;
    memory.copy(row, at, rowBytes);
    for (let c = 0; c < n; c++) {
      store<T>(at + bytes<T>(<usize>c), load<T>(row + bytes<T>(<usize>load<i32>(columns + (<usize>c << 2)))));
    }
  }
}
