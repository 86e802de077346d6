import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inverse, Matrix, QrDecomposition, solve } from 'ml-matrix';
import { createCellSystem, randomModel, type RnnModel } from '../src/cells/index.js';
import { createKernels, Rng } from '../src/linalg/index.js';
import {
  clvMemory, clvSummary, covariantLyapunovVectors, henonMap, linearMap, lorenz63, lyapunovSpectrum,
  SpectrumError, type ClvOptions, type ClvResult, type TangentSystem,
} from '../src/lyapunov/index.js';
import { OptionError } from '../src/errors.js';

// Eigenvectors (columns of P, far from orthogonal) and real, distinct eigenvalues of |λ| ratio ≥ 1.6.
const P = new Matrix([
  [1, 0.8, 0.3, -0.2],
  [0.2, 1, 0.7, 0.4],
  [-0.3, 0.1, 1, 0.6],
  [0.4, -0.2, 0.2, 1],
]);

/** A = P·diag(λ)·P⁻¹, row-major. */
function withEigenvalues(eigenvalues: number[]): Float64Array {
  const a = P.mmul(Matrix.diag(eigenvalues)).mmul(inverse(P));
  return Float64Array.from(a.to1DArray());
}

/** Column i of P, unit. */
function eigenvector(i: number): number[] {
  const v = P.getColumn(i);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** max over entries of min(|v − e|, |v + e|): equal up to sign. */
function distanceUpToSign(v: ArrayLike<number>, e: number[]): number {
  let plus = 0;
  let minus = 0;
  for (let i = 0; i < e.length; i++) {
    plus = Math.max(plus, Math.abs(v[i]! - e[i]!));
    minus = Math.max(minus, Math.abs(v[i]! + e[i]!));
  }
  return Math.min(plus, minus);
}

function column(block: Float64Array, n: number, i: number): Float64Array {
  return block.subarray(i * n, (i + 1) * n);
}

/** Every sample's CLV_i is ±(eigenvector i) to 1e-8; the Gram–Schmidt vectors (P's QR) are not, beyond the first. */
function assertEigenvectors(result: ClvResult, label: string): void {
  const n = 4;
  for (let b = 0; b < result.batch; b++) {
    for (let s = 0; s < result.times.length; s++) {
      for (let i = 0; i < n; i++) {
        const d = distanceUpToSign(column(result.vectors(b, s), n, i), eigenvector(i));
        assert.ok(d < 1e-8, `${label}: trajectory ${b} sample ${s} CLV ${i + 1} is ${d} from the eigenvector`);
      }
    }
  }
  // The oracle tells CLVs from Gram–Schmidt vectors: the GS vectors of a constant map converge to
  // the orthonormalised eigenvectors (Q of P = QR), which differ from the eigenvectors beyond the first.
  const schur = new QrDecomposition(P).orthogonalMatrix;
  for (let i = 1; i < n; i++) assert.ok(distanceUpToSign(schur.getColumn(i), eigenvector(i)) > 0.1, `GS vector ${i + 1} would pass too`);
}

test('CLVs of a constant linear map with non-orthogonal eigenvectors are its eigenvectors (1e-8, up to sign), and its growth rates ln|λ_i|', () => {
  const eigenvalues = [2.5, -1.2, 0.6, 0.25];
  const result = covariantLyapunovVectors(linearMap(withEigenvalues(eigenvalues), 4, { batch: 2 }), {
    transient: 100, window: 50, backwardTransient: 100, every: 7, seed: 3,
  });
  assertEigenvectors(result, 'linear map');
  for (let at = 0; at < result.growth.length; at++) {
    const want = Math.log(Math.abs(eigenvalues[at % 4]!));
    assert.ok(Math.abs(result.growth[at]! - want) < 1e-10, `growth ${at}: ${result.growth[at]} vs ln|λ| = ${want}`);
  }
});

test('CLVs of a tanh RNN in its linear regime (tiny inputs, no bias) are the eigenvectors of W_hh to 1e-8', () => {
  const weightHh = withEigenvalues([0.9, -0.5, 0.3, 0.1]);
  const model: RnnModel = {
    cell: 'rnn_tanh', inputSize: 1, hiddenSize: 4, numLayers: 1, bias: false,
    layers: [{ weightIh: Float64Array.from([1, -1, 0.5, 0.2]), weightHh }],
  };
  // Activations ≈ 1e-10: tanh'(h) = 1 − h² rounds to 1, so J_t = W_hh exactly.
  const inputs = { batch: 2, steps: 300, size: 1, data: new Rng(4).fillNormal(new Float64Array(600), 1e-10) };
  const result = covariantLyapunovVectors(createCellSystem(model, inputs), { transient: 120, window: 30, backwardTransient: 120, every: 5 });
  assertEigenvectors(result, 'tanh RNN');
});

test('the subspace and pair angles of the linear map are the angles between its eigenvectors', () => {
  // One unstable direction: the subspace angle is between eigenvector 1 and the span of 2..4.
  const result = covariantLyapunovVectors(linearMap(withEigenvalues([2.5, 0.8, -0.5, 0.25]), 4), {
    transient: 100, window: 20, backwardTransient: 100, every: 5,
  });
  const summary = clvSummary(result);
  assert.equal(summary.angles.unstable, 1);
  const stable = P.subMatrix(0, 3, 1, 3);
  const p1 = Matrix.columnVector(P.getColumn(0));
  const projection = stable.mmul(solve(stable, p1, true)); // least squares onto span(p2, p3, p4)
  const want = Math.acos(projection.norm() / p1.norm()) * (180 / Math.PI);
  const got = summary.angles.subspace!;
  assert.ok(Math.abs(got.min - want) < 1e-6 && Math.abs(got.max - want) < 1e-6, `subspace angle ${got.min}..${got.max}°, eigenvectors ${want}°`);
  assert.ok(want > 5, 'the eigenvectors are far from tangent');
  for (const { i, j, degrees } of summary.angles.pairs) {
    const [a, b] = [eigenvector(i - 1), eigenvector(j - 1)];
    const cos = Math.abs(a.reduce((s, x, r) => s + x * b[r]!, 0));
    const pair = Math.acos(cos) * (180 / Math.PI);
    assert.ok(Math.abs(degrees.min - pair) < 1e-6 && Math.abs(degrees.max - pair) < 1e-6, `angle CLV ${i}, ${j}: ${degrees.quantiles[3]!.value}° vs ${pair}°`);
  }
});

/**
 * Replays `make()` (the same trajectories) and checks at each window step that J_t·CLV_i(t) is
 * parallel to CLV_i(t+1) (sine of the angle < 1e-8) and that log ‖J_t·CLV_i(t)‖ is the reported growth.
 */
function assertCovariant(make: () => TangentSystem, options: ClvOptions, label: string): ClvResult {
  const result = covariantLyapunovVectors(make(), { ...options, every: 1 });
  const replay = make();
  const { dim: n, k, batch, transient, window } = result;
  for (let t = 0; t < transient; t++) replay.step(t);
  const block = new Float64Array(batch * n * k);
  const image = new Float64Array(batch * n * k);
  let worstSine = 0;
  let worstGrowth = 0;
  for (let p = 0; p + 1 < window; p++) {
    replay.step(transient + p);
    for (let b = 0; b < batch; b++) block.set(result.vectors(b, p), b * n * k);
    replay.tangent(block, k, image);
    for (let b = 0; b < batch; b++) {
      const next = result.vectors(b, p + 1);
      for (let i = 0; i < k; i++) {
        const u = image.subarray((b * k + i) * n, (b * k + i + 1) * n);
        const v = column(next, n, i);
        let [dot, uu] = [0, 0];
        for (let r = 0; r < n; r++) [dot, uu] = [dot + u[r]! * v[r]!, uu + u[r]! ** 2];
        let residual = 0;
        for (let r = 0; r < n; r++) residual += (u[r]! - dot * v[r]!) ** 2;
        worstSine = Math.max(worstSine, Math.sqrt(residual / uu));
        worstGrowth = Math.max(worstGrowth, Math.abs(0.5 * Math.log(uu) / replay.dt - result.growth[(b * window + p) * k + i]!));
      }
    }
  }
  assert.ok(worstSine < 1e-8, `${label}: J_t·CLV_i(t) is off CLV_i(t+1) by a sine of ${worstSine}`);
  assert.ok(worstGrowth < 1e-8, `${label}: reported growth differs from log‖J_t·CLV_i(t)‖ by ${worstGrowth}`);
  return result;
}

/** The CLVs' mean growth equals an independent run's spectrum within 4 combined standard errors. */
function assertExponents(result: ClvResult, reference: { exponents: number[]; stderr: number[] }, label: string): void {
  const summary = clvSummary(result);
  for (let i = 0; i < result.k; i++) {
    const tolerance = 4 * Math.hypot(summary.stderr[i]!, reference.stderr[i]!);
    const gap = Math.abs(summary.exponents[i]! - reference.exponents[i]!);
    assert.ok(gap <= tolerance, `${label}: CLV ${i + 1} grows at ${summary.exponents[i]} ± ${summary.stderr[i]}, the spectrum says ${reference.exponents[i]} ± ${reference.stderr[i]}`);
  }
}

test('Hénon: CLVs are covariant to 1e-8 and grow on average at λ_1, λ_2', () => {
  const result = assertCovariant(() => henonMap({ batch: 3, seed: 2 }), { transient: 500, window: 4000, backwardTransient: 60 }, 'Hénon');
  assertExponents(result, lyapunovSpectrum(henonMap({ batch: 4, seed: 9 }), { transient: 500, steps: 50_000 }), 'Hénon');
});

test('Lorenz-63: CLVs are covariant to 1e-8 and grow on average at λ_1, 0, λ_3', () => {
  const make = () => lorenz63({ batch: 2, seed: 2 });
  const result = assertCovariant(make, { transient: 1000, window: 20_000, backwardTransient: 2000 }, 'Lorenz-63');
  assertExponents(result, lyapunovSpectrum(lorenz63({ batch: 4, seed: 7 }), { transient: 1000, steps: 50_000 }), 'Lorenz-63');
});

/** A cell system driven by small Gaussian inputs (fixed by `seed`). */
function cellSystem(model: RnnModel, batch: number, steps: number, seed: number): TangentSystem {
  const inputs = { batch, steps, size: model.inputSize, data: new Rng(seed).fillNormal(new Float64Array(batch * steps * model.inputSize), 0.01) };
  return createCellSystem(model, inputs);
}

/**
 * A chaotic cell model's CLVs over `window` steps (2 sequences): covariant, and growing on average
 * at the spectrum of 4 other sequences of 6000 steps, which must have λ_1 > 0.1.
 */
function assertChaoticCell(model: RnnModel, window: number, k: number, label: string): ClvResult {
  const options = { transient: 300, window, backwardTransient: 200, k };
  const result = assertCovariant(() => cellSystem(model, 2, 500 + window, 1), options, label);
  const reference = lyapunovSpectrum(cellSystem(model, 4, 6300, 5), { transient: 300, steps: 6000, k });
  assert.ok(reference.exponents[0]! > 0.1, `${label} is not chaotic: λ_1 = ${reference.exponents[0]}`);
  assertExponents(result, reference, label);
  return result;
}

test('a chaotic tanh RNN: CLVs are covariant to 1e-8 and grow on average at the spectrum', () => {
  const model = randomModel({ cell: 'rnn_tanh', inputSize: 3, hiddenSize: 16, numLayers: 1, bias: false }, new Rng(7), 1.2);
  assertChaoticCell(model, 1500, 8, 'tanh RNN');
});

test('a chaotic LSTM in its joint (h, c) state: CLVs are covariant to 1e-8, grow at the spectrum, and live in h and c', () => {
  const model = randomModel({ cell: 'lstm', inputSize: 3, hiddenSize: 16, numLayers: 1, bias: false }, new Rng(7), 8);
  const result = assertChaoticCell(model, 1000, 6, 'LSTM');
  // The joint state is [h, c]: the parts' fractions of each unit CLV's |v|² sum to 1.
  const parts = ['h', 'c'].map((name, p) => ({ name, start: 16 * p, length: 16 }));
  const { location } = clvSummary(result, parts);
  for (const weights of location!.weights) {
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-12, `weights ${weights}`);
    assert.ok(weights.every((w) => w > 0 && w < 1), `weights ${weights}`);
  }
});

