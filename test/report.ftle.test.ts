import { test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { toJson } from '../src/io/json.js';
import { henonMap, lyapunovSpectrum } from '../src/lyapunov/index.js';
import { buildReport, ftlePlot, renderSvg, ReportInputError, spectrumFromJson } from '../src/report/index.js';
import type { TopLevelSpec } from 'vega-lite';
import { labelValue, svgElements } from './report.helpers.js';

/** The aria labels of the rule marks (vega draws them as <line> elements). */
function ruleLabels(svg: string): string[] {
  return [...svg.matchAll(/<line\b([^>]*aria-roledescription="rule mark"[^>]*)>/g)].map((m) => /aria-label="([^"]*)"/.exec(m[1]!)?.[1] ?? '');
}

test('ftle plot: each exponent\'s histogram outline holds all its windows, and a rule marks its mean', async () => {
  const result = lyapunovSpectrum(henonMap({ batch: 2 }), { transient: 100, steps: 4000, ftleWindow: 40 });
  const spectrum = spectrumFromJson(JSON.parse(toJson(result)), 'henon.json');
  const spec = ftlePlot(spectrum, 'henon.json') as { layer: { data: { values: { exponent: string; value: number; fraction: number }[] } }[] };
  const svg = await renderSvg(spec as TopLevelSpec);
  svgElements(svg);
  for (const [i, label] of ['λ₁', 'λ₂'].entries()) {
    const { edges, counts } = result.finiteTime!.histogram[i]!;
    const outline = spec.layer[0]!.data.values.filter((p) => p.exponent === label);
    // Up from 0 at the first edge, one point per bin at its left edge, the last bin's right edge, down to 0.
    assert.equal(outline.length, counts.length + 3, `${label}: the outline's points`);
    assert.deepEqual(outline.slice(1, -2).map((p) => p.value), edges.slice(0, -1), `${label}: bins at their left edges`);
    const total = outline.slice(1, -2).reduce((sum, p) => sum + p.fraction, 0);
    assert.ok(Math.abs(total - 1) < 1e-12, `${label}: the fractions of the 200 windows sum to ${total}`);
    assert.deepEqual([outline[0]!.fraction, outline.at(-1)!.fraction], [0, 0]);
    const rule = ruleLabels(svg).find((r) => r.includes(`exponent: ${label}`));
    assert.ok(rule, `${label}: a rule`);
    assert.ok(Math.abs(labelValue(rule, 'mean') - result.exponents[i]!) < 1e-4, `${label}: the rule at the exponent`);
  }
});

test('the report of a spectrum with finite-time exponents shows their plot and quantiles', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lyap-ftle-report-'));
  const [file, plainFile] = [join(dir, 'henon.json'), join(dir, 'plain.json')];
  writeFileSync(file, toJson(lyapunovSpectrum(henonMap({ batch: 2 }), { transient: 100, steps: 2000, ftleWindow: 100 })));
  writeFileSync(plainFile, toJson(lyapunovSpectrum(henonMap(), { steps: 100 })));
  const html = await buildReport(file);
  assert.match(html, /<h3>Finite-time exponents over windows of 100 steps<\/h3>/);
  assert.match(html, /<th>i<\/th><th>mean \(nats\/step\)<\/th><th>std<\/th><th>1%<\/th><th>5%<\/th>/);
  assert.doesNotMatch(await buildReport(plainFile), /Finite-time/);
});

test('ftle plot of a spectrum without finite-time exponents says how to get them', () => {
  const spectrum = spectrumFromJson(JSON.parse(toJson(lyapunovSpectrum(henonMap(), { steps: 100 }))), 'plain.json');
  assert.throws(() => ftlePlot(spectrum, 'plain.json'), (e) => e instanceof ReportInputError && /plain\.json: the spectrum has no finite-time exponents \(run spectrum with --ftle-window W\)/.test((e as Error).message));
  assert.throws(() => spectrumFromJson({ exponents: [1, 2], units: 'nats/step', finiteTime: { window: 5, count: 3, mean: [1] } }, 'bad.json'), ReportInputError);
});
