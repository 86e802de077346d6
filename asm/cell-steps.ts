// The elementwise part of one training step (src/cells/backward/*.ts) on float32 buffers, two
// units at a time: each float is widened to f64, the step computed in f64x2 and rounded back once,
// as the JavaScript steps do with Math.exp and Math.tanh. Gate g, unit u of batch row b sits at
// b·G·H + g·H + u (PyTorch's gate order). The slopes are taken from the pre-activations, as in
// src/cells/activations.ts: σ' = e^{−|y|}/(1 + e^{−|y|})² and tanh' = 4e^{−2|y|}/(1 + e^{−2|y|})²,
// which do not cancel in saturation.
import { expNonPositive } from './exp';

/** tanh y = y to within y²/3 relative below this, where (1 − e^{−2|y|}) would lose digits. */
const TANH_LINEAR: f64 = 1e-6;

// The activations come in parts, each one v128 (the runtime is a stub: no objects per call):
// t = e^{−|y|} and big = σ(|y|) = 1/(1 + t) give σ(y), σ(−y) and σ'(y) = σ(|y|)σ(−|y|);
// t = e^{−2|y|} and inv = 1/(1 + t) give tanh y = ±(1 − t)·inv and tanh'(y) = 4t·inv².

@inline
function expNegAbs(y: v128, factor: f64): v128 {
  return expNonPositive(f64x2.mul(f64x2.abs(y), f64x2.splat(-factor)));
}

@inline
function recipOnePlus(t: v128): v128 {
  return f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), t));
}

/** σ(y) (or σ(−y) when `complement`) from t = e^{−|y|}, big = 1/(1 + t). */
@inline
function sigmoidOf(y: v128, t: v128, big: v128, complement: bool): v128 {
  const small = f64x2.mul(t, big);
  const positive = f64x2.ge(y, f64x2.splat(0));
  return complement ? v128.bitselect(small, big, positive) : v128.bitselect(big, small, positive);
}

/** σ'(y) = σ(|y|)·σ(−|y|). */
@inline
function sigmoidSlopeOf(t: v128, big: v128): v128 {
  return f64x2.mul(f64x2.mul(t, big), big);
}

/** tanh y from t = e^{−2|y|}, inv = 1/(1 + t). */
@inline
function tanhOf(y: v128, t: v128, inv: v128): v128 {
  const a = f64x2.abs(y);
  const magnitude = v128.bitselect(a, f64x2.mul(f64x2.sub(f64x2.splat(1), t), inv), f64x2.lt(a, f64x2.splat(TANH_LINEAR)));
  // The magnitude with y's sign bit.
  return v128.or(magnitude, v128.and(y, f64x2.splat(-0.0)));
}

/** tanh'(y) = 4t·inv². */
@inline
function tanhSlopeOf(t: v128, inv: v128): v128 {
  return f64x2.mul(f64x2.mul(f64x2.splat(4), t), f64x2.mul(inv, inv));
}

/** Two floats (or one, when !two) at p, widened to f64 lanes. */
@inline
function load2(p: usize, two: bool): v128 {
  return f64x2.promote_low_f32x4(two ? v128.load64_zero(p) : v128.load32_zero(p));
}

/** The f64 lanes of v rounded to float and stored at p (two, or the first when !two). */
@inline
function store2(p: usize, v: v128, two: bool): void {
  const f = f32x4.demote_f64x2_zero(v);
  if (two) v128.store64_lane(p, f, 0);
  else v128.store32_lane(p, f, 0);
}

