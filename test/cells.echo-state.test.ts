import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closedLoopEchoState, createEchoStateSystem, randomEchoStateModel, spectralRadius, zeroInputs, type EchoStateModel,
} from '../src/cells/index.js';
import { Rng, logAbsDet } from '../src/linalg/index.js';
import { denseJacobians } from '../src/lyapunov/index.js';
import { assertMatchesFiniteDifferences, finiteDifferenceJacobians } from './cells.helpers.js';

// Echo-state reservoirs x ← (1 − a)x + a·tanh(W_in u + W x + b). Oracles: central finite
// differences of the step (driven, and the closed loop written out by hand: u = W_out x + b_out
// computed outside the system), the spectral radius of a matrix whose eigenvalues are known, and
// the log-det against the LU of the finite-difference Jacobian.

function reservoir(seed: number, bias = true): EchoStateModel {
  return randomEchoStateModel(2, { units: 9, sr: 1.3, lr: 0.4, input_scaling: 0.7, bias_scaling: bias ? 0.5 : 0, rc_connectivity: 0.5, input_connectivity: 0.8 }, new Rng(seed));
}

test('esn: W is rescaled to the spectral radius asked for; spectralRadius of a rotation-scaling is exact', () => {
  const m = reservoir(1);
  assert.ok(Math.abs(spectralRadius(m.weightHh, 9) - 1.3) < 1e-10);
  // [[0, −2], [2, 0]] has eigenvalues ±2i: radius 2 (a power iteration on it never converges).
  assert.ok(Math.abs(spectralRadius(Float64Array.of(0, -2, 2, 0), 2) - 2) < 1e-12);
});

for (const bias of [true, false]) {
  test(`esn (${bias ? 'bias' : 'no bias'}): tangent, formJacobian and log|det J| against central finite differences of the driven step`, () => {
    const rng = new Rng(5);
    const m = reservoir(2, bias);
    const inputs = { batch: 2, steps: 3, size: 2, data: rng.fillNormal(new Float64Array(12)) };
    const system = createEchoStateSystem(m, inputs);
    const s0 = rng.fillNormal(new Float64Array(18), 0.8);
    const fd = finiteDifferenceJacobians(system, s0, undefined, 1);
    system.reset(s0);
    system.step(1);
    const exact = denseJacobians(system);
    assertMatchesFiniteDifferences(exact, fd, 1e-7);
    const formed = new Float64Array(81);
    const logDets = new Float64Array(2);
    system.logAbsDet(logDets);
    for (let b = 0; b < 2; b++) {
      system.formJacobian(b, formed);
      formed.forEach((v, i) => assert.ok(Math.abs(v - exact[b]![i]!) <= 1e-15, `formJacobian entry ${i}`));
      assert.ok(Math.abs(logDets[b]! - logAbsDet(fd[b]!, 9)) <= 1e-6);
    }
  });
}

test('esn closed loop: the autonomous reservoir W + W_in·W_out steps as the reservoir fed its own readout, and its Jacobian matches finite differences of that feedback step', () => {
  const rng = new Rng(7);
  const m = reservoir(3);
  const readout = { weight: rng.fillNormal(new Float64Array(2 * 9), 0.5), bias: rng.fillNormal(new Float64Array(2), 0.3) };
  const closed = closedLoopEchoState(m, readout);
  const s0 = rng.fillNormal(new Float64Array(9), 0.8);
  // The feedback step by hand: u = W_out x + b_out, then one driven step.
  const feedbackStep = (x: Float64Array) => {
    const u = new Float64Array(2);
    for (let i = 0; i < 2; i++) {
      u[i] = readout.bias[i]!;
      for (let j = 0; j < 9; j++) u[i] += readout.weight[i * 9 + j]! * x[j]!;
    }
    const driven = createEchoStateSystem(m, { batch: 1, steps: 1, size: 2, data: u }, { initialState: x });
    driven.step(0);
    return Float64Array.from(driven.state);
  };
  const system = createEchoStateSystem(closed, zeroInputs(1, 1, 2), { initialState: s0 });
  system.step(0);
  const direct = feedbackStep(s0);
  system.state.forEach((v, i) => assert.ok(Math.abs(v - direct[i]!) <= 1e-14, `state ${i}: ${v} vs ${direct[i]}`));
  const exact = denseJacobians(system);
  const h = 1e-6;
  const fd = new Float64Array(81);
  for (let j = 0; j < 9; j++) {
    const plus = Float64Array.from(s0);
    const minus = Float64Array.from(s0);
    plus[j] += h;
    minus[j] -= h;
    const [p, q] = [feedbackStep(plus), feedbackStep(minus)];
    for (let i = 0; i < 9; i++) fd[i * 9 + j] = (p[i]! - q[i]!) / (2 * h);
  }
  assertMatchesFiniteDifferences(exact, [fd], 1e-7);
});

test('esn: bad settings and readouts give one-line ModelErrors', () => {
  assert.throws(() => randomEchoStateModel(2, { units: 4, lr: 0 }, new Rng(1)), { name: 'ModelError', message: /leak rate lr is 0/ });
  assert.throws(() => closedLoopEchoState(reservoir(1), { weight: new Float64Array(5) }), { name: 'ModelError', message: /readout weight has 5 values, expected \[input size, units\] = \[2, 9\]/ });
});
