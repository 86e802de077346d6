import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plotSpec, loadPlotSource } from '../src/report/plots/index.js';

const root = new URL('..', import.meta.url).pathname;
const model = join(root, 'test/fixtures/torch/lstm_l2_bias_h3.model.safetensors');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('plot --kind clv-angles and report draw the angle histograms of clv --json; spectrum kinds refuse a clv result', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clv-report-'));
  const json = join(dir, 'clv.json');
  const run = cli('clv', model, '--drive', 'gaussian', '--batch', '2', '--window', '200', '--backward-transient', '50', '--every', '2', '--json');
  assert.equal(run.code, 0, run.stderr);
  writeFileSync(json, run.stdout);
  const doc = JSON.parse(run.stdout);

  // Each line is a density over degrees: Σ density·width = 1 for every pair (every angle lies in [0°, 90°]).
  const spec = plotSpec('clv-angles', loadPlotSource(json)) as unknown as { data: { values: { series: string; density: number }[] } };
  const series = new Map<string, number>();
  for (const v of spec.data.values) series.set(v.series, (series.get(v.series) ?? 0) + v.density * 5);
  assert.equal(series.size, Math.min(8, doc.angles.pairs.length));
  for (const [name, total] of series) assert.ok(Math.abs(total - 1) < 1e-12, `${name}: the histogram sums to ${total}`);

  const svg = join(dir, 'angles.svg');
  const plot = cli('plot', json, '--kind', 'clv-angles', '--out', svg);
  assert.equal(plot.code, 0, plot.stderr);
  assert.match(readFileSync(svg, 'utf8'), /Angles between covariant Lyapunov vectors/);
  const wrong = cli('plot', json, '--kind', 'spectrum', '--out', join(dir, 'spectrum.svg'));
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /^rnn-lyapunov: .*clv\.json: a clv result; plot it with --kind clv-angles\n$/);

  const html = join(dir, 'report.html');
  const report = cli('report', json, '--out', html);
  assert.equal(report.code, 0, report.stderr);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<figure class="plot" id="clv-angles">/);
  assert.match(page, /Covariant Lyapunov vectors: lstm, 2 layers/);
});
