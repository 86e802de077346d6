import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/index.js';
import { createCellSystem, randomModel, type CellKind, type LstmState, type TangentPath } from '../src/cells/index.js';
import { OptionError } from '../src/errors.js';

// The structured and the formed tangent are the same derivative (their agreement with finite
// differences is in cells.jacobian.test.ts); here they must agree with each other to rounding,
// and 'auto' must pick the formed one where it saves the flops.

const CONFIGS: { cell: CellKind; layers: number; bias: boolean; lstmState?: LstmState }[] = [];
for (const cell of ['rnn_tanh', 'rnn_relu', 'gru', 'lstm'] as const) {
  for (const layers of [1, 2, 3]) {
    for (const bias of [true, false]) {
      if (cell === 'lstm') for (const lstmState of ['joint', 'h'] as const) CONFIGS.push({ cell, layers, bias, lstmState });
      else CONFIGS.push({ cell, layers, bias });
    }
  }
}

const name = (c: { cell: CellKind; layers: number; bias: boolean; lstmState?: LstmState }) =>
  `${c.cell}${c.lstmState ? `/${c.lstmState}` : ''} L=${c.layers} ${c.bias ? 'bias' : 'nobias'}`;

/** One system per tangent path on the same model, inputs and initial state, stepped `steps` times. */
function systems(c: (typeof CONFIGS)[number], hidden: number, seed: number, batch: number, paths: TangentPath[]) {
  const rng = new Rng(seed);
  const inputSize = 3;
  const steps = 3;
  const model = randomModel({ cell: c.cell, inputSize, hiddenSize: hidden, numLayers: c.layers, bias: c.bias }, rng, 0.8);
  const inputs = { batch, steps, size: inputSize, data: Float64Array.from({ length: batch * steps * inputSize }, () => rng.range(-1, 1)) };
  const built = paths.map((tangentPath) => createCellSystem(model, inputs, { tangentPath, ...(c.lstmState ? { lstmState: c.lstmState } : {}) }));
  const n = built[0]!.dim;
  const init = Float64Array.from({ length: batch * n }, () => rng.range(-0.9, 0.9));
  // The h-only LSTM keeps c outside the state: give it a non-zero value too.
  const cell = c.lstmState === 'h' ? Float64Array.from({ length: batch * c.layers * hidden }, () => rng.range(-1.5, 1.5)) : undefined;
  for (const system of built) {
    system.reset(init, cell);
    for (let t = 0; t < steps; t++) system.step(t);
  }
  return { built, n, rng };
}

function apply(system: ReturnType<typeof createCellSystem>, q: Float64Array, k: number): Float64Array {
  const out = new Float64Array(q.length).fill(Number.NaN);
  system.tangent(q, k, out);
  return out;
}

for (const c of CONFIGS) {
  test(`formed tangent equals structured to 1e-12 (k = 1, 3, n − 1, n; B = 3): ${name(c)}`, () => {
    const batch = 3;
    const { built: [structured, formed], n, rng } = systems(c, 5, 401 + CONFIGS.indexOf(c), batch, ['structured', 'formed']);
    const blocks = [1, 3, n - 1, n].map((k) => ({ k, q: Float64Array.from({ length: batch * n * k }, () => rng.range(-1, 1)) }));
    let compared = 0;
    const firstResults: Float64Array[][] = [];
    for (const { k, q } of blocks) {
      const want = apply(structured!, q, k);
      const got = apply(formed!, q, k);
      firstResults.push([want, got]);
      for (let b = 0; b < batch; b++) {
        let scale = 0;
        let diff = 0;
        for (let i = b * n * k; i < (b + 1) * n * k; i++) {
          scale = Math.max(scale, Math.abs(want[i]!));
          diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
        }
        if (scale === 0) {
          assert.equal(diff, 0, `k=${k} trajectory ${b}: structured is zero (relu units off), formed is not`);
          continue;
        }
        assert.ok(diff <= 1e-12 * scale, `k=${k} trajectory ${b}: differ by ${(diff / scale).toExponential(2)} of the block's max`);
        compared++;
      }
    }
    assert.ok(compared > 0, 'every block is zero: the comparison would be vacuous');
    // Work blocks are kept per k: coming back to an earlier k gives exactly the first result.
    blocks.forEach(({ k, q }, i) => {
      assert.deepEqual(apply(structured!, q, k), firstResults[i]![0], `structured, k=${k} again`);
      assert.deepEqual(apply(formed!, q, k), firstResults[i]![1], `formed, k=${k} again`);
    });
  });
}

for (const c of [
  { cell: 'gru', layers: 2, bias: true },
  { cell: 'lstm', layers: 2, bias: true, lstmState: 'joint' },
  { cell: 'lstm', layers: 1, bias: true, lstmState: 'h' },
  { cell: 'rnn_tanh', layers: 2, bias: true },
] as const) {
  const gated = c.cell !== 'rnn_tanh';
  test(`'auto' computes ${gated ? 'structured for k = 1, formed for k = n' : 'structured at any k'} (H = 32): ${name(c)}`, () => {
    const { built: [auto, structured, formed], n, rng } = systems(c, 32, 7, 2, ['auto', 'structured', 'formed']);
    for (const k of [1, n]) {
      const q = Float64Array.from({ length: 2 * n * k }, () => rng.range(-1, 1));
      const [fromAuto, fromStructured, fromFormed] = [auto!, structured!, formed!].map((s) => apply(s, q, k));
      // The two paths round differently, so bitwise equality tells which one 'auto' ran.
      assert.notDeepEqual(fromStructured, fromFormed, `k=${k}: the paths agree bitwise, the check would be vacuous`);
      const expected = gated && k === n ? 'formed' : 'structured';
      assert.deepEqual(fromAuto, expected === 'formed' ? fromFormed : fromStructured, `k=${k}: 'auto' did not compute the ${expected} tangent`);
    }
  });
}

test('an unknown tangentPath is refused, naming the choices', () => {
  const model = randomModel({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, bias: true }, new Rng(1), 0.5);
  const inputs = { batch: 1, steps: 1, size: 2, data: new Float64Array(2) };
  assert.throws(() => createCellSystem(model, inputs, { tangentPath: 'dense' as never }),
    (e: unknown) => e instanceof OptionError && /tangentPath is 'dense', expected one of 'auto', 'structured', 'formed'/.test(e.message));
});