@inline
function lstmForwardUnits(
  q: usize, r: usize, hb: usize, gates: usize, aux: usize, cPrev: usize, c: usize, h: usize, local: usize, two: bool,
): void {
  const yi = load2(gates + q, two), yf = load2(gates + q + hb, two);
  const yg = load2(gates + q + 2 * hb, two), yo = load2(gates + q + 3 * hb, two);
  const ti = expNegAbs(yi, 1), tf = expNegAbs(yf, 1), tg = expNegAbs(yg, 2), to = expNegAbs(yo, 1);
  const bi = recipOnePlus(ti), bf = recipOnePlus(tf), ig = recipOnePlus(tg), bo = recipOnePlus(to);
  const i = sigmoidOf(yi, ti, bi, false), f = sigmoidOf(yf, tf, bf, false), o = sigmoidOf(yo, to, bo, false);
  const g = tanhOf(yg, tg, ig);
  const cp = load2(cPrev + r, two);
  const cn = f64x2.add(f64x2.mul(f, cp), f64x2.mul(i, g));
  const tc = expNegAbs(cn, 2);
  const ic = recipOnePlus(tc);
  const thc = tanhOf(cn, tc, ic);
  store2(local + q, f64x2.mul(g, sigmoidSlopeOf(ti, bi)), two);
  store2(local + q + hb, f64x2.mul(cp, sigmoidSlopeOf(tf, bf)), two);
  store2(local + q + 2 * hb, f64x2.mul(i, tanhSlopeOf(tg, ig)), two);
  store2(local + q + 3 * hb, f64x2.mul(thc, sigmoidSlopeOf(to, bo)), two);
  store2(gates + q + hb, f, two);
  store2(aux + r, f64x2.mul(o, tanhSlopeOf(tc, ic)), two);
  store2(c + r, cn, two);
  store2(h + r, f64x2.mul(o, thc), two);
}

@inline
function lstmBackwardUnits(q: usize, r: usize, hb: usize, gates: usize, aux: usize, dPre: usize, dh: usize, dc: usize, two: bool): void {
  const dhu = load2(dh + r, two);
  const dct = f64x2.add(load2(dc + r, two), f64x2.mul(dhu, load2(aux + r, two)));
  store2(dPre + q, f64x2.mul(dct, load2(dPre + q, two)), two);
  store2(dPre + q + hb, f64x2.mul(dct, load2(dPre + q + hb, two)), two);
  store2(dPre + q + 2 * hb, f64x2.mul(dct, load2(dPre + q + 2 * hb, two)), two);
  store2(dPre + q + 3 * hb, f64x2.mul(dhu, load2(dPre + q + 3 * hb, two)), two);
  store2(dc + r, f64x2.mul(dct, load2(gates + q + hb, two)), two);
}

@inline
function gruForwardUnits(q: usize, s: usize, hb: usize, gates: usize, hh: usize, hPrev: usize, h: usize, local: usize, two: bool): void {
  const yr = f64x2.add(load2(gates + q, two), load2(hh + q, two));
  const yz = f64x2.add(load2(gates + q + hb, two), load2(hh + q + hb, two));
  const tr = expNegAbs(yr, 1), tz = expNegAbs(yz, 1);
  const br = recipOnePlus(tr), bz = recipOnePlus(tz);
  const r = sigmoidOf(yr, tr, br, false);
  const z = sigmoidOf(yz, tz, bz, false);
  const zc = sigmoidOf(yz, tz, bz, true);
  const hn = load2(hh + q + 2 * hb, two);
  const yn = f64x2.add(load2(gates + q + 2 * hb, two), f64x2.mul(r, hn));
  const tn = expNegAbs(yn, 2);
  const inv = recipOnePlus(tn);
  const n = tanhOf(yn, tn, inv);
  const hp = load2(hPrev + s, two);
  const a = f64x2.mul(zc, tanhSlopeOf(tn, inv));
  store2(local + q, f64x2.mul(f64x2.mul(a, hn), sigmoidSlopeOf(tr, br)), two);
  store2(local + q + hb, f64x2.mul(f64x2.mul(f64x2.sub(hp, n), z), zc), two);
  store2(local + q + 2 * hb, a, two);
  store2(gates + q, r, two);
  store2(gates + q + hb, z, two);
  store2(h + s, f64x2.add(f64x2.mul(f64x2.sub(f64x2.splat(1), z), n), f64x2.mul(z, hp)), two);
}

@inline
function gruBackwardUnits(q: usize, s: usize, hb: usize, gates: usize, dPreInput: usize, dPreHidden: usize, dh: usize, dhPrev: usize, two: bool): void {
  const dhu = load2(dh + s, two);
  const dr = f64x2.mul(dhu, load2(dPreInput + q, two));
  const dz = f64x2.mul(dhu, load2(dPreInput + q + hb, two));
  const dn = f64x2.mul(dhu, load2(dPreInput + q + 2 * hb, two));
  store2(dPreInput + q, dr, two);
  store2(dPreInput + q + hb, dz, two);
  store2(dPreInput + q + 2 * hb, dn, two);
  store2(dPreHidden + q, dr, two);
  store2(dPreHidden + q + hb, dz, two);
  store2(dPreHidden + q + 2 * hb, f64x2.mul(dn, load2(gates + q, two)), two);
  store2(dhPrev + s, f64x2.mul(dhu, load2(gates + q + hb, two)), two);
}

