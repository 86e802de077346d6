import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRunTable, formatStatus } from '../src/sweep/index.js';
import type { IndexedRun } from '../src/sweep/store/run-index.js';

const metricsLine = (epoch: number, valLoss: number | string, lambda: number[] | null) =>
  `{"epoch":${epoch},"step":${epoch * 10},"lr":0.01,"trainLoss":null,"gradNorm":null,"gradNormMax":null,"clippedFraction":null,` +
  `"valLoss":${typeof valLoss === 'number' ? valLoss : JSON.stringify(valLoss)},"valAccuracy":null,"lambda":${JSON.stringify(lambda)},"kaplanYorke":null,"entropy":null,"seconds":0}\n`;

function run(id: string, status: IndexedRun['status'], attempts: number, params: Record<string, unknown>): IndexedRun {
  return { id, status, attempts, params, config: { epochs: 3 }, error: null, features: null, metrics: null, worker: null, updatedAt: '' };
}

test('sweep status: progress as done/total, and a table of every run with its parameters, status, epoch, latest val loss and λ₁', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-status-'));
  try {
    const write = (id: string, text: string) => {
      mkdirSync(join(dir, id));
      writeFileSync(join(dir, id, 'metrics.jsonl'), text);
    };
    // Done: λ₁ from the last epoch with a spectrum (epoch 3 has none).
    write('aaa', metricsLine(0, 2.5, [0.1, -1]) + metricsLine(1, 2.25, [-0.25, -1]) + metricsLine(2, 2, [-0.5, -1]) + metricsLine(3, 1.875, null));
    // Running: one epoch so far. Diverged: a non-finite loss is "diverged", never NaN or Infinity.
    write('bbb', metricsLine(0, 2.5, [0.2]) + metricsLine(1, 2.125, [0.125]));
    write('ccc', metricsLine(0, 2.5, null) + metricsLine(1, 'Infinity', null));
    const runs = [
      run('aaa', 'done', 1, { lr: 0.0012345, cell: 'lstm' }),
      run('bbb', 'running', 2, { lr: 0.01, cell: 'gru' }),
      run('ccc', 'failed', 3, { lr: 0.1, cell: 'gru' }),
      run('ddd', 'queued', 0, { lr: 0.5, cell: 'lstm' }),
    ];
    const table = formatRunTable(runs, (id) => join(dir, id)).split('\n').map((line) => line.split(/ {2,}/));
    assert.deepEqual(table, [
      ['run', 'lr', 'cell', 'status', 'epoch', 'val loss', 'λ₁'],
      ['aaa', '0.00123', 'lstm', 'done', '3/3', '1.8750', '-0.5000'],
      ['bbb', '0.01', 'gru', 'running (attempt 2)', '1/3', '2.1250', '0.1250'],
      ['ccc', '0.1', 'gru', 'failed (attempt 3)', '1/3', 'diverged', '–'],
      ['ddd', '0.5', 'lstm', 'queued', '–', '–', '–'],
    ]);
    assert.equal(formatStatus('sw', { done: 7, running: 1, failed: 0, queued: 4 }), 'sw: 7/12 runs done — running 1, failed 0, queued 4');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
