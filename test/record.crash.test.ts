import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/io/index.js';
import { listCheckpoints, openRun, readLog } from '../src/record/index.js';

const root = mkdtempSync(join(tmpdir(), 'rundir-crash-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('atomic write: a failure between the temporary write and the rename leaves the old file and no debris', () => {
  const path = join(root, 'config.json');
  writeFileAtomic(path, '{"old":true}');
  assert.throws(() =>
    writeFileAtomic(path, (temporary) => {
      writeFileSync(temporary, '{"new":');
      throw new Error('killed before rename');
    }),
  );
  assert.equal(readFileSync(path, 'utf8'), '{"old":true}');
  assert.deepEqual(readdirSync(root), ['config.json']);
  writeFileAtomic(path, new TextEncoder().encode('{"new":true}'));
  assert.equal(readFileSync(path, 'utf8'), '{"new":true}');
});

const CHECKPOINT_BYTES = 1 << 19;

/** A trainer stand-in: logs 3 metric lines and 1 spectrum per epoch, then checkpoints, forever. */
const childSource = `
import { openRun } from ${JSON.stringify(fileURLToPath(new URL('../src/record/index.ts', import.meta.url)))};
const run = openRun(process.argv[2], { config: { kind: 'crash test' }, resume: true });
let epoch = run.resumedFrom?.epoch ?? 0;
if (run.resumedFrom === undefined) run.saveCheckpoint({ epoch: 0, step: 0, files: { bin: new Uint8Array(${CHECKPOINT_BYTES}) }, state: { epoch: 0 } });
for (;;) {
  epoch += 1;
  for (let part = 0; part < 3; part++) run.append('metrics', { epoch, part, padding: 'x'.repeat(2000) });
  run.append('spectra', { epoch, exponents: Array.from({ length: 300 }, (_, i) => -i / 7) });
  run.saveCheckpoint({
    epoch,
    step: 3 * epoch,
    files: { bin: new Uint8Array(${CHECKPOINT_BYTES}).fill(epoch % 256), 'opt.bin': new Uint8Array(${CHECKPOINT_BYTES} / 2).fill(epoch % 256) },
    state: { epoch },
  });
  process.stdout.write('saved ' + epoch + '\\n');
}
`;

/** Runs the stand-in until it has saved `epochs` more checkpoints, waits `extraMs`, then SIGKILLs it. */
function runAndKill(dir: string, script: string, epochs: number, extraMs: number): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let saved = 0;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      saved += (d.toString().match(/saved/g) ?? []).length;
      if (saved >= epochs && child.exitCode === null && !child.killed) setTimeout(() => child.kill('SIGKILL'), extraMs);
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolveRun() : reject(new Error(`child ended without being killed: ${stderr}`)),
    );
  });
}

test('SIGKILL at arbitrary points, then resume: every epoch logged exactly once, checkpoints whole, no debris', async () => {
  const dir = join(root, 'run');
  const script = join(root, 'child.mts');
  writeFileSync(script, childSource);
  for (const extraMs of [0, 4, 9]) {
    await runAndKill(dir, script, 2, extraMs);
    const run = openRun(dir, { resume: true });
    const from = run.resumedFrom!;
    const metrics = readLog(dir, 'metrics');
    const expected = Array.from({ length: from.epoch }, (_, e) => [0, 1, 2].map((part) => [e + 1, part])).flat();
    assert.deepEqual(metrics.map((m) => [m.epoch, m.part]), expected, `metrics after a kill ${extraMs} ms after a save`);
    assert.deepEqual(readLog(dir, 'spectra').map((s) => s.epoch), Array.from({ length: from.epoch }, (_, e) => e + 1));
    for (const checkpoint of listCheckpoints(dir)) {
      const bin = readFileSync(checkpoint.files.bin!);
      assert.equal(bin.length, CHECKPOINT_BYTES);
      assert.ok(bin.every((x) => x === checkpoint.epoch % 256), `checkpoint ${checkpoint.epoch} holds its own bytes`);
      assert.deepEqual(checkpoint.state, { epoch: checkpoint.epoch });
    }
    const debris = [...readdirSync(dir), ...readdirSync(join(dir, 'checkpoints'))].filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(debris, []);
    const newest = readdirSync(join(dir, 'checkpoints')).filter((n) => n.startsWith(`epoch-${String(from.epoch + 1).padStart(4, '0')}`));
    assert.deepEqual(newest, [], 'files of the unfinished checkpoint are gone');
    run.close(); // the next child must find the run free
  }
  assert.ok(existsSync(join(dir, 'config.json')));
  assert.ok(listCheckpoints(dir).length >= 7, 'the run advanced across the kills');
});
