import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomModel } from '../src/cells/index.js';
import { loadRnnModel, saveRnnModel, writeSafetensors } from '../src/io/index.js';
import { createKernels, Rng } from '../src/linalg/index.js';
import { modelSpectrum, randomDrive } from '../src/model-spectrum/index.js';

const root = new URL('..', import.meta.url).pathname;
const model = join(root, 'test/fixtures/torch/lstm_l2_bias_h3.model.safetensors');
/** The kernels of `--backend js`, which the library's default (wasm) is not. */
const js = createKernels('js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('spectrum on a 2-layer PyTorch LSTM: table, and JSON equal to the library call', () => {
  const args = ['spectrum', model, '--drive', 'gaussian', '--batch', '3', '--steps', '500', '--transient', '50', '--seed', '4', '--backend', 'js'];
  const table = cli(...args);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /lstm · 2 layers · hidden 3 · input 3 · state dim 12 \(joint h, c\)/);
  assert.match(table.stdout, /Kaplan–Yorke dim/);
  assert.equal(table.stdout.split('\n').filter((l) => /^\s+\d+\s+-?\d/.test(l)).length, 12);

  const json = cli(...args, '--json');
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout);
  for (const field of ['exponents', 'std', 'stderr', 'perSequence', 'units', 'kaplanYorke', 'entropy', 'sumRuleResidual', 'options']) {
    assert.ok(field in doc, `JSON has ${field}`);
  }
  assert.equal(doc.units, 'nats/step');
  const lib = modelSpectrum(loadRnnModel(model), randomDrive('gaussian', 3, 550, 3, 4), { steps: 500, transient: 50, seed: 4, kernels: js });
  assert.deepEqual(doc.exponents, lib.exponents);
  assert.equal(doc.perSequence.length, 3);
  // The default WebAssembly kernels (Householder QR) agree with the reference (Gram–Schmidt) to
  // rounding; over 500 steps the split between nearly equal trailing exponents is sensitive to it,
  // their sum is not.
  const wasm = JSON.parse(cli(...args.slice(0, -2), '--json').stdout);
  assert.equal(wasm.options.backend, 'wasm');
  wasm.exponents.forEach((l: number, i: number) =>
    assert.ok(Math.abs(l - lib.exponents[i]!) < 1e-6 * Math.abs(lib.exponents[i]!), `wasm λ${i + 1}: ${l} vs ${lib.exponents[i]}`));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(wasm.exponents) - sum(lib.exponents)) < 1e-10, 'sums agree');
  assert.ok(Math.abs(doc.sumRuleResidual) < 1e-10);
});

test('spectrum reads driving sequences from --inputs and checks their length', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lyap-'));
  const file = join(dir, 'inputs.safetensors');
  const drive = randomDrive('onehot', 2, 60, 3, 1);
  writeSafetensors(file, { inputs: { shape: [2, 60, 3], data: drive.data } });
  const ok = cli('spectrum', model, '--inputs', file, '--steps', '50', '--transient', '10', '--k', '4', '--backend', 'js', '--json');
  assert.equal(ok.code, 0, ok.stderr);
  const doc = JSON.parse(ok.stdout);
  assert.equal(doc.exponents.length, 4);
  const lib = modelSpectrum(loadRnnModel(model), drive, { steps: 50, transient: 10, k: 4, kernels: js });
  assert.deepEqual(doc.exponents, lib.exponents);
  const short = cli('spectrum', model, '--inputs', file, '--steps', '60', '--transient', '10');
  assert.equal(short.code, 2);
  assert.match(short.stderr, /60 steps per sequence, fewer than transient \+ steps = 10 \+ 60 = 70/);
});

