/**
 * Shared by the sweep tests: a tiny real sweep (LSTM-8 on the copy task, a few seconds per
 * run), the CLI as a separate process, and checks of a finished sweep directory.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMetrics, readSpectra } from '../src/record/index.js';

export const ROOT = join(import.meta.dirname, '..');
export const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
export const EPOCHS = 4;

/** 6 runs: 2 learning rates × 3 init scales. */
export const TINY_SWEEP = `
method: grid
maxAttempts: 3
parameters:
  lr: { values: [0.003, 0.01] }
  init: { values: ['uniform:0.3', 'uniform:1', 'uniform:2'] }
spectrum: { every: 1, batch: 2, steps: 60, transient: 10, k: 6 }
readout: { metric: final_val_loss, epoch: 1 }
base:
  task: { name: copy, trainSize: 2048, evalSize: 64 }
  cell: lstm
  hidden: 16
  epochs: ${EPOCHS}
  batch: 32
  seed: 3
`;

export function writeSpec(dir: string, text = TINY_SWEEP): string {
  const path = join(dir, 'tiny.yaml');
  writeFileSync(path, text);
  return path;
}

export function runCli(args: string[]) {
  return spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
}

export function startCli(args: string[]): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exit };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function runIds(sweepDir: string): string[] {
  const runs = join(sweepDir, 'runs');
  return existsSync(runs) ? readdirSync(runs) : [];
}

export const isDone = (sweepDir: string, id: string) => existsSync(join(sweepDir, 'runs', id, 'sweep-done.json'));

/**
 * The run's epoch-1 checkpoint is complete and its epoch-2 one is not: killing now interrupts it
 * mid-run, with more than two epochs (well over the run processes' 0.1 s watchdog) left.
 */
export function isMidway(sweepDir: string, id: string): boolean {
  const checkpoint = (epoch: number) => existsSync(join(sweepDir, 'runs', id, 'checkpoints', `epoch-${String(epoch).padStart(4, '0')}.json`));
  return checkpoint(1) && !checkpoint(2);
}

export const hasRunMidway = (sweepDir: string) => runIds(sweepDir).some((id) => isMidway(sweepDir, id));

/** How many times each run's log says training started / completed. */
export function logCounts(sweepDir: string, id: string): { started: number; trained: number } {
  const log = readFileSync(join(sweepDir, 'logs', `${id}.log`), 'utf8').split('\n');
  return {
    started: log.filter((line) => line.startsWith('training started')).length,
    trained: log.filter((line) => line === `run ${id}: trained`).length,
  };
}

/** The attempts the sweep saw end (trained or failed): those that count against maxAttempts. */
export function endedAttempts(sweepDir: string, id: string): number {
  const log = readFileSync(join(sweepDir, 'logs', `${id}.log`), 'utf8').split('\n');
  return log.filter((line) => line.startsWith('--- attempt trained') || line.startsWith('--- attempt failed: ')).length;
}

/**
 * Every run complete, each epoch logged exactly once in metrics and spectra, the index agreeing
 * (its attempts: those whose end the sweep or worker saw; an attempt killed with its parent does not count).
 */
export function assertSweepComplete(sweepDir: string, expectedRuns: number): void {
  const ids = runIds(sweepDir);
  assert.equal(ids.length, expectedRuns, `run directories: ${ids.join(', ')}`);
  const epochs = Array.from({ length: EPOCHS + 1 }, (_, e) => e);
  for (const id of ids) {
    const dir = join(sweepDir, 'runs', id);
    assert.ok(isDone(sweepDir, id), `run ${id} is marked complete`);
    assert.deepEqual(readMetrics(dir).map((m) => m.epoch), epochs, `run ${id}: metrics.jsonl has each epoch once`);
    assert.deepEqual(readSpectra(dir).map((s) => s.epoch), epochs, `run ${id}: spectra.jsonl has each epoch once`);
    assert.equal(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').endsWith('\n'), true, `run ${id}: no torn line`);
    assert.ok(logCounts(sweepDir, id).trained <= 1, `run ${id} was trained to completion at most once`);
  }
  const status = runCli(['sweep', 'status', sweepDir, '--json']);
  assert.equal(status.status, 0, status.stderr);
  const indexed = JSON.parse(status.stdout) as { id: string; status: string; attempts: number; features: object | null }[];
  assert.deepEqual(indexed.map((r) => r.id).sort(), [...ids].sort());
  for (const run of indexed) {
    assert.equal(run.status, 'done', `index: run ${run.id}`);
    assert.equal(run.attempts, endedAttempts(sweepDir, run.id), `index: attempts of run ${run.id} match its log`);
    assert.ok(run.features !== null, `index: run ${run.id} has spectrum features`);
  }
}
