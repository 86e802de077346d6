/**
 * The Lorenz-63 forecasting experiment (experiments/README.md, "Closed-loop spectra of trained
 * forecasters"): for each trained run directory (`train --task lorenz`, any cell, or `--cell
 * esn`), the closed-loop spectrum per time unit against Lorenz-63's own (computed here with the
 * same QR method on the exact RK4 tangent), the Kaplan–Yorke dimension, and the forecast horizon
 * in Lyapunov times; a JSON result, a Markdown table on stdout and a plot of true vs learned spectra.
 *
 *   node --import tsx scripts/lorenz-experiment.ts --out experiments/lorenz-forecast RUN_DIR...
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  closedLoopEchoState, createEchoStateSystem, zeroInputs,
  type Readout, type RnnModel,
} from '../src/cells/index.js';
import { readLeakyFile } from '../src/io/leaky-file.js';
import { createKernels, Rng } from '../src/linalg/index.js';
import { lyapunovSpectrum } from '../src/lyapunov/spectrum.js';
import { kaplanYorkeDimension } from '../src/lyapunov/statistics.js';
import { lorenz63 } from '../src/lyapunov/systems/lorenz.js';
import { closedLoopSystem, modelSpectrum } from '../src/model-spectrum/index.js';
import { latestCheckpoint, readConfig, readMetrics } from '../src/record/index.js';
import { renderPlot } from '../src/report/plots/render.js';
import { PANEL_SPEC } from '../src/report/plots/theme.js';
import {
  CHECKPOINT_FILES, esnClosedLoopSpectrum, lorenzTask, readCheckpointNetwork, resolveTaskSpec, toRnnModel,
  type LorenzOptions, type LorenzTask,
} from '../src/train/index.js';

/** Lorenz-63's spectrum per time unit and its Kaplan–Yorke dimension, as published (method.md). */
const PUBLISHED = { exponents: [0.9056, 0, -14.5723], kaplanYorke: 2.06 };
/** The normalised forecast error at which a forecast counts as lost (Pathak et al. 2018 use 0.4). */
const ERROR_THRESHOLD = 0.4;
const WARMUP = 200;
const FORECAST_STARTS = 32;
const HORIZON_CAP_LYAPUNOV_TIMES = 25;

const { values, positionals: runs } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    steps: { type: 'string', default: '25000' },
    transient: { type: 'string', default: '2500' },
    batch: { type: 'string', default: '8' },
    k: { type: 'string', default: '4' },
  },
});
if (values.out === undefined || runs.length === 0) throw new Error('usage: lorenz-experiment.ts --out PREFIX RUN_DIR...');
const [steps, transient, batch, k] = [values.steps, values.transient, values.batch, values.k].map(Number) as [number, number, number, number];

interface Forecaster {
  name: string;
  cell: string;
  hidden: number;
  task: LorenzTask;
  dt: number;
  valLoss: number;
  /** Closed-loop exponents per step, with their standard errors, and the run time of the spectrum. */
  spectrum(): { exponents: number[]; stderr: number[] };
  /** Predictions û_{W}, û_{W+1}, … (horizon of them) after a teacher-forced warm-up on `inputs` ([W × 3]). */
  forecast(inputs: Float64Array, horizon: number): Float64Array;
}

const kernels = createKernels();

function readoutOf(weight: Float64Array, bias: Float64Array | undefined, state: Float64Array, n: number, out: Float64Array, at: number): void {
  for (let i = 0; i < 3; i++) {
    let y = bias?.[i] ?? 0;
    for (let j = 0; j < n; j++) y += weight[i * n + j]! * state[j]!;
    out[at + i] = y;
  }
}

function taskOf(dir: string): LorenzTask {
  const { name, ...options } = resolveTaskSpec((readConfig(dir) as { task: unknown }).task);
  if (name !== 'lorenz') throw new Error(`${dir}: not a lorenz run (task ${name})`);
  return lorenzTask(options as LorenzOptions);
}

function spectrumInputs(task: LorenzTask) {
  return task.spectrumInputs(batch, WARMUP, new Rng(17));
}

