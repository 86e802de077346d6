import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomModel } from '../src/cells/index.js';
import { OptionError, UserError } from '../src/errors.js';
import { JacobianFileError, readSafetensorsHeader, SafetensorsError, writeJacobians, writeSafetensors } from '../src/io/index.js';
import { createKernels, Rng } from '../src/linalg/index.js';
import { lyapunovSpectrum } from '../src/lyapunov/index.js';
import { jacobianSequence, modelSpectrum, modelSpectrumThreaded, randomDrive } from '../src/model-spectrum/index.js';

const kernels = createKernels('wasm');
const dir = mkdtempSync(join(tmpdir(), 'rnn-lyap-jac-'));
const [B, T, W] = [3, 240, 40];

/** Equal to 1e-12 (relative above 1), or the same infinity (a dead relu unit's direction). */
const same = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

const CELLS = [
  { name: 'rnn_tanh', cell: 'rnn_tanh', layers: 1, scale: 1.2 },
  { name: 'rnn_relu', cell: 'rnn_relu', layers: 1, scale: 1.5 },
  { name: 'lstm, joint (h, c)', cell: 'lstm', layers: 1, scale: 0.9 },
  { name: 'gru', cell: 'gru', layers: 1, scale: 0.9 },
  { name: 'stacked lstm, 2 layers', cell: 'lstm', layers: 2, scale: 0.9 },
  { name: 'stacked rnn_tanh, 2 layers', cell: 'rnn_tanh', layers: 2, scale: 0.9 },
] as const;

// One-layer cells form their Jacobian, and both runs multiply it by the same reflectors: the same
// bits. Stacked and joint-LSTM cells push the basis through their structured tangent map, the
// replay through the dense J: rounding differs at 1e-16 a step, which leaves the exponents equal
// to 1e-15 here; at finite T two nearly equal exponents (|λ_i − λ_i+1| ≲ 0.05) can split their
// sum differently by far more (1e-5 was seen for a 2-layer LSTM at weights U(−0.9, 0.9), seed 15).
test('the spectrum from dumped Jacobians equals the direct spectrum to 1e-12, for every cell', () => {
  for (const [c, spec] of CELLS.entries()) {
    const model = randomModel({ cell: spec.cell, inputSize: 2, hiddenSize: 4, numLayers: spec.layers, bias: true }, new Rng(10 + c), spec.scale);
    const inputs = randomDrive('onehot', B, W + T, 2, c);
    const n = spec.cell === 'lstm' ? 8 * spec.layers : 4 * spec.layers;
    const store = new Float64Array(B * (W + T) * n * n);
    const direct = modelSpectrum(model, inputs, { steps: T, transient: W, seed: 3, kernels, jacobiansOut: store });
    const file = join(dir, `${c}.safetensors`);
    writeJacobians(file, { batch: B, steps: W + T, dim: n, data: store });
    const system = jacobianSequence(file);
    assert.deepEqual([system.batch, system.steps, system.dim], [B, W + T, n]);
    const replayed = lyapunovSpectrum(system, { steps: T, transient: W, seed: 3, kernels, basis: direct.options.basis });
    direct.exponents.forEach((l, i) => assert.ok(same(replayed.exponents[i]!, l), `${spec.name}: λ${i + 1} ${replayed.exponents[i]} vs ${l}`));
    direct.perSequence.forEach((row, b) => row.forEach((l, i) => assert.ok(same(replayed.perSequence[b]![i]!, l), `${spec.name}: sequence ${b}, λ${i + 1}`)));
    assert.ok(direct.exponents.some(Number.isFinite), `${spec.name}: finite exponents compared`);
  }
});