test('bad usage and bad files: exit code 2 and one line naming the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lyap-'));
  const junk = join(dir, 'junk.safetensors');
  writeFileSync(junk, Buffer.from([1, 2, 3]));
  const cases: [string[], RegExp][] = [
    [['spectrum', join(dir, 'missing.safetensors')], /missing\.safetensors/],
    [['spectrum', junk], /junk\.safetensors/],
    [['spectrum', model, '--steps', 'ten'], /--steps must be an integer/],
    [['spectrum', model, '--cell', 'gru'], /--cell gru expects 3 gates/],
    [['spectrum', model, '--drive', 'uniform'], /--drive must be one of onehot, gaussian/],
    [['spectrum', model, '--k', '13'], /k must be an integer in \[1, 12\]/],
    [['spectrum', model, '--precision', 'float32', '--backend', 'js'], /--precision float32 needs --backend wasm/],
    [['spectrum', model, '--precision', 'float16'], /--precision must be one of/],
    [['spectrum', model, '--threads', '0'], /--threads must be an integer/],
    [['spectrum', model, '--threads', String(availableParallelism() + 1)], /--threads must be an integer in \[1, \d+\] \(the cores available\), got '\d+'/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('inputs beyond the memory budget are refused with the estimate before they are read', () => {
  // 8 × 10⁷ × 3 one-hot bytes: 240 MB on paper, none on disk (a hole), 1.8 GiB as float64.
  const file = join(mkdtempSync(join(tmpdir(), 'rnn-lyap-')), 'long.safetensors');
  const shape = [8, 10_000_000, 3];
  const header = Buffer.from(JSON.stringify({ inputs: { dtype: 'U8', shape, data_offsets: [0, 240_000_000] } }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(file, Buffer.concat([length, header]));
  truncateSync(file, 8 + header.length + 240_000_000);
  const r = cli('spectrum', model, '--inputs', file, '--memory-budget', '1');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^rnn-lyapunov: this spectrum needs ≈ \d\.\d+ GiB \(input sequences 8 × 10000000 × 3 float64.*: \d\.\d+ GiB\), over the memory budget of 1\.00 GiB \(--memory-budget\); lower --batch, --steps, --transient or --threads, or set --memory-budget/);
  // A random drive is not held, but 10⁸ sequences' bases are.
  const many = cli('spectrum', model, '--batch', '100000000', '--threads', '1', '--memory-budget', '4');
  assert.equal(many.code, 2, many.stderr);
  assert.match(many.stderr, /needs ≈ \d+ GiB \(QR iteration \(state dim 12, k 12\): \d+ GiB\), over the memory budget of 4\.00 GiB/);
  const bad = cli('spectrum', model, '--memory-budget', '-1');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--memory-budget must be a number in \(0, ∞\), got '-1'/);
});

test('spectrum on a training run directory: its checkpoint, driven by its own held-out data', async () => {
  const { trainInRunDirectory, runModelAndInputs } = await import('../src/train/index.js');
  const dir = join(mkdtempSync(join(tmpdir(), 'rnn-lyap-')), 'run');
  await trainInRunDirectory(dir, {
    task: { name: 'copy', symbols: 4, length: 3, delay: 4, trainSize: 64, evalSize: 16 },
    cell: 'gru', hidden: 6, epochs: 1, batch: 16, seed: 3,
    spectrum: { every: 1, batch: 2, steps: 20, transient: 5, k: 4 },
  });
  const r = cli('spectrum', dir, '--checkpoint', '1', '--batch', '2', '--steps', '40', '--transient', '10', '--backend', 'js', '--json');
  assert.equal(r.code, 0, r.stderr);
  const { model, inputs } = runModelAndInputs(dir, { epoch: 1, batch: 2, steps: 50, seed: 0 });
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.exponents, modelSpectrum(model, inputs, { steps: 40, transient: 10, kernels: js }).exponents);
  assert.deepEqual(doc.inputs, { kind: 'run', run: dir, epoch: 1, seed: 0 });
  assert.ok(doc.source.file.startsWith(dir), doc.source.file);
  assert.deepEqual(doc.source.used.map((t: { name: string }) => t.name), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
  const missing = cli('spectrum', dir, '--checkpoint', '9');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /has no checkpoint of epoch 9 \(epochs: 0, 1\)/);
});

test('--qr-every 100: the table reports the guard halving and redoing intervals and where it ended; the JSON has the counts', () => {
  const lstm = join(root, 'test/fixtures/torch/lstm_l1_bias_h4.model.safetensors');
  const args = ['spectrum', lstm, '--drive', 'gaussian', '--batch', '2', '--steps', '300', '--qr-every', '100', '--threads', '1'];
  const table = cli(...args);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /qr every 100 +the conditioning guard halved the interval \d+×, redoing \d+ intervals? that (was|were) too long; it ended at \d+/);
  const doc = JSON.parse(cli(...args, '--json').stdout);
  assert.ok(doc.qrGuardFired > 0 && doc.qrRedone > 0 && doc.finalQrEvery < 100, JSON.stringify([doc.qrGuardFired, doc.qrRedone, doc.finalQrEvery]));
  assert.ok(doc.exponents.every((l: unknown) => typeof l === 'number'), 'no −∞ from the long interval');
});

test('a sum-rule residual above its bound is a warning on stderr and in the JSON; exit 0', () => {
  // A joint-state LSTM with saturated gates, beyond float64 in its trailing exponents (README, "Where float64 runs out").
  const dir = mkdtempSync(join(tmpdir(), 'rnnly-sumrule-'));
  const file = join(dir, 'saturated.safetensors');
  saveRnnModel(file, randomModel({ cell: 'lstm', inputSize: 8, hiddenSize: 32, numLayers: 1, bias: true }, new Rng(5), 3));
  const args = ['spectrum', file, '--drive', 'gaussian', '--batch', '2', '--steps', '300', '--threads', '1'];
  const table = cli(...args);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stderr, /^warning: the sum rule is off: Σλ_i − ⟨log\|det J\|⟩ = \S+ nats\/step, above the bound/m);
  const json = cli(...args, '--json');
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.warnings.length, 1);
  assert.ok(Math.abs(doc.sumRuleResidual) > 1e-11 * (1 + doc.exponents.reduce((s: number, l: number) => s + Math.abs(l), 0)));
  assert.match(json.stderr, /warning: the sum rule is off/);
});

test('a relu network with every unit dead: −∞ exponents, and no NaN anywhere in the table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnly-dead-'));
  const file = join(dir, 'dead.safetensors');
  const dead = randomModel({ cell: 'rnn_relu', inputSize: 3, hiddenSize: 4, numLayers: 1, bias: true }, new Rng(3), 0.2);
  dead.layers[0]!.biasIh!.fill(-100);
  saveRnnModel(file, dead);
  const table = cli('spectrum', file, '--drive', 'gaussian', '--steps', '200', '--threads', '1');
  assert.equal(table.code, 0, table.stderr);
  assert.doesNotMatch(table.stdout, /NaN/);
  assert.match(table.stdout, /^\s+1\s+-Infinity/m);
  assert.match(table.stdout, /convergence\s+λ1 moved 0\.00e\+0/);
});
