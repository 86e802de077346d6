// Training throughput of the BPTT engine against PyTorch's, in one run with alternating rounds:
//   node --import tsx bench/train.ts [--sizes 64,128,256] [--cells rnn_tanh,lstm,gru] [--rounds 5]
//                                    [--round-seconds 0.4] [--quick] [--no-torch]
// Problem (scripts/bench_torch_train.py runs the same): batch 32, length 50, 64 inputs (one-hot),
// a linear readout to 64 classes, cross-entropy at every step, Adam, float32; throughput in
// sequences per second of whole optimizer steps. Ours runs on one thread, with dense inputs (the
// products PyTorch runs) and, outside --quick, with the one-hot input path a char-LM uses. PyTorch
// (when /usr/bin/python3 has torch) is served round by round by two processes, one started with
// OPENBLAS_NUM_THREADS=1 and one with 2, each asked for torch.set_num_threads 1 and 2 (1 only
// with --quick): its 1-thread figure is torch 1 thread with OpenBLAS on 1 thread, and its best
// figure the fastest of the settings (both with bench/torch-env.ts's malloc settings). Each figure is the best of its rounds; the rounds of every engine alternate,
// so a busy machine slows all of them alike. GFLOP/s count the dense products of a step against
// the WebAssembly float32 ceiling measured on this machine (bench/ceiling.ts).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Rng } from '../src/linalg/index.js';
import { type CellKind, gateCount } from '../src/cells/model.js';
import { BpttEngine, type TrainingBatch, initialiseParams, createParams, Adam } from '../src/train/index.js';
import { option } from './argv.js';
import { measuredCeiling } from './ceiling.js';
import { machineLine } from './machine.js';
import { TORCH_ALLOCATOR, torchEnv } from './torch-env.js';

const quick = process.argv.includes('--quick');
const sizes = option('sizes', '64,128,256').split(',').map(Number);
const cells = option('cells', 'rnn_tanh,lstm,gru').split(',') as CellKind[];
const rounds = Number(option('rounds', quick ? '3' : '6'));
const roundSeconds = Number(option('round-seconds', quick ? '0.25' : '0.4'));
const BATCH = 32;
const STEPS = 50;
const VOCAB = 64;
const SETTLE_MS = 100;
/** PyTorch's thread counts: --quick times the 1-thread comparison the acceptance asks for only. */
const torchThreads = quick ? [1] : [1, 2];

/** Flops of the dense products of one optimizer step (forward, BPTT, readout; elementwise work left out). */
function stepFlops(cell: CellKind, hidden: number): number {
  const rows = BATCH * STEPS;
  const gh = gateCount(cell) * hidden;
  // Forward W x, U h, readout; backward U ∂pre (∂h), ∂U, ∂W, ∂readout and its ∂h.
  return 2 * rows * (2 * gh * VOCAB + 3 * gh * hidden + 3 * VOCAB * hidden);
}

/** One round of our optimizer steps lasting about roundSeconds: sequences per second. */
function oursRound(cell: CellKind, hidden: number, sparse: boolean): () => number {
  const spec = { cell, inputSize: VOCAB, hiddenSize: hidden, numLayers: 1, bias: true, outputSize: VOCAB };
  const rng = new Rng(1);
  const params = createParams(spec, 'float32');
  initialiseParams(params, 'default', rng);
  const engine = new BpttEngine(spec, 'float32');
  const adam = new Adam(params.values.length, Float32Array);
  const grad = new Float32Array(params.values.length);
  const symbols = Int32Array.from({ length: BATCH * STEPS }, () => rng.int(VOCAB));
  const dense = new Float64Array(BATCH * STEPS * VOCAB);
  symbols.forEach((s, i) => (dense[i * VOCAB + s] = 1));
  const batch: TrainingBatch = {
    batch: BATCH, steps: STEPS,
    inputs: sparse ? { kind: 'one-hot', indices: symbols } : { kind: 'dense', data: dense },
    targets: { loss: 'cross-entropy', at: 'every-step', classes: Int32Array.from({ length: BATCH * STEPS }, () => rng.int(VOCAB)) },
  };
  const step = () => {
    engine.gradient(params.values, grad, batch);
    adam.step(params.values, grad, 1e-3);
  };
  for (let i = 0; i < 3; i++) step();
  return () => {
    const t = performance.now();
    let n = 0;
    while (performance.now() - t < roundSeconds * 1000) {
      step();
      n++;
    }
    return (n * BATCH) / ((performance.now() - t) / 1000);
  };
}

