import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRnnModel, readSafetensors, writeSafetensors, type TensorInputs } from '../src/io/index.js';
import { modelSpectrum } from '../src/model-spectrum/index.js';
import { readMetrics, readSpectra } from '../src/record/index.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
const root = mkdtempSync(join(tmpdir(), 'watch-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** Spectrum options of every watch here (tiny: the point is which checkpoints get one). */
const SPECTRUM = { steps: 40, transient: 10, batch: 2, k: 3, seed: 7 };
const SPECTRUM_FLAGS = ['--steps', '40', '--transient', '10', '--batch', '2', '--k', '3', '--seed', '7', '--threads', '1'];

/**
 * The training loop's stand-in, a process of its own: on each line 'N' from stdin it saves
 * checkpoint N (the GRU fixture's weights, scaled by 1 + N/10, with its losses in the metadata),
 * and says 'saved N'. Checkpoint 3 is written slowly: half the bytes, 'half 3', a pause of 1.5 s,
 * the rest — as a large torch.save is seen from outside.
 */
const writerSource = `
import { closeSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { encodeSafetensors, readSafetensors } from ${JSON.stringify(fileURLToPath(new URL('../src/io/index.ts', import.meta.url)))};
const fixture = readSafetensors(${JSON.stringify(join(ROOT, 'test/fixtures/torch/gru_l1_bias_h5.model.safetensors'))});
const dir = process.argv[2];
for await (const line of createInterface({ input: process.stdin })) {
  const n = Number(line);
  const tensors = Object.fromEntries([...fixture.tensors].map(([name, t]) => [name, { dtype: 'F64', shape: t.shape, data: Float64Array.from(t.data, (x) => x * (1 + n / 10)) }]));
  const bytes = encodeSafetensors(tensors, { cell: 'gru', train_loss: String(3 - n / 4), val_loss: String(3.5 - n / 4) });
  const fd = openSync(dir + '/epoch_' + String(n).padStart(4, '0') + '.safetensors', 'w');
  if (n === 3) {
    writeSync(fd, bytes.subarray(0, bytes.length >> 1));
    process.stdout.write('half ' + n + '\\n');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    writeSync(fd, bytes.subarray(bytes.length >> 1));
  } else {
    writeSync(fd, bytes);
  }
  closeSync(fd);
  process.stdout.write('saved ' + n + '\\n');
}
`;

/** Longest wait for a child's line: far more than any step needs, so that a missing line fails the test instead of hanging it. */
const WAIT_MS = 60_000;
/** Every process started here, killed when the tests end (whether they passed or not). */
const children: ChildProcess[] = [];
test.after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A child's stdout, and a way to wait until it has printed `count` lines matching `pattern`. */
function lines(child: ChildProcess): { text: () => string; waitFor: (pattern: RegExp, count: number) => Promise<void> } {
  children.push(child);
  let text = '';
  const waiting: (() => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
    for (const wake of waiting.splice(0)) wake();
  });
  return {
    text: () => text,
    waitFor: async (pattern, count) => {
      const deadline = Date.now() + WAIT_MS;
      while ((text.match(new RegExp(pattern, 'gm')) ?? []).length < count) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`${child.exitCode !== null ? `child exited (${child.exitCode})` : `${WAIT_MS} ms passed`} before it printed ${count} × ${pattern}:\n${text}`);
        }
        await new Promise<void>((wake) => {
          waiting.push(wake);
          child.once('exit', wake);
          setTimeout(wake, 1000);
        });
      }
    },
  };
}