test('with the wasm kernels, the CLVs of a 2-layer joint LSTM are covariant and agree with the js reference to 1e-6', () => {
  const model = randomModel({ cell: 'lstm', inputSize: 3, hiddenSize: 6, numLayers: 2, bias: true }, new Rng(3), 2);
  const make = (kernels: ReturnType<typeof createKernels>) => () => {
    const inputs = { batch: 2, steps: 400, size: 3, data: new Rng(4).fillNormal(new Float64Array(2400)) };
    return createCellSystem(model, inputs, { kernels });
  };
  // k = 20 of 24: CLVs 21–24 (λ ≤ −4.4, one-step contractions to 1e-3 and below) are covariant only
  // to ε·‖J‖/‖J·v‖ ≈ 5e-8 in either backend, and CLVs 21, 22 differ between backends by 1 − |cos| ≈ 1e-2.
  // The contracting CLVs among 1–20 carry the rounding of R amplified likewise: they agree to ≈ 1e-7.
  const options = { transient: 100, window: 200, backwardTransient: 100, k: 20 };
  const wasm = assertCovariant(make(createKernels('wasm')), { ...options, kernels: createKernels('wasm') }, 'LSTM, wasm');
  const js = covariantLyapunovVectors(make(createKernels('js'))(), { ...options, every: 1 });
  let worst = 0;
  for (let b = 0; b < 2; b++) {
    for (let s = 0; s < js.times.length; s++) {
      for (let i = 0; i < 20; i++) worst = Math.max(worst, distanceUpToSign(column(wasm.vectors(b, s), 24, i), Array.from(column(js.vectors(b, s), 24, i))));
      assert.notEqual(wasm.vectors(b, s), js.vectors(b, s));
    }
  }
  assert.ok(worst < 1e-6, `CLVs 1–20 differ by ${worst}`);
});

