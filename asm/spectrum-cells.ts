// The spectrum's float64 cell steps (src/cells/lstm-layer.ts, gru-layer.ts: forward), here for the
// speed of fdlibm in wasm (libm64.ts) over its JavaScript port, with the same operations in the
// same order, so every output has the JavaScript's bits (test/cells.forward-kernels.test.ts).
// Arrays are f64, B×H (trajectory-major) unless said; a layer without bias passes zeros, which
// adds what the JavaScript's `+ 0` adds.
import { exp, tanh } from './libm64';

@inline
function at(array: usize, index: i32): usize {
  return array + (<usize>index << 3);
}

/** σ'(y) from y alone (activations.ts sigmoidSlope): t = e^{−|y|}, t / (1 + t)². */
@inline
function sigmoidSlope(y: f64): f64 {
  const t = exp(-abs(y));
  const d = 1 + t;
  return t / (d * d);
}

/** activations.ts sigmoidSlopeFromExp: t·s·s, or sigmoidSlope(y) where t = e^{−y} overflowed. */
@inline
function sigmoidSlopeFromExp(y: f64, t: f64, s: f64): f64 {
  return t == Infinity ? sigmoidSlope(y) : t * s * s;
}

/** activations.ts tanhSlopeGiven: (1 − v)(1 + v) where |v| ≤ 15/16, else (2t / (1 + t²))² with t = e^{−|y|}. */
@inline
function tanhSlopeGiven(y: f64, v: f64): f64 {
  if (abs(v) <= 0.9375) return (1 - v) * (1 + v);
  const t = exp(-abs(y));
  const q = (2 * t) / (1 + t * t);
  return q * q;
}

/**
 * LstmLayer.forward: pre (B×4H, gates i, f, g, o), bias (4H, combined), cOld → fromI, fromF, fromG,
 * fromO, a, f (the tangent's coefficients), cNew, hNew.
 */
export function lstmLayerForward(
  batch: i32, hidden: i32, pre: usize, bias: usize, cOld: usize,
  fromI: usize, fromF: usize, fromG: usize, fromO: usize, a: usize, fOut: usize, cNew: usize, hNew: usize,
): void {
  const h = hidden;
  for (let col = 0; col < batch; col++) {
    const q = col * 4 * h;
    for (let u = 0; u < h; u++) {
      const p = col * h + u;
      const yi = load<f64>(at(pre, q + u)) + load<f64>(at(bias, u));
      const yf = load<f64>(at(pre, q + h + u)) + load<f64>(at(bias, h + u));
      const yg = load<f64>(at(pre, q + 2 * h + u)) + load<f64>(at(bias, 2 * h + u));
      const yo = load<f64>(at(pre, q + 3 * h + u)) + load<f64>(at(bias, 3 * h + u));
      const ti = exp(-yi), tf = exp(-yf), to = exp(-yo);
      const i = 1 / (1 + ti), f = 1 / (1 + tf), g = tanh(yg), o = 1 / (1 + to);
      const c = load<f64>(at(cOld, p));
      const cn = f * c + i * g;
      const tc = tanh(cn);
      store<f64>(at(fromI, p), sigmoidSlopeFromExp(yi, ti, i) * g);
      store<f64>(at(fromF, p), sigmoidSlopeFromExp(yf, tf, f) * c);
      store<f64>(at(fromG, p), i * tanhSlopeGiven(yg, g));
      store<f64>(at(fromO, p), sigmoidSlopeFromExp(yo, to, o) * tc);
      store<f64>(at(a, p), o * tanhSlopeGiven(cn, tc));
      store<f64>(at(fOut, p), f);
      store<f64>(at(cNew, p), cn);
      store<f64>(at(hNew, p), o * tc);
    }
  }
}

/**
 * GruLayer.forward: x (B×3H, W x), fromHidden (B×3H, U h), biasIh and biasHh (3H each), hOld →
 * a, rFromHidden, zFromOld, r, z (the tangent's coefficients), hNew.
 */
export function gruLayerForward(
  batch: i32, hidden: i32, x: usize, fromHidden: usize, biasIh: usize, biasHh: usize, hOld: usize,
  a: usize, rFromHidden: usize, zFromOld: usize, rOut: usize, zOut: usize, hNew: usize,
): void {
  const h = hidden;
  for (let col = 0; col < batch; col++) {
    const g = col * 3 * h;
    for (let i = 0; i < h; i++) {
      const p = col * h + i;
      const ir = g + i, iz = g + h + i, inn = g + 2 * h + i;
      const yr = load<f64>(at(x, ir)) + load<f64>(at(fromHidden, ir)) + (load<f64>(at(biasIh, i)) + load<f64>(at(biasHh, i)));
      const yz = load<f64>(at(x, iz)) + load<f64>(at(fromHidden, iz)) + (load<f64>(at(biasIh, h + i)) + load<f64>(at(biasHh, h + i)));
      const tr = exp(-yr), tz = exp(-yz);
      const r = 1 / (1 + tr);
      const z = 1 / (1 + tz);
      const hn = load<f64>(at(fromHidden, inn)) + load<f64>(at(biasHh, 2 * h + i));
      const yn = load<f64>(at(x, inn)) + load<f64>(at(biasIh, 2 * h + i)) + r * hn;
      const n = tanh(yn);
      const hp = load<f64>(at(hOld, p));
      const zc = tz == Infinity ? 1 : tz * z;
      store<f64>(at(a, p), zc * tanhSlopeGiven(yn, n));
      store<f64>(at(rFromHidden, p), sigmoidSlopeFromExp(yr, tr, r) * hn);
      store<f64>(at(zFromOld, p), z * zc * (hp - n));
      store<f64>(at(rOut, p), r);
      store<f64>(at(zOut, p), z);
      store<f64>(at(hNew, p), (1 - z) * n + z * hp);
    }
  }
}
