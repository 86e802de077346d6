// The cost of one gradient-flossing update against one training epoch, per cell and hidden size.
//   node --import tsx bench/floss.ts [--sizes 64,128] [--cells rnn_tanh,lstm,gru] [--k 4] [--steps 100] [--reps 3]
// A flossing update as `train --floss` takes it with its defaults: flossingLoss of the first k
// exponents over 10 transient + `steps` averaged steps of 1 sequence (float64, the default
// WebAssembly kernels), then an Adam step. An epoch: 1024 sequences of length 50 in batches of
// 32 (32 optimizer steps of exact BPTT and Adam, float32), 8 dense inputs, cross-entropy on 8
// classes at the last step, 1 layer; its validation pass and spectrum are not counted. Times are
// the best of `reps` runs.
import { cpus } from 'node:os';
import { randomModel, type CellKind } from '../src/cells/index.js';
import { Rng } from '../src/linalg/index.js';
import { Adam, BpttEngine, createParams, initialiseParams, type TrainingBatch } from '../src/train/index.js';
import { flossingLoss } from '../src/train/floss/flossing-loss.js';
import { option } from './argv.js';

const sizes = option('sizes', '64,128').split(',').map(Number);
const cells = option('cells', 'rnn_tanh,lstm,gru').split(',') as CellKind[];
const k = Number(option('k', '4'));
const steps = Number(option('steps', '100'));
const reps = Number(option('reps', '3'));
const TRANSIENT = 10;
const INPUTS = 8;
const EPOCH = { sequences: 1024, batch: 32, length: 50 };

function best(run: () => void): number {
  let fastest = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - t);
  }
  return fastest;
}

/** Milliseconds of one epoch of training. */
function epochMs(cell: CellKind, hidden: number): number {
  const spec = { cell, inputSize: INPUTS, hiddenSize: hidden, numLayers: 1, bias: true, outputSize: INPUTS };
  const rng = new Rng(1);
  const params = createParams(spec, 'float32');
  initialiseParams(params, 'default', rng);
  const engine = new BpttEngine(spec, 'float32');
  const adam = new Adam(params.values.length, Float32Array);
  const grad = new Float32Array(params.values.length);
  const batch: TrainingBatch = {
    batch: EPOCH.batch, steps: EPOCH.length,
    inputs: { kind: 'dense', data: rng.fillNormal(new Float64Array(EPOCH.batch * EPOCH.length * INPUTS)) },
    targets: { loss: 'cross-entropy', at: 'last-step', classes: Int32Array.from({ length: EPOCH.batch }, () => rng.int(INPUTS)) },
  };
  return best(() => {
    for (let b = 0; b < EPOCH.sequences / EPOCH.batch; b++) {
      engine.gradient(params.values, grad, batch);
      adam.step(params.values, grad, 1e-3);
    }
  });
}

/** Milliseconds of one flossing update, and the bytes its tape took. */
function flossMs(cell: CellKind, hidden: number): { ms: number; bytes: number } {
  const rng = new Rng(2);
  const model = randomModel({ cell, inputSize: INPUTS, hiddenSize: hidden, numLayers: 1, bias: true }, rng, 1 / Math.sqrt(hidden));
  const total = TRANSIENT + steps;
  const inputs = { batch: 1, steps: total, size: INPUTS, data: rng.fillNormal(new Float64Array(total * INPUTS)) };
  const size = model.layers.reduce((s, l) => s + l.weightIh.length + l.weightHh.length + 2 * l.biasIh!.length, 0);
  const adam = new Adam(size, Float64Array);
  const flat = new Float64Array(size);
  const grad = new Float64Array(size);
  let bytes = 0;
  const ms = best(() => {
    const result = flossingLoss(model, inputs, { k, transient: TRANSIENT, steps });
    let o = 0;
    for (const layer of result.grads) for (const g of Object.values(layer) as Float64Array[]) { grad.set(g, o); o += g.length; }
    adam.step(flat, grad, 1e-3);
    bytes = result.memoryBytes;
  });
  return { ms, bytes };
}

console.log(`## One flossing update against one training epoch (k = ${k}, ${TRANSIENT} + ${steps} steps of 1 sequence, float64; ` +
  `epoch: ${EPOCH.sequences} sequences of length ${EPOCH.length}, batch ${EPOCH.batch}, float32)`);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, 1 thread, best of ${reps}\n`);
console.log('| cell | H | state n | flossing update (ms) | tape (MiB) | epoch (ms) | update / epoch |');
console.log('|---|---|---|---|---|---|---|');
for (const cell of cells) {
  for (const hidden of sizes) {
    const floss = flossMs(cell, hidden);
    const epoch = epochMs(cell, hidden);
    const n = cell === 'lstm' ? 2 * hidden : hidden;
    console.log(`| ${cell} | ${hidden} | ${n} | ${floss.ms.toFixed(1)} | ${(floss.bytes / 2 ** 20).toFixed(1)} | ${epoch.toFixed(0)} | ${(floss.ms / epoch).toFixed(3)} |`);
  }
}
