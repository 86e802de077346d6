/** A run with gradient flossing in the reports: the training plot's flossing panel and the epoch table's flossing columns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceKernels } from '../src/linalg/index.js';
import { readMetrics } from '../src/record/index.js';
import { buildReport, readRunData, renderSvg, trainingPlot } from '../src/report/index.js';
import { trainInRunDirectory } from '../src/train/index.js';
import { labelValue, markLabels } from './report.helpers.js';

test('a flossing run: the training plot draws the flossing loss per epoch as logged, the report tables it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'report-floss-'));
  try {
    const dir = join(root, 'run');
    await trainInRunDirectory(dir, {
      task: { name: 'copy', symbols: 3, length: 2, delay: 3, trainSize: 64, evalSize: 32 },
      cell: 'rnn_tanh', hidden: 5, epochs: 3, batch: 32, seed: 4, spectrum: { batch: 1, steps: 20, transient: 2, k: 2 },
      floss: { k: 2, pre: 2, every: 2, steps: 20 },
    }, { hooks: { kernels: referenceKernels } });
    const metrics = readMetrics(dir);
    assert.deepEqual(metrics.map((m) => m.flossLoss === null), [true, false, false, true]);
    const svg = await renderSvg(trainingPlot(readRunData(dir)));
    const points = markLabels(svg, 'point').filter((l) => l.includes('flossing loss: '));
    assert.deepEqual(points.map((l) => labelValue(l, 'epoch')), [1, 2]);
    for (const label of points) {
      const logged = metrics[labelValue(label, 'epoch')]!.flossLoss!;
      assert.ok(Math.abs(labelValue(label, 'flossing loss') - logged) <= 5e-4 * logged);
    }
    const html = await buildReport(dir);
    assert.match(html, /<th[^>]*>flossing loss<\/th>/);
    assert.match(html, /<th[^>]*>flossing λ₁<\/th>/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
