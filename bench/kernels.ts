// Per-step cost of the two linalg kernels of the Lyapunov loop, for both backends and, for wasm,
// both precisions (float64 'wasm', float32 'wasm-f32'):
//   node --import tsx bench/kernels.ts [--sizes 64,128,256,512] [--batch 16] [--seconds 1.5]
// One "step" at state dimension D with a batch of B trajectories and k = D exponents is
//   matmul: one D×D weight matrix times all B·D tangent vectors (m = n = D, k = B·D), as the
//           cells call it once per layer;
//   QR:     B thin QRs of D×D blocks;
//   reflector step: B times Z = M·Q with Q kept as the reflectors of the last QR, then Z's QR
//           (what replaces both with the spectrum's basis 'reflectors'), M copied in per call.
// Times are the minimum over repetitions (the machine may be shared). wasm runs on resident
// buffers (no copies, no float32 conversions), as the step loop will. js steps that would take
// over a second are timed on one trajectory and multiplied by B (marked *).
import {
  type LinalgKernels, referenceKernels, Rng, WasmFloat32Kernels, WasmKernels, type WasmKernelsBase, type WasmBuffer,
} from '../src/linalg/index.js';
import { option } from './argv.js';
import { measuredCeiling } from './ceiling.js';
import { machineLine } from './machine.js';


const sizes = option('sizes', '64,128,256,512').split(',').map(Number);
const batch = Number(option('batch', '16'));
const seconds = Number(option('seconds', '1.5'));

