import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toJson } from '../src/io/json.js';
import { loadRnnModel } from '../src/io/index.js';
import { modelSpectrum, randomDrive } from '../src/model-spectrum/index.js';
import {
  renderSvg, svgToPng, spectrumFromJson, convergencePlot, spectrumPlot, trainingPlot, readRunData, sweepHeatmapSpec, featureScatterSpec, readoutSpec, projectSpectra, spectraPcaSpec, type SweepRow, ReportInputError,
} from '../src/report/index.js';
import { Rng } from '../src/linalg/index.js';
import type { TopLevelSpec } from 'vega-lite';
import { sweepPlotSpec, sweepViews } from '../src/report/plots/sweep-views.js';
import { fixture, labelValue, lstmSpectrum, markLabels, pngSize, svgElements, svgSize, writeRun } from './report.helpers.js';

/** Renders to SVG and PNG, checks both files' structure and that the PNG is the SVG at scale 2. */
async function render(spec: TopLevelSpec): Promise<string> {
  const svg = await renderSvg(spec);
  svgElements(svg);
  const size = svgSize(svg);
  const png = pngSize(svgToPng(svg, { scale: 2 }));
  assert.equal(png.width, Math.round(2 * size.width));
  assert.equal(png.height, Math.round(2 * size.height));
  return svg;
}

/** Agreement to the 4 significant digits the tooltips print. */
function close4(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 5e-4 * Math.abs(expected) + 1e-12, `${what}: plotted ${actual}, data ${expected}`);
}

test('spectrum plot of a JSON spectrum result: one point per exponent at its value, with a ± std band', async () => {
  const result = spectrumFromJson(JSON.parse(toJson(lstmSpectrum(1.5, 12))), 'spectrum.json');
  const svg = await render(spectrumPlot(result));
  const points = markLabels(svg, 'point');
  assert.equal(points.length, 12);
  points.forEach((label, i) => {
    assert.equal(labelValue(label, 'i'), i + 1);
    close4(labelValue(label, 'lambda'), result.exponents[i]!, `λ${i + 1}`);
  });
  assert.equal(markLabels(svg, 'area mark').length, 1, 'the band');
  assert.match(svg, /λᵢ \(nats\/step\)/, 'units on the axis');
  assert.match(svg, /lstm, 1 layer, hidden 16, input 4, state dim 32 \(joint h, c\)/);
});

test('spectrum plot of a relu RNN with dead units: the −∞ exponents are left out and counted in a note', async () => {
  const model = loadRnnModel(fixture('rnn_relu_l1_bias_h16'));
  const raw = modelSpectrum(model, randomDrive('gaussian', 2, 150, model.inputSize, 0), { steps: 100, transient: 50 });
  const infinite = raw.exponents.filter((x) => x === -Infinity).length;
  assert.ok(infinite > 0 && infinite < 16, `the fixture has some dead directions (${infinite})`);
  const result = spectrumFromJson(JSON.parse(toJson(raw)), 'relu.json');
  assert.equal(result.exponents.filter((x) => x === -Infinity).length, infinite, '"-Infinity" strings read back as −∞');
  const svg = await render(spectrumPlot(result));
  assert.equal(markLabels(svg, 'point').length, 16 - infinite);
  assert.match(svg, new RegExp(`${infinite} exponents of −∞`));
});

test('convergence plot: one line per leading exponent, ending at the final estimate', async () => {
  const raw = lstmSpectrum(1.2, 8);
  const svg = await render(convergencePlot(spectrumFromJson(JSON.parse(toJson(raw)), 'x'), 'x'));
  const lines = markLabels(svg, 'line mark');
  assert.equal(lines.length, 5, 'top 5 of k = 8');
  // The trace's last running mean is the reported exponent (same averaged steps).
  const last = raw.trace.exponents.at(-1)!;
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(last[i]! - raw.exponents[i]!) < 1e-9 * (1 + Math.abs(raw.exponents[i]!)));
  assert.match(svg, /averaged steps/);
});