const LSTM_FORWARD = 0;
const LSTM_BACKWARD = 1;
const GRU_FORWARD = 2;
const GRU_BACKWARD = 3;

/** The units of `step` (a constant at each call site, so the choice folds away) at row offsets q (gates) and r (state). */
@inline
function units(step: i32, q: usize, r: usize, hb: usize, p0: usize, p1: usize, p2: usize, p3: usize, p4: usize, p5: usize, two: bool): void {
  if (step == LSTM_FORWARD) lstmForwardUnits(q, r, hb, p0, p1, p2, p3, p4, p5, two);
  else if (step == LSTM_BACKWARD) lstmBackwardUnits(q, r, hb, p0, p1, p2, p3, p4, two);
  else if (step == GRU_FORWARD) gruForwardUnits(q, r, hb, p0, p1, p2, p3, p4, two);
  else gruBackwardUnits(q, r, hb, p0, p1, p2, p3, p4, two);
}

/**
 * One step over batch rows of hidden units, two units at a time, then the odd one; a row has
 * `gates` gates; p0…p5 are the step's pointers in its units function's order.
 */
@inline
function eachUnit(step: i32, gates: i32, batch: i32, hidden: i32, p0: usize, p1: usize, p2: usize, p3: usize, p4: usize, p5: usize): void {
  const hb = (<usize>hidden) << 2;
  const pairs = (<usize>(hidden & ~1)) << 2;
  for (let b = 0; b < batch; b++) {
    const q = <usize>b * <usize>gates * hb;
    const r = <usize>b * hb;
    let u: usize = 0;
    for (; u < pairs; u += 8) units(step, q + u, r + u, hb, p0, p1, p2, p3, p4, p5, true);
    if (u < hb) units(step, q + u, r + u, hb, p0, p1, p2, p3, p4, p5, false);
  }
}

/** backward/lstm.ts lstmStep.forward: pointers to the step's views, batch rows of hidden units. */
export function lstmForwardF32(batch: i32, hidden: i32, gates: usize, aux: usize, cPrev: usize, c: usize, h: usize, local: usize): void {
  eachUnit(LSTM_FORWARD, 4, batch, hidden, gates, aux, cPrev, c, h, local);
}

/** backward/lstm.ts lstmStep.backward. */
export function lstmBackwardF32(batch: i32, hidden: i32, gates: usize, aux: usize, dPre: usize, dh: usize, dc: usize): void {
  eachUnit(LSTM_BACKWARD, 4, batch, hidden, gates, aux, dPre, dh, dc, 0);
}

/** backward/gru.ts gruStep.forward (hh: U h + b_hh). */
export function gruForwardF32(batch: i32, hidden: i32, gates: usize, hh: usize, hPrev: usize, h: usize, local: usize): void {
  eachUnit(GRU_FORWARD, 3, batch, hidden, gates, hh, hPrev, h, local, 0);
}

/** backward/gru.ts gruStep.backward. */
export function gruBackwardF32(batch: i32, hidden: i32, gates: usize, dPreInput: usize, dPreHidden: usize, dh: usize, dhPrev: usize): void {
  eachUnit(GRU_BACKWARD, 3, batch, hidden, gates, dPreInput, dPreHidden, dh, dhPrev, 0);
}

@inline
function tanhUnits(gates: usize, h: usize, two: bool): void {
  const y = load2(gates, two);
  const t = expNegAbs(y, 2);
  const inv = recipOnePlus(t);
  store2(h, tanhOf(y, t, inv), two);
  store2(gates, tanhSlopeOf(t, inv), two);
}

/** backward/rnn.ts tanh forward over n = B·H units: h = tanh(pre), pre replaced by tanh'(pre). */
export function tanhForwardF32(n: i32, gates: usize, h: usize): void {
  const pairs = (<usize>(n & ~1)) << 2;
  const end = (<usize>n) << 2;
  let p: usize = 0;
  for (; p < pairs; p += 8) tanhUnits(gates + p, h + p, true);
  if (p < end) tanhUnits(gates + p, h + p, false);
}
