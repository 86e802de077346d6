import { basename } from 'node:path';
import { configTable, escapeHtml, figure, jsonScript, page, table, type Cell } from './html.js';
import { ftlePlot, loadPlotSource, trainingPlot } from '../plots/plot-source.js';
import { convergencePlot, describeSpectrumModel, spectrumPlot } from '../plots/spectrum-plots.js';
import { renderSvg } from '../plots/svg.js';
import type { RunData } from '../data/run-data.js';
import type { SpectrumData } from '../data/spectrum-data.js';
import { statusCounts, type SweepData } from '../data/sweep-data.js';
import { sweepViews } from '../plots/sweep-views.js';
import { reviveNumber } from '../data/values.js';
import { clvReportHtml } from './clv-report.js';

/**
 * One self-contained HTML file for a run directory, a sweep or a spectrum JSON: plots as
 * inline SVG, data inline as JSON, no reference to anything outside the file.
 */
export async function buildReport(path: string): Promise<string> {
  const source = loadPlotSource(path);
  switch (source.type) {
    case 'run':
      return runReportHtml(source.run);
    case 'sweep':
      return sweepReportHtml(source.sweep);
    case 'spectrum':
      return spectrumReportHtml(source.spectrum, basename(path));
    case 'clv':
      return clvReportHtml(source.clv, basename(path));
  }
}

export async function runReportHtml(run: RunData): Promise<string> {
  const latest = run.spectra.at(-1);
  const sections = [`<h1>Training run ${escapeHtml(run.name)}</h1>`, `<p class="note">${escapeHtml(run.dir)}</p>`];
  if (run.points.length > 0) sections.push('<h2>Loss and spectrum during training</h2>', figure(await renderSvg(trainingPlot(run)), 'training'));
  if (latest) sections.push(...(await spectrumSections(latest.spectrum, run.dir, latest.epoch)));
  sections.push('<h2>Epochs</h2>', epochTable(run.metrics), '<h2>Configuration</h2>', configTable(run.config));
  const data = { kind: 'run', name: run.name, config: run.config, metrics: run.metrics, latestSpectrum: latest ?? null };
  return page(`Run ${run.name}`, sections.join('\n'), jsonScript('report-data', data));
}

export async function spectrumReportHtml(spectrum: SpectrumData, name: string): Promise<string> {
  const title = spectrum.model ? `Lyapunov spectrum: ${describeSpectrumModel(spectrum.model)}` : 'Lyapunov spectrum';
  const sections = [`<h1>${escapeHtml(title)}</h1>`, `<p class="note">${escapeHtml(name)}</p>`, ...(await spectrumSections(spectrum, name))];
  sections.push('<h2>Configuration</h2>', configTable({ model: spectrum.model ?? {}, options: spectrum.options ?? {} }));
  return page(title, sections.join('\n'), jsonScript('report-data', { kind: 'spectrum', spectrum }));
}

export async function sweepReportHtml(sweep: SweepData): Promise<string> {
  const sections = [`<h1>Sweep ${escapeHtml(sweep.name)}</h1>`];
  const counts = statusCounts(sweep.rows);
  sections.push(`<p class="status">${escapeHtml(`${sweep.rows.length} runs: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}`)}</p>`);
  if (sweep.readout && sweep.readout.length > 0) {
    sections.push(
      `<h2>Readout: how well early features predict ${escapeHtml(sweep.target ?? 'final loss')}${sweep.featureEpoch !== undefined ? ` (features at epoch ${sweep.featureEpoch})` : ''}</h2>`,
      readoutTable(sweep),
    );
  } else if (sweep.readoutNote) {
    sections.push(`<p class="note">No readout yet: ${escapeHtml(sweep.readoutNote)}.</p>`);
  }
  sections.push('<h2>Plots</h2>');
  for (const view of sweepViews(sweep)) {
    sections.push('spec' in view ? figure(await renderSvg(view.spec)) : `<p class="note">${escapeHtml(view.title)} not shown: ${escapeHtml(view.missing)}.</p>`);
  }
  sections.push('<h2>Runs</h2>', runsTable(sweep));
  if (sweep.config !== undefined) sections.push('<h2>Configuration</h2>', configTable(sweep.config));
  return page(`Sweep ${sweep.name}`, sections.join('\n'), jsonScript('report-data', { kind: 'sweep', ...sweep }));
}