test('training plot of a run directory: loss curves and λ₁…λ_k per epoch, values as in metrics.jsonl', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-run-'));
  const { metrics } = writeRun(dir, 3, 4);
  const run = readRunData(dir);
  assert.equal(run.points.length, 3);
  assert.equal(run.spectra.length, 3);
  const svg = await render(trainingPlot(run));
  assert.equal(markLabels(svg, 'line mark').length, 2 + 4, 'train and validation loss, 4 exponents');
  const points = markLabels(svg, 'point');
  const lambdaPoints = points.filter((l) => l.includes('exponent: λ'));
  assert.equal(lambdaPoints.length, 3 * 4);
  const lossPoints = points.filter((l) => l.includes('curve: '));
  assert.equal(lossPoints.length, 2 + 3, 'no train loss at epoch 0');
  for (const label of lambdaPoints) {
    const epoch = labelValue(label, 'epoch');
    const index = '₁₂₃₄'.indexOf(/exponent: λ(.)/.exec(label)![1]!);
    close4(labelValue(label, 'value'), (metrics[epoch]!['lambda'] as number[])[index]!, `epoch ${epoch} λ${index + 1}`);
  }
  for (const label of lossPoints.filter((l) => l.includes('validation'))) {
    close4(labelValue(label, 'loss (cross-entropy, nats)'), metrics[labelValue(label, 'epoch')]!['valLoss'] as number, 'validation loss');
  }
});

/** A grid sweep: p × lr × 2 seeds, with features that depend on the grid point and the seed. */
function gridRows(): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const p of [0.04, 0.3, 3]) for (const lr of [5e-4, 1e-2]) for (const seed of [0, 1]) {
    const lambda1 = Math.log(p) / 4 + 0.1 * seed;
    rows.push({ params: { p, lr, seed, cell: seed ? 'gru' : 'lstm' }, features: { lambda1, kaplanYorke: 5 + 2 * lambda1 }, finalLoss: 2 + lambda1 ** 2 + lr, predicted: 2.1 + lambda1 ** 2 });
  }
  return rows;
}

test('sweep heatmap: one cell per grid point holding the mean over its seeds; random sweeps become points', async () => {
  const rows = gridRows();
  const svg = await render(sweepHeatmapSpec({ rows, x: 'p', y: 'lr', feature: 'lambda1' }));
  const cells = markLabels(svg, 'rect mark');
  assert.equal(cells.length, 3 * 2);
  for (const label of cells) {
    const p = labelValue(label, 'p');
    const lr = labelValue(label, 'lr');
    const same = rows.filter((r) => r.params['p'] === p && r.params['lr'] === lr).map((r) => r.features['lambda1']!);
    assert.equal(same.length, 2);
    close4(labelValue(label, 'lambda1'), (same[0]! + same[1]!) / 2, `cell p=${p} lr=${lr}`);
  }
  const rng = new Rng(3);
  const random = Array.from({ length: 40 }, () => ({ params: { p: 0.04 * 75 ** rng.uniform(), lr: 1e-3 * (1 + rng.uniform()) }, features: { kaplanYorke: 10 * rng.uniform() } }));
  const scatter = await render(sweepHeatmapSpec({ rows: random, x: 'p', y: 'lr', feature: 'kaplanYorke' }));
  assert.equal(markLabels(scatter, 'circle').length, 40);
  assert.equal(markLabels(scatter, 'rect mark').length, 0);
});

test('a random sweep is drawn as points on log axes coloured by the feature, however few its runs; a grid sweep as a heatmap', async () => {
  // 12 random runs: each parameter has 12 distinct values, which a count of distinct values took for a 12 × 12 grid (a diagonal).
  const rng = new Rng(5);
  const random = Array.from({ length: 12 }, (): SweepRow => {
    const initScale = 0.1 * 30 ** rng.uniform();
    return { params: { initScale, lr: 1e-3 * 30 ** rng.uniform() }, features: { lambda1: Math.log(initScale) / 4, kaplanYorke: 3 }, finalLoss: 2 };
  });
  for (const method of ['random', undefined] as const) {
    const spec = sweepPlotSpec('heatmap', { name: 's', rows: random, featureEpoch: 1, ...(method ? { method } : {}) }) as unknown as { encoding: Record<'x' | 'y', { type: string; scale: { type?: string } }>; title: { text: string } };
    assert.deepEqual([spec.encoding.x.type, spec.encoding.x.scale.type, spec.encoding.y.type, spec.encoding.y.scale.type], ['quantitative', 'log', 'quantitative', 'log'], `method ${method}`);
    assert.equal(spec.title.text, 'λ₁ (nats/step) at epoch 1 over init scale p × learning rate');
    const svg = await render(spec as unknown as TopLevelSpec);
    const points = markLabels(svg, 'circle');
    assert.equal(points.length, 12);
    assert.equal(markLabels(svg, 'rect mark').length, 0);
    for (const label of points) close4(labelValue(label, 'λ₁ (nats/step)'), Math.log(labelValue(label, 'init scale p')) / 4, 'colour = the feature of that run');
  }
  assert.deepEqual(sweepViews({ name: 's', rows: random, method: 'random' }).slice(0, 2).map((v) => v.title), ['λ₁ over the sampled hyperparameters', 'Kaplan–Yorke dimension over the sampled hyperparameters']);

  const grid = gridRows().map((r) => ({ ...r, params: { initScale: r.params['p']!, lr: r.params['lr']! } }));
  for (const method of ['grid', undefined] as const) {
    const svg = await render(sweepPlotSpec('heatmap', { name: 'g', rows: grid, ...(method ? { method } : {}) }));
    assert.equal(markLabels(svg, 'rect mark').length, 3 * 2, `method ${method}`);
    assert.match(svg, /over the hyperparameter grid/);
  }
  // A grid with runs missing is still a grid (3 of its 4 cells).
  assert.equal(markLabels(await render(sweepPlotSpec('heatmap', { name: 'g', rows: grid.filter((r) => r.params.initScale !== 0.3 || r.params.lr !== 5e-4).slice(0, 6) })), 'rect mark').length, 3);
});

