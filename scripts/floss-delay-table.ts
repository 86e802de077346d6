// The table and plot of experiments/floss-delay.yaml from its results file (`sweep export`):
//   node --import tsx scripts/floss-delay-table.ts experiments/floss-delay.results.jsonl [--plot experiments/floss-delay.svg]
// Prints, per cell, delay and flossing off/on: how many seeds learned the task (final validation
// loss at most half the chance level ln 2), the final losses, and λ₁ at initialisation and at the
// end (held-out spectra of the training loop). With --plot, writes the final loss against the delay.
import { readFileSync, writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { decodeJson } from '../src/record/index.js';
import { renderSvg } from '../src/report/plots/svg.js';
import { PANEL, SPEC_BASE } from '../src/report/plots/theme.js';

const SOLVED = 0.5 * Math.log(2);

interface Line {
  params: Record<string, number | string | null>;
  valLoss: number[];
  lambda: Record<string, number[]>;
}

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: floss-delay-table.ts RESULTS.jsonl [--plot OUT.svg]');
const lines = readFileSync(file, 'utf8').trim().split('\n').map((text, i) => decodeJson(text, `${file} line ${i + 1}`) as Line);
const flossing = (line: Line) => (line.params['floss'] == null || line.params['floss'] === 'null' ? 'off' : 'on');
const lambda1 = (line: Line, which: 'first' | 'last') => {
  const epochs = Object.keys(line.lambda).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return line.lambda[which === 'first' ? epochs[0]! : epochs.at(-1)!]![0]!;
};
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

const groups = new Map<string, Line[]>();
for (const line of lines) {
  const key = `${line.params['cell']}|${line.params['task.delay']}|${flossing(line)}`;
  groups.set(key, [...(groups.get(key) ?? []), line]);
}
const rows = [...groups.entries()].map(([key, group]) => {
  const [cell, delay, floss] = key.split('|') as [string, string, string];
  return { cell, delay: Number(delay), floss, group };
}).sort((a, b) => a.cell.localeCompare(b.cell) || a.delay - b.delay || a.floss.localeCompare(b.floss));

console.log(`| cell | delay | flossing | learned (final val loss ≤ ${SOLVED.toFixed(3)}) | final val loss per seed | λ₁ at epoch 0 → last (mean) |`);
console.log('|---|---|---|---|---|---|');
for (const { cell, delay, floss, group } of rows) {
  const finals = group.map((line) => line.valLoss.at(-1)!);
  const learned = finals.filter((loss) => loss <= SOLVED).length;
  console.log(
    `| ${cell} | ${delay} | ${floss} | ${learned}/${group.length} | ${finals.map((l) => l.toFixed(3)).join(', ')} | ` +
      `${mean(group.map((l) => lambda1(l, 'first'))).toFixed(3)} → ${mean(group.map((l) => lambda1(l, 'last'))).toFixed(3)} |`,
  );
}

const at = process.argv.indexOf('--plot');
if (at >= 0) {
  const values = lines.map((line) => ({
    cell: line.params['cell'], delay: line.params['task.delay'], flossing: flossing(line), loss: line.valLoss.at(-1)!,
  }));
  const spec = {
    ...SPEC_BASE,
    title: { text: 'Delayed XOR: final validation loss against the delay', subtitle: 'each point one seed; the dashed line is the chance level ln 2' },
    data: { values },
    facet: { column: { field: 'cell', type: 'nominal', title: null } },
    spec: {
      width: Math.round(PANEL.width / 2), height: PANEL.height,
      layer: [
        { mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, encoding: { y: { datum: Math.log(2) } } },
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x: { field: 'delay', type: 'quantitative', scale: { type: 'log', base: 2 }, axis: { values: [5, 10, 20, 40] }, title: 'delay (steps)' },
            y: { field: 'loss', type: 'quantitative', title: 'final validation loss (nats)' },
            color: { field: 'flossing', type: 'nominal', title: 'flossing', scale: { domain: ['off', 'on'], range: ['#d95f02', '#1b9e77'] } },
          },
        },
        { mark: { type: 'line' }, encoding: { x: { field: 'delay', type: 'quantitative' }, y: { aggregate: 'mean', field: 'loss', type: 'quantitative' }, color: { field: 'flossing', type: 'nominal' } } },
      ],
    },
  } as unknown as TopLevelSpec;
  writeFileSync(process.argv[at + 1]!, await renderSvg(spec));
}
