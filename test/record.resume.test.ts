import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestCheckpoint, listCheckpoints, openRun, readConfig, readLog, readRunFile, RUN_FILES } from '../src/record/index.js';

const root = mkdtempSync(join(tmpdir(), 'rundir-test-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;
const freshDir = () => join(root, `run-${++runs}`);

/** Every file under `dir` with its bytes, to compare a directory before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[join(entry.parentPath, entry.name)] = readFileSync(join(entry.parentPath, entry.name)).toString('base64');
  }
  return out;
}

test('a new run writes config.json, empty logs and checkpoints/; an existing run is never overwritten', () => {
  const dir = freshDir();
  const config = { task: { name: 'copy' }, lr: 0.002, seed: 7 };
  const run = openRun(dir, { config });
  assert.deepEqual(readConfig(dir), config);
  assert.deepEqual(run.config, config);
  assert.equal(run.resumedFrom, undefined);
  assert.equal(readFileSync(join(dir, RUN_FILES.metrics), 'utf8'), '');
  assert.ok(existsSync(join(dir, RUN_FILES.checkpoints)));
  run.append('metrics', { epoch: 1, loss: 2.5 });
  run.close();

  const before = snapshot(dir);
  assert.throws(() => openRun(dir, { config: { other: true } }), /already holds .* results are never overwritten/);
  assert.throws(() => openRun(dir, { config }), /already holds/);
  assert.deepEqual(snapshot(dir), before, 'nothing changed');

  const stranger = freshDir();
  mkdirSync(stranger);
  writeFileSync(join(stranger, 'notes.txt'), 'mine');
  assert.throws(() => openRun(stranger, { config, resume: true }), /no config.json: not a run directory/);
  assert.equal(readFileSync(join(stranger, 'notes.txt'), 'utf8'), 'mine');

  const killedAtBirth = freshDir();
  mkdirSync(killedAtBirth);
  writeFileSync(join(killedAtBirth, '.config.json.123.abc.tmp'), '{"half');
  const reborn = openRun(killedAtBirth, { config });
  assert.deepEqual(readdirSync(killedAtBirth).sort(), ['checkpoints', 'config.json', 'metrics.jsonl', 'spectra.jsonl', RUN_FILES.lock]);
  reborn.close();
  assert.ok(!readdirSync(killedAtBirth).includes(RUN_FILES.lock), 'close releases the lock');

  const empty = freshDir();
  const resumedEmpty = openRun(empty, { config, resume: true });
  assert.equal(resumedEmpty.resumedFrom, undefined, 'resume on a missing directory starts the run');
  assert.throws(() => openRun(freshDir(), {}), /a config is needed/);
  writeFileSync(join(root, 'a-file'), '');
  assert.throws(() => openRun(join(root, 'a-file'), { config }), /not a directory/);
});

test('checkpoint round trip: files (bytes, text, writer), resume state with non-finite numbers and typed arrays, line counts', () => {
  const dir = freshDir();
  const run = openRun(dir, { config: { n: 1 } });
  const model = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) % 256);
  const state = {
    optimizer: { kind: 'adam', t: 12, lr: 1e-3, beta: [0.9, 0.999] },
    rng: { seed: 42, epoch: 3 },
    bestLoss: Infinity,
    lastLoss: NaN,
    moments: Float64Array.of(0.1, -2.5e-300, 1 / 3),
  };
  run.append('metrics', { epoch: 0, loss: NaN, lambda: Float64Array.of(0.5, -1) });
  run.append('spectra', { epoch: 0, exponents: [0.1, -0.2] });
  const c0 = run.saveCheckpoint({ epoch: 0, step: 0, files: { safetensors: model }, state: { start: true } });
  run.append('metrics', { epoch: 1, loss: 1.25 });
  const c1 = run.saveCheckpoint({
    epoch: 1,
    step: 40,
    files: {
      safetensors: model.map((x) => 255 - x),
      'optimizer.safetensors': (path) => writeFileSync(path, 'written by a callback'),
      'vocab.json': '{"symbols":["a"]}',
    },
    state,
  });
  assert.deepEqual(c0.lines, { metrics: 1, spectra: 1 });
  assert.deepEqual(c1.lines, { metrics: 2, spectra: 1 });
  assert.deepEqual(Object.keys(c1.files).sort(), ['optimizer.safetensors', 'safetensors', 'vocab.json']);
  assert.ok(c1.files.safetensors!.endsWith(join('checkpoints', 'epoch-0001.safetensors')));
  assert.deepEqual(listCheckpoints(dir).map((c) => c.epoch), [0, 1]);

  const resumed = openRun(dir, { resume: true });
  const from = resumed.resumedFrom!;
  assert.equal(from.epoch, 1);
  assert.equal(from.step, 40);
  assert.deepEqual(from.state, { ...state, moments: [0.1, -2.5e-300, 1 / 3] });
  assert.deepEqual(new Uint8Array(readFileSync(from.files.safetensors!)), model.map((x) => 255 - x));
  assert.equal(readFileSync(from.files['optimizer.safetensors']!, 'utf8'), 'written by a callback');
  assert.deepEqual(resumed.config, { n: 1 });
  assert.equal(resumed.lineCount('metrics'), 2);
  const metrics = readLog(dir, 'metrics');
  assert.ok(Number.isNaN(metrics[0]!.loss), 'NaN survives as a number');
  assert.deepEqual(metrics[0]!.lambda, [0.5, -1]);
  assert.deepEqual(readLog(dir, 'spectra'), [{ epoch: 0, exponents: [0.1, -0.2] }]);
  assert.ok(readFileSync(join(dir, RUN_FILES.metrics), 'utf8').includes('"loss":"NaN"'), 'never a silent null');
});

test('resume cuts each log to the lines of the last checkpoint, dropping later and torn lines', () => {
  const dir = freshDir();
  const run = openRun(dir, { config: {} });
  for (let e = 1; e <= 4; e++) run.append('metrics', { epoch: e, loss: 1 / e });
  run.append('spectra', { epoch: 2, exponents: [0] });
  run.append('spectra', { epoch: 4, exponents: [-1] });
  run.saveCheckpoint({ epoch: 4, step: 400, files: {} });
  const metricsAtCheckpoint = readFileSync(join(dir, RUN_FILES.metrics));
  const spectraAtCheckpoint = readFileSync(join(dir, RUN_FILES.spectra));
  // The process goes on, logs two more epochs, and dies while writing a line.
  run.append('metrics', { epoch: 5, loss: 0.2 });
  run.append('metrics', { epoch: 6, loss: 0.1 });
  run.append('spectra', { epoch: 6, exponents: [-2] });
  appendFileSync(join(dir, RUN_FILES.metrics), '{"epoch":7,"lo');
  assert.deepEqual(readLog(dir, 'metrics').map((m) => m.epoch), [1, 2, 3, 4, 5, 6], 'readers ignore a torn last line');

  const resumed = openRun(dir, { resume: true });
  assert.equal(resumed.resumedFrom?.epoch, 4);
  assert.deepEqual(readFileSync(join(dir, RUN_FILES.metrics)), metricsAtCheckpoint);
  assert.deepEqual(readFileSync(join(dir, RUN_FILES.spectra)), spectraAtCheckpoint);
  assert.deepEqual([resumed.lineCount('metrics'), resumed.lineCount('spectra')], [4, 2]);
  // Redoing epochs 5 and 6 logs each of them once.
  resumed.append('metrics', { epoch: 5, loss: 0.2 });
  resumed.append('metrics', { epoch: 6, loss: 0.1 });
  assert.deepEqual(readLog(dir, 'metrics').map((m) => m.epoch), [1, 2, 3, 4, 5, 6]);
});

test('resume without any checkpoint starts over with empty logs; a log shorter than its checkpoint is an error', () => {
  const dir = freshDir();
  const run = openRun(dir, { config: { a: 1 } });
  run.append('metrics', { epoch: 1 });
  appendFileSync(join(dir, RUN_FILES.metrics), '{"torn');
  const again = openRun(dir, { resume: true });
  assert.equal(again.resumedFrom, undefined);
  assert.equal(readFileSync(join(dir, RUN_FILES.metrics), 'utf8'), '');
  again.append('metrics', { epoch: 1 });
  again.saveCheckpoint({ epoch: 1, step: 1, files: {} });
  writeFileSync(join(dir, RUN_FILES.metrics), '');
  assert.throws(() => openRun(dir, { resume: true }), /has 0 complete lines, fewer than the 1 its checkpoint recorded/);
});

test('a crash while saving a checkpoint leaves the previous one as the latest; its debris goes on resume', () => {
  const dir = freshDir();
  const run = openRun(dir, { config: {} });
  run.append('metrics', { epoch: 1 });
  run.saveCheckpoint({ epoch: 1, step: 10, files: { safetensors: new Uint8Array(64).fill(1) }, state: { epoch: 1 } });
  run.append('metrics', { epoch: 2 });
  const crash = new Error('simulated crash');
  assert.throws(
    () =>
      run.saveCheckpoint({
        epoch: 2,
        step: 20,
        files: {
          safetensors: new Uint8Array(64).fill(2),
          'optimizer.safetensors': (path) => {
            writeFileSync(path, 'half of the optimiz');
            throw crash;
          },
        },
      }),
    (e) => e === crash,
  );
  assert.ok(existsSync(join(dir, 'checkpoints', 'epoch-0002.safetensors')), 'the first file of epoch 2 was written');
  assert.equal(latestCheckpoint(dir)?.epoch, 1, 'no manifest, no checkpoint');

  const resumed = openRun(dir, { resume: true });
  assert.deepEqual(resumed.resumedFrom?.state, { epoch: 1 });
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), ['epoch-0001.json', 'epoch-0001.safetensors']);
  assert.deepEqual(readLog(dir, 'metrics'), [{ epoch: 1 }]);
});

test('saving an epoch again replaces its checkpoint; a crash midway withdraws it rather than mixing files', () => {
  const dir = freshDir();
  const run = openRun(dir, { config: {} });
  run.saveCheckpoint({ epoch: 1, step: 1, files: { a: 'one', b: 'one' }, state: 'first' });
  run.saveCheckpoint({ epoch: 2, step: 2, files: { a: 'two', b: 'two' }, state: 'second' });
  run.saveCheckpoint({ epoch: 2, step: 3, files: { a: '2222', b: '2222' }, state: 'replaced' });
  assert.deepEqual(listCheckpoints(dir).map((c) => c.state), ['first', 'replaced']);
  // Same sizes as the files it replaces: only the withdrawn manifest tells the mix apart.
  assert.throws(() =>
    run.saveCheckpoint({
      epoch: 2,
      step: 4,
      files: {
        a: 'XXXX',
        b: () => {
          throw new Error('crash');
        },
      },
    }),
  );
  const latest = latestCheckpoint(dir)!;
  assert.equal(latest.epoch, 1);
  assert.equal(readFileSync(latest.files.a!, 'utf8'), 'one');
});

test('checkpoint manifests are verified: a missing or resized file makes a checkpoint incomplete', () => {
  const dir = freshDir();
  const run = openRun(dir, { config: {} });
  run.saveCheckpoint({ epoch: 1, step: 1, files: { bin: new Uint8Array(10) } });
  const c2 = run.saveCheckpoint({ epoch: 2, step: 2, files: { bin: new Uint8Array(10) } });
  const c3 = run.saveCheckpoint({ epoch: 3, step: 3, files: { bin: new Uint8Array(10) } });
  writeFileSync(c3.files.bin!, new Uint8Array(9));
  rmSync(c2.files.bin!);
  assert.deepEqual(listCheckpoints(dir).map((c) => c.epoch), [1]);
});

test('bad inputs are refused by name', () => {
  const dir = freshDir();
  const run = openRun(dir, { config: {} });
  assert.throws(() => run.saveCheckpoint({ epoch: -1, step: 0, files: {} }), /checkpoint epoch is -1/);
  assert.throws(() => run.saveCheckpoint({ epoch: 1, step: 0.5, files: {} }), /checkpoint step is 0.5/);
  assert.throws(() => run.saveCheckpoint({ epoch: 1, step: 0, files: { json: 'x' } }), /suffix 'json'/);
  assert.throws(() => run.saveCheckpoint({ epoch: 1, step: 0, files: { '../x': 'x' } }), /suffix '..\/x'/);
  assert.throws(() => run.writeFile('config.json', '{}'), /run file name 'config.json'/);
  assert.throws(() => run.writeFile('sub/x.json', '{}'), /run file name/);
  assert.throws(() => run.append('metrics', 3 as unknown as object), /must be an object/);
  run.writeFile('vocabulary.json', '{"symbols":[]}');
  assert.equal(readRunFile(dir, 'vocabulary.json'), '{"symbols":[]}');
  assert.equal(readRunFile(dir, 'absent.json'), undefined);
});
