import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, logAbsDet } from '../src/linalg/index.js';
import { denseJacobians, lyapunovSpectrum, SpectrumError } from '../src/lyapunov/index.js';
import { cellLogAbsDet, createClosedLoopSystem, randomModel, ModelError, TANGENT_PATHS, type Readout, type TangentPath } from '../src/cells/index.js';
import { assertMatchesFiniteDifferences, CELL_CONFIGS, configName, finiteDifferenceJacobians } from './cells.helpers.js';

// The closed loop s ↦ cell(W_out·h_top(s) + b_out, s). Oracles: central finite differences of the
// autonomous step itself (its state in, its state out: the feedback path is inside `step`), and
// the sum rule Σλ = ⟨log|det J|⟩ (QR of the tangent against an LU of the Jacobian).

const PATHS = TANGENT_PATHS.filter((p): p is Exclude<TangentPath, 'auto'> => p !== 'auto');
const [INPUT, HIDDEN] = [3, 4];

function randomArray(rng: Rng, length: number, scale: number): Float64Array {
  return Float64Array.from({ length }, () => rng.range(-scale, scale));
}

function setup(c: (typeof CELL_CONFIGS)[number], seed: number, batch: number, steps: number, tangentPath: TangentPath = 'auto') {
  const rng = new Rng(seed);
  const model = randomModel({ cell: c.cell, inputSize: INPUT, hiddenSize: HIDDEN, numLayers: c.layers, bias: c.bias }, rng, 0.8);
  // A readout bias keeps bias-free cells off the zero state, a fixed point where the joint LSTM's
  // Jacobian is exactly singular (h' rows = o·(c' rows) at c' = 0).
  const readout: Readout = { weight: randomArray(rng, INPUT * HIDDEN, 1), bias: randomArray(rng, INPUT, 0.5) };
  const system = createClosedLoopSystem(model, readout, { batch, steps, tangentPath, ...(c.lstmState ? { lstmState: c.lstmState } : {}) });
  const s0 = randomArray(rng, batch * system.dim, 0.9);
  const c0 = c.lstmState === 'h' ? randomArray(rng, batch * c.layers * HIDDEN, 1.5) : undefined;
  return { model, readout, system, s0, c0 };
}


for (const c of CELL_CONFIGS) {
  for (const path of PATHS) {
    test(`closed-loop Jacobian (${path}) equals finite differences of the autonomous step: ${configName(c)}`, () => {
      const { system, s0, c0 } = setup(c, 31 + CELL_CONFIGS.indexOf(c), 2, 3, path);
      const fd = finiteDifferenceJacobians(system, s0, c0, 1);
      system.reset(s0, c0);
      system.step(1);
      const exact = denseJacobians(system);
      assertMatchesFiniteDifferences(exact, fd);
      // The feedback path: layer 0's rows depend on the top layer's h (for two layers, the block
      // above the diagonal that is exactly zero in open loop).
      const n = system.dim;
      const rows = n / c.layers;
      const topH = (c.layers - 1) * rows;
      let feedback = 0;
      for (let i = 0; i < rows; i++) for (let j = topH; j < topH + HIDDEN; j++) feedback = Math.max(feedback, Math.abs(exact[0]![i * n + j]!));
      assert.ok(feedback > 0, 'no feedback from the top layer to layer 0');
      if (system.formJacobian) {
        const formed = new Float64Array(n * n);
        system.formJacobian(0, formed);
        for (let i = 0; i < n * n; i++) assert.ok(Math.abs(formed[i]! - exact[0]![i]!) <= 1e-13, `formJacobian entry ${i}`);
      }
    });
  }
}