function startWatch(checkpoints: string, out: string): { child: ChildProcess; stdout: ReturnType<typeof lines>; stderr: () => string; exit: Promise<[number | null, string | null]> } {
  const child = spawn(process.execPath, [...CLI, 'watch', checkpoints, '--out', out, '--poll-ms', '100', ...SPECTRUM_FLAGS], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
  return { child, stdout: lines(child), stderr: () => stderr, exit };
}

/** The GRU fixture's weights scaled by 1 + n/10, as the writer saves them. */
function scaledFixture(n: number): TensorInputs {
  const fixture = readSafetensors(join(ROOT, 'test/fixtures/torch/gru_l1_bias_h5.model.safetensors'));
  return Object.fromEntries([...fixture.tensors].map(([name, t]) => [name, { dtype: 'F64', shape: t.shape, data: Float64Array.from(t.data as ArrayLike<number>, (x) => x * (1 + n / 10)) }]));
}

/** The spectrum of a checkpoint file taken directly, with the options the watches use. */
function directSpectrum(file: string): number[] {
  const model = loadRnnModel(file);
  const inputs = { kind: 'onehot' as const, batch: SPECTRUM.batch, steps: SPECTRUM.transient + SPECTRUM.steps, size: model.inputSize, seed: SPECTRUM.seed };
  return modelSpectrum(model, inputs, SPECTRUM).exponents;
}

test('watch: 5 checkpoints saved by another process, one slowly, the watch SIGKILLed and restarted: 5 spectra, in order, once each', async () => {
  const checkpoints = join(root, 'checkpoints');
  const out = join(root, 'run');
  mkdirSync(checkpoints);
  writeFileSync(join(root, 'writer.mts'), writerSource);
  const writer = spawn(process.execPath, ['--import', 'tsx', join(root, 'writer.mts'), checkpoints], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const written = lines(writer);
  try {
    const first = startWatch(checkpoints, out);
    writer.stdin!.write('1\n2\n');
    await first.stdout.waitFor(/^epoch \d+ /, 2);
    // Checkpoint 3 is half written for 1.5 s: the watch looks at it every 100 ms, sees it unchanged, and must wait, not skip it.
    writer.stdin!.write('3\n');
    await written.waitFor(/^half 3$/, 1);
    await new Promise((resolve) => setTimeout(resolve, 700));
    first.child.kill('SIGKILL');
    assert.deepEqual(await first.exit, [null, 'SIGKILL']);

    const second = startWatch(checkpoints, out);
    writer.stdin!.write('4\n5\n');
    await written.waitFor(/^saved 5$/, 1);
    await second.stdout.waitFor(/^epoch \d+ /, 3);
    // A second watch of the same run directory is refused while this one holds it.
    const rival = spawnSync(process.execPath, [...CLI, 'watch', checkpoints, '--out', out, '--once', ...SPECTRUM_FLAGS], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(rival.status, 2, rival.stderr);
    assert.match(rival.stderr, /^rnn-lyapunov: .*run: another process records into it \(pid \d+ on .*\); stop it first/m);
    second.child.kill('SIGTERM');
    assert.deepEqual(await second.exit, [0, null], second.stderr());
    assert.match(second.stderr(), /continuing: 2 checkpoints handled before/);

    const log = readFileSync(join(out, 'spectra.jsonl'), 'utf8');
    assert.ok(log.endsWith('\n'), 'no torn last line');
    const spectra = readSpectra(out);
    assert.deepEqual(spectra.map((s) => s.epoch), [1, 2, 3, 4, 5]);
    assert.deepEqual(spectra.map((s) => s.checkpoint), [1, 2, 3, 4, 5].map((n) => `epoch_000${n}.safetensors`));
    for (const s of spectra) assert.deepEqual(s.spectrum!.exponents, directSpectrum(join(checkpoints, s.checkpoint!)), s.checkpoint);
    const metrics = readMetrics(out);
    assert.deepEqual(metrics.map((m) => [m.epoch, m.trainLoss, m.valLoss, m.lr]), [1, 2, 3, 4, 5].map((n) => [n, 3 - n / 4, 3.5 - n / 4, null]));
  } finally {
    writer.stdin!.end();
  }
});

test('watch --once: handles what is there and exits; a damaged old file is skipped with one warning, and not tried again', async () => {
  const checkpoints = join(root, 'once');
  const out = join(root, 'once-run');
  mkdirSync(checkpoints);
  for (const n of [1, 4]) writeSafetensors(join(checkpoints, `epoch_000${n}.safetensors`), scaledFixture(n), { cell: 'gru' });
  const damaged = join(checkpoints, 'epoch_0002.safetensors');
  writeFileSync(damaged, 'not a safetensors file at all');
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(damaged, hourAgo, hourAgo);
  writeFileSync(join(checkpoints, 'notes.txt'), 'not a checkpoint: the pattern leaves it out');

  const watch = (...extra: string[]) => spawnSync(process.execPath, [...CLI, 'watch', checkpoints, '--out', out, '--once', '--poll-ms', '100', ...SPECTRUM_FLAGS, ...extra], { cwd: ROOT, encoding: 'utf8' });
  const once = watch();
  assert.equal(once.status, 0, once.stderr);
  assert.deepEqual(once.stdout.split('\n').filter(Boolean).map((line) => line.split('  ')[1]), ['epoch_0001.safetensors', 'epoch_0004.safetensors']);
  const warnings = once.stderr.split('\n').filter((line) => line.startsWith('warning: '));
  assert.equal(warnings.length, 1, once.stderr);
  assert.match(warnings[0]!, /^warning: skipped epoch_0002\.safetensors: .*epoch_0002\.safetensors: /);
  assert.deepEqual(readSpectra(out).map((s) => s.epoch), [1, 4]);

  const again = watch();
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, '');
  assert.doesNotMatch(again.stderr, /warning/);
  assert.match(again.stderr, /continuing: 3 checkpoints handled before/);
  assert.deepEqual(readSpectra(out).map((s) => s.epoch), [1, 4]);

  // Options that do not fit the model stop a new watch before it records anything: it leaves no run behind, so it can start again.
  const unfit = spawnSync(process.execPath, [...CLI, 'watch', checkpoints, '--out', join(root, 'unfit'), '--once', '--poll-ms', '100', '--k', '99'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(unfit.status, 2, unfit.stderr);
  assert.match(unfit.stderr, /^rnn-lyapunov: --k must be an integer in \[1, 5\] \(the state dimension\), got 99$/m);
  assert.equal(existsSync(join(root, 'unfit')), false);

  const other = watch('--steps', '41');
  assert.equal(other.status, 2);
  assert.match(other.stderr, /^rnn-lyapunov: .*once-run records a watch with other settings \(steps: 40 → 41\)/);
});