test('final loss vs an early feature, and the readout with its y = x line', async () => {
  const rows = [...gridRows(), { params: { p: 1, lr: 1e-3 }, features: { lambda1: NaN }, finalLoss: 3 }];
  const scatter = await render(featureScatterSpec({ rows, feature: 'lambda1', colorBy: 'cell' }));
  const points = markLabels(scatter, 'circle');
  assert.equal(points.length, 12, 'the run without a finite feature is left out');
  assert.match(scatter, /1 run without a finite feature or loss not shown/);

  const readout = await render(readoutSpec({ rows, score: { features: 'spectrum', r2: 0.71, spearman: 0.8 } }));
  const dots = markLabels(readout, 'circle');
  assert.equal(dots.length, 12);
  for (const label of dots) assert.ok(rows.some((r) => Math.abs(r.finalLoss! - labelValue(label, 'actual')) < 1e-3));
  assert.match(readout, /R² = 0\.71, ρ = 0\.80/);
  // y = x spans the square plot from its bottom-left corner to its top-right corner.
  const diagonal = /aria-roledescription="line mark"[^>]*d="M0,([\d.]+)L([\d.]+),0"/.exec(readout);
  assert.ok(diagonal, 'a line from (0, height) to (width, 0)');
  assert.ok(Math.abs(Number(diagonal[1]) - Number(diagonal[2])) < 1e-6, 'equal width and height: the line is y = x');
});

test('PCA of spectra recovers a planted direction; the plot has one point per run', async () => {
  // Spectra on a line through a base spectrum, plus a much smaller second direction.
  const rng = new Rng(7);
  const base = [0.1, -0.2, -0.5, -0.9, -1.4, -2];
  const along = [0.5, 0.4, 0.1, -0.1, 0.3, -0.2];
  const across = [0.1, -0.1, 0.1, -0.1, 0.1, -0.1];
  const t = Array.from({ length: 20 }, () => rng.uniform() * 2 - 1);
  const rows: SweepRow[] = t.map((ti, r) => ({
    id: `run${r}`, params: {}, features: {}, finalLoss: 2 + ti,
    spectrum: base.map((b, i) => b + ti * along[i]! + 0.02 * (rng.uniform() - 0.5) * across[i]!),
  }));
  rows.push({ params: {}, features: {}, finalLoss: 1, spectrum: [0, 0, 0, 0, 0, -Infinity] });
  const { points, explained, omitted } = projectSpectra(rows);
  assert.equal(omitted, 1, 'the spectrum with −∞ is left out');
  const pc1 = points.map((p) => p.pc1);
  assert.ok(Math.abs(correlation(pc1, t)) > 0.9999, 'PC 1 is the planted coordinate');
  assert.ok(explained[0] > 0.999 && explained[0] + explained[1] <= 1 + 1e-12);
  const svg = await render(spectraPcaSpec({ rows }));
  assert.equal(markLabels(svg, 'circle').length, 20);
  assert.throws(() => projectSpectra([...rows.slice(0, 3), { params: {}, features: {}, finalLoss: 1, spectrum: [1, 2] }]), /one length/);
});

test('bad spectrum input is named: field, position and what was expected', () => {
  assert.throws(() => spectrumFromJson({ exponents: [1, 'x'], units: 'nats/step' }, 'a.json'), (e: Error) =>
    e instanceof ReportInputError && /a\.json: 'exponents'\[1\] must be a number, got "x"/.test(e.message));
  assert.throws(() => spectrumFromJson({ exponents: [1] }, 'b.json'), /b\.json: 'units' must be a string/);
  assert.throws(() => spectrumFromJson([1, 2], 'c.json'), /c\.json: expected a spectrum result/);
  assert.throws(() => spectrumFromJson({ exponents: [1, 2], std: [1], units: 'u' }, 'd.json'), /'std' has 1 entries, 'exponents' 2/);
});

function correlation(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