for (const c of CELL_CONFIGS) {
  test(`closed loop: log|det J| equals that of the finite-difference Jacobian, and the sum rule holds: ${configName(c)}`, () => {
    const { system, s0, c0 } = setup(c, 71 + CELL_CONFIGS.indexOf(c), 2, 170);
    const fd = finiteDifferenceJacobians(system, s0, c0, 2);
    system.reset(s0, c0);
    system.step(2);
    const got = cellLogAbsDet(system);
    for (let b = 0; b < system.batch; b++) {
      const want = logAbsDet(fd[b]!, system.dim);
      if (want === -Infinity || got[b] === -Infinity) {
        assert.ok(c.cell === 'rnn_relu', `trajectory ${b}: unexpected singular Jacobian`);
        assert.equal(got[b], want);
        continue;
      }
      // Relative: a nearly singular J (log|det| ≈ −25) magnifies the differences' rounding.
      assert.ok(Math.abs(got[b]! - want) <= 1e-6 * Math.max(1, Math.abs(want)), `trajectory ${b}: ${got[b]} vs FD ${want}`);
    }
    system.reset(s0, c0);
    const r = lyapunovSpectrum(system, { steps: 150, transient: 20, sumRule: true, seed: 1 });
    const sums = r.perSequence.map((row) => row.reduce((s, l) => s + l, 0));
    assert.ok(r.sumRuleResidual !== null);
    if (sums.every(Number.isFinite)) {
      assert.ok(Math.abs(r.sumRuleResidual) < 1e-9 * Math.max(1, Math.abs(sums[0]!)), `residual ${r.sumRuleResidual}`);
    } else {
      assert.equal(r.sumRuleResidual, 0, 'a singular relu Jacobian: −∞ on both sides');
    }
  });
}

test('closed loop of a one-layer tanh RNN without input bias equals the open-loop RNN with U + W·W_out (an independent model)', () => {
  const rng = new Rng(3);
  const model = randomModel({ cell: 'rnn_tanh', inputSize: INPUT, hiddenSize: HIDDEN, numLayers: 1, bias: false }, rng, 0.8);
  const readout: Readout = { weight: randomArray(rng, INPUT * HIDDEN, 1) };
  const system = createClosedLoopSystem(model, readout, { batch: 1, steps: 5 });
  const s0 = randomArray(rng, HIDDEN, 0.9);
  system.reset(s0);
  const { weightIh: w, weightHh: u } = model.layers[0]!;
  let h = Float64Array.from(s0);
  for (let t = 0; t < 5; t++) {
    system.step(t);
    h = Float64Array.from({ length: HIDDEN }, (_, i) => {
      let a = 0;
      for (let j = 0; j < HIDDEN; j++) {
        let fused = u[i * HIDDEN + j]!;
        for (let p = 0; p < INPUT; p++) fused += w[i * INPUT + p]! * readout.weight[p * HIDDEN + j]!;
        a += fused * h[j]!;
      }
      return Math.tanh(a);
    });
    for (let i = 0; i < HIDDEN; i++) assert.ok(Math.abs(system.state[i]! - h[i]!) <= 1e-14, `t=${t} unit ${i}`);
  }
});

test('closed loop: readouts of the wrong shape are named errors; a diverging loop stops with SpectrumError', () => {
  const model = randomModel({ cell: 'rnn_relu', inputSize: 2, hiddenSize: 3, numLayers: 1, bias: true }, new Rng(1), 0.5);
  assert.throws(() => createClosedLoopSystem(model, { weight: new Float64Array(5) }, { batch: 1, steps: 1 }),
    (e: Error) => e instanceof ModelError && /readout weight has 5 values, expected \[input size, hidden size\] = \[2, 3\]/.test(e.message));
  assert.throws(() => createClosedLoopSystem(model, { weight: new Float64Array(6), bias: new Float64Array(3) }, { batch: 1, steps: 1 }),
    (e: Error) => e instanceof ModelError && /readout bias has 3 values/.test(e.message));
  // A relu loop with gain 3 on every path: h grows ×(3·3·2 + …) per step until it overflows.
  const big: typeof model = { ...model, layers: [{ weightIh: new Float64Array(6).fill(3), weightHh: new Float64Array(9).fill(3), biasIh: new Float64Array(3).fill(1), biasHh: new Float64Array(3) }] };
  const system = createClosedLoopSystem(big, { weight: new Float64Array(6).fill(3) }, { batch: 1, steps: 1000 });
  assert.throws(() => lyapunovSpectrum(system, { steps: 900, transient: 0 }), (e: Error) => e instanceof SpectrumError && /diverged/.test(e.message));
});
