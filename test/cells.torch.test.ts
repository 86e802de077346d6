import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputSequencesFromTensors, loadRnnModel, readSafetensors, type SafetensorsContents, type Tensor } from '../src/io/index.js';
import { denseJacobians } from '../src/lyapunov/index.js';
import { cellLogAbsDet, createCellSystem, type CellSystem, type RnnModel } from '../src/cells/index.js';

/**
 * PyTorch fixtures from scripts/make-fixtures.py (torch 1.13, autograd Jacobians). The model
 * files are float32 state dicts, read and widened to float64; the expected values were computed
 * by the same weights in float64 (`.double()`), so float64 results must agree to ~1e-12.
 */
const DIR = fileURLToPath(new URL('./fixtures/torch/', import.meta.url));
const NAME = /^(rnn_tanh|rnn_relu|lstm|gru)_l\d+_(bias|nobias)_h\d+$/;
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.model.safetensors'))
  .map((f) => f.slice(0, -'.model.safetensors'.length))
  .filter((name) => NAME.test(name))
  .sort();

test('the PyTorch fixture set is complete (4 cells × 1–2 layers × bias/no bias, plus H = 16)', () => {
  assert.equal(fixtures.length, 20, `found ${fixtures.join(', ')}`);
});

interface Expect {
  contents: SafetensorsContents;
  path: string;
  tensor(name: string): Tensor;
  f64(name: string): Float64Array;
}

function readExpect(name: string): Expect {
  const path = join(DIR, `${name}.expect.safetensors`);
  const contents = readSafetensors(path);
  const tensor = (key: string) => contents.tensors.get(key) ?? assert.fail(`${path}: no tensor '${key}'`);
  return {
    contents,
    path,
    tensor,
    f64: (key: string) => {
      const { data } = tensor(key);
      assert.ok(data instanceof Float64Array, `${key} is floating point`);
      return data;
    },
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, bOffset = 0): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[bOffset + i]!));
  return m;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Step the system along the fixture's inputs from zero state; at every step hand the caller
 * the step index and this step's Jacobians (row-major n×n per trajectory).
 */
function runWithJacobians(system: CellSystem, visit: (t: number, jac: Float64Array[]) => void): void {
  system.reset();
  for (let t = 0; t < system.inputs.steps; t++) {
    system.step(t);
    visit(t, denseJacobians(system));
  }
}

/** Jacobian of trajectory b at step t from a [B, T, n, n] tensor vs ours: max error / max |J|. */
function relativeJacobianError(jac: Float64Array, want: Float64Array, b: number, t: number, steps: number, n: number): number {
  const offset = (b * steps + t) * n * n;
  return maxAbsDiff(jac, want, offset) / maxAbs(jac);
}

for (const name of fixtures) {
  test(`PyTorch fixture ${name}: outputs, final states, Jacobians and log|det J|`, () => {
    const model: RnnModel = loadRnnModel(join(DIR, `${name}.model.safetensors`));
    const expect = readExpect(name);
    const inputs = inputSequencesFromTensors(expect.contents, expect.path);
    const { batch: B, steps: T } = inputs;
    const { hiddenSize: H, numLayers: L } = model;
    const system = createCellSystem(model, inputs);
    const n = system.dim;
    assert.deepEqual(expect.tensor('jacobian').shape, [B, T, n, n], 'state layout dimension');

    const output = expect.f64('output');
    const jacobian = expect.f64('jacobian');
    const jacobian32 = expect.f64('jacobian_f32');
    const logabsdet = expect.f64('logabsdet');
    const worst = { out: 0, jac: 0, jac32: 0, logdet: 0 };
    runWithJacobians(system, (t, jac) => {
      const top = system.output();
      const logdet = cellLogAbsDet(system);
      for (let b = 0; b < B; b++) {
        worst.out = Math.max(worst.out, maxAbsDiff(top.subarray(b * H, (b + 1) * H), output, (b * T + t) * H));
        worst.jac = Math.max(worst.jac, relativeJacobianError(jac[b]!, jacobian, b, t, T, n));
        worst.jac32 = Math.max(worst.jac32, relativeJacobianError(jac[b]!, jacobian32, b, t, T, n));
        const want = logabsdet[b * T + t]!;
        if (want === -Infinity) assert.equal(logdet[b], -Infinity, `b=${b} t=${t}: log|det J| should be -Infinity`);
        else worst.logdet = Math.max(worst.logdet, Math.abs(logdet[b]! - want));
      }
    });
    assert.ok(worst.out <= 1e-9, `output: max abs error ${worst.out}`);
    assert.ok(worst.jac <= 1e-9, `jacobian: max relative error ${worst.jac}`);
    assert.ok(worst.jac32 <= 1e-5, `jacobian_f32: max relative error ${worst.jac32}`);
    assert.ok(worst.logdet <= 1e-9, `logabsdet: max abs error ${worst.logdet}`);

    // Final states: h_n and c_n are [L, B, H]; ours are in the state, layer by layer.
    const hN = expect.f64('h_n');
    const cN = model.cell === 'lstm' ? expect.f64('c_n') : null;
    const rows = n / L;
    for (let l = 0; l < L; l++) {
      for (let b = 0; b < B; b++) {
        const at = b * n + l * rows;
        assert.ok(maxAbsDiff(system.state.subarray(at, at + H), hN, (l * B + b) * H) <= 1e-9, `h_n layer ${l} sequence ${b}`);
        if (cN) assert.ok(maxAbsDiff(system.state.subarray(at + H, at + 2 * H), cN, (l * B + b) * H) <= 1e-9, `c_n layer ${l} sequence ${b}`);
      }
    }

    if (model.cell === 'lstm') {
      const hSystem = createCellSystem(model, inputs, { lstmState: 'h' });
      const jacobianH = expect.f64('jacobian_h');
      const nh = L * H;
      assert.deepEqual(expect.tensor('jacobian_h').shape, [B, T, nh, nh]);
      let worstH = 0;
      runWithJacobians(hSystem, (t, jac) => {
        for (let b = 0; b < B; b++) worstH = Math.max(worstH, relativeJacobianError(jac[b]!, jacobianH, b, t, T, nh));
      });
      assert.ok(worstH <= 1e-9, `jacobian_h: max relative error ${worstH}`);
    }
  });
}
