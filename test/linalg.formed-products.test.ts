import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LinalgKernels, referenceKernels, Rng, createKernels } from '../src/linalg/index.js';

// formedProducts (the formed tangent path's kernel): for each trajectory b, out_b (+)= F_b·X_b with
// F_b = Σ_g diag(coef_b,g)·(rows of W_g for unit r mod n) + diag(d_b) on the first n rows. The
// oracle forms every F_b by plain loops and multiplies by plain loops; the blocks sit strided in
// larger arrays (as a batch of tangent bases does), and every entry outside them must stay as it was.
// With a start (the joint LSTM's coupling ⊙ [δc; δc]), out_b starts as scale_b ⊙ the n rows of X_b's
// columns after the n multiplied, repeated down the R rows.

const KERNELS: LinalgKernels[] = [referenceKernels, createKernels('wasm'), createKernels('wasm', { precision: 'float32' })];
const tolerance = (kernels: LinalgKernels) => (kernels.precision === 'float32' ? 3e-6 : 1e-13);

interface Case { gates: number; n: number; rowBlocks: 1 | 2; k: number; batch: number; diagonal: boolean; accumulate: boolean; start?: true }
const CASES: Case[] = [
  { gates: 1, n: 5, rowBlocks: 1, k: 3, batch: 2, diagonal: false, accumulate: false },
  { gates: 3, n: 17, rowBlocks: 1, k: 9, batch: 3, diagonal: true, accumulate: false },
  { gates: 4, n: 16, rowBlocks: 2, k: 7, batch: 3, diagonal: false, accumulate: true },
  { gates: 2, n: 33, rowBlocks: 2, k: 12, batch: 2, diagonal: true, accumulate: true },
  { gates: 4, n: 64, rowBlocks: 2, k: 32, batch: 2, diagonal: false, accumulate: true },
  { gates: 4, n: 17, rowBlocks: 2, k: 7, batch: 3, diagonal: false, accumulate: false, start: true },
  { gates: 3, n: 9, rowBlocks: 1, k: 5, batch: 2, diagonal: true, accumulate: false, start: true },
  { gates: 4, n: 64, rowBlocks: 2, k: 32, batch: 2, diagonal: false, accumulate: false, start: true },
];

/** F_b, rows × n, by plain loops: the definition. */
function formedMatrix(weight: Float64Array, c: Case, coef: Float64Array, diagonal: Float64Array | null, b: number): Float64Array {
  const rows = c.rowBlocks * c.n;
  const f = new Float64Array(rows * c.n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < c.n; j++) {
      let s = 0;
      for (let g = 0; g < c.gates; g++) s += coef[b * c.gates * rows + g * rows + r]! * weight[(g * c.n + (r % c.n)) * c.n + j]!;
      f[r * c.n + j] = s + (diagonal !== null && r < c.n && r === j ? diagonal[b * c.n + r]! : 0);
    }
  }
  return f;
}

