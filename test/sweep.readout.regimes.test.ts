/**
 * Whether a network trains and how well it trains are read apart: on synthetic sweeps where the
 * spectrum decides one and not the other, the table's AUC and its trainable-subset R² and ρ
 * must say so, each for the right one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/index.js';
import { formatReadout, readoutExport, runReadout, type ReadoutRow } from '../src/sweep/index.js';

const CHANCE = 4;

/** 60 runs; a third stuck near chance. `slope` draws each run's spectrum slope, `final` its final loss. */
function sweep(stuck: (i: number, rng: Rng) => boolean, slope: (stuck: boolean, rng: Rng) => number, final: (stuck: boolean, slope: number, rng: Rng) => number): ReadoutRow[] {
  const rng = new Rng(21);
  return Array.from({ length: 60 }, (_, i) => {
    const isStuck = stuck(i, rng);
    const s = slope(isStuck, rng);
    return {
      id: `r${i}`,
      params: { lr: 10 ** rng.range(-3, -1), init: 10 ** rng.range(-1, 1) },
      exponents: Array.from({ length: 16 }, (_, j) => 0.3 * rng.normal() - s * (j / 15)),
      earlyLoss: rng.range(3, 4),
      finalLoss: final(isStuck, s, rng),
    };
  });
}

/** The two tables of the printed readout: feature set → numbers, in the order printed. */
function tables(text: string): { all: Map<string, number[]>; trainable: Map<string, number[]>; lines: string[] } {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('How well among those that train'));
  assert.ok(start > 0, `a trainable-subset section:\n${text}`);
  const read = (from: number) => {
    const table = new Map<string, number[]>();
    for (const line of lines.slice(from)) {
      if (line.trim() === '' || line.startsWith('(')) break;
      table.set(line.slice(0, 30).trim(), line.slice(30).trim().split(/\s+/).map(Number));
    }
    return table;
  };
  return { all: read(4), trainable: read(start + 2), lines };
}

const data = (rows: ReadoutRow[]) => ({ name: 'regimes', epoch: 1, metric: 'final_val_loss', rows, excluded: [] });

test('the spectrum tells whether a run trains but not how well: high AUC, no R² or ρ among the trainable', () => {
  const rows = sweep((i) => i % 3 === 0, (stuck, rng) => (stuck ? rng.range(2.5, 3.5) : rng.range(0.5, 1.5)),
    (stuck, _, rng) => (stuck ? CHANCE + 0.05 * rng.normal() : 2 + 0.3 * rng.normal()));
  const result = runReadout(rows, { chanceLoss: CHANCE });
  assert.equal(result.threshold, 0.9 * CHANCE);
  const { all, trainable, lines } = tables(formatReadout(data(rows), result));
  assert.match(lines[1], /trainable = final_val_loss ≤ 3\.6000, 90% of the chance loss 4\.0000/);
  assert.match(lines.find((l) => l.startsWith('How well'))!, /the 40 runs with final_val_loss ≤ 3\.6000 \(90% of the chance loss 4\.0000\), leave-one-out cross-validation within them/);
  const [, , , auc] = all.get('spectrum')!;
  assert.ok(auc > 0.95, `the spectrum's AUC: ${auc}`);
  const [, r2, rho] = trainable.get('spectrum')!;
  assert.ok(r2 < 0.1 && rho < 0.3, `the spectrum among the trainable: R² ${r2}, ρ ${rho}`);
  assert.equal(trainable.get('spectrum')!.length, 3, 'the trainable table has cols, R², ρ and no AUC');
});

test('the spectrum tells how well a run trains but not whether: R² and ρ among the trainable, AUC near chance', () => {
  const rows = sweep((_, rng) => rng.range(0, 1) < 1 / 3, (_, rng) => rng.range(0.5, 3),
    (stuck, s, rng) => (stuck ? CHANCE + 0.05 * rng.normal() : 1 + 0.5 * s + 0.05 * rng.normal()));
  const result = runReadout(rows, { chanceLoss: CHANCE });
  const { all, trainable } = tables(formatReadout(data(rows), result));
  const [, , , auc] = all.get('spectrum')!;
  assert.ok(auc < 0.75, `the spectrum's AUC: ${auc}`);
  const [, r2, rho] = trainable.get('spectrum')!;
  assert.ok(r2 > 0.8 && rho > 0.8, `the spectrum among the trainable: R² ${r2}, ρ ${rho}`);

  const exported = readoutExport(data(rows), result);
  assert.deepEqual(exported.threshold, { value: 0.9 * CHANCE, rule: '90% of the chance loss 4.0000' });
  assert.ok('readout' in exported.trainable);
  assert.deepEqual(exported.trainable.readout.map((s) => s.features), [...trainable.keys()]);
  assert.equal(exported.trainable.readout.find((s) => s.features === 'spectrum')!.r2.toFixed(3), r2.toFixed(3), 'the export has the printed trainable R²');
});

test('without a chance loss, or with one that leaves every run on one side, the threshold is the median and says so', () => {
  const rows = sweep(() => false, (_, rng) => rng.range(0.5, 3), (_, s, rng) => 1 + 0.5 * s + 0.05 * rng.normal());
  const sorted = rows.map((r) => r.finalLoss).sort((a, b) => a - b);
  const median = (sorted[29] + sorted[30]) / 2;
  assert.equal(runReadout(rows).thresholdRule, 'the median');
  const far = runReadout(rows, { chanceLoss: 100 });
  assert.equal(far.threshold, median);
  assert.equal(far.thresholdRule, 'the median (90% of the chance loss 100.0000 leaves every run on one side)');
  assert.equal(far.trainable.n, 30);
});
