import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toJson } from '../src/cli/json.js';
import { henonMap, lyapunovSpectrum } from '../src/lyapunov/index.js';
import { ftlePlot, renderSvg, ReportInputError, spectrumFromJson } from '../src/report/index.js';
import { labelValue, markLabels, svgElements } from './report.helpers.js';

/** The aria labels of the rule marks (vega draws them as <line> elements). */
function ruleLabels(svg: string): string[] {
  return [...svg.matchAll(/<line\b([^>]*aria-roledescription="rule mark"[^>]*)>/g)].map((m) => /aria-label="([^"]*)"/.exec(m[1]!)?.[1] ?? '');
}

test('ftle plot: each exponent\'s histogram sums to all its windows, and a rule marks its mean', async () => {
  const result = lyapunovSpectrum(henonMap({ batch: 2 }), { transient: 100, steps: 4000, ftleWindow: 40 });
  const spectrum = spectrumFromJson(JSON.parse(toJson(result)), 'henon.json');
  const svg = await renderSvg(ftlePlot(spectrum, 'henon.json'));
  svgElements(svg);
  const bars = markLabels(svg, 'rect mark');
  for (const [i, label] of ['λ₁', 'λ₂'].entries()) {
    const mine = bars.filter((bar) => bar.includes(`exponent: ${label}`));
    assert.equal(mine.length, result.finiteTime!.histogram[i]!.counts.length, `${label}: one bar per bin`);
    // Fractions of the 200 windows, printed to 3 decimals: they sum to 1.
    const total = mine.reduce((s, bar) => s + labelValue(bar, 'fraction'), 0);
    assert.ok(Math.abs(total - 1) < 5e-4 * mine.length, `${label}: fractions sum to ${total}`);
    const rule = ruleLabels(svg).find((r) => r.includes(`exponent: ${label}`));
    assert.ok(rule, `${label}: a rule`);
    assert.ok(Math.abs(labelValue(rule, 'mean') - result.exponents[i]!) < 1e-4, `${label}: the rule at the exponent`);
  }
});

test('ftle plot of a spectrum without finite-time exponents says how to get them', () => {
  const spectrum = spectrumFromJson(JSON.parse(toJson(lyapunovSpectrum(henonMap(), { steps: 100 }))), 'plain.json');
  assert.throws(() => ftlePlot(spectrum, 'plain.json'), (e) => e instanceof ReportInputError && /plain\.json: the spectrum has no finite-time exponents \(run spectrum with --ftle-window W\)/.test((e as Error).message));
  assert.throws(() => spectrumFromJson({ exponents: [1, 2], units: 'nats/step', finiteTime: { window: 5, count: 3, mean: [1] } }, 'bad.json'), ReportInputError);
});