/** A PyTorch server (scripts/bench_torch_train.py) started with OPENBLAS_NUM_THREADS=blasThreads. */
class TorchServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  blas = '';

  constructor(script: string, readonly blasThreads: number) {
    this.child = spawn('/usr/bin/python3', [script], { env: torchEnv(blasThreads) });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async round(cell: CellKind, hidden: number, threads: number): Promise<number> {
    this.child.stdin.write(`${JSON.stringify({ cell, hidden, threads, seconds: roundSeconds })}\n`);
    const next = await this.lines.next();
    if (next.done === true) throw new Error(`PyTorch server (OPENBLAS_NUM_THREADS=${this.blasThreads}) ended early`);
    const reply = JSON.parse(next.value) as { seqPerSec: number; blas: string; torch: string };
    this.blas = `torch ${reply.torch}, ${reply.blas}`;
    return reply.seqPerSec;
  }

  close(): void {
    this.child.stdin.end('\n');
  }
}

async function startTorch(): Promise<TorchServer[]> {
  const python = '/usr/bin/python3';
  if (process.argv.includes('--no-torch') || !existsSync(python)) return [];
  const servers = [1, 2].map((b) => new TorchServer(join(import.meta.dirname, '..', 'scripts', 'bench_torch_train.py'), b));
  try {
    await servers[0]!.round('rnn_tanh', 8, 1);
    return servers;
  } catch (error) {
    console.error(`bench/train: PyTorch comparison skipped (${(error as Error).message}; does /usr/bin/python3 have torch?)`);
    for (const s of servers) s.close();
    return [];
  }
}

interface Row { cell: CellKind; hidden: number; dense: number; sparse?: number; torch1?: number; torchBest?: number; torchBestSetting?: string }

const ceiling = measuredCeiling();
const torch = await startTorch();
const rows: Row[] = [];
for (const cell of cells) {
  for (const hidden of sizes) {
    const dense = oursRound(cell, hidden, false);
    const sparse = quick ? undefined : oursRound(cell, hidden, true);
    const row: Row = { cell, hidden, dense: 0 };
    const torchRates = new Map<string, number>();
    for (let r = 0; r < rounds; r++) {
      // A pause before each round: thread pools that spin after their work (OpenBLAS, OpenMP) go idle first.
      await sleep(SETTLE_MS);
      row.dense = Math.max(row.dense, dense());
      if (sparse !== undefined) row.sparse = Math.max(row.sparse ?? 0, sparse());
      for (const server of torch) {
        for (const threads of torchThreads) {
          await sleep(SETTLE_MS);
          const setting = `${threads} thread${threads > 1 ? 's' : ''}, OpenBLAS ${server.blasThreads}`;
          torchRates.set(setting, Math.max(torchRates.get(setting) ?? 0, await server.round(cell, hidden, threads)));
        }
      }
    }
    row.torch1 = torchRates.get('1 thread, OpenBLAS 1');
    for (const [setting, rate] of torchRates) {
      if (rate > (row.torchBest ?? 0)) [row.torchBest, row.torchBestSetting] = [rate, setting];
    }
    rows.push(row);
    // The ceiling again after every row: a busy spell during one measurement would lower it.
    ceiling.float32 = Math.max(ceiling.float32, measuredCeiling().float32);
    console.error(`bench/train: ${cell} H=${hidden} done`);
  }
}
for (const s of torch) s.close();

const fmt = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(0));
const ratio = (a: number, b: number | undefined) => (b === undefined ? '–' : `${(a / b).toFixed(2)}×`);
console.log(`## Training throughput (sequences/s; batch ${BATCH}, length ${STEPS}, ${VOCAB} one-hot inputs, ${VOCAB} classes, float32, Adam)`);
console.log(`${machineLine()}; ours on 1 thread; ${torch[0] === undefined ? 'no PyTorch' : `${torch[0].blas}; ${TORCH_ALLOCATOR}`}`);
console.log(`best of ${rounds} alternating rounds of ${roundSeconds} s; WebAssembly ceiling measured here: ${ceiling.float32.toFixed(1)} GFLOP/s float32 (f32x4 mul+add, 1 core, the best of a measurement before and after every row)\n`);
console.log('| cell | H | ours, dense x | ours, one-hot x | PyTorch 1 thread | PyTorch best (setting) | ours / PyTorch 1 thread | ours / PyTorch best | ours: GFLOP/s of ceiling |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const gflops = (stepFlops(r.cell, r.hidden) * r.dense) / BATCH / 1e9;
  const best = r.torchBest === undefined ? '–' : `${fmt(r.torchBest)} (${r.torchBestSetting})`;
  console.log(`| ${r.cell} | ${r.hidden} | ${fmt(r.dense)} | ${fmt(r.sparse)} | ${fmt(r.torch1)} | ${best} | ${ratio(r.dense, r.torch1)} | ${ratio(r.dense, r.torchBest)} | ${gflops.toFixed(1)} (${((100 * gflops) / ceiling.float32).toFixed(0)}%) |`);
}
