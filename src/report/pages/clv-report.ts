import type { ClvData } from '../data/clv-data.js';
import { clvAnglesSpec } from '../plots/clv-angles-plot.js';
import { describeSpectrumModel } from '../plots/spectrum-plots.js';
import { renderSvg } from '../plots/svg.js';
import { configTable, escapeHtml, figure, jsonScript, page, table, type Cell } from './html.js';

/** The report of a `clv --json` result: the angle histograms, the exponents along the CLVs, the configuration. */
export async function clvReportHtml(clv: ClvData, name: string): Promise<string> {
  const model = clv.model ? describeSpectrumModel(clv.model) : undefined;
  const title = `Covariant Lyapunov vectors${model ? `: ${model}` : ''}`;
  const sections = [
    `<h1>${escapeHtml(title)}</h1>`, `<p class="note">${escapeHtml(name)}</p>`,
    '<h2>Angles</h2>', figure(await renderSvg(clvAnglesSpec(clv, model)), 'clv-angles'),
    '<h2>Growth along each CLV</h2>',
    table(['i', `mean growth λᵢ (${clv.units})`, 'stderr'], clv.exponents.map((l, i): Cell[] => [i + 1, l, clv.stderr[i]]), 'exponents'),
    '<h2>Configuration</h2>', configTable({ model: clv.model ?? {}, options: clv.options ?? {} }),
  ];
  return page(title, sections.join('\n'), jsonScript('report-data', { kind: 'clv', ...clv }));
}
