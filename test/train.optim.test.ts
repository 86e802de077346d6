import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, Sgd, clipGradientNorm, formatSchedule, learningRate, parseSchedule, type Optimizer } from '../src/train/index.js';

/** Two steps on f(p) = ½(p₀² + 4p₁²) from p = (1, −2), lr 0.1; ∇f = (p₀, 4p₁). */
function twoSteps(optimizer: Optimizer): Float64Array[] {
  const p = Float64Array.of(1, -2);
  const out: Float64Array[] = [];
  for (let i = 0; i < 2; i++) {
    optimizer.step(p, Float64Array.of(p[0]!, 4 * p[1]!), 0.1);
    out.push(p.slice());
  }
  return out;
}

test('Adam matches a hand-computed two-step example (PyTorch semantics, bias correction, eps 1e-8)', () => {
  const [first, second] = twoSteps(new Adam(2, Float64Array));
  // Step 1: m̂ = g, v̂ = g², so p ← p − 0.1·g/(|g| + 1e-8): g = (1, −8).
  const expected1 = [1 - 0.1 / (1 + 1e-8), -2 + (0.1 * 8) / (8 + 1e-8)];
  // Step 2: g = (p₀, 4p₁); m = 0.9·0.1·g₁ + 0.1·g, v = 0.999·0.001·g₁² + 0.001·g²;
  // p ← p − (0.1/(1 − 0.9²))·m / (√v/√(1 − 0.999²) + 1e-8).
  const g1 = [1, -8];
  const expected2 = expected1.map((p, i) => {
    const g = i === 0 ? p : 4 * p;
    const m = 0.9 * 0.1 * g1[i]! + 0.1 * g;
    const v = 0.999 * 0.001 * g1[i]! ** 2 + 0.001 * g * g;
    return p - ((0.1 / (1 - 0.81)) * m) / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
  });
  for (let i = 0; i < 2; i++) {
    assert.ok(Math.abs(first![i]! - expected1[i]!) < 1e-15, `step 1 p[${i}] = ${first![i]}, expected ${expected1[i]}`);
    assert.ok(Math.abs(second![i]! - expected2[i]!) < 1e-15, `step 2 p[${i}] = ${second![i]}, expected ${expected2[i]}`);
  }
  // The same numbers from torch.optim.Adam (float64), to rule out a shared misreading.
  assert.ok(Math.abs(second![0]! - 0.8004122297123382) < 1e-15);
  assert.ok(Math.abs(second![1]! - -1.8001664858630053) < 1e-15);
});

test('SGD with momentum follows torch.optim.SGD (buffer starts at the first gradient)', () => {
  const [first, second] = twoSteps(new Sgd(2, Float64Array, 0.9));
  // p1 = p0 − 0.1·(1, −8) = (0.9, −1.2); b = 0.9·(1, −8) + (0.9, −4.8) = (1.8, −12); p2 = p1 − 0.1·b.
  assert.deepEqual(Array.from(first!), [0.9, -1.2]);
  assert.ok(Math.abs(second![0]! - 0.72) < 1e-15 && Math.abs(second![1]!) < 1e-15, `${second}`);
  const [plain] = twoSteps(new Sgd(2, Float64Array));
  assert.deepEqual(Array.from(plain!), [0.9, -1.2]);
});

test('optimizer state export/import continues exactly where it stopped', () => {
  for (const make of [() => new Adam(2, Float64Array), () => new Sgd(2, Float64Array, 0.5)]) {
    const straight = make();
    const p = Float64Array.of(0.3, -0.7);
    const grads = [Float64Array.of(1, 2), Float64Array.of(-3, 0.5), Float64Array.of(0.25, -1)];
    for (const g of grads) straight.step(p, g, 0.01);
    const q = Float64Array.of(0.3, -0.7);
    const before = make();
    before.step(q, grads[0]!, 0.01);
    const after = make();
    after.importState(before.exportState());
    for (const g of grads.slice(1)) after.step(q, g, 0.01);
    assert.deepEqual(q, p, straight.name);
  }
  assert.throws(() => new Adam(3, Float64Array).importState({ steps: 1, buffers: {} }), /Adam state buffer exp_avg has no entries/);
});

test('gradient-norm clipping: global L2 norm, reported before clipping, torch scale maxNorm/(norm + 1e-6)', () => {
  const g = Float64Array.of(3, 0, -4);
  assert.equal(clipGradientNorm(g, 1), 5);
  const scale = 1 / (5 + 1e-6);
  assert.deepEqual(Array.from(g), [3 * scale, 0, -4 * scale]);
  const small = Float64Array.of(0.3, 0.4);
  assert.equal(clipGradientNorm(small, 1), 0.5);
  assert.deepEqual(Array.from(small), [0.3, 0.4]);
  assert.equal(clipGradientNorm(Float64Array.of(6, 8)), 10);
  assert.throws(() => clipGradientNorm(g, 0), /clipping norm must be > 0/);
});

test('learning-rate schedules: constant, step:N:γ, exp:γ, with parse errors', () => {
  assert.equal(learningRate(parseSchedule('constant'), 0.1, 7), 0.1);
  const step = parseSchedule('step:3:0.5');
  assert.deepEqual([0, 2, 3, 5, 6].map((e) => learningRate(step, 0.1, e)), [0.1, 0.1, 0.05, 0.05, 0.025]);
  const exp = parseSchedule('exp:0.9');
  assert.ok(Math.abs(learningRate(exp, 2, 2) - 1.62) < 1e-15);
  for (const text of ['constant', 'step:3:0.5', 'exp:0.9']) assert.equal(formatSchedule(parseSchedule(text)), text);
  assert.throws(() => parseSchedule('step:0:0.5'), /N must be an integer ≥ 1/);
  assert.throws(() => parseSchedule('step:2'), /not one of constant, step:N:GAMMA/);
  assert.throws(() => parseSchedule('exp:-1'), /GAMMA must be a positive number/);
  assert.throws(() => parseSchedule('cosine'), /not one of/);
});
