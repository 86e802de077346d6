// Y −= Q·W in "axpy form": Q's columns are contiguous, so each column of Y is updated by
// whole-column multiples of Q's columns. This applies a block of Householder reflectors.
// Generic over the element type T (f32 or f64, see simd.ts).
import { bytes, lanes, mulSub } from './simd';

// Register tile: a strip of 4 vectors of rows (8 f64 or 16 f32 rows) × 2 columns = 8 accumulators
// + 4 + 2 temporaries. Below a whole strip, tiles one vector of rows high; below a whole vector,
// scalar rows.
const STRIP_BYTES = 64;

/** Elements of T of scratch subtractProduct<T> needs for a given depth. */
export function packLength<T>(depth: i32): i32 {
  return (STRIP_BYTES / <i32>sizeof<T>()) * depth;
}

/**
 * y[r + j·ldy] −= Σ_p q[r + p·ldq]·w[p + j·ldw] for r < rows, j < cols, p < depth.
 * Pointers are byte addresses, strides are in elements of T; pack: packLength<T>(depth) of scratch.
 */
export function subtractProduct<T>(
  q: usize, ldq: i32, rows: i32, depth: i32,
  w: usize, ldw: i32,
  y: usize, ldy: i32, cols: i32,
  pack: usize,
): void {
  if (rows <= 0 || cols <= 0 || depth <= 0) return;
  const qStride = bytes<T>(<usize>ldq);
  const ws = bytes<T>(<usize>ldw);
  const ys = bytes<T>(<usize>ldy);
  const vectorRows = lanes<T>();
  const stripRows = 4 * vectorRows;
  const rowsInStrips = rows - rows % stripRows;
  const rowsInVectors = rows - rows % vectorRows;
  const cols2 = cols & ~1;
  // Columns a multiple of 4 KiB apart all fall into one L1 set (and defeat the prefetcher):
  // at n = 512 or 1024 (f64) the tile's strip of Q then runs at 8–13 instead of ~18 GFLOP/s.
  // Copying the strip to contiguous scratch first costs 1/(2·cols) of the work.
  const packStrips = (qStride & 4095) == 0;
  for (let r = 0; r < rowsInVectors; r += r < rowsInStrips ? stripRows : vectorRows) {
    const yr = y + bytes<T>(<usize>r);
    const wide = r < rowsInStrips;
    let qr = q + bytes<T>(<usize>r);
    let qs = qStride;
    if (wide && packStrips) {
      packStrip(qr, qStride, depth, pack);
      qr = pack;
      qs = STRIP_BYTES;
    }
    let j = 0;
    for (; j < cols2; j += 2) {
      const yj = yr + <usize>j * ys;
      const wj = w + <usize>j * ws;
      if (wide) tileStrip2<T>(qr, qs, depth, wj, ws, yj, ys);
      else tileVector2<T>(qr, qs, depth, wj, ws, yj, ys);
    }
    if (j < cols) {
      const yj = yr + <usize>j * ys;
      const wj = w + <usize>j * ws;
      if (wide) tileStrip1<T>(qr, qs, depth, wj, yj);
      else tileVector1<T>(qr, qs, depth, wj, yj);
    }
  }
  for (let r = rowsInVectors; r < rows; r++) {
    const row = bytes<T>(<usize>r);
    for (let j = 0; j < cols; j++) {
      const wj = w + <usize>j * ws;
      let s: T = 0;
      for (let p = 0; p < depth; p++) s += load<T>(q + row + <usize>p * qStride) * load<T>(wj + bytes<T>(<usize>p));
      const yo = y + row + <usize>j * ys;
      store<T>(yo, load<T>(yo) - s);
    }
  }
}

