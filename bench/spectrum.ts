// The whole Lyapunov spectrum step — cell step, tangent map, QR, log accumulation — in ms per step,
// for RNN (tanh), LSTM (joint (h, c) state) and GRU, against the same work in PyTorch:
//   node --import tsx bench/spectrum.ts [--sizes 64,128,256,512] [--cells rnn_tanh,lstm,gru] [--seconds 0.5] [--rounds 2] [--k K] [--torch] [--quick]
// Problem: a random 1-layer model with input size 8 and weights U(−1/√H, 1/√H), random inputs,
// batch B = 16 trajectories, k = D exponents, where D is the state dimension (H, or 2H for the
// joint LSTM), no sum rule. Engines: the js reference (float64), WebAssembly float64 and float32,
// each on 1 and 2 threads, with the default basis ('auto': kept as reflectors for RNN and GRU),
// and float64 on 2 threads with Q formed every step (basis 'explicit'). With --torch, scripts/bench_torch.py (run by /usr/bin/python3 when it
// has torch) times the PyTorch loop (dense Jacobian, bmm, batched QR, float64) in the same run, with
// glibc's malloc told to keep freed memory (bench/torch-env.ts: its faster, steadier setting).
//
// A step's time is (time of N+1 steps − time of 1 step)/N, so the setup (initial bases, kernel
// instantiation, worker start-up) cancels; each is the minimum over repetitions, N is chosen to
// take about --seconds. js steps that would take over about a second are timed on fewer
// trajectories and scaled to B (marked *). Prints a markdown table; writes bench/results.json
// (bench/results-k<K>.json with --k; nothing with --quick).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { type CellKind, type InputSequences, type RnnModel, randomModel } from '../src/cells/index.js';
import { type LinalgBackend, type Precision, Rng } from '../src/linalg/index.js';
import { type BasisForm } from '../src/lyapunov/index.js';
import { modelSpectrum, modelSpectrumThreaded, spectrumKernels } from '../src/model-spectrum/index.js';
import { option } from './argv.js';
import { measuredCeiling } from './ceiling.js';
import { machineLine } from './machine.js';
import { TORCH_ALLOCATOR, torchEnv } from './torch-env.js';

const BATCH = 16;
const INPUT_SIZE = 8;
const MAX_TIMED_STEPS = 1024;