function bpttForecaster(dir: string): Forecaster {
  const checkpoint = latestCheckpoint(dir)!;
  const params = readCheckpointNetwork(checkpoint.files[CHECKPOINT_FILES.model]!, checkpoint.files[CHECKPOINT_FILES.readout]!, 'float64');
  const { model, readout } = toRnnModel(params);
  const task = taskOf(dir);
  const metrics = readMetrics(dir);
  return {
    name: dir, cell: model.cell, hidden: model.hiddenSize, task, dt: task.closedLoop!.dt,
    valLoss: metrics.at(-1)!.valLoss!,
    spectrum: () => modelSpectrum(model, spectrumInputs(task), { k, steps, transient, seed: 5, kernels, closedLoop: { readout, warmup: WARMUP } }),
    forecast: (inputs, horizon) => rnnForecast(model, readout, inputs, horizon),
  };
}

function rnnForecast(model: RnnModel, readout: Required<Readout>, inputs: Float64Array, horizon: number): Float64Array {
  const warmup = inputs.length / 3;
  const system = closedLoopSystem(model, { batch: 1, steps: warmup, size: 3, data: inputs }, { readout, warmup }, horizon, { kernels });
  const out = new Float64Array(horizon * 3);
  const h = model.hiddenSize;
  readoutOf(readout.weight, readout.bias, system.output(), h, out, 0);
  for (let t = 0; t + 1 < horizon; t++) {
    system.step(t);
    readoutOf(readout.weight, readout.bias, system.output(), h, out, (t + 1) * 3);
  }
  return out;
}

function esnForecaster(dir: string): Forecaster {
  const file = readLeakyFile(join(dir, 'model.safetensors'));
  if (file.kind !== 'esn') throw new Error(`${dir}: model.safetensors is not an echo-state network`);
  const { model, readout } = file;
  const n = model.hiddenSize;
  const task = taskOf(dir);
  return {
    name: dir, cell: 'esn', hidden: n, task, dt: task.closedLoop!.dt, valLoss: readMetrics(dir).at(-1)!.valLoss!,
    spectrum: () => esnClosedLoopSpectrum(model, readout, spectrumInputs(task), { k, steps, transient, seed: 5, kernels }),
    forecast(inputs, horizon) {
      const warm = createEchoStateSystem(model, { batch: 1, steps: inputs.length / 3, size: 3, data: inputs }, { kernels });
      for (let t = 0; t < inputs.length / 3; t++) warm.step(t);
      const system = createEchoStateSystem(closedLoopEchoState(model, readout), zeroInputs(1, horizon, 3), { initialState: warm.state, kernels });
      const out = new Float64Array(horizon * 3);
      readoutOf(readout.weight, readout.bias, system.state, n, out, 0);
      for (let t = 0; t + 1 < horizon; t++) {
        system.step(t);
        readoutOf(readout.weight, readout.bias, system.state, n, out, (t + 1) * 3);
      }
      return out;
    },
  };
}

