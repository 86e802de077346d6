/**
 * Spectrum-guided pruning: the replay keeps a planted best run that the early spectrum predicts
 * and the early loss hides, random pruning loses it about as often as it prunes; the compute
 * accounting matches a case worked by hand; a fitted model survives its file; and a live local
 * sweep with --prune stops the runs ranked worst after the rung epoch, records them as pruned,
 * and does not train them again on a re-run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from 'ml-matrix';
import { Rng } from '../src/linalg/index.js';
import {
  describeEvent, fitPruneModel, fitRidge, loadReadoutData, modelFile, openSweep, parseSweepSpec, readModelFile, readResultsFile,
  replayPruning, resampleSpectrum, runPrunedLocalSweep, spectrumFeatures, type RunHistory,
} from '../src/sweep/index.js';
import { readMetrics, readSpectra } from '../src/record/index.js';
import Database from 'better-sqlite3';
import { RunIndex, featureNames, type IndexedRun } from '../src/sweep/index.js';
import { trainRun } from '../src/sweep/executors/run-one.js';
import { runClaimWorker } from '../src/sweep/executors/index.js';
import { runCli, startCli } from './sweep.helpers.js';
import { freePort, redisTest, startRedis } from './redis.helpers.js';
import { pruneSpec, renderSvg } from '../src/report/plots/index.js';
import { replayCurve } from '../src/sweep/index.js';

const EPOCHS = 5;

/** Runs `body` in a fresh temporary directory, removed afterwards. */
async function inTempDir(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Four GRU-4 copy-task networks of 2 epochs: a few seconds each. */
const LIVE_SPEC = {
  method: 'grid',
  maxAttempts: 2,
  parameters: { lr: { values: [0.001, 0.03] }, init: { values: ['uniform:0.3', 'uniform:1.5'] } },
  spectrum: { every: 1, batch: 2, steps: 30, transient: 5, k: 4 },
  readout: { metric: 'final_val_loss', epoch: 1 },
  base: { task: { name: 'copy', trainSize: 256, evalSize: 32 }, cell: 'gru', hidden: 4, epochs: 2, batch: 32, seed: 3 },
};

/** The sweep's indexed runs sorted by a value read from each run's directory: the live tests' oracle. */
function runsSortedBy(out: string, key: (runDir: string) => number): IndexedRun[] {
  const sweep = openSweep(out);
  try {
    return sweep.index.list().sort((a, b) => key(join(out, 'runs', a.id)) - key(join(out, 'runs', b.id)));
  } finally {
    sweep.index.close();
  }
}

const epoch1Loss = (runDir: string) => readMetrics(runDir).find((m) => m.epoch === 1)!.valLoss!;
const lastEpoch = (runDir: string) => Math.max(...readMetrics(runDir).map((m) => m.epoch));

/**
 * 60 runs whose final loss is 1 + q (q uniform in [0, 1], the run's quality) and whose epoch-1
 * spectrum tells q: λ₁ = −2q, then steps of −0.2. The early loss is noise. Run `best` (after
 * the warm-up) has q = −0.5 (final loss 0.5, the sweep's best by far) and the worst early loss.
 */
function plantedSweep(best: number, seed = 5): RunHistory[] {
  const rng = new Rng(seed);
  return Array.from({ length: 60 }, (_, i) => {
    const q = i === best ? -0.5 : rng.uniform();
    const final = 1 + q;
    const early = i === best ? 9 : 2 + rng.uniform();
    const losses = [10, early, ...Array.from({ length: EPOCHS - 2 }, (_, e) => early + (final - early) * ((e + 1) / (EPOCHS - 1))), final];
    const exponents = Array.from({ length: 8 }, (_, j) => -2 * q - 0.2 * j + 0.01 * rng.normal());
    return { id: `r${i}`, params: {}, losses, spectra: new Map([[1, exponents]]), plannedEpochs: EPOCHS, epochCost: 1 };
  });
}

test('the replay keeps the planted best run when pruning on the spectrum, loses it on the early loss, and random pruning loses it sometimes', () => {
  const runs = plantedSweep(40);
  for (const protocol of [{ kind: 'warmup', runs: 15 }, { kind: 'crossfit', folds: 5 }] as const) {
    const result = replayPruning(runs, { plan: { rungs: [1], keep: 1 / 3 }, protocol, randomSeeds: 200 });
    const row = (name: string) => result.strategies.find((s) => s.strategy === name)!;
    assert.equal(result.bestId, 'r40');
    for (const name of ['spectrum', 'spectrum + early loss']) {
      assert.equal(row(name).bestId, 'r40', `${protocol.kind}: ${name} keeps the planted best run`);
      assert.equal(row(name).regret, 0);
      assert.equal(row(name).rank, 1);
    }
    assert.equal(row('early loss').keptBest, 0, `${protocol.kind}: its early loss is the worst, so pruning on it loses the best run`);
    assert.ok(row('early loss').regret > 0.4);
    const random = row('random');
    assert.ok(random.keptBest > 0.15 && random.keptBest < 0.6, `${protocol.kind}: random pruning keeps it about a third of the time, got ${random.keptBest}`);
    assert.ok(row('spectrum').computeFraction < 0.75 && row('no pruning').computeFraction === 1);
  }
});

test('the pruning plot draws a curve per strategy over the keep shares, and the sweep best as a line', async () => {
  const runs = plantedSweep(40);
  const curve = replayCurve(runs, { plan: { rungs: [1], keep: 0.5 }, protocol: { kind: 'crossfit', folds: 5 }, randomSeeds: 20 }, [0.1, 0.5, 1]);
  // Three shares × four strategies, and 'no pruning' at share 1 only.
  assert.equal(curve.length, 3 * 4 + 1);
  assert.deepEqual(curve.filter((p) => p.strategy === 'spectrum').map((p) => p.bestLoss), [0.5, 0.5, 0.5]);
  const svg = await renderSvg(pruneSpec({ points: curve, sweepBest: 0.5, description: 'planted' }));
  for (const name of ['early loss', 'spectrum', 'spectrum + early loss', 'random', 'no pruning', 'compute spent']) assert.ok(svg.includes(name), name);
});

test('compute is counted exactly: two rungs, a run that costs double, a run that diverged, worked by hand', () => {
  const run = (id: string, losses: number[], epochCost = 1): RunHistory => ({ id, params: {}, losses, spectra: new Map(), plannedEpochs: 4, epochCost });
  const runs = [
    run('A', [5, 1, 1, 1, 1]),
    run('B', [5, 2, 2, 2, 2]),
    run('C', [5, 3, 0.5, 0.5, 0.5], 2),
    run('D', [5, 4, 4, 4]), // diverged in epoch 4: three epochs to train, no final loss
  ];
  // Rung 1 ranks A, B, C, D by their epoch-1 loss and keeps ⌈4/2⌉ = 2 (A, B): C and D stop after 1 epoch.
  // Rung 2 keeps ⌈2/2⌉ = 1 (A): B stops after 2. A trains all 4. Spent 4·1 + 2·1 + 1·2 + 1·1 = 9 of 4 + 4 + 4·2 + 3 = 19.
  const result = replayPruning(runs, { plan: { rungs: [1, 2], keep: 0.5 }, protocol: { kind: 'model', models: [], source: 'nothing' }, randomSeeds: 3 });
  const [none, early] = result.strategies;
  assert.equal(result.fullCost, 19);
  assert.deepEqual({ ...none, strategy: none!.strategy }, {
    strategy: 'no pruning', computeFraction: 1, spent: 19, bestLoss: 0.5, bestId: 'C', rank: 1, regret: 0, keptBest: 1, topKept: 3, completed: 3,
  });
  assert.deepEqual(early, {
    strategy: 'early loss', computeFraction: 9 / 19, spent: 9, bestLoss: 1, bestId: 'A', rank: 2, regret: 0.5, keptBest: 0, topKept: 1, completed: 1,
  });
  assert.equal(result.strategies.length, 3, 'no spectrum model in the file: those strategies are left out');
  assert.equal(result.notes.length, 2);
});

test('a fitted model written to a file predicts what the readout ridge fitted on the same runs predicts', async () => {
  const runs = plantedSweep(40).slice(0, 30);
  const model = fitPruneModel('spectrum', 1, runs);
  await inTempDir('prune-model-', async (dir) => {
    const file = join(dir, 'model.json');
    writeFileSync(file, JSON.stringify(modelFile('planted', [model])));
    const [read] = readModelFile(file).models;
    const features = (run: RunHistory) => { const l = run.spectra.get(1)!; return [...Object.values(spectrumFeatures(l)), ...resampleSpectrum(l, 16)]; };
    const ridge = fitRidge(new Matrix(runs.map(features)), runs.map((r) => r.losses[EPOCHS]!));
    const expected = ridge.predict(new Matrix(runs.map(features)));
    runs.forEach((run, i) => {
      const x = features(run);
      assert.ok(Math.abs(x.reduce((s, v, j) => s + v * read!.weights[j]!, read!.intercept) - expected[i]!) < 1e-8);
    });
    writeFileSync(file, JSON.stringify({ ...modelFile('planted', [model]), models: [{ ...model, weights: [1] }] }));
    assert.throws(() => readModelFile(file), /model\.json: models\[0\]\.weights must be 22 finite numbers/);
  });
});

test('a results file with a bad line is refused with its file and line', async () => {
  await inTempDir('prune-results-', async (dir) => {
    const file = join(dir, 'r.results.jsonl');
    const line = { id: 'a', params: { lr: 0.1 }, stateDimension: 8, valLoss: [3, 2, 'NaN'], lambda: { epoch1: [-0.1, '-Infinity'] } };
    writeFileSync(file, `${JSON.stringify(line)}\n{"id":"b","params":{},"stateDimension":8,"valLoss":"x","lambda":{}}\n`);
    assert.throws(() => readResultsFile(file), new RegExp(`${file} line 2: field 'valLoss' must be an array`));
    writeFileSync(file, `${JSON.stringify(line)}\n`);
    const [run] = readResultsFile(file);
    assert.deepEqual(run!.params, { lr: 0.1 });
    assert.deepEqual(run!.spectra.get(1), [-0.1, -Infinity]);
    assert.ok(Number.isNaN(run!.losses[2]));
    // The layout `sweep export` writes: hyperparameters under params, and the state dimension (a cost to weigh by).
    writeFileSync(file, `${JSON.stringify({ id: 'a', params: { lr: 0.1 }, stateDimension: 8, valLoss: [3, 2, 1], lambda: { epoch1: [-0.1] } })}\n`);
    const [exported] = readResultsFile(file, { setting: 'stateDimension', power: 2 });
    assert.deepEqual([exported!.params, exported!.epochCost], [{ lr: 0.1 }, 64]);
  });
});

test('a run paused at a rung and resumed ends exactly as the same run trained straight through', async () => {
  await inTempDir('prune-resume-', async (dir) => {
    const config = { ...LIVE_SPEC.base, cell: 'lstm', epochs: 3, lr: 0.01, spectrum: LIVE_SPEC.spectrum };
    const [straight, paused] = [join(dir, 'straight'), join(dir, 'paused')];
    assert.deepEqual(await trainRun(config, straight), {});
    assert.deepEqual(await trainRun(config, paused, 1), { paused: 1 });
    assert.equal(Math.max(...readMetrics(paused).map((m) => m.epoch)), 1);
    assert.deepEqual(await trainRun(config, paused, 1), { paused: 1 }, 'already at the rung: nothing trained');
    assert.deepEqual(await trainRun(config, paused), {});
    assert.deepEqual(readMetrics(paused).map((m) => m.valLoss), readMetrics(straight).map((m) => m.valLoss));
  });
});

test('a live local sweep with --prune stops the runs with the worst epoch-1 loss, records them as pruned, and a re-run does not train them', async () => {
  await inTempDir('prune-live-', async (root) => {
    const spec = parseSweepSpec(LIVE_SPEC);
    const out = join(root, 'sweep');
    const events: string[] = [];
    const counts = await runPrunedLocalSweep(spec, out, { rungs: [1], keep: 0.5, signal: 'loss' }, { jobs: 2, onEvent: (e) => events.push(describeEvent(e)) });
    assert.deepEqual(counts, { queued: 0, running: 0, done: 2, failed: 0, pruned: 2 });
    const byLoss = runsSortedBy(out, epoch1Loss);
    assert.deepEqual(byLoss.map((r) => r.status), ['done', 'done', 'pruned', 'pruned']);
    for (const run of byLoss.slice(2)) {
      assert.equal(lastEpoch(join(out, 'runs', run.id)), 1, 'a pruned run stopped after epoch 1');
      assert.ok(existsSync(join(out, 'runs', run.id, 'sweep-pruned.json')));
      assert.ok(!existsSync(join(out, 'runs', run.id, 'sweep-done.json')));
      assert.match(run.error!, /ranked [34] of 4 on loss/);
      assert.equal(run.attempts, 0, 'stopping at the rung is not a failed attempt');
      assert.match(events.join('\n'), new RegExp(`run ${run.id}: pruned after epoch 1`));
    }
    for (const run of byLoss.slice(0, 2)) assert.equal(lastEpoch(join(out, 'runs', run.id)), 2);
    const data = loadReadoutData(out);
    assert.deepEqual(data.excluded.map((e) => e.reason), ['status pruned', 'status pruned']);

    const again: string[] = [];
    const recount = await runPrunedLocalSweep(spec, out, { rungs: [1], keep: 0.5, signal: 'loss' }, { jobs: 2, onEvent: (e) => again.push(describeEvent(e)) });
    assert.deepEqual(recount, counts);
    assert.deepEqual(again, [], 'nothing trained or pruned again');
    const claimed: string[] = [];
    assert.deepEqual(await runClaimWorker(out, { onEvent: (e) => claimed.push(describeEvent(e)) }), { done: 2, failed: 0, left: 0, pruned: 2 });
    assert.deepEqual(claimed, [], 'claim workers do not train pruned runs either');
    assert.equal(JSON.parse(readFileSync(join(out, 'runs', byLoss[3]!.id, 'sweep-pruned.json'), 'utf8')).epoch, 1);
  });
});

test('a live sweep pruning on the spectrum with a model file keeps the runs the model ranks best (here: the largest λ₁ after epoch 1)', async () => {
  await inTempDir('prune-model-live-', async (root) => {
    const features = featureNames('spectrum');
    // Predicted final loss = −λ₁: the runs with the largest λ₁ rank best.
    const model = { signal: 'spectrum' as const, epoch: 1, features, intercept: 0, weights: features.map((f) => (f === 'lambda1' ? -1 : 0)), fittedOn: 1, alpha: null };
    const file = join(root, 'models.json');
    writeFileSync(file, JSON.stringify(modelFile('hand-made', [model])));
    const out = join(root, 'sweep');
    const counts = await runPrunedLocalSweep(parseSweepSpec(LIVE_SPEC), out, { rungs: [1], keep: 0.5, signal: 'spectrum', models: { source: file, models: readModelFile(file).models } }, { jobs: 2 });
    assert.deepEqual(counts, { queued: 0, running: 0, done: 2, failed: 0, pruned: 2 });
    // The oracle: λ₁ after epoch 1 as each run's spectra.jsonl has it, largest first.
    const byLambda = runsSortedBy(out, (dir) => -readSpectra(dir).find((l) => l.scope === 'epoch' && l.epoch === 1)!.spectrum!.exponents[0]!);
    assert.deepEqual(byLambda.map((r) => r.status), ['done', 'done', 'pruned', 'pruned']);
    assert.match(byLambda[3]!.error!, /ranked 4 of 4 on spectrum \(predicted final validation loss/);
  });
});

test('a live sweep pruning on the spectrum without a model fits one on the warm-up runs, which train unpruned, and prunes the run it predicts worst', async () => {
  await inTempDir('prune-warmup-', async (root) => {
    const spec = parseSweepSpec({ ...LIVE_SPEC, parameters: { ...LIVE_SPEC.parameters, lr: { values: [0.001, 0.003, 0.01, 0.03, 0.1] } } });
    const out = join(root, 'sweep');
    const counts = await runPrunedLocalSweep(spec, out, { rungs: [1], keep: 0.5, signal: 'spectrum', warmup: 8 }, { jobs: 2 });
    assert.deepEqual(counts, { queued: 0, running: 0, done: 9, failed: 0, pruned: 1 });
    const sweep = openSweep(out);
    const runs = sweep.index.list();
    sweep.index.close();
    assert.ok(runs.slice(0, 8).every((run) => run.status === 'done'), 'the warm-up runs (the first 8) train to the end');
    // The oracle: the readout's ridge fitted here on the warm-up runs' files, predicting the two others.
    const features = (id: string) => {
      const l = readSpectra(join(out, 'runs', id)).find((r) => r.scope === 'epoch' && r.epoch === 1)!.spectrum!.exponents;
      return [...Object.values(spectrumFeatures(l)), ...resampleSpectrum(l, 16)];
    };
    const final = (id: string) => readMetrics(join(out, 'runs', id)).find((m) => m.epoch === 2)!.valLoss!;
    const ridge = fitRidge(new Matrix(runs.slice(0, 8).map((r) => features(r.id))), runs.slice(0, 8).map((r) => final(r.id)));
    const [a, b] = ridge.predict(new Matrix(runs.slice(8).map((r) => features(r.id))));
    const worse = runs[a! > b! ? 8 : 9]!;
    assert.equal(worse.status, 'pruned');
    assert.match(worse.error!, /ranked 2 of 2 on spectrum/);
  });
});

test('a sweep pruned with a Redis worker stops the runs with the worst epoch-1 loss, records them as pruned, and a re-run enqueues nothing', redisTest, async () => {
  await inTempDir('prune-redis-', async (root) => {
    const port = await freePort();
    const redis = await startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const worker = startCli(['worker', '--executor', url]);
    try {
      const spec = join(root, 'spec.json');
      writeFileSync(spec, JSON.stringify(LIVE_SPEC));
      const out = join(root, 'sweep');
      const run = runCli(['sweep', spec, '--out', out, '--executor', url, '--prune', '--prune-on', 'loss', '--prune-keep', '0.5']);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /2\/4 runs done — running 0, failed 0, queued 0, pruned 2/);
      const byLoss = runsSortedBy(out, epoch1Loss);
      assert.deepEqual(byLoss.map((r) => r.status), ['done', 'done', 'pruned', 'pruned']);
      for (const pruned of byLoss.slice(2)) assert.equal(lastEpoch(join(out, 'runs', pruned.id)), 1);
      const again = runCli(['sweep', spec, '--out', out, '--executor', url]);
      assert.match(again.stdout, /enqueued 0 runs/, 'a plain re-run on Redis does not enqueue the pruned runs');
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exit;
      redis.kill();
    }
  });
});

test('an index written before runs could be pruned takes the pruned status, its runs kept', async () => {
  await inTempDir('prune-index-', async (dir) => {
    const file = join(dir, 'index.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE runs (id TEXT PRIMARY KEY, position INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')), attempts INTEGER NOT NULL DEFAULT 0,
      params TEXT NOT NULL, config TEXT NOT NULL, error TEXT, features TEXT, metrics TEXT, worker TEXT, updated_at TEXT NOT NULL);
      CREATE INDEX runs_status ON runs (status);
      INSERT INTO runs (id, position, status, attempts, params, config, updated_at) VALUES ('a', 0, 'done', 1, '{"lr":0.1}', '{}', 'then'), ('b', 1, 'queued', 0, '{}', '{}', 'then');`);
    assert.throws(() => old.exec("UPDATE runs SET status = 'pruned' WHERE id = 'b'"), /CHECK constraint/);
    old.close();
    const index = new RunIndex(file);
    try {
      index.markPruned('b', 'ranked last');
      assert.deepEqual(index.list().map((r) => [r.id, r.status, r.attempts, r.params, r.error]), [['a', 'done', 1, { lr: 0.1 }, null], ['b', 'pruned', 0, {}, 'ranked last']]);
      assert.deepEqual(index.counts(), { queued: 0, running: 0, done: 1, failed: 0, pruned: 1 });
    } finally {
      index.close();
    }
  });
});

test('the CLI refuses bad pruning options in one line, exit code 2, before training anything', async () => {
  await inTempDir('prune-cli-', async (dir) => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(LIVE_SPEC));
    const out = join(dir, 'out');
    const cases: [string[], RegExp][] = [
      [['sweep', spec, '--out', out, '--prune-keep', '0.5'], /^rnn-lyapunov: --prune-keep needs --prune\n$/],
      [['sweep', spec, '--out', out, '--prune', '--executor', 'claim'], /^rnn-lyapunov: --prune runs with --executor local or redis:\/\/HOST:PORT, not claim: pruning with claim workers is not implemented yet\n$/],
      [['sweep', spec, '--out', out, '--prune', '--prune-epoch', '2,1'], /^rnn-lyapunov: --prune-epoch must be increasing integers/],
      [['sweep', spec, '--out', out, '--prune', '--prune-model', join(dir, 'none.json')], /^rnn-lyapunov: .*none\.json: cannot read a pruning model file \(ENOENT\)/],
      [['sweep', spec, '--out', out, '--prune'], /^rnn-lyapunov: --prune-warmup: the warm-up \(8 runs\) must leave runs to prune, and the sweep has 4/],
      [['prune-replay', join(dir, 'none.jsonl')], /^rnn-lyapunov: .*none\.jsonl: no such sweep directory or results file\n$/],
      [['prune-replay', spec, '--keep', '0'], /^rnn-lyapunov: --keep must be a number in \(0, 1\]/],
      [['prune-replay', spec, '--cost', 'hidden**2'], /^rnn-lyapunov: --cost must be a setting name with an optional power/],
    ];
    for (const [args, expected] of cases) {
      const result = runCli(args);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, expected);
    }
    assert.ok(!existsSync(out), 'nothing created, nothing trained');
  });
});
