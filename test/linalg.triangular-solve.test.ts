import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceKernels, Rng, WasmKernels, WasmFloat32Kernels } from '../src/linalg/index.js';
import type { LinalgKernels } from '../src/linalg/index.js';

/** A well-conditioned random upper triangular R (diagonal in [0.5, 2] with random signs), packed by columns. */
function packedUpper(rng: Rng, k: number): Float64Array {
  const r = new Float64Array((k * (k + 1)) / 2);
  for (let l = 0; l < k; l++) {
    for (let i = 0; i < l; i++) r[(l * (l + 1)) / 2 + i] = rng.normal() / Math.sqrt(k);
    r[(l * (l + 1)) / 2 + l] = (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + 1.5 * rng.uniform());
  }
  return r;
}

/** A random k×k upper triangular C, column-major, with NaN below the diagonal (never to be read or written). */
function upperWithPoisonBelow(rng: Rng, k: number): Float64Array {
  const c = new Float64Array(k * k);
  for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) c[j * k + i] = i <= j ? rng.normal() : Number.NaN;
  return c;
}

/** R·x for column j (rows 0..j) of a solved C, from the index definitions. */
function timesR(r: Float64Array, c: Float64Array, k: number, j: number): Float64Array {
  const out = new Float64Array(j + 1);
  for (let l = 0; l <= j; l++) for (let i = 0; i <= l; i++) out[i] = out[i]! + r[(l * (l + 1)) / 2 + i]! * c[j * k + l]!;
  return out;
}

for (const [name, kernels] of [['js', referenceKernels], ['wasm', new WasmKernels()]] as [string, LinalgKernels][]) {
  test(`${name} triangularSolve: R·(norm_j·c_j) gives back C's column, columns are unit, the lower triangle untouched`, () => {
    const rng = new Rng(5);
    for (const k of [1, 2, 3, 7, 16, 33, 64]) {
      const r = packedUpper(rng, k);
      const c = upperWithPoisonBelow(rng, k);
      const original = c.slice();
      const norms = new Float64Array(k);
      kernels.triangularSolve(r, k, c, norms);
      for (let j = 0; j < k; j++) {
        let squares = 0;
        for (let i = 0; i <= j; i++) squares += c[j * k + i]! ** 2;
        assert.ok(Math.abs(squares - 1) < 1e-13, `k ${k} column ${j}: |c_j|² = ${squares}`);
        const back = timesR(r, c, k, j);
        for (let i = 0; i <= j; i++) {
          const want = original[j * k + i]!;
          assert.ok(Math.abs(back[i]! * norms[j]! - want) < 1e-11 * (1 + Math.abs(want)), `k ${k} (${i}, ${j}): ${back[i]! * norms[j]!} vs ${want}`);
        }
        for (let i = j + 1; i < k; i++) assert.ok(Number.isNaN(c[j * k + i]!), `k ${k}: entry (${i}, ${j}) below the diagonal was written`);
      }
    }
  });
}

test('wasm triangularSolve agrees with js to 1e-12 (float64) and 1e-4 (float32), norms included', () => {
  const rng = new Rng(6);
  const wasm = new WasmKernels();
  const f32 = new WasmFloat32Kernels();
  for (const k of [1, 5, 31, 64, 130]) {
    const r = packedUpper(rng, k);
    const c = upperWithPoisonBelow(rng, k);
    const [want, got, got32] = [c.slice(), c.slice(), c.slice()];
    const [nWant, nGot, nGot32] = [new Float64Array(k), new Float64Array(k), new Float64Array(k)];
    referenceKernels.triangularSolve(r, k, want, nWant);
    wasm.triangularSolve(r, k, got, nGot);
    f32.triangularSolve(r, k, got32, nGot32);
    for (let j = 0; j < k; j++) {
      assert.ok(Math.abs(nGot[j]! - nWant[j]!) <= 1e-12 * nWant[j]!, `k ${k}: norm ${j} ${nGot[j]} vs ${nWant[j]}`);
      assert.ok(Math.abs(nGot32[j]! - nWant[j]!) <= 1e-4 * nWant[j]!, `k ${k}: f32 norm ${j} ${nGot32[j]} vs ${nWant[j]}`);
      for (let i = 0; i <= j; i++) {
        assert.ok(Math.abs(got[j * k + i]! - want[j * k + i]!) <= 1e-12, `k ${k} (${i}, ${j}): ${got[j * k + i]} vs ${want[j * k + i]}`);
        assert.ok(Math.abs(got32[j * k + i]! - want[j * k + i]!) <= 1e-4, `k ${k} (${i}, ${j}) f32`);
      }
    }
  }
});

test('triangularSolve keeps a column whose solution under- or overflows a plain sum of squares: scaled norm, unit result', () => {
  for (const kernels of [referenceKernels, new WasmKernels()]) {
    // R = diag(1e-200, 1e-200): R⁻¹c = 1e200·c, whose squares overflow; the norm must still be right.
    const r = new Float64Array([1e-200, 0, 1e-200]);
    const c = new Float64Array([3, 0, 3, 4]);
    const norms = new Float64Array(2);
    kernels.triangularSolve(r, 2, c, norms);
    assert.ok(Math.abs(norms[1]! / 5e200 - 1) < 1e-14, `${kernels.name}: norm ${norms[1]}`);
    assert.ok(Math.abs(c[2]! - 0.6) < 1e-14 && Math.abs(c[3]! - 0.8) < 1e-14, `${kernels.name}: column ${c[2]}, ${c[3]}`);
  }
});