test('a 2-layer GRU: CLVs of the whole state are covariant to 1e-8', () => {
  const model = randomModel({ cell: 'gru', inputSize: 3, hiddenSize: 5, numLayers: 2, bias: true }, new Rng(5), 1.5);
  assertCovariant(() => cellSystem(model, 2, 400, 2), { transient: 100, window: 150, backwardTransient: 100 }, 'GRU');
});

test('a relu RNN whose Jacobian annihilates directions (dead units): a SpectrumError naming the CLV and the k that is defined', () => {
  const model = randomModel({ cell: 'rnn_relu', inputSize: 3, hiddenSize: 8, numLayers: 1, bias: true }, new Rng(3), 0.6);
  assert.throws(
    () => covariantLyapunovVectors(cellSystem(model, 1, 400, 4), { transient: 100, window: 100, backwardTransient: 100 }),
    (error: Error) => error instanceof SpectrumError && /annihilates direction (\d+) .*CLVs from \1 on are undefined; ask for k ≤ \d+/.test(error.message),
  );
});

test('storage over the budget is refused before allocation, naming the size and a window that fits', () => {
  const options = { window: 1e12, backwardTransient: 10, every: 1e9, maxBytes: 2 ** 20 };
  // Without the check, allocating 1e12 steps of R throws a RangeError (invalid typed array length) instead.
  assert.throws(() => covariantLyapunovVectors(henonMap(), options), (error: Error) => {
    assert.ok(error instanceof OptionError, `${error.name}: ${error.message}`);
    // R: (T + W)·k(k+1)/2 doubles, growth rates T·k, vectors ⌈T/every⌉·n·k, in bytes.
    const bytes = 8 * ((1e12 + 10) * 3 + 1e12 * 2 + Math.ceil(1e12 / 1e9) * 4);
    const gib = (bytes / 2 ** 30).toPrecision(3);
    assert.ok(error.message.includes(`need ≈ ${gib} GiB (R factors`), error.message);
    assert.match(error.message, /over the memory budget of 1\.00 MiB \(maxBytes\); a window of at most (\d+) steps fits/);
    const fits = Number(/at most (\d+) steps/.exec(error.message)![1]);
    const shape = { batch: 1, dim: 2, k: 2, backwardTransient: 10, every: 1e9 };
    assert.ok(clvMemory({ ...shape, window: fits }).bytes <= 2 ** 20 && clvMemory({ ...shape, window: fits + 1 }).bytes > 2 ** 20, `window ${fits}`);
    return true;
  });
});
