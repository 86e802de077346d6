import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateSystem, randomModel, randomRateModel, type InputStream, type RateModel } from '../src/cells/index.js';
import { createKernels, Rng, logAbsDet } from '../src/linalg/index.js';
import { denseJacobians, lyapunovSpectrum } from '../src/lyapunov/index.js';

// Rate networks h ← (1 − dt)h + dt(W tanh(h) + W_in x + b), W_ij ~ N(0, g²/N) (Engelken, Wolf &
// Abbott 2023). Oracles: finite differences of the step; a perturbed twin trajectory (the
// forward step only, never the tangent); and the paper's findings (chaos above g = 1, λ₁ rising
// with g, a spectrum that depends on i/N and not on N).

const DT = 0.1;

/** The autonomous network (zero input) for `steps` steps. */
function zeroInput(batch: number, steps: number): InputStream {
  return { batch, steps, size: 1, readStep: (_t, out) => out.fill(0) };
}

function model(n: number, g: number, seed: number): RateModel {
  return randomModel({ cell: 'rate', inputSize: 1, hiddenSize: n, dt: DT, bias: false }, new Rng(seed), g);
}

/** A state on the attractor: `steps` steps from a random start. */
function settled(m: RateModel, steps: number, seed: number): Float64Array {
  const system = createRateSystem(m, zeroInput(1, steps), { initialState: new Rng(seed).fillNormal(new Float64Array(m.hiddenSize)) });
  for (let t = 0; t < steps; t++) system.step(t);
  return Float64Array.from(system.state);
}

test('rate network: the tangent, formJacobian and log|det J| against central finite differences of the step', () => {
  const rng = new Rng(4);
  const m = randomRateModel({ inputSize: 2, hiddenSize: 7, dt: 0.2, bias: true }, rng, 2);
  const inputs = { batch: 2, steps: 3, size: 2, data: rng.fillNormal(new Float64Array(12)) };
  const system = createRateSystem(m, inputs);
  const n = 7;
  const s0 = rng.fillNormal(new Float64Array(2 * n));
  const h = 1e-6;
  const fd = [new Float64Array(n * n), new Float64Array(n * n)];
  for (let j = 0; j < n; j++) {
    const run = (delta: number) => {
      const s = Float64Array.from(s0);
      s[j] = s[j]! + delta;
      s[n + j] = s[n + j]! + delta;
      system.reset(s);
      system.step(1);
      return Float64Array.from(system.state);
    };
    const plus = run(h);
    const minus = run(-h);
    for (let b = 0; b < 2; b++) for (let i = 0; i < n; i++) fd[b]![i * n + j] = (plus[b * n + i]! - minus[b * n + i]!) / (2 * h);
  }
  system.reset(s0);
  system.step(1);
  const exact = denseJacobians(system);
  const formed = new Float64Array(n * n);
  const logDets = new Float64Array(2);
  system.logAbsDet(logDets);
  for (let b = 0; b < 2; b++) {
    const scale = exact[b]!.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const err = exact[b]!.reduce((a, v, i) => Math.max(a, Math.abs(v - fd[b]![i]!)), 0);
    assert.ok(err / scale <= 1e-7, `trajectory ${b}: relative error ${(err / scale).toExponential(2)}`);
    system.formJacobian(b, formed);
    formed.forEach((v, i) => assert.ok(Math.abs(v - exact[b]![i]!) <= 1e-15, `formJacobian entry ${i}`));
    assert.ok(Math.abs(logDets[b]! - logAbsDet(fd[b]!, n)) <= 1e-6, `log|det| ${logDets[b]} vs FD ${logAbsDet(fd[b]!, n)}`);
  }
});

