// A cell layer's formed Jacobian, M = Σ_g diag(coef_g)·W_g + diag(d), formed in the module where
// the reflector step reads it (reflector-basis.ts), instead of in JavaScript and copied in. The
// arithmetic of the js twin (src/linalg/formed-rows.ts), entry by entry: each entry is
// c₀·w₀ + c₁·w₁ + … summed left to right over the terms whose coefficient is not 0 (a row with
// none is +0), then the diagonal added. Generic over T (see simd.ts).
import { bytes, lanes } from './simd';
import { dotProducts } from './dot-products';

/**
 * out (R×n row-major, R = rows) with row r = Σ_g coef[g·R + r]·(row g·n + r mod n of weight,
 * G·n×n row-major), plus diagonal[r] at column r of the first n rows unless diagonal is 0.
 * G = gates ≤ 4. R = n is a layer's square Jacobian; R = 2n the joint LSTM's [M + diag(a)A; A].
 */
export function formRows<T>(weight: usize, gates: i32, rows: i32, n: i32, coef: usize, diagonal: usize, out: usize): void {
  const rowBytes = bytes<T>(<usize>n);
  const vectorBytes = bytes<T>(<usize>(n & ~(lanes<T>() - 1)));
  for (let r = 0; r < rows; r++) {
    // The terms of row r in gate order: their weight rows and coefficients (at most 4).
    let used = 0;
    let w0: usize = 0, w1: usize = 0, w2: usize = 0, w3: usize = 0;
    let c0: T = 0, c1: T = 0, c2: T = 0, c3: T = 0;
    const unit = r % n;
    for (let g = 0; g < gates; g++) {
      const c = load<T>(coef + bytes<T>(<usize>(g * rows + r)));
      if (c == 0) continue;
      const w = weight + <usize>(g * n + unit) * rowBytes;
      if (used == 0) { w0 = w; c0 = c; } else if (used == 1) { w1 = w; c1 = c; } else if (used == 2) { w2 = w; c2 = c; } else { w3 = w; c3 = c; }
      used++;
    }
    const row = out + <usize>r * rowBytes;
    if (used == 0) {
      memory.fill(row, 0, rowBytes);
    } else if (used == 1) {
      const s0 = v128.splat<T>(c0);
      let o: usize = 0;
      for (; o < vectorBytes; o += 16) v128.store(row + o, v128.mul<T>(s0, v128.load(w0 + o)));
      for (; o < rowBytes; o += sizeof<T>()) store<T>(row + o, c0 * load<T>(w0 + o));
    } else if (used == 2) {
      const s0 = v128.splat<T>(c0), s1 = v128.splat<T>(c1);
      let o: usize = 0;
      for (; o < vectorBytes; o += 16) {
        v128.store(row + o, v128.add<T>(v128.mul<T>(s0, v128.load(w0 + o)), v128.mul<T>(s1, v128.load(w1 + o))));
      }
      for (; o < rowBytes; o += sizeof<T>()) store<T>(row + o, c0 * load<T>(w0 + o) + c1 * load<T>(w1 + o));
    } else if (used == 3) {
      const s0 = v128.splat<T>(c0), s1 = v128.splat<T>(c1), s2 = v128.splat<T>(c2);
      let o: usize = 0;
      for (; o < vectorBytes; o += 16) {
        const a = v128.add<T>(v128.mul<T>(s0, v128.load(w0 + o)), v128.mul<T>(s1, v128.load(w1 + o)));
        v128.store(row + o, v128.add<T>(a, v128.mul<T>(s2, v128.load(w2 + o))));
      }
      for (; o < rowBytes; o += sizeof<T>()) store<T>(row + o, c0 * load<T>(w0 + o) + c1 * load<T>(w1 + o) + c2 * load<T>(w2 + o));
    } else {
      const s0 = v128.splat<T>(c0), s1 = v128.splat<T>(c1), s2 = v128.splat<T>(c2), s3 = v128.splat<T>(c3);
      let o: usize = 0;
      for (; o < vectorBytes; o += 16) {
        const a = v128.add<T>(v128.mul<T>(s0, v128.load(w0 + o)), v128.mul<T>(s1, v128.load(w1 + o)));
        const b = v128.add<T>(a, v128.mul<T>(s2, v128.load(w2 + o)));
        v128.store(row + o, v128.add<T>(b, v128.mul<T>(s3, v128.load(w3 + o))));
      }
      for (; o < rowBytes; o += sizeof<T>()) {
        store<T>(row + o, c0 * load<T>(w0 + o) + c1 * load<T>(w1 + o) + c2 * load<T>(w2 + o) + c3 * load<T>(w3 + o));
      }
    }
    if (diagonal != 0 && r < n) {
      const d = row + bytes<T>(<usize>r);
      store<T>(d, load<T>(d) + load<T>(diagonal + bytes<T>(<usize>r)));
    }
  }
}

/**
 * For b < batch: out_b (+)= F_b·X_b, F_b = formRows of coef_b (coef + b·G·R) and diagonal_b
 * (diagonal + b·n, unless diagonal is 0) formed into f (R×n scratch); X_b n×k at x + b·xStride,
 * columns ldx apart, out_b R×k at out + b·outStride, columns ldo apart (strides in elements).
 * Unless scale is 0, out_b starts as scaledRows of scale_b (scale + b·R) and X_b's rows from
 * `from` on, and the product adds to it.
 */
export function formedProducts<T>(
  weight: usize, gates: i32, rows: i32, n: i32, coef: usize, diagonal: usize, f: usize,
  x: usize, ldx: i32, xStride: i32, k: i32, out: usize, ldo: i32, outStride: i32, batch: i32, accumulate: bool,
  scale: usize, from: i32,
): void {
  for (let b = 0; b < batch; b++) {
    formRows<T>(weight, gates, rows, n, coef + bytes<T>(<usize>(b * gates * rows)), diagonal == 0 ? 0 : diagonal + bytes<T>(<usize>(b * n)), f);
    const xb = x + bytes<T>(<usize>(b * xStride));
    const ob = out + bytes<T>(<usize>(b * outStride));
    if (scale != 0) scaledRows<T>(scale + bytes<T>(<usize>(b * rows)), rows, n, xb + bytes<T>(<usize>from), ldx, k, ob, ldo);
    dotProducts<T>(f, n, rows, xb, ldx, k, n, ob, ldo, accumulate || scale != 0);
  }
}

/**
 * out[r, j] = scale[r]·x[r mod n, j] for r < rows, j < k (out R×k, columns ldo apart; x's columns
 * ldx apart): the joint LSTM's f⊙δc and a⊙f⊙δc, one product per entry as the js twin's.
 */
function scaledRows<T>(scale: usize, rows: i32, n: i32, x: usize, ldx: i32, k: i32, out: usize, ldo: i32): void {
  for (let j = 0; j < k; j++) {
    const xj = x + bytes<T>(<usize>(j * ldx));
    const oj = out + bytes<T>(<usize>(j * ldo));
    for (let r0 = 0; r0 < rows; r0 += n) {
      const len = min(n, rows - r0);
      const lenBytes = bytes<T>(<usize>len);
      const vectorBytes = bytes<T>(<usize>(len & ~(lanes<T>() - 1)));
      const s = scale + bytes<T>(<usize>r0);
      const o = oj + bytes<T>(<usize>r0);
      let i: usize = 0;
      for (; i < vectorBytes; i += 16) v128.store(o + i, v128.mul<T>(v128.load(s + i), v128.load(xj + i)));
      for (; i < lenBytes; i += sizeof<T>()) store<T>(o + i, load<T>(s + i) * load<T>(xj + i));
    }
  }
}
