import type { CellKind } from '../../cells/model.js';
import type { Tape, Tensor } from './tape.js';

/** A layer's weights on the tape: W [G·H × I], U [G·H × H], biases [1 × G·H] (null without bias). */
export interface TapeLayerWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

/** A layer's state, [B × H] each; c only for the LSTM. */
export interface LayerState {
  h: Tensor;
  c: Tensor | null;
}

/** A layer's rows of the tangent vectors, [B·k × H] each; dc only for the joint LSTM state. */
export interface LayerTangent {
  dh: Tensor;
  dc: Tensor | null;
}

/**
 * One step of one layer and its tangent map, in tape ops, so that reverse mode differentiates
 * through both: the same formulas as the cell layers of src/cells (rnn-layer.ts, lstm-layer.ts,
 * gru-layer.ts, whose comments derive them), slopes taken from the pre-activations. `x` is the
 * layer's input [B × I] and `dx` its tangent rows [B·k × I], null for layer 0 (inputs are not
 * perturbed). `dc` given (joint LSTM) gives dc' back; an h-only LSTM passes null and gets null.
 */
export function layerStep(
  tape: Tape, cell: CellKind, w: TapeLayerWeights, k: number,
  x: Tensor, dx: Tensor | null, state: LayerState, tangent: LayerTangent,
): { state: LayerState; tangent: LayerTangent } {
  if (cell === 'gru') return gruStep(tape, w, k, x, dx, state, tangent);
  const hiddenPart = tape.matmulT(state.h, w.weightHh);
  let pre = tape.add(tape.matmulT(x, w.weightIh), hiddenPart);
  if (w.biasIh !== null) pre = tape.addRow(tape.addRow(pre, w.biasIh), w.biasHh!);
  let dpre = tape.matmulT(tangent.dh, w.weightHh);
  if (dx !== null) dpre = tape.add(dpre, tape.matmulT(dx, w.weightIh));
  if (cell === 'lstm') return lstmStep(tape, k, pre, dpre, state, tangent);
  const relu = cell === 'rnn_relu';
  const h = relu ? tape.relu(pre) : tape.tanh(pre);
  const slope = relu ? tape.reluSlope(pre) : tape.tanhSlope(pre);
  return { state: { h, c: null }, tangent: { dh: tape.mul(tape.repeatRows(slope, k), dpre), dc: null } };
}

/** Gate g's H columns of a [rows × G·H] block. */
function gate(tape: Tape, a: Tensor, g: number, hidden: number): Tensor {
  return tape.columns(a, g * hidden, hidden);
}

/**
 * c' = f⊙c + i⊙g, h' = o⊙tanh c';
 * δc' = σ'_i g δĩ + σ'_f c δf̃ + i tanh'(g̃) δg̃ (+ f δc), δh' = σ'_o tanh c' δõ + o tanh'(c') δc'.
 */
function lstmStep(tape: Tape, k: number, pre: Tensor, dpre: Tensor, state: LayerState, tangent: LayerTangent): { state: LayerState; tangent: LayerTangent } {
  const H = state.h.cols;
  const [yi, yf, yg, yo] = [0, 1, 2, 3].map((g) => gate(tape, pre, g, H)) as [Tensor, Tensor, Tensor, Tensor];
  const i = tape.sigmoid(yi), f = tape.sigmoid(yf), g = tape.tanh(yg), o = tape.sigmoid(yo);
  const c = tape.add(tape.mul(f, state.c!), tape.mul(i, g));
  const tc = tape.tanh(c);
  const h = tape.mul(o, tc);
  const rep = (a: Tensor) => tape.repeatRows(a, k);
  const fromI = tape.mul(tape.sigmoidSlope(yi), g);
  const fromF = tape.mul(tape.sigmoidSlope(yf), state.c!);
  const fromG = tape.mul(i, tape.tanhSlope(yg));
  const fromO = tape.mul(tape.sigmoidSlope(yo), tc);
  const a = tape.mul(o, tape.tanhSlope(c));
  const [di, df, dg, dO] = [0, 1, 2, 3].map((q) => gate(tape, dpre, q, H)) as [Tensor, Tensor, Tensor, Tensor];
  let dc = tape.add(tape.add(tape.mul(rep(fromI), di), tape.mul(rep(fromF), df)), tape.mul(rep(fromG), dg));
  if (tangent.dc !== null) dc = tape.add(dc, tape.mul(rep(f), tangent.dc));
  const dh = tape.add(tape.mul(rep(fromO), dO), tape.mul(rep(a), dc));
  return { state: { h, c }, tangent: { dh, dc: tangent.dc === null ? null : dc } };
}

/**
 * r = σ(W_r x + b_ir + U_r h + b_hr), z likewise, n = tanh(W_n x + b_in + r⊙(U_n h + b_hn)),
 * h' = (1 − z)⊙n + z⊙h; δh' = a δñ + σ'_z (h − n) δz̃ + z δh with a = σ(−z̃) tanh'(ñ) and
 * δñ = W_n δx + σ'_r (U_n h + b_hn) δr̃ + r U_n δh.
 */
function gruStep(
  tape: Tape, w: TapeLayerWeights, k: number, x: Tensor, dx: Tensor | null, state: LayerState, tangent: LayerTangent,
): { state: LayerState; tangent: LayerTangent } {
  const H = state.h.cols;
  let gi = tape.matmulT(x, w.weightIh);
  let gh = tape.matmulT(state.h, w.weightHh);
  if (w.biasIh !== null) {
    gi = tape.addRow(gi, w.biasIh);
    gh = tape.addRow(gh, w.biasHh!);
  }
  const yr = tape.add(gate(tape, gi, 0, H), gate(tape, gh, 0, H));
  const yz = tape.add(gate(tape, gi, 1, H), gate(tape, gh, 1, H));
  const hn = gate(tape, gh, 2, H);
  const r = tape.sigmoid(yr), z = tape.sigmoid(yz);
  const yn = tape.add(gate(tape, gi, 2, H), tape.mul(r, hn));
  const n = tape.tanh(yn);
  const h = tape.add(tape.mul(tape.oneMinus(z), n), tape.mul(z, state.h));
  const rep = (a: Tensor) => tape.repeatRows(a, k);
  const a = tape.mul(tape.sigmoidOfMinus(yz), tape.tanhSlope(yn));
  const rFromHidden = tape.mul(tape.sigmoidSlope(yr), hn);
  const zFromOld = tape.mul(tape.sigmoidSlope(yz), tape.sub(state.h, n));
  const dgh = tape.matmulT(tangent.dh, w.weightHh);
  const dgi = dx === null ? null : tape.matmulT(dx, w.weightIh);
  const both = (g: number) => (dgi === null ? gate(tape, dgh, g, H) : tape.add(gate(tape, dgh, g, H), gate(tape, dgi, g, H)));
  const dr = both(0), dz = both(1);
  let dn = tape.add(tape.mul(rep(rFromHidden), dr), tape.mul(rep(r), gate(tape, dgh, 2, H)));
  if (dgi !== null) dn = tape.add(dn, gate(tape, dgi, 2, H));
  const dh = tape.add(tape.add(tape.mul(rep(a), dn), tape.mul(rep(zFromOld), dz)), tape.mul(rep(z), tangent.dh));
  return { state: { h, c: null }, tangent: { dh, dc: null } };
}
