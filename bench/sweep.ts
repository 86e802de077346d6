// Sweep throughput (#19 item 3): the first N networks of a sweep design (default the
// charlm-shakespeare experiment), trained by `sweep` on --jobs processes, timed end to end;
// prints networks per hour and what share of the runs' time their spectra took (each spectra.jsonl
// line's `seconds`). --cli runs another checkout's CLI (a "before" measurement: the share is then
// only known where that checkout logs the spectra's seconds).
//
//   node --import tsx bench/sweep.ts [--spec FILE] [--networks 4] [--epochs E] [--jobs 2] [--cli path/to/src/cli/main.ts] [--json FILE]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readMetrics, readSpectra } from '../src/record/index.js';
import { option } from './argv.js';
import { machineLine } from './machine.js';

const root = resolve(import.meta.dirname, '..');
const specFile = resolve(option('spec', join(root, 'experiments/charlm-shakespeare.yaml')));
const networks = Number(option('networks', '4'));
const jobs = Number(option('jobs', '2'));
const cli = resolve(option('cli', join(root, 'src/cli/main.ts')));
const epochsArg = option('epochs', '');
const jsonOut = option('json', '');

const spec = parseYaml(readFileSync(specFile, 'utf8')) as { runCap?: number; base: { epochs: number } };
spec.runCap = networks;
if (epochsArg !== '') spec.base.epochs = Number(epochsArg);
const work = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
try {
  const specCopy = join(work, 'spec.json');
  writeFileSync(specCopy, JSON.stringify(spec));
  const out = join(work, 'sweep');
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', cli, 'sweep', specCopy, '--out', out, '--jobs', String(jobs)], { cwd: root, encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`sweep exited ${run.status}: ${run.stderr}`);

  const runsDir = join(out, 'runs');
  const perRun = readdirSync(runsDir).map((id) => {
    const dir = join(runsDir, id);
    // A run's own time: from its config.json (written as it starts) to its summary.json (the last file).
    const runSeconds = (statSync(join(dir, 'summary.json')).mtimeMs - statSync(join(dir, 'config.json')).mtimeMs) / 1000;
    const training = readMetrics(dir).reduce((sum, m) => sum + (m.seconds ?? 0), 0);
    const spectra = readSpectra(dir);
    const spectraSeconds = spectra.every((s) => s.seconds !== undefined) ? spectra.reduce((sum, s) => sum + s.seconds!, 0) : null;
    return { id, runSeconds, training, spectra: spectraSeconds, count: spectra.length };
  });
  const sum = (f: (r: (typeof perRun)[number]) => number) => perRun.reduce((s, r) => s + f(r), 0);
  const known = perRun.every((r) => r.spectra !== null);
  const result = {
    machine: machineLine(),
    spec: specFile, cli, networks: perRun.length, epochs: spec.base.epochs, jobs,
    wallSeconds: wall,
    networksPerHour: (perRun.length / wall) * 3600,
    runSeconds: sum((r) => r.runSeconds),
    trainingSeconds: sum((r) => r.training),
    spectraSeconds: known ? sum((r) => r.spectra!) : null,
    spectraShareOfRuns: known ? sum((r) => r.spectra!) / sum((r) => r.runSeconds) : null,
    spectraShareOfCoreTime: known ? sum((r) => r.spectra!) / (jobs * wall) : null,
    runs: perRun,
  };
  const pct = (x: number | null) => (x === null ? 'not logged by this checkout' : `${(100 * x).toFixed(1)}%`);
  console.log(`### Sweep throughput: ${result.networks} networks of ${specFile.replace(`${root}/`, '')}, ${result.epochs} epochs each, --jobs ${jobs}`);
  console.log(result.machine);
  console.log(`CLI: ${cli.replace(`${root}/`, '')}`);
  console.log(`wall ${wall.toFixed(1)} s: ${result.networksPerHour.toFixed(1)} networks/hour`);
  console.log(`runs' own time ${result.runSeconds.toFixed(1)} s (training epochs ${result.trainingSeconds.toFixed(1)} s); ` +
    `spectra ${result.spectraSeconds === null ? '?' : result.spectraSeconds.toFixed(1)} s in ${sum((r) => r.count)} spectra: ` +
    `${pct(result.spectraShareOfRuns)} of the runs' time, ${pct(result.spectraShareOfCoreTime)} of jobs × wall`);
  if (jsonOut !== '') writeFileSync(jsonOut, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
