import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, logAbsDet } from '../src/linalg/index.js';
import { denseJacobians } from '../src/lyapunov/index.js';
import { cellLogAbsDet, createCellSystem, randomModel, TANGENT_PATHS, type TangentPath } from '../src/cells/index.js';
import { assertMatchesFiniteDifferences, CELL_CONFIGS, configName, finiteDifferenceJacobians } from './cells.helpers.js';

function randomArray(rng: Rng, length: number, scale: number): Float64Array {
  return Float64Array.from({ length }, () => rng.range(-scale, scale));
}

/** Both forms of the tangent, forced: 'auto' only chooses between them. */
const PATHS = TANGENT_PATHS.filter((p): p is Exclude<TangentPath, 'auto'> => p !== 'auto');

/** A small random system with random non-zero initial states (h and c). */
function setup(c: (typeof CELL_CONFIGS)[number], seed: number, batch: number, allUnitsOn = false, tangentPath: TangentPath = 'auto') {
  const rng = new Rng(seed);
  const [inputSize, hidden, steps] = [3, 4, 3];
  const model = randomModel({ cell: c.cell, inputSize, hiddenSize: hidden, numLayers: c.layers, bias: c.bias }, rng, 0.8);
  // A large positive input bias, and positive input weights above layer 0 (whose inputs are
  // then positive), keep every relu unit on, so that J is not singular.
  if (allUnitsOn) {
    model.layers.forEach((layer, l) => {
      layer.biasIh = layer.biasIh!.map((v) => v + 6);
      if (l > 0) layer.weightIh = layer.weightIh.map(Math.abs);
    });
  }
  const inputs = { batch, steps, size: inputSize, data: randomArray(rng, batch * steps * inputSize, 1) };
  const system = createCellSystem(model, inputs, { tangentPath, ...(c.lstmState ? { lstmState: c.lstmState } : {}) });
  const s0 = randomArray(rng, batch * system.dim, 0.9);
  // In the h-only LSTM mode c is outside the state: give it a random non-zero value too.
  const c0 = c.lstmState === 'h' ? randomArray(rng, batch * c.layers * hidden, 1.5) : undefined;
  return { system, s0, c0 };
}

for (const c of CELL_CONFIGS) {
  for (const path of PATHS) {
    test(`tangent Jacobian (${path}) equals finite differences of step: ${configName(c)}`, () => {
      const { system, s0, c0 } = setup(c, 11 + CELL_CONFIGS.indexOf(c), 2, false, path);
      const t = 1;
      const fd = finiteDifferenceJacobians(system, s0, c0, t);
      system.reset(s0, c0);
      system.step(t);
      const exact = denseJacobians(system);
      assertMatchesFiniteDifferences(exact, fd);
      if (c.layers === 2) {
        // Stacked layers: layer 0 does not see layer 1, so the upper-right block is exactly zero.
        const n = system.dim;
        for (let i = 0; i < n / 2; i++) {
          for (let j = n / 2; j < n; j++) assert.equal(exact[0]![i * n + j], 0, `J[${i}][${j}] should be 0`);
        }
      }
    });
  }
}

for (const c of CELL_CONFIGS) {
  for (const path of PATHS) {
    test(`tangent (${path}) on a random block equals dense Jacobian × block (B = 3): ${configName(c)}`, () => {
      const { system, s0, c0 } = setup(c, 101 + CELL_CONFIGS.indexOf(c), 3, false, path);
      system.reset(s0, c0);
      system.step(0);
      system.step(1);
      const n = system.dim;
      const k = Math.max(1, n - 2);
      const rng = new Rng(7);
      const q = randomArray(rng, system.batch * n * k, 1);
      const out = new Float64Array(q.length).fill(Number.NaN);
      system.tangent(q, k, out);
      const jac = denseJacobians(system);
      for (let b = 0; b < system.batch; b++) {
        for (let j = 0; j < k; j++) {
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let p = 0; p < n; p++) s += jac[b]![i * n + p]! * q[b * n * k + j * n + p]!;
            const got = out[b * n * k + j * n + i]!;
            assert.ok(Math.abs(got - s) <= 1e-13 * (1 + Math.abs(s)), `b=${b} j=${j} i=${i}: ${got} vs ${s}`);
          }
        }
      }
    });
  }
}

for (const c of CELL_CONFIGS) {
  test(`cellLogAbsDet equals log|det| of the finite-difference Jacobian (sum rule ingredient): ${configName(c)}`, () => {
    const unitsOn = c.cell === 'rnn_relu' && c.bias;
    const { system, s0, c0 } = setup(c, 211 + CELL_CONFIGS.indexOf(c), 3, unitsOn);
    const t = 2;
    const fd = finiteDifferenceJacobians(system, s0, c0, t);
    system.reset(s0, c0);
    system.step(t);
    const got = cellLogAbsDet(system);
    assert.equal(got.length, system.batch);
    let finite = 0;
    for (let b = 0; b < system.batch; b++) {
      const want = logAbsDet(fd[b]!, system.dim);
      if (want === -Infinity || got[b] === -Infinity) {
        // Only a relu unit that is off makes J exactly singular; then both must say so.
        assert.ok(c.cell === 'rnn_relu' && !unitsOn, `trajectory ${b}: unexpected singular Jacobian`);
        assert.equal(got[b], want, `trajectory ${b}`);
        continue;
      }
      assert.ok(Math.abs(got[b]! - want) <= 1e-6, `trajectory ${b}: ${got[b]} vs FD ${want}`);
      finite++;
    }
    if (c.cell !== 'rnn_relu' || unitsOn) assert.equal(finite, system.batch);
  });
}
