import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '../src/io/index.js';
import { Rng } from '../src/linalg/index.js';
import { modelSpectrum } from '../src/model-spectrum/index.js';
import { latestCheckpoint } from '../src/record/index.js';
import { CHECKPOINT_FILES, createTask, readCheckpointNetwork, toRnnModel, trainInRunDirectory } from '../src/train/index.js';

const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/closed-loop');
const forecaster = join(fixtures, 'forecaster.safetensors');
/** PyTorch's own closed loop (scripts/make-closed-loop-fixture.py): mean log|det J| of the autonomous step by autograd. */
const reference = JSON.parse(readFileSync(join(fixtures, 'forecaster.reference.json'), 'utf8')) as { transient: number; steps: number; mean_log_abs_det: number };

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Json { exponents: number[]; perSequence: number[][]; source: { used: { name: string }[] }; inputs: Record<string, unknown> }

test('spectrum --closed-loop of a PyTorch forecaster: Σλ equals PyTorch\'s mean log|det| of the autonomous step; perturbed starts in a split batch', () => {
  const args = ['spectrum', forecaster, '--closed-loop', '--transient', String(reference.transient), '--steps', String(reference.steps), '--json'];
  const one = cli(...args, '--batch', '1', '--threads', '1');
  assert.equal(one.code, 0, one.stderr);
  const r = JSON.parse(one.stdout) as Json;
  const sum = r.exponents.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - reference.mean_log_abs_det) <= 1e-9 * Math.abs(reference.mean_log_abs_det), `Σλ ${sum} vs PyTorch ${reference.mean_log_abs_det}`);
  assert.deepEqual(r.source.used.slice(-2).map((t) => t.name), ['fc.weight', 'fc.bias']);
  assert.deepEqual(r.inputs, { kind: 'closed-loop', readout: 'fc.', starts: 'perturbed', spread: 1e-3, seed: 0 });

  // Trajectory 0 starts at h₀ = 0 whatever the batch and its split over threads; the others near it.
  const three = cli(...args, '--batch', '3', '--threads', '2');
  assert.equal(three.code, 0, three.stderr);
  const rows = (JSON.parse(three.stdout) as Json).perSequence;
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[0], r.perSequence[0]);
  assert.notDeepEqual(rows[1], rows[0]);
  assert.notDeepEqual(rows[2], rows[1]);
  for (const row of rows) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - sum) < 0.05, 'the perturbed starts reach the same attractor');
});

test('spectrum --closed-loop --inputs: a teacher-forced warm-up over the first --warmup steps, then the closed loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'closed-loop-'));
  const inputs = join(dir, 'inputs.safetensors');
  writeSafetensors(inputs, { inputs: { shape: [2, 10, 3], data: new Rng(2).fillNormal(new Float64Array(60)) } });
  const warm = cli('spectrum', forecaster, '--closed-loop', '--inputs', inputs, '--warmup', '10', '--transient', '5', '--steps', '50', '--threads', '1', '--json');
  assert.equal(warm.code, 0, warm.stderr);
  const r = JSON.parse(warm.stdout) as Json;
  assert.deepEqual(r.inputs, { kind: 'closed-loop', readout: 'fc.', starts: 'warmup', file: inputs, warmup: 10 });
  assert.equal(r.perSequence.length, 2);
  assert.notDeepEqual(r.perSequence[0], r.perSequence[1], 'the two warm-ups end in different states');
  const short = cli('spectrum', forecaster, '--closed-loop', '--inputs', inputs, '--warmup', '11', '--steps', '5');
  assert.equal(short.code, 2);
  assert.match(short.stderr, /inputs\.safetensors: 10 steps per sequence, fewer than --warmup 11/);
});

test('spectrum --closed-loop: missing or misshapen readouts and stray flags are one-line errors naming the file and tensor', () => {
  const cases: [string[], RegExp][] = [
    [[join(root, 'test/fixtures/embedding/decoder_lstm.safetensors'), '--closed-loop'], /decoder_lstm\.safetensors: no readout \(a tensor fc\.weight or readout\.weight\).*--readout PREFIX/],
    [[join(fixtures, 'bad_readout.safetensors'), '--closed-loop'], /bad_readout\.safetensors: tensor 'fc\.weight': has shape \[4, 6\]; a readout's must be \[input size, hidden size\] = \[3, 6\]/],
    [[forecaster, '--closed-loop', '--readout', 'head'], /forecaster\.safetensors: no tensor 'head\.weight' for the readout \(--readout head\); its 2-D weights are .*'fc\.weight'/],
    [[forecaster, '--readout', 'fc.'], /--readout goes with --closed-loop/],
    [[forecaster, '--closed-loop', '--drive', 'gaussian'], /--closed-loop feeds the model its own predictions: drop --drive/],
  ];
  for (const [args, message] of cases) {
    const r = cli('spectrum', ...args, '--steps', '5');
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('spectrum RUN_DIR --closed-loop: a lorenz run\'s checkpoint readout closes the loop after its task\'s warm-up on held-out data, as the library computes it', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'closed-loop-run-')), 'run');
  const task = { name: 'lorenz' as const, trainSize: 8, evalSize: 4, seq: 30, warmup: 25 };
  await trainInRunDirectory(dir, { task, cell: 'gru', hidden: 6, epochs: 1, batch: 8, seed: 2, spectrum: { every: 1, batch: 2, steps: 20, transient: 5, k: 3 } });
  const r = cli('spectrum', dir, '--closed-loop', '--batch', '2', '--steps', '60', '--transient', '10', '--k', '3', '--seed', '4', '--threads', '1', '--json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { exponents: number[]; inputs: Record<string, unknown> };
  assert.deepEqual(json.inputs, { kind: 'closed-loop', readout: 'readout.', starts: 'warmup', run: dir, epoch: 1, seed: 4, warmup: 25 });
  const checkpoint = latestCheckpoint(dir)!;
  const { model, readout } = toRnnModel(readCheckpointNetwork(checkpoint.files[CHECKPOINT_FILES.model]!, checkpoint.files[CHECKPOINT_FILES.readout]!, 'float64'));
  const inputs = createTask(task).spectrumInputs(2, 25, new Rng(4));
  const expected = modelSpectrum(model, inputs, { k: 3, steps: 60, transient: 10, seed: 4, closedLoop: { readout, warmup: 25 } });
  json.exponents.forEach((v, i) => assert.ok(Math.abs(v - expected.exponents[i]!) < 1e-12, `λ${i + 1}: ${v} vs ${expected.exponents[i]}`));
  const bad = cli('spectrum', dir, '--closed-loop', '--readout', 'fc.');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^rnn-lyapunov: --readout names a module of a model file; a run directory's readout is its checkpoint's own\n$/);
});