/** Valid prediction times in Lyapunov times (t·dt·λ₁ of Lorenz-63) from FORECAST_STARTS evenly spaced starts in the test part. */
function horizons(f: Forecaster): number[] {
  const test = f.task.series('test');
  const cap = Math.ceil(HORIZON_CAP_LYAPUNOV_TIMES / (PUBLISHED.exponents[0]! * f.dt));
  const span = test.steps - WARMUP - cap;
  if (span < FORECAST_STARTS) throw new Error(`${f.name}: the test part (${test.steps} steps) is too short for ${FORECAST_STARTS} forecasts of ${cap} steps`);
  let meanSquare = 0;
  for (let i = 0; i < test.inputs.length; i++) meanSquare += test.inputs[i]! ** 2;
  const scale = Math.sqrt(meanSquare / test.steps);
  return Array.from({ length: FORECAST_STARTS }, (_, j) => {
    const start = Math.floor((j * span) / FORECAST_STARTS);
    const predicted = f.forecast(test.inputs.slice(start * 3, (start + WARMUP) * 3), cap);
    let t = 0;
    for (; t < cap; t++) {
      let squares = 0;
      for (let c = 0; c < 3; c++) squares += (predicted[t * 3 + c]! - test.inputs[(start + WARMUP + t) * 3 + c]!) ** 2;
      if (Math.sqrt(squares) / scale > ERROR_THRESHOLD) break;
    }
    return t * f.dt * PUBLISHED.exponents[0]!;
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number, digits = 4) => Number(x.toFixed(digits));

// Lorenz-63 itself, by the same QR method on the exact tangent of the RK4 step.
const dt = taskOf(runs[0]!).closedLoop!.dt;
const started = Date.now();
const truth = lyapunovSpectrum(lorenz63({ dt, batch, seed: 3 }), { k: 3, steps, transient, seed: 5 });
const reference = {
  exponents: truth.exponents.map((x) => round(x)), stderr: truth.stderr.map((x) => round(x, 5)),
  sum: round(truth.exponents.reduce((a, b) => a + b, 0)), kaplanYorke: round(kaplanYorkeDimension(truth.exponents).value, 3),
  timeUnits: steps * dt, seconds: round((Date.now() - started) / 1000, 1),
};

const results = runs.map((dir) => {
  const f = (readConfig(dir) as { cell?: string }).cell === 'esn' ? esnForecaster(dir) : bpttForecaster(dir);
  const t0 = Date.now();
  const spectrum = f.spectrum();
  const perTime = spectrum.exponents.map((x) => x / f.dt);
  const sum3 = perTime.slice(0, 3).reduce((a, b) => a + b, 0);
  const vpt = horizons(f);
  const [l1, l2] = perTime as [number, number];
  return {
    run: basename(dir), cell: f.cell, hidden: f.hidden, valLoss: f.valLoss,
    exponents: perTime.map((x) => round(x)), stderr: spectrum.stderr.map((x) => round(x / f.dt, 5)),
    sum3: round(sum3), kaplanYorke: round(kaplanYorkeDimension(perTime).value, 3),
    horizonMedian: round(median(vpt), 2), horizonMean: round(vpt.reduce((a, b) => a + b, 0) / vpt.length, 2),
    criteria: {
      lambda1Within10Percent: Math.abs(l1 / PUBLISHED.exponents[0]! - 1) <= 0.1,
      lambda2Within005: Math.abs(l2) <= 0.05,
      sumWithin10Percent: Math.abs(sum3 / (PUBLISHED.exponents[0]! + PUBLISHED.exponents[2]!) - 1) <= 0.1,
    },
    seconds: round((Date.now() - t0) / 1000, 1),
  };
});

const result = { published: PUBLISHED, dt, steps, transient, batch, k, warmup: WARMUP, errorThreshold: ERROR_THRESHOLD, reference, models: results };
writeFileSync(`${values.out}.results.json`, `${JSON.stringify(result, null, 2)}\n`);

const fmt = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);
const lines = [
  '| model | val MSE | λ₁ | λ₂ | λ₃ | λ₄ | λ₁+λ₂+λ₃ | D_KY | horizon (Lyapunov times, median) |',
  '|---|---|---|---|---|---|---|---|---|',
  `| Lorenz-63 (RK4, dt ${dt}) | – | ${reference.exponents.map(fmt).join(' | ')} | – | ${fmt(reference.sum)} | ${reference.kaplanYorke.toFixed(2)} | – |`,
  ...results.map((r) => `| ${r.run} | ${r.valLoss.toExponential(1)} | ${r.exponents.slice(0, 4).map(fmt).join(' | ')} | ${fmt(r.sum3)} | ${r.kaplanYorke.toFixed(2)} | ${r.horizonMedian.toFixed(1)} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);

const points = [
  ...reference.exponents.map((lambda, i) => ({ model: 'Lorenz-63', i: i + 1, lambda })),
  ...results.flatMap((r) => r.exponents.map((lambda, i) => ({ model: r.run, i: i + 1, lambda }))),
];
const spec = {
  ...PANEL_SPEC,
  title: { text: 'Closed-loop spectra of trained forecasters vs Lorenz-63', subtitle: `per time unit, dt ${dt}, ${steps * dt} time units × ${batch} trajectories` },
  data: { values: points },
  mark: { type: 'point', filled: true, size: 70, opacity: 0.85 },
  encoding: {
    x: { field: 'i', type: 'ordinal', title: 'index i', axis: { labelAngle: 0 } },
    xOffset: { field: 'model' },
    y: { field: 'lambda', type: 'quantitative', title: 'λᵢ (nats per time unit)' },
    color: { field: 'model', type: 'nominal', title: null },
    shape: { field: 'model', type: 'nominal' },
  },
};
writeFileSync(`${values.out}.png`, await renderPlot(spec as never, 'png'));
