import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { toJson } from '../src/io/json.js';
import {
  buildReport, loadPlotSource, plotSpec, renderSvg, ReportInputError, finishedRunsKey, withReadout, type SweepData,
} from '../src/report/index.js';
import { createSweep, parseSweepSpec } from '../src/sweep/index.js';
import { cli, labelValue, lstmSpectrum, markLabels, markRunDone, pngSize, svgElements, writeRun } from './report.helpers.js';

/** http(s) addresses in a document other than XML namespace names (which are identifiers, never fetched). */
function externalReferences(html: string): string[] {
  return html.replace(/\sxmlns(?::\w+)?="[^"]*"/g, '').match(/https?:\/\/[^\s"'<>)]*/gi) ?? [];
}

function assertSelfContained(html: string, what: string): void {
  assert.deepEqual(externalReferences(html), [], `${what}: no external address`);
  assert.doesNotMatch(html, /<(link|img|iframe|object|embed)\b|<script[^>]*\ssrc=|@import|url\((?!#)/i, `${what}: nothing loaded from elsewhere`);
  assert.match(html, /^<!DOCTYPE html>/);
}

test('plot and report commands on a spectrum JSON, a run directory and a sweep table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
  const spectrumFile = join(dir, 'spectrum.json');
  const spectrum = lstmSpectrum(1.3, 10);
  writeFileSync(spectrumFile, toJson(spectrum));
  writeRun(join(dir, 'run'), 3, 4);
  const sweepFile = join(dir, 'sweep.json');
  writeFileSync(sweepFile, JSON.stringify({
    name: 'planted', target: 'final validation loss', featureEpoch: 1,
    readout: [{ features: 'early loss', r2: 0.66, spearman: 0.77 }, { features: 'spectrum', r2: 0.69, spearman: 0.81, auc: 0.9 }],
    rows: [0.1, 0.5, 1, 2].flatMap((p, i) => [1e-3, 1e-2].map((lr, j) => ({
      id: `r${i}${j}`, status: 'done', params: { initScale: p, lr }, features: { lambda1: Math.log(p) / 3, kaplanYorke: 2 * p },
      spectrum: [Math.log(p) / 3, -0.5, -1 - lr], finalLoss: 2 + p * lr, predicted: 2 + p * lr + 0.01,
    }))),
  }));

  // The commands as a user runs them (each process takes about a second to start, so only these two).
  const [png, runReport] = await Promise.all([
    cli('plot', spectrumFile, '--kind', 'spectrum', '--out', join(dir, 'spectrum.png')),
    cli('report', join(dir, 'run'), '--out', join(dir, 'run.html')),
  ]);
  for (const r of [png, runReport]) assert.equal(r.code, 0, r.stderr);
  assert.equal(png.stdout.trim(), join(dir, 'spectrum.png'));
  assert.ok(pngSize(readFileSync(join(dir, 'spectrum.png'))).width > 800);
  const trainingSvg = await renderSvg(plotSpec('training', loadPlotSource(join(dir, 'run'))));
  svgElements(trainingSvg);
  assert.equal(markLabels(trainingSvg, 'point').filter((l) => l.includes('exponent: λ')).length, 3 * 4);
  const convergence = await renderSvg(plotSpec('convergence', loadPlotSource(spectrumFile)));
  assert.equal(markLabels(convergence, 'line mark').length, 5);

  const run = readFileSync(join(dir, 'run.html'), 'utf8');
  assertSelfContained(run, 'run report');
  assert.equal((run.match(/<svg/g) ?? []).length, 3, 'training, spectrum, convergence');
  assert.match(run, /<td>task\.name<\/td><td>copy<\/td>/, 'the configuration');
  const sweepSource = loadPlotSource(sweepFile);
  const ky = await renderSvg(plotSpec('heatmap', sweepSource, { feature: 'kaplanYorke' }));
  const cells = markLabels(ky, 'rect mark');
  assert.equal(cells.length, 4 * 2);
  for (const cell of cells) assert.ok(Math.abs(labelValue(cell, 'Kaplan–Yorke dimension') - 2 * labelValue(cell, 'init scale p')) < 1e-9, cell);
  assert.throws(() => plotSpec('heatmap', loadPlotSource(join(dir, 'run'))), /--kind heatmap needs a sweep/);
  assert.throws(() => plotSpec('loss-vs-feature', sweepSource, { feature: 'nonsense' }), (e: Error) => e instanceof ReportInputError && /no run has a finite 'nonsense'/.test(e.message));
  const sweep = await buildReport(sweepFile);
  assertSelfContained(sweep, 'sweep report');
  assert.match(sweep, /<tr><td>spectrum<\/td><td class="num">0\.6900<\/td><td class="num">0\.8100<\/td><td class="num">0\.9000<\/td><\/tr>/, 'the readout table');
  assert.equal((sweep.match(/<svg/g) ?? []).length, 5, 'two heatmaps, loss vs λ₁, readout, PCA');
  assert.match(sweep, /features: spectrum; R² = 0\.69, ρ = 0\.81; 8 runs/, 'the readout plot names the scores of the predictions it shows');
  assert.equal(markLabels(sweep, 'rect mark').length, 2 * 4 * 2, 'each heatmap has a cell per grid point');
  const single = await buildReport(spectrumFile);
  assertSelfContained(single, 'spectrum report');
  assert.equal(markLabels(single, 'point').length, 10);
  const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(single)![1]!);
  assert.deepEqual(data.spectrum.exponents, spectrum.exponents, 'the data travel inline, exactly');
});

test('plot and report refuse bad input with a named reason; the CLI prints it in one line and exits with 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
  writeFileSync(join(dir, 'broken.json'), '{"exponents": [1, 2');
  const spectrumFile = join(dir, 'spectrum.json');
  writeFileSync(spectrumFile, toJson(lstmSpectrum(1, 3)));
  const refused = async (run: () => unknown, message: RegExp) => {
    await assert.rejects(async () => run(), (e: Error) => e instanceof ReportInputError && message.test(e.message));
  };
  await refused(() => loadPlotSource(join(dir, 'missing.json')), /missing\.json: no such file or directory/);
  await refused(() => plotSpec('training', loadPlotSource(spectrumFile)), /--kind training needs a run directory/);
  await refused(() => buildReport(join(dir, 'broken.json')), /broken\.json: not valid JSON/);
  await refused(() => buildReport(dir), /neither a run directory .* nor a sweep directory/);

  const cases: [string[], RegExp][] = [
    [['plot', spectrumFile, '--kind', 'spectrum', '--out', join(dir, 'a.jpg')], /--out .*a\.jpg: the file name must end in \.svg or \.png/],
    [['report', join(dir, 'broken.json'), '--out', join(dir, 'r.html')], /broken\.json: not valid JSON/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli(...args)));
  results.forEach((r, i) => {
    assert.equal(r.code, 2, `${cases[i]![0].join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, cases[i]![1]);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  });
});

test('report of a sweep directory: status, features and readout metric from its index; no readout before 8 finished runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-sweep-'));
  const spec = parseSweepSpec(parseYaml(`
method: grid
parameters:
  lr: { values: [0.003, 0.01] }
  init: { values: ['uniform:0.3', 'uniform:1', 'uniform:2'] }
spectrum: { every: 1, k: 4 }
readout: { metric: final_val_loss, epoch: 1 }
base: { task: { name: copy }, cell: lstm, hidden: 8, epochs: 2 }
`), 'tiny.yaml');
  const sweep = createSweep(dir, spec);
  const runs = sweep.index.list();
  runs.forEach((run, i) => {
    if (i < 4) markRunDone(sweep, run.id, { features: { lambda1: -0.1 * i, kaplanYorke: i }, metrics: { final_val_loss: 2 - 0.1 * i } });
  });
  sweep.index.close();
  const html = await buildReport(dir);
  assertSelfContained(html, 'sweep directory report');
  assert.match(html, /6 runs: (4 done, 2 queued|2 queued, 4 done)/);
  assert.equal(markLabels(html, 'circle').length, 4, 'loss vs λ₁ has the 4 finished runs');
  assert.match(html, /init scale p/, 'the init scale of uniform:P runs is an axis');
  assert.match(html, /No readout yet: the readout needs at least 8 finished runs/);
});

test('a sweep readout replaces the finished runs by its rows and brings its scores; the rest keep their status', () => {
  const sweep: SweepData = {
    name: 's',
    rows: [
      { id: 'a', status: 'done', params: { lr: 1 }, features: { lambda1: -0.1 }, finalLoss: 2 },
      { id: 'b', status: 'running', params: { lr: 2 }, features: {} },
    ],
  };
  const merged = withReadout(sweep, {
    rows: [{ id: 'a', params: { lr: 1 }, features: { lambda1: -0.1, earlyLoss: 2.5 }, spectrum: [-0.1, -0.2], finalLoss: 2, predicted: 2.1 }],
    scores: [{ features: 'spectrum', r2: 0.5, spearman: 0.6, auc: 0.7 }],
    predictedFrom: 'spectrum',
  });
  assert.deepEqual(merged.rows[0], { id: 'a', status: 'done', params: { lr: 1 }, features: { lambda1: -0.1, earlyLoss: 2.5 }, spectrum: [-0.1, -0.2], finalLoss: 2, predicted: 2.1 });
  assert.deepEqual(merged.rows[1], sweep.rows[1]);
  assert.equal(merged.readout?.[0]?.r2, 0.5);
  assert.equal(merged.predictedFrom, 'spectrum');
  assert.equal(finishedRunsKey(merged), 'a');
  assert.equal(withReadout(sweep, { missing: 'too few' }).readoutNote, 'too few');
});

test('plot --out and report --out refuse an existing file (exit 2, one line, file kept) unless --force', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
  const spectrumFile = join(dir, 'spectrum.json');
  writeFileSync(spectrumFile, toJson(lstmSpectrum(1, 3)));
  const svg = join(dir, 'old.svg');
  const html = join(dir, 'old.html');
  writeFileSync(svg, 'keep me');
  writeFileSync(html, 'keep me too');
  const [plot, report] = await Promise.all([
    cli('plot', spectrumFile, '--kind', 'spectrum', '--out', svg),
    cli('report', spectrumFile, '--out', html),
  ]);
  for (const r of [plot, report]) {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--out .*old\.(svg|html): the file exists; pass --force to overwrite it/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  assert.equal(readFileSync(svg, 'utf8'), 'keep me');
  assert.equal(readFileSync(html, 'utf8'), 'keep me too');
  const [plotForced, reportForced] = await Promise.all([
    cli('plot', spectrumFile, '--kind', 'spectrum', '--out', svg, '--force'),
    cli('report', spectrumFile, '--out', html, '--force'),
  ]);
  assert.equal(plotForced.code, 0, plotForced.stderr);
  assert.equal(reportForced.code, 0, reportForced.stderr);
  assert.match(readFileSync(svg, 'utf8'), /<svg/);
  assert.match(readFileSync(html, 'utf8'), /^<!DOCTYPE html>/);
});