for (const kernels of KERNELS) {
  test(`${kernels.name} formedProducts: each trajectory's formed matrix times its strided block, entries outside untouched`, () => {
    const rng = new Rng(9);
    for (const c of CASES) {
      const rows = c.rowBlocks * c.n;
      const weight = rng.fillNormal(new Float64Array(c.gates * c.n * c.n));
      const coef = rng.fillNormal(new Float64Array(c.batch * c.gates * rows));
      // Gates a row does not use: their zero coefficients must skip the term.
      for (let i = 0; i < coef.length; i += 5) coef[i] = 0;
      const diagonal = c.diagonal ? rng.fillNormal(new Float64Array(c.batch * c.n)) : null;
      // One array holds the bases (ld = rows + 2n + 3 per column, a gap between trajectories): X in
      // its first n rows (then the n rows a start reads), out in the rows after, as the layers of a
      // tangent basis lie.
      const ld = rows + 2 * c.n + 3;
      const stride = ld * c.k + 11;
      const layout = { xOffset: 2, ldx: ld, xStride: stride, outOffset: 2 + (c.start ? 2 : 1) * c.n, ldo: ld, outStride: stride };
      const data = rng.fillNormal(new Float64Array(c.batch * stride + 4));
      const got = data.slice();
      const start = c.start ? { scale: rng.fillNormal(new Float64Array(c.batch * rows)), from: c.n } : null;
      kernels.formedProducts(weight, c.gates, rows, c.n, coef, diagonal, got, c.k, got, c.accumulate, layout, c.batch, start);
      const written = new Set<number>();
      for (let b = 0; b < c.batch; b++) {
        const f = formedMatrix(weight, c, coef, diagonal, b);
        for (let j = 0; j < c.k; j++) {
          for (let r = 0; r < rows; r++) {
            let s = 0;
            let scale = 0;
            for (let i = 0; i < c.n; i++) {
              const term = f[r * c.n + i]! * data[layout.xOffset + b * stride + j * ld + i]!;
              s += term;
              scale += Math.abs(term);
            }
            const at = layout.outOffset + b * stride + j * ld + r;
            const initial = start === null ? (c.accumulate ? data[at]! : 0) : start.scale[b * rows + r]! * data[layout.xOffset + b * stride + j * ld + c.n + (r % c.n)]!;
            const want = initial + s;
            written.add(at);
            assert.ok(Math.abs(got[at]! - want) <= tolerance(kernels) * (scale + Math.abs(initial) + 1e-300) * c.gates,
              `${JSON.stringify(c)} b ${b} (${r}, ${j}): ${got[at]} against ${want}`);
          }
        }
      }
      // float32 kernels round what passes through them, as matmulBlock does: nothing else may change.
      const kept = (v: number) => (kernels.precision === 'float32' ? [v, Math.fround(v)] : [v]);
      for (let i = 0; i < data.length; i++) {
        if (!written.has(i)) assert.ok(kept(data[i]!).includes(got[i]!), `${JSON.stringify(c)}: entry ${i} outside the blocks changed`);
      }
    }
  });

  test(`${kernels.name} formedProducts refuses shapes that do not fit, by name`, () => {
    const x = new Float64Array(16);
    const layout = { xOffset: 0, ldx: 4, xStride: 16, outOffset: 0, ldo: 4, outStride: 16 };
    const call = (weight: Float64Array, gates: number, coef: Float64Array, batch: number) =>
      () => kernels.formedProducts(weight, gates, 4, 4, coef, null, x, 4, new Float64Array(64), false, layout, batch);
    assert.throws(call(new Float64Array(16), 5, new Float64Array(80), 1), /gates must be an integer from 1 to 4, got 5/);
    assert.throws(call(new Float64Array(15), 1, new Float64Array(4), 1), /weight holds 15 doubles, expected gates·n·n = 16/);
    assert.throws(call(new Float64Array(16), 1, new Float64Array(3), 1), /coef holds 3 doubles, expected at least batch·gates·rows = 4/);
    assert.throws(call(new Float64Array(16), 1, new Float64Array(8), 2), /x holds 16 doubles/);
    const started = (start: { scale: Float64Array; from: number }, accumulate = false) =>
      () => kernels.formedProducts(new Float64Array(16), 1, 4, 4, new Float64Array(4), null, new Float64Array(32), 4, new Float64Array(16), accumulate, { ...layout, ldx: 8 }, 1, start);
    assert.doesNotThrow(started({ scale: new Float64Array(4), from: 4 }));
    assert.throws(started({ scale: new Float64Array(4), from: 4 }, true), /start and accumulate exclude each other/);
    assert.throws(started({ scale: new Float64Array(3), from: 4 }), /start.scale holds 3 doubles, expected at least batch·rows = 4/);
    assert.throws(started({ scale: new Float64Array(4), from: 5 }), /start reads rows up to from \+ min\(rows, n\) = 9 of columns only layout.ldx = 8 apart/);
    assert.throws(started({ scale: new Float64Array(4), from: -1 }), /start.from must be a non-negative integer, got -1/);
  });
}