test('rate network: λ₁ equals a brute-force estimate from a renormalised twin trajectory, within its error', () => {
  const n = 100;
  const m = model(n, 3, 2);
  const start = settled(m, 500, 2);
  const [transient, steps, segments] = [400, 4000, 20];
  const qr = lyapunovSpectrum(createRateSystem(m, zeroInput(1, transient + steps), { initialState: start }), { k: 1, steps, transient, seed: 3 });

  // The twin: trajectory 1 starts ε away; after every step the separation is measured and
  // scaled back to ε. Only `step` is used.
  const eps = 1e-8;
  const twin = new Float64Array(2 * n);
  twin.set(start);
  twin.set(start.map((v, i) => v + eps * (i === 0 ? 1 : 0)), n);
  const system = createRateSystem(m, zeroInput(2, transient + steps), { initialState: twin });
  const perSegment = new Float64Array(segments);
  for (let t = 0; t < transient + steps; t++) {
    system.step(t);
    const s = system.state;
    let d2 = 0;
    for (let i = 0; i < n; i++) d2 += (s[n + i]! - s[i]!) ** 2;
    const d = Math.sqrt(d2);
    for (let i = 0; i < n; i++) s[n + i] = s[i]! + (eps / d) * (s[n + i]! - s[i]!);
    const segment = Math.floor(((t - transient) * segments) / steps);
    if (t >= transient) perSegment[segment] = perSegment[segment]! + Math.log(d / eps);
  }
  const rates = [...perSegment].map((sum) => sum / ((steps / segments) * DT));
  const mean = rates.reduce((a, b) => a + b, 0) / segments;
  const stderr = Math.sqrt(rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (segments - 1) / segments);
  assert.equal(qr.units, 'nats/time unit');
  assert.ok(mean > 0.03, `chaotic at g = 3: twin λ₁ = ${mean}`);
  assert.ok(Math.abs(qr.exponents[0]! - mean) <= 3 * stderr, `QR λ₁ ${qr.exponents[0]} vs twin ${mean} ± ${stderr}`);
});

test('rate network: stable below the transition, λ₁ rising with g above it (the same couplings scaled by g)', () => {
  // Small networks are often not chaotic (fixed points, limit cycles): N = 200.
  const n = 200;
  const base = model(n, 1, 3);
  const lambda1 = (g: number) => {
    const m: RateModel = { ...base, weightHh: base.weightHh.map((w) => w * g) };
    const r = lyapunovSpectrum(createRateSystem(m, zeroInput(1, 3000), { initialState: new Rng(6).fillNormal(new Float64Array(n)) }), { k: 1, steps: 2000, transient: 1000, seed: 1 });
    return r.exponents[0]!;
  };
  const [l05, l2, l3, l4] = [0.5, 2, 3, 4].map(lambda1) as [number, number, number, number];
  assert.ok(l05 < -0.3, `g = 0.5: the zero fixed point attracts, λ₁ = ${l05}`);
  assert.ok(l2 > 0 && l2 < l3 && l3 < l4, `λ₁ at g = 2, 3, 4: ${l2}, ${l3}, ${l4}`);
});

test('rate network: the spectrum is size-invariant as a function of i/N (N = 160 and 320, the leading quarter)', () => {
  // Networks below N ≈ 100 are often not chaotic at all (λ₁ ≈ 0 at N = 80, g = 3), so the sizes
  // are larger; the WebAssembly kernels keep the N = 320 run to seconds.
  const kernels = createKernels('wasm');
  const spectrum = (n: number) => {
    const m = model(n, 3, 7 + n);
    const system = createRateSystem(m, zeroInput(1, 1300), { kernels, initialState: new Rng(n).fillNormal(new Float64Array(n)) });
    return lyapunovSpectrum(system, { k: n / 4, steps: 1000, transient: 300, seed: 2, kernels }).exponents;
  };
  const small = spectrum(160);
  const large = spectrum(320);
  // Exponent i (0-based) sits at fraction (i + ½)/N; compare at fractions both resolve.
  for (const f of [0.0125, 0.05, 0.1, 0.15, 0.2, 0.24]) {
    const [a, b] = [small[Math.floor(f * 160)]!, large[Math.floor(f * 320)]!];
    assert.ok(Math.abs(a - b) <= 0.1, `i/N = ${f}: ${a} (N = 160) vs ${b} (N = 320)`);
  }
  // The exponents span a range several times that tolerance.
  assert.ok(large[0]! - large.at(-1)! > 0.5, `range ${large[0]} .. ${large.at(-1)}`);
});
