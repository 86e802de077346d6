/**
 * The readout on a synthetic sweep with a planted relation: the final loss depends on the
 * spectrum's shape (its slope across the normalised index) plus noise, while a large random
 * offset moves every exponent together (so λ₁ and the first principal component carry almost
 * nothing), and the hyperparameters and the early loss are drawn independently of it. The
 * spectrum must recover the relation; the baselines must not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/linalg/index.js';
import { openRun } from '../src/record/index.js';
import { parseSweepSpec, createSweep, DONE_MARKER } from '../src/sweep/index.js';
import { runCli } from './sweep.helpers.js';

const RUNS = 60;
const EPOCHS = 3;

function writeSyntheticSweep(dir: string): void {
  const spec = parseSweepSpec({
    name: 'planted',
    method: 'random',
    seed: 11,
    runCap: RUNS,
    parameters: { lr: { min: 1e-3, max: 1e-2, distribution: 'log_uniform' }, init: { values: ['uniform:0.1', 'uniform:0.5', 'uniform:2'] }, seed: { min: 0, max: 10_000, distribution: 'int' } },
    spectrum: { every: 1, k: 32 },
    readout: { metric: 'final_val_loss', epoch: 1 },
    base: { task: { name: 'copy' }, cell: 'lstm', hidden: 16, epochs: EPOCHS },
  });
  const sweep = createSweep(dir, spec);
  sweep.index.close();
  const rng = new Rng(5);
  for (const run of sweep.runs) {
    const k = [16, 24, 32][rng.int(3)];
    const offset = 1.5 * rng.normal();
    const slope = rng.range(0.5, 3);
    const spectrum = Array.from({ length: k }, (_, i) => offset - slope * (i / (k - 1)));
    const finalLoss = 1 + 0.5 * slope + 0.05 * rng.normal();
    const earlyLoss = rng.range(2, 3);
    const record = openRun(sweep.layout.runDir(run.id), { config: run.config });
    for (let epoch = 0; epoch <= EPOCHS; epoch++) {
      const valLoss = epoch === EPOCHS ? finalLoss : epoch === 1 ? earlyLoss : rng.range(2, 4);
      record.append('metrics', {
        epoch, step: epoch * 10, lr: 0.01, trainLoss: null, gradNorm: null, gradNormMax: null, clippedFraction: null,
        valLoss, valAccuracy: null, lambda: null, kaplanYorke: null, entropy: null, seconds: 0,
      });
      record.append('spectra', { scope: 'epoch', epoch, step: epoch * 10, spectrum: { exponents: spectrum.map((l) => l + 0.01 * rng.normal()) } });
    }
    writeFileSync(join(sweep.layout.runDir(run.id), DONE_MARKER), JSON.stringify({ id: run.id, completedAt: new Date().toISOString(), host: 'test', pid: 0 }));
  }
}

test('analyze recovers a relation planted in the spectrum shape, which the baselines do not see', () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-readout-'));
  try {
    const dir = join(root, 'sweep');
    writeSyntheticSweep(dir);
    const rowsFile = join(root, 'rows.json');
    const result = runCli(['analyze', dir, '--rows', rowsFile]);
    assert.equal(result.status, 0, result.stderr);
    const table = result.stdout;
    assert.match(table, new RegExp(`Readout of final_val_loss from epoch 1: ${RUNS} runs, leave-one-out cross-validation`));
    const score = (name: string) => {
      const line = table.split('\n').find((l) => l.slice(0, 30).trim() === name);
      assert.ok(line, `the table has a line for '${name}':\n${table}`);
      const [r2, rho, auc] = line.trim().split(/\s+/).slice(-3).map(Number);
      return { r2, rho, auc };
    };
    for (const name of ['spectrum', 'spectrum (resampled)', 'spectrum + early loss']) {
      const s = score(name);
      assert.ok(s.r2 > 0.9 && s.rho > 0.9 && s.auc > 0.9, `${name} recovers the planted relation: ${JSON.stringify(s)}`);
    }
    for (const name of ['hyperparameters', 'hyperparameters quadratic', 'hyperparameters kNN', 'early loss', 'early loss + early loss²', 'hyperparameters + early loss', 'λ₁', 'spectrum PC1']) {
      const s = score(name);
      assert.ok(s.r2 < 0.2 && s.auc < 0.75, `${name} does not see it: ${JSON.stringify(s)}`);
    }
    assert.match(table, /spectrum vs early loss: R² 0\.9\d\d vs -?0\.\d{3}/);
    assert.match(table, /\nHow well among those that train: the 30 runs with final_val_loss ≤ \d\.\d{4} \(the median\), leave-one-out cross-validation within them\n/);

    const exported = JSON.parse(readFileSync(rowsFile, 'utf8'));
    assert.equal(exported.rows.length, RUNS);
    const row = exported.rows[0];
    assert.deepEqual(Object.keys(row.params).sort(), ['init', 'lr', 'seed']);
    assert.equal(row.spectrum.length, 16, 'spectra resampled to a common length across sizes 16, 24, 32');
    assert.ok(Math.abs(row.predicted - row.finalLoss) < 0.3, 'held-out prediction near the actual value');
    assert.deepEqual(exported.readout.map((s: { features: string }) => s.features), table.split('\n').slice(4, 4 + exported.readout.length).map((l) => l.slice(0, 30).trim()));

    assert.deepEqual(exported.threshold.rule, 'the median');
    assert.equal(exported.trainable.n, 30);

    // finalLoss = 1 + 0.5·slope lies in [1.25, 2.5]: 90% of a chance loss of 2.5 splits the runs.
    const chance = runCli(['analyze', dir, '--chance-loss', '2.5', '--folds', '5', '--json']);
    assert.equal(chance.status, 0, chance.stderr);
    const split = JSON.parse(chance.stdout);
    assert.deepEqual(split.threshold, { value: 2.25, rule: '90% of the chance loss 2.5000' });
    assert.equal(split.trainable.n, exported.rows.filter((r: { finalLoss: number }) => r.finalLoss <= 2.25).length);
    assert.ok(split.trainable.n < RUNS && split.trainable.n > 30, `most runs lie below 2.25: ${split.trainable.n}`);
    const bad = runCli(['analyze', dir, '--chance-loss', '-1']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^rnn-lyapunov: --chance-loss must be a number in \(0, ∞\), got '-1'\n$/);

    writeFileSync(rowsFile, 'kept');
    const again = runCli(['analyze', dir, '--rows', rowsFile]);
    assert.equal(again.status, 2, 'an existing --rows file is refused');
    assert.match(again.stderr, /^rnn-lyapunov: --rows .*rows\.json: the file exists; pass --force to overwrite it\n$/);
    assert.equal(readFileSync(rowsFile, 'utf8'), 'kept', 'and kept as it was');
    assert.equal(runCli(['analyze', dir, '--rows', rowsFile, '--force']).status, 0);
    assert.equal(JSON.parse(readFileSync(rowsFile, 'utf8')).rows.length, RUNS, '--force replaces it');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('sweep export writes a results file from which analyze prints the tables it prints from the run directories', () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-results-'));
  try {
    const dir = join(root, 'sweep');
    writeSyntheticSweep(dir);
    const file = join(root, 'planted.results.jsonl');
    const exported = runCli(['sweep', 'export', dir, '--out', file]);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stderr, new RegExp(`^${RUNS} runs written to .*planted\\.results\\.jsonl\\n$`));
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, RUNS);
    assert.deepEqual(Object.keys(lines[0]).sort(), ['id', 'lambda', 'params', 'stateDimension', 'valLoss']);
    assert.equal(lines[0].stateDimension, 32, 'LSTM-16, joint (h, c) state');
    assert.deepEqual(Object.keys(lines[0].lambda), ['epoch0', 'epoch1', 'epoch2', 'epoch3'], 'the spectrum of every epoch, initialisation included');
    assert.equal(lines[0].valLoss.length, EPOCHS + 1);

    const fromDir = runCli(['analyze', dir, '--folds', '5', '--chance-loss', '2.5']);
    const fromFile = runCli(['analyze', file, '--folds', '5', '--chance-loss', '2.5']);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    // 6 significant digits move the scores a little (most in the last printed digit; a set without
    // signal, whose α sits on a flat optimum, by up to a few hundredths); the tables agree line by line.
    const numbers = (text: string) => text.split('\n').slice(1).join('\n').match(/-?\d+\.\d+/g)!.map(Number);
    const [a, b] = [numbers(fromDir.stdout), numbers(fromFile.stdout)];
    assert.equal(a.length, b.length);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 0.02, `number ${i}: ${v} from the directory, ${b[i]} from the file`));
    assert.equal(fromDir.stdout.split('\n').slice(1).join('\n').replace(/-?\d+\.\d+/g, '#'), fromFile.stdout.split('\n').slice(1).join('\n').replace(/-?\d+\.\d+/g, '#'));

    assert.equal(runCli(['sweep', 'export', dir, '--out', file]).status, 2, 'an existing results file is kept unless --force');
    const metric = runCli(['analyze', file, '--metric', 'final_train_loss']);
    assert.equal(metric.status, 2);
    assert.match(metric.stderr, /^rnn-lyapunov: .*planted\.results\.jsonl: a results file holds the validation loss only: --metric must be final_val_loss or best_val_loss, got 'final_train_loss'\n$/);
    writeFileSync(file, `${JSON.stringify({ ...lines[0], stateDimension: 0 })}\n`);
    const bad = runCli(['analyze', file]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^rnn-lyapunov: .*planted\.results\.jsonl line 1: field 'stateDimension' must be a positive integer\n$/);
    writeFileSync(file, '{"id": "x", "params": {}, \n');
    assert.match(runCli(['analyze', file]).stderr, /^rnn-lyapunov: .*planted\.results\.jsonl line 1: invalid JSON/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
