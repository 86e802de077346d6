/**
 * Claim workers, as a cluster runs them (`worker --claim SWEEP_DIR` from an `sbatch --array`):
 * no server, the run locks of the shared sweep directory are the claims. Two workers on one
 * sweep directory, one SIGKILLed mid-run; the index is written by neither.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOwner } from '../src/sweep/index.js';
import { assertSweepComplete, EPOCHS, isMidway, logCounts, runCli, runIds, startCli, waitFor, writeSpec } from './sweep.helpers.js';

/** 3 small runs of EPOCHS epochs each. */
const SPEC = `
method: grid
maxAttempts: 2
parameters:
  lr: { values: [0.003, 0.01, 0.02] }
spectrum: { every: 1, batch: 2, steps: 40, transient: 5, k: 4 }
readout: { metric: final_val_loss, epoch: 1 }
base:
  task: { name: copy, trainSize: 1024, evalSize: 32 }
  cell: lstm
  hidden: 8
  epochs: ${EPOCHS}
  batch: 32
  seed: 5
`;

test('two `worker --claim` processes, one SIGKILLed mid-run: every run trained once, the killed run taken over, the index never written', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-claim-'));
  const workers: ReturnType<typeof startCli>[] = [];
  try {
    const spec = writeSpec(root, SPEC);
    const out = join(root, 'sweep');
    const prepared = runCli(['sweep', spec, '--out', out, '--executor', 'claim']);
    assert.equal(prepared.status, 0, prepared.stderr);
    assert.match(prepared.stdout, /worker --claim /);
    const indexFile = join(out, 'index.sqlite');
    const indexBefore = { bytes: readFileSync(indexFile), mtimeMs: statSync(indexFile).mtimeMs };

    for (let i = 0; i < 2; i++) workers.push(startCli(['worker', '--claim', out]));
    // A worker takes a run's lock in its own name before starting the run process.
    let victim: { worker: ReturnType<typeof startCli>; run: string } | undefined;
    await waitFor('a worker with a run past its first epoch', () => {
      for (const id of runIds(out)) {
        const worker = workers.find((w) => readOwner(join(out, 'locks', `${id}.lock`))?.pid === w.child.pid);
        if (worker && isMidway(out, id)) victim = { worker, run: id };
      }
      return victim !== undefined;
    }, 120_000);
    victim!.worker.child.kill('SIGKILL');
    assert.equal((await victim!.worker.exit).signal, 'SIGKILL');
    const survivor = workers.find((w) => w !== victim!.worker)!;
    const ended = await survivor.exit;
    assert.equal(ended.code, 0, `the other worker finishes the sweep and ends: ${ended.stderr}`);

    assert.deepEqual(readFileSync(indexFile), indexBefore.bytes, 'the workers did not write index.sqlite');
    assert.equal(statSync(indexFile).mtimeMs, indexBefore.mtimeMs);
    assert.equal(existsSync(`${indexFile}-wal`), false, 'nor open it (no WAL file)');
    assertSweepComplete(out, 3);
    assert.deepEqual(logCounts(out, victim!.run), { started: 2, trained: 1 }, `run ${victim!.run}, killed with its worker, was taken over once`);
    const summary = JSON.parse(readFileSync(join(out, 'runs', victim!.run, 'summary.json'), 'utf8'));
    assert.ok(summary.resumedFrom >= 1, `run ${victim!.run} resumed from its checkpoint (from epoch ${summary.resumedFrom})`);
    const status = JSON.parse(runCli(['sweep', 'status', out, '--json']).stdout) as { id: string; attempts: number }[];
    assert.equal(status.find((r) => r.id === victim!.run)!.attempts, 1, 'the attempt killed with its worker does not count');

    const again = runCli(['worker', '--claim', out]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /done 3, failed 0/, 'a worker on a finished sweep ends at once');
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test('worker needs --executor or --claim, not both; sweep names the executors it knows', () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-executor-'));
  try {
    const unknown = runCli(['sweep', writeSpec(root, SPEC), '--out', join(root, 'sweep'), '--executor', 'clam']);
    assert.equal(unknown.stderr, "rnn-lyapunov: sweep: --executor 'clam': expected local, claim or redis://HOST:PORT\n");
    assert.equal(existsSync(join(root, 'sweep')), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.match(runCli(['worker']).stderr, /^rnn-lyapunov: worker: --executor redis:\/\/HOST:PORT or --claim SWEEP_DIR is required/);
  assert.match(runCli(['worker', '--claim', 'x', '--executor', 'redis://127.0.0.1:1']).stderr, /cannot be used with option '--executor/);
  assert.match(runCli(['worker', '--claim', join(tmpdir(), 'no-such-sweep')]).stderr, /^rnn-lyapunov: .*no-such-sweep is not a sweep directory \(no sweep.json\)$/m);
});