test('worker threads fill one shared store: the same Jacobians as one thread', async () => {
  const model = randomModel({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 2, bias: true }, new Rng(5), 0.9);
  const inputs = randomDrive('onehot', 4, 60, 2, 1);
  const n = 6;
  const one = new Float64Array(4 * 60 * n * n);
  modelSpectrum(model, inputs, { steps: 50, transient: 10, kernels, jacobiansOut: one });
  const shared = new Float64Array(new SharedArrayBuffer(one.byteLength));
  await modelSpectrumThreaded(model, inputs, { steps: 50, transient: 10, threads: 2, jacobiansOut: shared });
  assert.deepEqual(shared, one);
  assert.ok(one.some((x) => x !== 0) && one.every(Number.isFinite));
  // A plain array would be copied into each worker and come back empty: refused, as is a wrong size.
  await assert.rejects(modelSpectrumThreaded(model, inputs, { steps: 50, transient: 10, threads: 2, jacobiansOut: new Float64Array(one.length) }),
    (e) => e instanceof OptionError && /SharedArrayBuffer/.test((e as Error).message));
  assert.throws(() => modelSpectrum(model, inputs, { steps: 50, transient: 10, jacobiansOut: new Float64Array(10) }),
    (e) => e instanceof OptionError && /jacobiansOut holds 10 entries; B × \(transient \+ steps\) × n × n = 4 × 60 × 6 × 6 = 8640 are needed/.test((e as Error).message));
});

test('float32 Jacobians are stored as F32 and read back', () => {
  const file = join(dir, 'f32.safetensors');
  const data = Float32Array.from({ length: 2 * 5 * 4 }, (_, i) => Math.sin(i) / 3);
  writeJacobians(file, { batch: 2, steps: 5, dim: 2, data });
  assert.equal(readSafetensorsHeader(file).tensors.get('jacobians')!.dtype, 'F32');
  const system = jacobianSequence(file);
  system.step(4);
  const out = new Float64Array(4);
  system.formJacobian(1, out);
  assert.deepEqual(Array.from(out), Array.from(data.subarray((5 + 4) * 4, (5 + 5) * 4)));
});

test('a truncated file, a wrong shape, NaNs or too many steps give a one-line user error', () => {
  const good = join(dir, 'good.safetensors');
  writeJacobians(good, { batch: 1, steps: 4, dim: 2, data: new Float64Array(16).fill(0.5) });
  const truncated = join(dir, 'truncated.safetensors');
  writeJacobians(truncated, { batch: 1, steps: 4, dim: 2, data: new Float64Array(16).fill(0.5) });
  truncateSync(truncated, statSync(truncated).size - 8);
  const wrongShape = join(dir, 'shape.safetensors');
  writeSafetensors(wrongShape, { jacobians: { shape: [1, 4, 2, 3], data: new Float64Array(24) } });
  const rank3 = join(dir, 'rank3.safetensors');
  writeSafetensors(rank3, { jacobians: { shape: [4, 2, 2], data: new Float64Array(16) } });
  const nan = join(dir, 'nan.safetensors');
  const values = new Float64Array(16).fill(0.5);
  values[13] = NaN;
  writeJacobians(nan, { batch: 1, steps: 4, dim: 2, data: values });
  const oneLine = (e: unknown) => e instanceof UserError && !e.message.includes('\n');
  assert.throws(() => jacobianSequence(truncated), (e) => oneLine(e) && e instanceof SafetensorsError && /truncated\.safetensors: .*beyond the data section/.test((e as Error).message));
  assert.throws(() => jacobianSequence(wrongShape), (e) => oneLine(e) && e instanceof JacobianFileError && /shape \[1, 4, 2, 3\]: expected \[B, T, n, n\]/.test((e as Error).message));
  assert.throws(() => jacobianSequence(rank3), (e) => oneLine(e) && /shape \[4, 2, 2\]/.test((e as Error).message));
  assert.throws(() => jacobianSequence(nan), (e) => oneLine(e) && /element \[0, 3, 0, 1\] is NaN: Jacobians must be finite/.test((e as Error).message));
  assert.throws(() => lyapunovSpectrum(jacobianSequence(good), { steps: 4, transient: 1 }), (e) => oneLine(e) && /hold steps 0 to 3 \(T = 4\), the run asked for step 4/.test((e as Error).message));
});

test('reading Jacobians beyond the memory budget is refused before they are read, naming the size', () => {
  const file = join(dir, 'big.safetensors');
  writeJacobians(file, { batch: 2, steps: 64, dim: 16, data: new Float64Array(2 * 64 * 256) });
  assert.throws(() => jacobianSequence(file, { memoryBudget: { bytes: 1000, why: 'a test' } }),
    (e) => e instanceof UserError && /needs ≈ 0\.000[0-9]+ GiB \(Jacobians 2 × 64 × 16 × 16 F64, read and decoded to float64: .*\), over the memory budget of .* \(a test\)/.test((e as Error).message));
});
