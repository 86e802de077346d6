// Covariant Lyapunov vectors against the spectrum they extend, in ms per step of one trajectory:
//   node --import tsx bench/clv.ts [--sizes 64,128,256,512] [--steps 40] [--rounds 3]
// Problem: a random 1-layer tanh RNN (input size 8, weights U(−1/√H, 1/√H)), random inputs, k = D = H,
// the WebAssembly float64 kernels, one thread. Columns: the spectrum step (lyapunovSpectrum, its
// default basis), the CLVs' forward step (the same QR iteration with Q formed, plus R = Qᵀ(JQ) kept),
// the backward step (C ← R⁻¹C with columns normalised, kernels.triangularSolve: k³/6 flops), and the
// backward step relative to the spectrum step (the target: below 1). A step's time is
// (min time of T+1 steps − min time of 1 step)/T over rounds (after a warm-up), so that the setup
// cancels; the forward CLV step is the CLV run's step less its backward step.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createCellSystem, randomModel } from '../src/cells/index.js';
import { createKernels, Rng } from '../src/linalg/index.js';
import { covariantLyapunovVectors, lyapunovSpectrum } from '../src/lyapunov/index.js';
import { option } from './argv.js';
import { minimumMs } from './timing.js';

const INPUT_SIZE = 8;
const sizes = option('sizes', '64,128,256,512').split(',').map(Number);
const steps = Number(option('steps', '40'));
const rounds = Number(option('rounds', '3'));


/** ms per step of `run`: the setup (bases, stores) cancels in the difference. */
function perStepMs(run: (steps: number) => void): number {
  run(1);
  return Math.max(0, minimumMs(rounds, () => run(steps + 1)) - minimumMs(rounds, () => run(1))) / steps;
}

interface Row { dim: number; spectrumMs: number; forwardMs: number; backwardMs: number; ratio: number }
const rows: Row[] = [];
for (const d of sizes) {
  const rng = new Rng(2024);
  const model = randomModel({ cell: 'rnn_tanh', inputSize: INPUT_SIZE, hiddenSize: d, numLayers: 1, bias: true }, rng, 1 / Math.sqrt(d));
  const inputs = { batch: 1, steps: steps + 1, size: INPUT_SIZE, data: rng.fillNormal(new Float64Array((steps + 1) * INPUT_SIZE)) };
  const kernels = createKernels('wasm');
  const system = () => createCellSystem(model, inputs, { kernels });
  const spectrumMs = perStepMs((t) => lyapunovSpectrum(system(), { steps: t, kernels, sumRule: false }));
  const clvMs = perStepMs((t) => covariantLyapunovVectors(system(), { window: t, backwardTransient: 0, every: t, kernels }));
  // The backward step alone: triangular solves on well-conditioned upper triangular R's, as many as steps.
  const r = new Float64Array((d * (d + 1)) / 2);
  for (let l = 0; l < d; l++) for (let i = 0; i <= l; i++) r[(l * (l + 1)) / 2 + i] = i === l ? 1 + rng.uniform() : rng.normal() / Math.sqrt(d);
  const c = new Float64Array(d * d);
  const norms = new Float64Array(d);
  const backwardMs = minimumMs(rounds, () => {
    for (let j = 0; j < d; j++) for (let i = 0; i <= j; i++) c[j * d + i] = i === j ? 1 : 0;
    for (let t = 0; t < steps; t++) kernels.triangularSolve(r, d, c, norms);
  }) / steps;
  rows.push({ dim: d, spectrumMs, forwardMs: clvMs - backwardMs, backwardMs, ratio: backwardMs / spectrumMs });
  console.error(`bench/clv: D = ${d} done`);
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(3) : ms.toPrecision(3));
console.log(`## Covariant Lyapunov vectors: ms per step of one trajectory (tanh RNN, k = D, wasm float64, 1 thread, T = ${steps}, min of ${rounds} rounds)`);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}\n`);
console.log('| D | spectrum step | CLV forward step | CLV backward step | backward / spectrum |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.dim} | ${fmt(row.spectrumMs)} | ${fmt(row.forwardMs)} | ${fmt(row.backwardMs)} | ${row.ratio.toFixed(2)} |`);
const out = join(import.meta.dirname, 'clv-results.json');
writeFileSync(out, `${JSON.stringify({ benchmark: 'covariant Lyapunov vectors', units: 'ms per step, one trajectory', steps, rounds, machine: { cpu: cpus()[0]?.model, node: process.version }, rows }, null, 2)}\n`);
console.error(`bench/clv: wrote ${out}`);