/** Minimum time of `run` (ms) over repetitions for about `seconds`, `prepare` untimed before each. */
function minTime(run: () => void, prepare: () => void = () => {}): number {
  prepare();
  run(); // warm-up: JIT tiers, page faults
  let best = Infinity;
  const until = performance.now() + seconds * 1000;
  for (let reps = 0; reps < 3 || performance.now() < until; reps++) {
    prepare();
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

interface Row { d: number; backend: string; matmulMs: number; qrMs: number; reflectorMs: number; scaled: boolean }

/**
 * One reflector step per trajectory (Z = M·Q with Q kept as reflectors, then Z's QR: what replaces
 * the matmul and the QR with basis 'reflectors'), through the kernels' interface as the spectrum
 * calls it (M copied in per call). `share` trajectories are timed, scaled to the batch.
 */
function reflectorStepMs(kernels: LinalgKernels, d: number, share: number, rng: Rng): number {
  const store = kernels.createReflectorStore(d, d, share);
  const rDiag = new Float64Array(d);
  for (let b = 0; b < share; b++) kernels.qrReflectors(rng.fillNormal(new Float64Array(d * d)), store, b, rDiag);
  const m = rng.fillNormal(new Float64Array(d * d), 1 / Math.sqrt(d));
  return (minTime(() => { for (let b = 0; b < share; b++) kernels.reflectorStep(m, store, b, rDiag); }) * batch) / share;
}

function benchWasm(d: number, rng: Rng, kernels: WasmKernelsBase<WasmBuffer<Float64Array | Float32Array>>): Row {
  const a = kernels.allocate(d * d);
  const x = kernels.allocate(d * d * batch);
  const out = kernels.allocate(d * d * batch);
  const blocks = kernels.allocate(d * d * batch);
  const rDiag = kernels.allocate(d * batch);
  kernels.reserveQr(d, d);
  const trajectories = Array.from({ length: batch }, (_, b) => [blocks.slice(b * d * d, d * d), rDiag.slice(b * d, d)] as const);
  a.array.set(rng.fillNormal(new Float64Array(d * d), 1 / Math.sqrt(d)));
  x.array.set(rng.fillNormal(new Float64Array(d * d * batch)));
  const gaussian = rng.fillNormal(new Float64Array(d * d * batch));
  const matmulMs = minTime(() => kernels.matmulResident(a, d, d, x, d * batch, out));
  const qrMs = minTime(
    () => { for (const [z, r] of trajectories) kernels.qrResident(z, d, d, r); },
    () => blocks.array.set(gaussian),
  );
  return { d, backend: kernels.name, matmulMs, qrMs, reflectorMs: reflectorStepMs(kernels, d, batch, rng), scaled: false };
}

function benchJs(d: number, rng: Rng): Row {
  const a = rng.fillNormal(new Float64Array(d * d), 1 / Math.sqrt(d));
  // 4·D³ flops per QR at roughly 1 GFLOP/s: time one trajectory when a whole step would exceed a second.
  const scaled = 4 * d ** 3 * batch > 1e9;
  const share = scaled ? 1 : batch;
  const x = rng.fillNormal(new Float64Array(d * d * share));
  const out = new Float64Array(d * d * share);
  const gaussian = rng.fillNormal(new Float64Array(d * d));
  const z = new Float64Array(d * d);
  const rDiag = new Float64Array(d);
  const matmulMs = minTime(() => referenceKernels.matmulBlock(a, d, d, x, d * share, out));
  const qrMs = minTime(
    () => { for (let b = 0; b < share; b++) referenceKernels.qrPositive(z, d, d, rDiag); },
    () => z.set(gaussian),
  );
  return {
    d, backend: 'js', matmulMs: (matmulMs * batch) / share, qrMs: (qrMs * batch) / share,
    reflectorMs: reflectorStepMs(referenceKernels, d, share, rng), scaled,
  };
}

const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1);
/** Flops of each backend's own QR algorithm on an n×k block. */
function qrFlops(backend: string, n: number, k: number): number {
  return backend !== 'js'
    ? 4 * n * k * k - (4 / 3) * k ** 3 // Householder: factorisation and formation of Q, 2nk² − 2k³/3 each
    : 4 * n * k * k; // modified Gram–Schmidt twice: 2nk² per pass
}
/** Flops of one reflector step at k = n: the reflectors applied to M's rows (2n³, in blocks or, in js, one by one) and the factorisation (4n³/3). */
const reflectorStepFlops = (n: number) => (10 / 3) * n ** 3;
const rng = new Rng(2024);
const rows: Row[] = [];
for (const d of sizes) {
  rows.push(benchWasm(d, rng, new WasmKernels()));
  rows.push(benchWasm(d, rng, new WasmFloat32Kernels()));
  rows.push(benchJs(d, rng));
}

const ceiling = measuredCeiling();
console.log(`## Linalg kernels per Lyapunov step (batch ${batch}, k = D), ${machineLine()}, 1 thread\n`);
console.log('| D | backend | matmul ms/step | matmul GFLOP/s | QR ms/step | QR GFLOP/s | matmul + QR ms | reflector step ms | reflector step GFLOP/s |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const mark = r.scaled ? '*' : '';
  console.log(`| ${r.d} | ${r.backend} | ${r.matmulMs.toFixed(2)}${mark} | ${gflops(2 * r.d ** 3 * batch, r.matmulMs)} `
    + `| ${r.qrMs.toFixed(2)}${mark} | ${gflops(qrFlops(r.backend, r.d, r.d) * batch, r.qrMs)} | ${(r.matmulMs + r.qrMs).toFixed(2)}${mark} `
    + `| ${r.reflectorMs.toFixed(2)}${mark} | ${gflops(reflectorStepFlops(r.d) * batch, r.reflectorMs)} |`);
}
for (const d of sizes) {
  const [f64, f32] = ['wasm', 'wasm-f32'].map((name) => rows.find((r) => r.d === d && r.backend === name)!) as [Row, Row];
  console.log(`D = ${d}: float32 / float64 speed: matmul ${(f64.matmulMs / f32.matmulMs).toFixed(2)}×, QR ${(f64.qrMs / f32.qrMs).toFixed(2)}×`);
}
console.log(`\nmatmul counts 2·m·n·k flops (m = n = D, k = ${batch}·D). QR counts each algorithm's own flops per n×k block:`
  + ` js (Gram–Schmidt twice) 4nk², wasm and wasm-f32 (blocked Householder, R and Q) 4nk² − 4k³/3 = 8D³/3.`
  + ` The reflector step (basis kept as reflectors: M·Q by applying them, then the factorisation) counts 2D³ + 4D³/3 = 10D³/3 per trajectory.`
  + ` WebAssembly ceiling measured here (bench/ceiling.ts): f64x2 ${ceiling.float64.toFixed(1)} GFLOP/s per core, f32x4 ${ceiling.float32.toFixed(1)}. * = one trajectory timed, ×${batch}.`);
