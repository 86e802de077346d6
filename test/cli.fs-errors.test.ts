/**
 * File-system errors of the CLI's outputs are one line naming the path and what to do (exit 2),
 * never a stack trace, and a failed write leaves what was there before. The read-only and full
 * disks are small tmpfs mounts, made only where this process may mount (root); elsewhere those
 * tests report themselves skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, writeRun } from './report.helpers.js';

const TRAIN = ['train', '--task', 'copy', '--cell', 'lstm', '--hidden', '8', '--epochs', '2'];

/** Exit code 2 and one line of error, prefixed, after any progress lines; no stack frames. */
function assertOneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trimEnd().split('\n').filter((line) => !/^epoch \d+\/\d+ /.test(line));
  assert.equal(lines.length, 1, `one line of error, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^rnn-lyapunov: /);
  assert.match(lines[0]!, pattern);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Why tmpfs mounts cannot be made here, or undefined where they can. */
function cannotMount(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'fs-probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { encoding: 'utf8' });
  try {
    if (mounted.status !== 0) return `mount does not work here: ${(mounted.stderr || String(mounted.error)).trim()}`;
    execFileSync('umount', [probe]);
    return undefined;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const mountSkip = cannotMount();

/** Runs `body` with a tmpfs mounted with `options` ('size=64k', 'size=1M,ro') at a new directory, unmounting it after. */
async function withTmpfs(options: string, body: (mountPoint: string) => Promise<void>): Promise<void> {
  const mountPoint = mkdtempSync(join(tmpdir(), 'fs-mount-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint]);
  try {
    await body(mountPoint);
  } finally {
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
}

test('--out under a regular file (ENOTDIR) or in a missing directory: one line naming the file in the way or the missing directory; nothing created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-enotdir-'));
  const file = join(dir, 'notes.txt');
  writeFileSync(file, 'a file, not a directory\n');
  writeRun(join(dir, 'run'), 1, 4);
  const [train, report, plot] = await Promise.all([
    cli(...TRAIN, '--out', join(file, 'run')),
    cli('report', join(dir, 'run'), '--out', join(file, 'report.html')),
    cli('plot', join(dir, 'run'), '--kind', 'spectrum', '--out', join(dir, 'no', 'such', 'spectrum.svg')),
  ]);
  const inTheWay = new RegExp(`${escape(file)} is a file, not a directory: choose a path outside it`);
  assertOneLine(train, inTheWay);
  assertOneLine(report, inTheWay);
  assert.match(report.stderr, /report\.html: /, 'names the --out file, not a temporary one');
  assertOneLine(plot, new RegExp(`spectrum\\.svg: no such directory ${escape(join(dir, 'no'))}: create it`));
  assert.doesNotMatch(report.stderr + plot.stderr, /\.tmp\b/);
  assert.equal(readFileSync(file, 'utf8'), 'a file, not a directory\n');
  assert.deepEqual(readdirSync(dir).sort(), ['notes.txt', 'run']);
});

test('a read-only file system (EROFS): train says which directory is read-only (not ENOENT), report names its --out', { skip: mountSkip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-erofs-'));
  const run = join(dir, 'run');
  writeRun(run, 1, 4);
  await withTmpfs('size=1M,ro', async (readOnly) => {
    const [train, report] = await Promise.all([
      cli(...TRAIN, '--out', join(readOnly, 'runs', 'a')),
      cli('report', run, '--out', join(readOnly, 'report.html')),
    ]);
    assertOneLine(train, new RegExp(`${escape(readOnly)}/runs/a: cannot be created: ${escape(readOnly)} is on a read-only file system; choose a writable place`));
    assertOneLine(report, new RegExp(`${escape(readOnly)}/report\\.html: the file system is read-only: choose a writable place`));
    assert.deepEqual(readdirSync(readOnly), []);
  });
});

test('a full disk (ENOSPC): report --force keeps the old file whole; train stops with one line and --resume finishes the run', { skip: mountSkip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-enospc-'));
  const run = join(dir, 'run');
  writeRun(run, 2, 4);
  await withTmpfs('size=64k', async (full) => {
    const old = join(full, 'report.html');
    writeFileSync(old, '<p>the report written yesterday</p>\n');
    const report = await cli('report', run, '--out', old, '--force');
    assertOneLine(report, new RegExp(`${escape(full)}/report\\.html: no space left on the device: free some space and run again`));
    assert.equal(readFileSync(old, 'utf8'), '<p>the report written yesterday</p>\n', 'the old file is intact');
    assert.deepEqual(readdirSync(full), ['report.html'], 'no temporary file left behind');
    rmSync(old);

    const trainRun = join(full, 'train');
    const train = await cli(...TRAIN, '--out', trainRun);
    assertOneLine(train, new RegExp(`${escape(trainRun)}/\\S+: no space left on the device: .*--resume\\) \\(ENOSPC on write\\)`));
    execFileSync('mount', ['-o', 'remount,size=4M', full]);
    const resumed = await cli('train', '--out', trainRun, '--resume');
    assert.equal(resumed.code, 0, resumed.stderr);
    const epochs = readFileSync(join(trainRun, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { epoch: number }).epoch);
    assert.deepEqual(epochs, [0, 1, 2], 'each epoch logged once');
    assert.ok(existsSync(join(trainRun, 'summary.json')));
  });
});