/** One strip of rows of depth columns of Q, stored contiguously (STRIP_BYTES per column). */
function packStrip(q: usize, qs: usize, depth: i32, pack: usize): void {
  for (let p = 0; p < depth; p++) {
    const from = q + <usize>p * qs;
    const to = pack + <usize>p * STRIP_BYTES;
    v128.store(to, v128.load(from));
    v128.store(to, v128.load(from, 16), 16);
    v128.store(to, v128.load(from, 32), 32);
    v128.store(to, v128.load(from, 48), 48);
  }
}

function tileStrip2<T>(q: usize, qs: usize, depth: i32, w: usize, ws: usize, y: usize, ys: usize): void {
  const y1 = y + ys;
  let c00 = v128.load(y), c10 = v128.load(y, 16), c20 = v128.load(y, 32), c30 = v128.load(y, 48);
  let c01 = v128.load(y1), c11 = v128.load(y1, 16), c21 = v128.load(y1, 32), c31 = v128.load(y1, 48);
  let qp = q;
  const end = w + bytes<T>(<usize>depth);
  for (let wp = w; wp < end; wp += sizeof<T>()) {
    const v0 = v128.load(qp), v1 = v128.load(qp, 16), v2 = v128.load(qp, 32), v3 = v128.load(qp, 48);
    let s = v128.load_splat<T>(wp);
    c00 = mulSub<T>(c00, v0, s); c10 = mulSub<T>(c10, v1, s); c20 = mulSub<T>(c20, v2, s); c30 = mulSub<T>(c30, v3, s);
    s = v128.load_splat<T>(wp + ws);
    c01 = mulSub<T>(c01, v0, s); c11 = mulSub<T>(c11, v1, s); c21 = mulSub<T>(c21, v2, s); c31 = mulSub<T>(c31, v3, s);
    qp += qs;
  }
  v128.store(y, c00); v128.store(y, c10, 16); v128.store(y, c20, 32); v128.store(y, c30, 48);
  v128.store(y1, c01); v128.store(y1, c11, 16); v128.store(y1, c21, 32); v128.store(y1, c31, 48);
}

function tileStrip1<T>(q: usize, qs: usize, depth: i32, w: usize, y: usize): void {
  let c0 = v128.load(y), c1 = v128.load(y, 16), c2 = v128.load(y, 32), c3 = v128.load(y, 48);
  let qp = q;
  const end = w + bytes<T>(<usize>depth);
  for (let wp = w; wp < end; wp += sizeof<T>()) {
    const s = v128.load_splat<T>(wp);
    c0 = mulSub<T>(c0, v128.load(qp), s);
    c1 = mulSub<T>(c1, v128.load(qp, 16), s);
    c2 = mulSub<T>(c2, v128.load(qp, 32), s);
    c3 = mulSub<T>(c3, v128.load(qp, 48), s);
    qp += qs;
  }
  v128.store(y, c0); v128.store(y, c1, 16); v128.store(y, c2, 32); v128.store(y, c3, 48);
}

function tileVector2<T>(q: usize, qs: usize, depth: i32, w: usize, ws: usize, y: usize, ys: usize): void {
  let c0 = v128.load(y), c1 = v128.load(y + ys);
  let qp = q;
  const end = w + bytes<T>(<usize>depth);
  for (let wp = w; wp < end; wp += sizeof<T>()) {
    const v = v128.load(qp);
    c0 = mulSub<T>(c0, v, v128.load_splat<T>(wp));
    c1 = mulSub<T>(c1, v, v128.load_splat<T>(wp + ws));
    qp += qs;
  }
  v128.store(y, c0); v128.store(y + ys, c1);
}

function tileVector1<T>(q: usize, qs: usize, depth: i32, w: usize, y: usize): void {
  let c = v128.load(y);
  let qp = q;
  const end = w + bytes<T>(<usize>depth);
  for (let wp = w; wp < end; wp += sizeof<T>()) {
    c = mulSub<T>(c, v128.load(qp), v128.load_splat<T>(wp));
    qp += qs;
  }
  v128.store(y, c);
}
