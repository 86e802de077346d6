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
  let i = 0;
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
