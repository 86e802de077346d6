// Y −= Q·W in "axpy form": Q's columns are contiguous, so each column of Y is updated by
// whole-column multiples of Q's columns. This is the projection step of Gram–Schmidt.
import { mulSub } from './simd';

/** Doubles of scratch subtractProduct needs for a given depth. */
export function packLength(depth: i32): i32 {
  return 8 * depth;
}

/**
 * y[r + j·ldy] −= Σ_p q[r + p·ldq]·w[p + j·ldw] for r < rows, j < cols, p < depth.
 * Pointers are byte addresses, strides are in doubles; pack: packLength(depth) doubles of scratch.
 */
export function subtractProduct(
  q: usize, ldq: i32, rows: i32, depth: i32,
  w: usize, ldw: i32,
  y: usize, ldy: i32, cols: i32,
  pack: usize,
): void {
  if (rows <= 0 || cols <= 0 || depth <= 0) return;
  const qStride = (<usize>ldq) << 3;
  const ws = (<usize>ldw) << 3;
  const ys = (<usize>ldy) << 3;
  // Register tile: 8 rows (4 f64x2) × 2 columns = 8 accumulators + 4 + 2 temporaries.
  const rows8 = rows & ~7;
  const rows2 = rows & ~1;
  const cols2 = cols & ~1;
  // Columns a multiple of 4 KiB apart all fall into one L1 set (and defeat the prefetcher):
  // at n = 512 or 1024 the tile's 8-row strip of Q then runs at 8–13 instead of ~18 GFLOP/s.
  // Copying the strip to contiguous scratch first costs 1/(2·cols) of the work.
  const packStrips = (qStride & 4095) == 0;
  for (let r = 0; r < rows2; r += r < rows8 ? 8 : 2) {
    const yr = y + (<usize>r << 3);
    const wide = r < rows8;
    let qr = q + (<usize>r << 3);
    let qs = qStride;
    if (wide && packStrips) {
      packStrip(qr, qStride, depth, pack);
      qr = pack;
      qs = 64;
    }
    let j = 0;
    for (; j < cols2; j += 2) {
      const yj = yr + <usize>j * ys;
      const wj = w + <usize>j * ws;
      if (wide) tile8x2(qr, qs, depth, wj, ws, yj, ys);
      else tile2x2(qr, qs, depth, wj, ws, yj, ys);
    }
    if (j < cols) {
      const yj = yr + <usize>j * ys;
      const wj = w + <usize>j * ws;
      if (wide) tile8x1(qr, qs, depth, wj, yj);
      else tile2x1(qr, qs, depth, wj, yj);
    }
  }
  if (rows & 1) {
    const last = (<usize>(rows - 1)) << 3;
    for (let j = 0; j < cols; j++) {
      const wj = w + <usize>j * ws;
      let s: f64 = 0;
      for (let p = 0; p < depth; p++) s += load<f64>(q + last + <usize>p * qStride) * load<f64>(wj + (<usize>p << 3));
      const yo = y + last + <usize>j * ys;
      store<f64>(yo, load<f64>(yo) - s);
    }
  }
}

/** Rows r..r+7 of depth columns of Q, stored contiguously (64 bytes per column). */
function packStrip(q: usize, qs: usize, depth: i32, pack: usize): void {
  for (let p = 0; p < depth; p++) {
    const from = q + <usize>p * qs;
    const to = pack + (<usize>p << 6);
    v128.store(to, v128.load(from));
    v128.store(to, v128.load(from, 16), 16);
    v128.store(to, v128.load(from, 32), 32);
    v128.store(to, v128.load(from, 48), 48);
  }
}

function tile8x2(q: usize, qs: usize, depth: i32, w: usize, ws: usize, y: usize, ys: usize): void {
  const y1 = y + ys;
  let c00 = v128.load(y), c10 = v128.load(y, 16), c20 = v128.load(y, 32), c30 = v128.load(y, 48);
  let c01 = v128.load(y1), c11 = v128.load(y1, 16), c21 = v128.load(y1, 32), c31 = v128.load(y1, 48);
  let qp = q;
  const end = w + (<usize>depth << 3);
  for (let wp = w; wp < end; wp += 8) {
    const v0 = v128.load(qp), v1 = v128.load(qp, 16), v2 = v128.load(qp, 32), v3 = v128.load(qp, 48);
    let s = v128.load64_splat(wp);
    c00 = mulSub(c00, v0, s); c10 = mulSub(c10, v1, s); c20 = mulSub(c20, v2, s); c30 = mulSub(c30, v3, s);
    s = v128.load64_splat(wp + ws);
    c01 = mulSub(c01, v0, s); c11 = mulSub(c11, v1, s); c21 = mulSub(c21, v2, s); c31 = mulSub(c31, v3, s);
    qp += qs;
  }
  v128.store(y, c00); v128.store(y, c10, 16); v128.store(y, c20, 32); v128.store(y, c30, 48);
  v128.store(y1, c01); v128.store(y1, c11, 16); v128.store(y1, c21, 32); v128.store(y1, c31, 48);
}

function tile8x1(q: usize, qs: usize, depth: i32, w: usize, y: usize): void {
  let c0 = v128.load(y), c1 = v128.load(y, 16), c2 = v128.load(y, 32), c3 = v128.load(y, 48);
  let qp = q;
  const end = w + (<usize>depth << 3);
  for (let wp = w; wp < end; wp += 8) {
    const s = v128.load64_splat(wp);
    c0 = mulSub(c0, v128.load(qp), s);
    c1 = mulSub(c1, v128.load(qp, 16), s);
    c2 = mulSub(c2, v128.load(qp, 32), s);
    c3 = mulSub(c3, v128.load(qp, 48), s);
    qp += qs;
  }
  v128.store(y, c0); v128.store(y, c1, 16); v128.store(y, c2, 32); v128.store(y, c3, 48);
}

function tile2x2(q: usize, qs: usize, depth: i32, w: usize, ws: usize, y: usize, ys: usize): void {
  let c0 = v128.load(y), c1 = v128.load(y + ys);
  let qp = q;
  const end = w + (<usize>depth << 3);
  for (let wp = w; wp < end; wp += 8) {
    const v = v128.load(qp);
    c0 = mulSub(c0, v, v128.load64_splat(wp));
    c1 = mulSub(c1, v, v128.load64_splat(wp + ws));
    qp += qs;
  }
  v128.store(y, c0); v128.store(y + ys, c1);
}

function tile2x1(q: usize, qs: usize, depth: i32, w: usize, y: usize): void {
  let c = v128.load(y);
  let qp = q;
  const end = w + (<usize>depth << 3);
  for (let wp = w; wp < end; wp += 8) {
    c = mulSub(c, v128.load(qp), v128.load64_splat(wp));
    qp += qs;
  }
  v128.store(y, c);
}
