import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRun, readMetrics, readSpectra, RunLogError, type EpochMetrics } from '../src/record/index.js';

const root = mkdtempSync(join(tmpdir(), 'record-readers-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const epoch = (n: number): EpochMetrics => ({
  epoch: n, step: 10 * n, lr: 0.01, trainLoss: n === 0 ? null : 1 / n, gradNorm: null, gradNormMax: null, clippedFraction: null,
  valLoss: NaN, valAccuracy: null, lambda: [0.1, -0.2], kaplanYorke: 1.5, entropy: 0.1, seconds: 0,
});

test('readMetrics returns the lines as the loop writes them (a NaN loss included) and names file, line and field of a bad one', () => {
  const dir = join(root, 'metrics');
  const run = openRun(dir, { config: {} });
  run.append('metrics', epoch(0));
  run.append('metrics', epoch(1));
  const read = readMetrics(dir);
  assert.deepEqual(read.map((m) => m.epoch), [0, 1]);
  assert.ok(Number.isNaN(read[1]!.valLoss));
  run.append('metrics', { ...epoch(2), lambda: ['x'] });
  assert.throws(() => readMetrics(dir), (e: unknown) => e instanceof RunLogError
    && /metrics\.jsonl line 3: field 'lambda' is \["x"\], expected an array of numbers or null/.test(e.message));
  const missing = join(root, 'missing-field');
  const other = openRun(missing, { config: {} });
  const { step: _step, ...noStep } = epoch(0);
  other.append('metrics', noStep);
  assert.throws(() => readMetrics(missing), /line 1: field 'step' is missing, expected an integer ≥ 0/);
});

test('readSpectra checks scope, epoch, step and that a spectrum has exponents', () => {
  const dir = join(root, 'spectra');
  const run = openRun(dir, { config: {} });
  run.append('spectra', { scope: 'epoch', epoch: 0, step: 0, spectrum: { exponents: [0.1] } });
  run.append('spectra', { scope: 'step', epoch: 0, step: 3, spectrum: null, error: 'diverged' });
  assert.deepEqual(readSpectra(dir).map((s) => [s.scope, s.step]), [['epoch', 0], ['step', 3]]);
  for (const [line, message] of [
    [{ scope: 'batch', epoch: 1, step: 1, spectrum: null }, /line 3: field 'scope' is "batch", expected 'epoch' or 'step'/],
    [{ scope: 'epoch', epoch: -1, step: 1, spectrum: null }, /line 3: field 'epoch' is -1, expected an integer ≥ 0/],
    [{ scope: 'epoch', epoch: 1, step: 1, spectrum: { lambda: [1] } }, /line 3: field 'spectrum' is neither null nor a spectrum with exponents/],
  ] as const) {
    const bad = join(root, `spectra-${String(message).length}-${Math.random().toString(36).slice(2)}`);
    const r = openRun(bad, { config: {} });
    r.append('spectra', { scope: 'epoch', epoch: 0, step: 0, spectrum: null });
    r.append('spectra', { scope: 'step', epoch: 0, step: 1, spectrum: null });
    r.append('spectra', line);
    assert.throws(() => readSpectra(bad), (e: unknown) => e instanceof RunLogError && message.test(e.message));
  }
});