// --quick: the engines the acceptance compares (wasm float64 on 1 and 2 threads) at D ≤ 256, one round.
const quick = process.argv.includes('--quick');
const sizes = option('sizes', quick ? '64,128' : '64,128,256,512').split(',').map(Number);
const cells = option('cells', 'rnn_tanh,lstm,gru').split(',') as CellKind[];
const seconds = Number(option('seconds', quick ? '0.2' : '0.5'));
const rounds = Number(option('rounds', quick ? '1' : '2'));
/** Exponents per trajectory: all D unless --k asks for fewer (k = 32 of D = 512 is what most users run). */
const kOption = option('k', '');
const exponents = (dim: number) => (kOption === '' ? dim : Math.min(Number(kOption), dim));
if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${option('rounds', '2')}`);

/** basis: SpectrumOptions.basis ('auto' unless set): 'explicit' times the step with Q formed. */
interface Engine { label: string; backend: LinalgBackend; precision: Precision; threads: number; basis?: BasisForm }
const ALL_ENGINES: Engine[] = [
  { label: 'js f64', backend: 'js', precision: 'float64', threads: 1 },
  { label: 'wasm f64 ×1', backend: 'wasm', precision: 'float64', threads: 1 },
  { label: 'wasm f64 ×2', backend: 'wasm', precision: 'float64', threads: 2 },
  { label: 'wasm f64 ×2, Q formed', backend: 'wasm', precision: 'float64', threads: 2, basis: 'explicit' },
  { label: 'wasm f32 ×1', backend: 'wasm', precision: 'float32', threads: 1 },
  { label: 'wasm f32 ×2', backend: 'wasm', precision: 'float32', threads: 2 },
];
const ENGINES = quick ? ALL_ENGINES.filter((e) => e.label === 'wasm f64 ×1' || e.label === 'wasm f64 ×2') : ALL_ENGINES;

const stateDim = (cell: CellKind, hidden: number) => (cell === 'lstm' ? 2 * hidden : hidden);

/**
 * Flops of one step of B trajectories at k = D as each engine computes it (the cell's forward
 * step and forming are O(D²) and left out):
 * - the basis kept as reflectors (RNN and GRU by default: 'auto'): the reflectors applied to the
 *   dense Jacobian's rows, 4D²k − 2Dk² = 2D³, and the factorisation, 2Dk² − 2k³/3 = 4D³/3;
 * - Q formed (the joint LSTM, and the 'Q formed' engine): the tangent map, 2D²k for a dense
 *   Jacobian (RNN, GRU's formed matrix) or D²k for the joint LSTM's 2H×H formed matrix, plus the
 *   factorisation and Q's formation, 8D³/3;
 * - js: the reference tangent map and Gram–Schmidt twice, 4Dk² = 4D³.
 * PyTorch's loop does 2D³ (bmm) + 8D³/3 (geqrf + orgqr) per trajectory.
 */
function stepFlops(cell: CellKind, d: number, engine: Engine): number {
  const cube = d ** 3;
  const tangent = cell === 'lstm' ? cube : 2 * cube;
  if (engine.backend === 'js') return BATCH * (tangent + 4 * cube);
  const reflectors = engine.basis !== 'explicit' && cell !== 'lstm';
  return BATCH * (reflectors ? (10 / 3) * cube : tangent + (8 / 3) * cube);
}
/** The SIMD multiply-add rate of one core measured on this machine (bench/ceiling.ts), GFLOP/s. */
const ceiling = measuredCeiling();
const ceilingGflops = (e: Engine) => ceiling[e.precision] * e.threads;

/** Trajectories the js reference is timed on: all B while a step stays under about a second (≈ 1 GFLOP/s). */
const jsTrajectories = (d: number) => Math.max(1, Math.min(BATCH, Math.floor(1e9 / (6 * d ** 3))));

function randomInputs(batch: number, steps: number, rng: Rng): InputSequences {
  return { batch, steps, size: INPUT_SIZE, data: rng.fillNormal(new Float64Array(batch * steps * INPUT_SIZE)) };
}

/** One run of `steps` Lyapunov steps from scratch (bases, kernels, workers), as a user would call it. */
async function runSpectrum(engine: Engine, model: RnnModel, inputs: InputSequences, steps: number): Promise<void> {
  const k = exponents(stateDim(model.cell, model.hiddenSize));
  const options = { steps, k, sumRule: false, ...(engine.basis ? { basis: engine.basis } : {}) };
  if (engine.threads === 1) {
    modelSpectrum(model, inputs, { ...options, ...spectrumKernels(engine.backend, engine.precision) });
  } else {
    await modelSpectrumThreaded(model, inputs, { ...options, threads: engine.threads, backend: engine.backend, precision: engine.precision });
  }
}

/**
 * ms per step: (min time of N+1 steps − min time of 1 step)/N. N grows until the N steps take
 * about `seconds` and at least as long as the setup, so that the setup's jitter (worker start-up)
 * is small against them; then one more repetition of both. `estimateMs`, a step's expected time,
 * lets N start near its final value (each try costs a setup).
 */
async function msPerStep(run: (steps: number) => Promise<void>, estimateMs: number | null): Promise<{ ms: number; timedSteps: number }> {
  const best = new Map<number, number>();
  const time = async (steps: number) => {
    const start = performance.now();
    await run(steps);
    best.set(steps, Math.min(best.get(steps) ?? Infinity, performance.now() - start));
  };
  const target = seconds * 1000;
  const stepsFor = (ms: number, stepMs: number) => Math.min(MAX_TIMED_STEPS, Math.max(1, Math.ceil(ms / Math.max(stepMs, 1e-3))));
  // Without an estimate, a warm-up run first (JIT tiers, wasm compilation), so that the first
  // difference is not skewed; kept as a sample, since only minima are used. A threaded run
  // starts cold workers each time, so it gains nothing from one.
  if (estimateMs === null) await time(1);
  await time(1);
  let n = estimateMs === null ? 1 : stepsFor(Math.max(target, best.get(1)! - estimateMs), estimateMs);
  for (;;) {
    await time(n + 1);
    const stepsMs = best.get(n + 1)! - best.get(1)!;
    const setupMs = best.get(1)! - stepsMs / n;
    if (n === MAX_TIMED_STEPS || (stepsMs >= target / 2 && stepsMs >= setupMs)) break;
    n = Math.min(stepsFor(Math.max(target, setupMs), stepsMs / n), 8 * n);
  }
  await time(1);
  await time(n + 1);
  return { ms: Math.max(0, best.get(n + 1)! - best.get(1)!) / n, timedSteps: n };
}

/** ms per step of B trajectories; `trajectories` < B were timed when `scaled`; N = `timedSteps`. */
interface Timing { ms: number | null; scaled: boolean; trajectories: number; timedSteps?: number; error?: string }
interface TorchTiming { threads: number; msPerStep: number; medianMs: number }
interface Row {
  cell: CellKind; hidden: number; dim: number;
  engines: Record<string, Timing>;
  torch: TorchTiming[];
}

/**
 * Times the row's engines once more, keeping each engine's faster figure; the js reference (whose
 * figures are only context) runs in the first round alone.
 */
async function benchRow(row: Row, round: number): Promise<void> {
  const { cell, hidden, dim, engines } = row;
  const rng = new Rng(2024);
  const model = randomModel({ cell, inputSize: INPUT_SIZE, hiddenSize: hidden, numLayers: 1, bias: true }, rng, 1 / Math.sqrt(hidden));
  const inputs = randomInputs(BATCH, MAX_TIMED_STEPS + 1, rng);
  for (const engine of ENGINES) {
    if (engine.backend === 'js' && round > 0) continue;
    const trajectories = engine.backend === 'js' ? jsTrajectories(dim) : BATCH;
    const part = { ...inputs, batch: trajectories, data: inputs.data.subarray(0, trajectories * inputs.steps * INPUT_SIZE) };
    // A threaded engine starts N near the one-thread engine's step time divided by the threads.
    const oneThread = engines[ENGINES.find((e) => e.threads === 1 && e.backend === engine.backend && e.precision === engine.precision && !e.basis)!.label];
    const estimateMs = engine.threads > 1 && oneThread?.ms != null ? oneThread.ms / engine.threads : null;
    try {
      const { ms, timedSteps } = await msPerStep((steps) => runSpectrum(engine, model, part, steps), estimateMs);
      const earlier = engines[engine.label]?.ms;
      if (earlier == null || (ms * BATCH) / trajectories < earlier) {
        engines[engine.label] = { ms: (ms * BATCH) / trajectories, scaled: trajectories < BATCH, trajectories, timedSteps };
      }
    } catch (error) {
      // An engine this checkout cannot run yet (e.g. float32 kernels not built) reads n/a.
      const message = error instanceof Error ? error.message : String(error);
      console.error(`bench/spectrum: ${engine.label}, ${cell} H=${hidden}: n/a (${message})`);
      engines[engine.label] = { ms: null, scaled: false, trajectories, error: message };
    }
  }
}

/**
 * PyTorch's timings into the rows (the faster of this and an earlier run for each row and thread
 * count), and torch's version; null when /usr/bin/python3 has no torch.
 */
function runTorch(rows: Row[], env: NodeJS.ProcessEnv): string | null {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) {
    console.error('bench/spectrum: /usr/bin/python3 not found; skipping the PyTorch comparison');
    return null;
  }
  const script = join(import.meta.dirname, '..', 'scripts', 'bench_torch.py');
  const kArgs = kOption === '' ? [] : ['--k', kOption];
  const run = spawnSync(python, [script, '--sizes', sizes.join(','), '--cells', cells.join(','), '--seconds', String(2 * seconds), ...kArgs], {
    encoding: 'utf8', env,
  });
  if (run.status !== 0) {
    console.error(`bench/spectrum: PyTorch comparison skipped: ${run.stderr.trim().split('\n').pop()}`);
    return null;
  }
  let version: string | null = null;
  for (const line of run.stdout.trim().split('\n')) {
    const r = JSON.parse(line) as { cell: string; hidden: number; threads: number; msPerStep: number; medianMs: number; torch: string; blas: string };
    version = `${r.torch} with ${r.blas}`;
    const row = rows.find((x) => x.cell === r.cell && x.hidden === r.hidden);
    const earlier = row?.torch.find((t) => t.threads === r.threads);
    if (earlier === undefined) row?.torch.push({ threads: r.threads, msPerStep: r.msPerStep, medianMs: r.medianMs });
    else if (r.msPerStep < earlier.msPerStep) Object.assign(earlier, { msPerStep: r.msPerStep, medianMs: r.medianMs });
  }
  return version;
}

// Rounds: all our rows, then PyTorch (its BLAS's own threads as configured in even rounds,
// OPENBLAS_NUM_THREADS=1 in odd ones: with OpenBLAS either can be faster), again and again; every
// figure is the fastest of its rounds. A shared machine has slow spells lasting seconds, which
// would otherwise decide whole rows of one side only.
const rows: Row[] = cells.flatMap((cell) => sizes.map((hidden) => ({ cell, hidden, dim: stateDim(cell, hidden), engines: {}, torch: [] })));
let torchVersion: string | null = null;
for (let round = 0; round < rounds; round++) {
  for (const row of rows) {
    const start = performance.now();
    await benchRow(row, round);
    console.error(`bench/spectrum: round ${round + 1}/${rounds}, ${row.cell} H=${row.hidden} timed in ${((performance.now() - start) / 1000).toFixed(0)} s`);
  }
  if (process.argv.includes('--torch')) {
    torchVersion = runTorch(rows, round % 2 === 0 ? torchEnv() : torchEnv(1)) ?? torchVersion;
  }
}

const cores = cpus().length;
const torchThreads = [...new Set(rows.flatMap((r) => r.torch.map((t) => t.threads)))].sort((a, b) => a - b);
const torchAt = (r: Row, threads: number) => r.torch.find((t) => t.threads === threads)?.msPerStep;
const manyThreads = torchThreads.at(-1) ?? cores;

function best(r: Row): { engine: Engine; ms: number } | null {
  let found: { engine: Engine; ms: number } | null = null;
  for (const engine of ENGINES) {
    const ms = r.engines[engine.label]?.ms;
    if (ms != null && (found === null || ms < found.ms)) found = { engine, ms };
  }
  return found;
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 1000 ? ms.toPrecision(3) : ms.toFixed(0));
const fmtMs = (t: Timing | undefined) => (t?.ms == null ? 'n/a' : `${fmt(t.ms)}${t.scaled ? '*' : ''}`);
const fmtTorch = (ms: number | undefined) => (ms === undefined ? '–' : fmt(ms));
/** How many times faster `ours` is than `theirs`. */
const speedup = (ours: number | null | undefined, theirs: number | undefined) => (ours == null || theirs === undefined ? '–' : `${(theirs / ours).toFixed(2)}×`);

console.log(`## Lyapunov spectrum step: ms per step (batch ${BATCH}, ${kOption === '' ? 'k = D' : `k = min(${kOption}, D)`}, input size ${INPUT_SIZE}, no sum rule)`);
console.log(`${machineLine()}${torchVersion ? `, PyTorch ${torchVersion} (float64; ${TORCH_ALLOCATOR})` : ''}\n`);
const engineHeads = ENGINES.map((e) => e.label);
const torchHeads = torchThreads.map((t) => `PyTorch f64 ×${t}`);
console.log(`| cell | H | D | ${[...engineHeads, ...torchHeads].join(' | ')} | best: GFLOP/s of ceiling | wasm f64 ×1 vs PyTorch ×1 | wasm f64 ×2 vs PyTorch ×1 | wasm f64 ×2 vs PyTorch ×${manyThreads} |`);
console.log(`|${'---|'.repeat(3 + engineHeads.length + torchHeads.length + 4)}`);
for (const r of rows) {
  const top = best(r);
  const rate = top === null || exponents(r.dim) < r.dim ? '–'
    : `${(stepFlops(r.cell, r.dim, top.engine) / top.ms / 1e6).toFixed(1)} of ${ceilingGflops(top.engine).toFixed(1)} (${top.engine.label})`;
  const cellsOut = [
    r.cell, r.hidden, r.dim,
    ...ENGINES.map((e) => fmtMs(r.engines[e.label])),
    ...torchThreads.map((t) => fmtTorch(torchAt(r, t))),
    rate,
    speedup(r.engines['wasm f64 ×1']?.ms, torchAt(r, 1)),
    speedup(r.engines['wasm f64 ×2']?.ms, torchAt(r, 1)),
    speedup(r.engines['wasm f64 ×2']?.ms, torchAt(r, manyThreads)),
  ];
  console.log(`| ${cellsOut.join(' | ')} |`);
}
console.log(`\nD = H (2H for the LSTM's joint (h, c) state). ×n = threads. Ratios are PyTorch's ms/step over ours (> 1: we are faster).`
  + ` GFLOP/s counts each engine's own flops at k = D (basis as reflectors: B·(10/3)·D³; Q formed: B·(2 + 8/3)·D³, B·(1 + 8/3)·D³ for the joint LSTM),`
  + ` against the WebAssembly ceiling measured here (bench/ceiling.ts): ${ceiling.float64.toFixed(1)} GFLOP/s per core for float64, ${ceiling.float32.toFixed(1)} for float32, × threads.`
  + ` * = js timed on fewer trajectories (about a second per step) and scaled to ${BATCH}.`
  + ` PyTorch: cell step, analytic dense Jacobian, bmm, torch.linalg.qr; minimum over steps after a warm-up.`);

const results = {
  benchmark: 'Lyapunov spectrum step',
  units: 'ms per step',
  batch: BATCH, k: kOption === '' ? 'D (all exponents)' : `min(${kOption}, D)`, inputSize: INPUT_SIZE, sumRule: false,
  timing: '(min time of N+1 steps − min time of 1 step)/N; PyTorch: min over timed steps after one warm-up; each the fastest of its rounds',
  rounds,
  flopsPerStep: 'at k = D: basis as reflectors (RNN, GRU by default) B·(10/3)·D³; Q formed B·(2 + 8/3)·D³, joint LSTM B·(1 + 8/3)·D³',
  wasmCeilingGflopsPerCore: ceiling,
  machine: { machine: machineLine(), torch: torchVersion },
  rows,
};
// The full k = D run is the committed record; a --k run has a file of its own, a --quick run none.
if (!quick) {
  const out = join(import.meta.dirname, kOption === '' ? 'results.json' : `results-k${kOption}.json`);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.error(`bench/spectrum: wrote ${out}`);
}
