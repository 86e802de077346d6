// Training throughput of the BPTT engine: sequences per second of one optimizer step
// (forward, backward through time, Adam) for LSTM and GRU at several hidden sizes.
//   node --import tsx bench/train.ts [--sizes 64,128,256] [--cells lstm,gru] [--seconds 3] [--torch]
// Same problem as scripts/bench_torch_train.py: batch 32, length 50, 64 inputs (one-hot),
// readout to 64 classes, cross-entropy at every step, float32. Each size is timed twice: with
// dense inputs (the same products PyTorch runs) and with the sparse one-hot input path a
// char-LM uses. With --torch, runs the PyTorch script (if /usr/bin/python3 has torch) and
// prints the ratios.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/linalg/index.js';
import { type CellKind } from '../src/cells/index.js';
import { BpttEngine, type TrainingBatch, initialiseParams, createParams, Adam } from '../src/train/index.js';
import { option } from './argv.js';

const sizes = option('sizes', '64,128,256').split(',').map(Number);
const cells = option('cells', 'lstm,gru').split(',') as CellKind[];
const seconds = Number(option('seconds', '3'));
const BATCH = 32;
const STEPS = 50;
const VOCAB = 64;

/** Sequences per second: the best of several timed rounds of optimizer steps. */
function throughput(cell: CellKind, hidden: number, sparse: boolean): number {
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
  let best = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const t = performance.now();
    let n = 0;
    while (performance.now() - t < 300) {
      step();
      n++;
    }
    best = Math.max(best, (n * BATCH) / ((performance.now() - t) / 1000));
  }
  return best;
}

interface Row { cell: string; hidden: number; dense: number; sparse: number; torch1?: number; torchN?: number }
const rows: Row[] = [];
for (const cell of cells) {
  for (const hidden of sizes) rows.push({ cell, hidden, dense: throughput(cell, hidden, false), sparse: throughput(cell, hidden, true) });
}

if (process.argv.includes('--torch')) {
  const script = join(import.meta.dirname, '..', 'scripts', 'bench_torch_train.py');
  const python = '/usr/bin/python3';
  if (!existsSync(python)) {
    console.error('bench/train: /usr/bin/python3 not found; skipping the PyTorch comparison');
  } else {
    const run = spawnSync(python, [script, '--sizes', sizes.join(','), '--cells', cells.join(','), '--seconds', String(seconds)], { encoding: 'utf8' });
    if (run.status !== 0) {
      console.error(`bench/train: PyTorch comparison skipped: ${run.stderr.trim().split('\n').pop()}`);
    } else {
      for (const line of run.stdout.trim().split('\n')) {
        const r = JSON.parse(line) as { cell: string; hidden: number; threads: number; seqPerSec: number };
        const row = rows.find((x) => x.cell === r.cell && x.hidden === r.hidden);
        if (row !== undefined) row[r.threads === 1 ? 'torch1' : 'torchN'] = r.seqPerSec;
      }
    }
  }
}

const fmt = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(0));
const ratio = (a: number, b: number | undefined) => (b === undefined ? '–' : `${(a / b).toFixed(2)}×`);
console.log(`## Training throughput (sequences/s; batch ${BATCH}, length ${STEPS}, ${VOCAB} one-hot inputs, ${VOCAB} classes, float32, Adam)`);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, this engine on 1 thread\n`);
console.log('| cell | H | ours, dense x | ours, one-hot x | PyTorch 1 thread | PyTorch all threads | dense / torch-1 | one-hot / torch-1 |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.cell} | ${r.hidden} | ${fmt(r.dense)} | ${fmt(r.sparse)} | ${fmt(r.torch1)} | ${fmt(r.torchN)} | ${ratio(r.dense, r.torch1)} | ${ratio(r.sparse, r.torch1)} |`);
}