export function readoutTable(sweep: SweepData): string {
  return table(['features', 'R² (cross-validated)', 'Spearman ρ', 'ROC AUC'], (sweep.readout ?? []).map((r) => [r.features, r.r2, r.spearman, r.auc]), 'readout');
}

async function spectrumSections(spectrum: SpectrumData, where: string, epoch?: number): Promise<string[]> {
  const sections = [`<h2>Spectrum${epoch !== undefined ? ` after epoch ${epoch}` : ''}</h2>`, figure(await renderSvg(spectrumPlot(spectrum, epoch)), 'spectrum')];
  const summary: [string, Cell][] = [['exponents k', spectrum.exponents.length], ['λ₁', spectrum.exponents[0]], ['units', spectrum.units]];
  if (spectrum.kaplanYorke !== undefined) summary.push(['Kaplan–Yorke dimension', spectrum.kaplanYorke]);
  if (spectrum.entropy !== undefined) summary.push(['entropy rate', spectrum.entropy]);
  sections.push(table(['quantity', 'value'], summary, 'summary'));
  if (spectrum.trace && spectrum.trace.steps.length > 0) sections.push(figure(await renderSvg(convergencePlot(spectrum, where, epoch)), 'convergence'));
  if (spectrum.finiteTime) sections.push(...(await finiteTimeSections(spectrum, where, epoch)));
  const rows = spectrum.exponents.map((l, i): Cell[] => [i + 1, l, spectrum.std?.[i]]);
  sections.push('<details><summary>All exponents</summary>', table(['i', `λᵢ (${spectrum.units})`, 'std over sequences'], rows, 'exponents'), '</details>');
  return sections;
}

/** The finite-time exponents' histograms and, per exponent, their mean, std and quantiles. */
async function finiteTimeSections(spectrum: SpectrumData, where: string, epoch?: number): Promise<string[]> {
  const f = spectrum.finiteTime!;
  const rows = f.mean.map((m, i): Cell[] => [i + 1, m, f.std[i], ...f.quantiles[i]!]);
  return [
    `<h3>Finite-time exponents over windows of ${f.window} steps</h3>`,
    figure(await renderSvg(ftlePlot(spectrum, where, epoch)), 'ftle'),
    table(['i', `mean (${spectrum.units})`, 'std', ...f.levels.map((p) => `${100 * p}%`)], rows, 'ftle'),
  ];
}

const EPOCH_COLUMNS: [string, string][] = [
  ['epoch', 'epoch'], ['trainLoss', 'train loss'], ['valLoss', 'validation loss'], ['valAccuracy', 'validation accuracy'],
  ['kaplanYorke', 'Kaplan–Yorke'], ['entropy', 'entropy'], ['seconds', 'seconds'],
];

/** The epochs table; a run with gradient flossing (its lines have flossLoss) also gets the flossing loss and the λ₁ it saw. */
function epochTable(metrics: readonly Record<string, unknown>[]): string {
  const flossing = metrics.some((m) => 'flossLoss' in m);
  const first = (value: unknown) => (Array.isArray(value) ? reviveNumber(value[0]) ?? null : null);
  const rows = metrics.map((m) => {
    const cells = EPOCH_COLUMNS.map(([key]) => reviveNumber(m[key]) ?? null);
    return [
      ...cells.slice(0, 4), first(m['lambda']), ...cells.slice(4),
      ...(flossing ? [reviveNumber(m['flossLoss']) ?? null, first(m['flossLambda'])] : []),
    ];
  });
  const headers = EPOCH_COLUMNS.map(([, title]) => title);
  return table([...headers.slice(0, 4), 'λ₁', ...headers.slice(4), ...(flossing ? ['flossing loss', 'flossing λ₁'] : [])], rows, 'epochs');
}

function runsTable(sweep: SweepData): string {
  const params = [...new Set(sweep.rows.flatMap((r) => Object.keys(r.params)))];
  const features = [...new Set(sweep.rows.flatMap((r) => Object.keys(r.features)))];
  const rows = sweep.rows.map((r): Cell[] => [
    r.id, r.status, ...params.map((p) => r.params[p]), ...features.map((f) => r.features[f]), r.finalLoss, r.predicted,
  ]);
  return table(['run', 'status', ...params, ...features, sweep.target ?? 'final loss', 'predicted'], rows, 'runs');
}
