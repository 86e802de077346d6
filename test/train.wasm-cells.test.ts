import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/index.js';
import { wasmKernelsBuilt } from '../src/linalg/backends.js';
import { cellStep, type StepViews } from '../src/cells/backward/index.js';
import { memoryFactory } from '../src/train/index.js';
import type { FloatArray } from '../src/linalg/precision.js';

const skip = wasmKernelsBuilt() ? false : 'build/kernels.wasm is not built';

// Pre-activations that reach every branch: ordinary values, saturation (where 1 − σ or 1 − tanh²
// would cancel), far beyond float32's exponent range, the tanh(y) ≈ y region, signed zeros, and
// NaN (which must come out NaN, not be clamped into range).
const EXTREMES = [0, -0, 1e-8, -3e-7, 0.9, -1.8, 5, -12, 20, -40, 60, -90, 200, -1000, NaN];

/** The step's arrays for B rows of H units and G gates, as float32 views of the wasm arena and float64 copies. */
function stepArrays(gates: number, batch: number, hidden: number, rng: Rng) {
  const gh = gates * batch * hidden;
  const bh = batch * hidden;
  const shapes = { gates: gh, hidden: gh, aux: bh, hPrev: bh, h: bh, cPrev: bh, c: bh, dPreInput: gh, dPreHidden: gh, dh: bh, dc: bh, dhPrev: bh };
  const memory = memoryFactory('float32', 'wasm')(Object.values(shapes));
  const f32 = {} as Record<keyof typeof shapes, Float32Array>;
  for (const [name, n] of Object.entries(shapes)) {
    const a = memory.allocate(n) as Float32Array;
    for (let i = 0; i < n; i++) a[i] = rng.normal() * 3;
    f32[name as keyof typeof shapes] = a;
  }
  EXTREMES.forEach((y, i) => {
    f32.gates[(7 * i) % gh] = y;
    f32.hidden[(5 * i + 3) % gh] = -y;
  });
  const f64 = Object.fromEntries(Object.entries(f32).map(([k, a]) => [k, Float64Array.from(a)])) as Record<keyof typeof shapes, Float64Array>;
  return { memory, f32, f64 };
}

const views = (a: Record<string, FloatArray>): StepViews => ({
  gates: a.gates!, hidden: a.hidden!, aux: a.aux!, hPrev: a.hPrev!, h: a.h!, cPrev: a.cPrev!, c: a.c!, dPreInput: a.dPreInput!, dPreHidden: a.dPreHidden!,
});

for (const cell of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
  test(`wasm ${cell} step: forward and backward give the float64 JavaScript step's values rounded to float32`, { skip }, () => {
    const js = cellStep(cell);
    // Odd H: the kernels' one-unit tail after the pairs.
    for (const [batch, hidden] of [[3, 5], [2, 8], [1, 1]] as const) {
      const { memory, f32, f64 } = stepArrays(js.gates, batch, hidden, new Rng(hidden));
      const wasm = memory.step(cell);
      wasm.forward(batch, hidden, views(f32));
      js.forward(batch, hidden, views(f64));
      wasm.backward(batch, hidden, views(f32), f32.dh, f32.dc, f32.dhPrev);
      js.backward(batch, hidden, views(f64), f64.dh, f64.dc, f64.dhPrev);
      for (const name of Object.keys(f32) as (keyof typeof f32)[]) {
        const [got, want] = [f32[name], f64[name]];
        for (let i = 0; i < got.length; i++) {
          const expected = Math.fround(want[i]!);
          // The float32 steps round what forward keeps to float32 (the float64 steps do not): a few
          // float32 roundings, absolute in the subnormal range (spacing 2^-149); h and c are sums, which may cancel.
          const tolerance = 2 ** -21 * Math.abs(expected) + 2 ** -147 + (name === 'h' || name === 'c' ? 1e-12 : 0);
          assert.ok(Math.abs(got[i]! - expected) <= tolerance || Object.is(got[i], expected),
            `${cell} B=${batch} H=${hidden} ${name}[${i}]: wasm ${got[i]}, js ${want[i]}`);
        }
      }
    }
  });
}
