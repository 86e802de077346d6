// The cost of one gradient-flossing update against one training epoch, per cell and hidden size.
//   node --import tsx bench/floss.ts [--sizes 64,128] [--cells rnn_tanh,lstm,gru] [--k 4] [--steps 100] [--reps 3]
// A flossing update as `train --floss` takes it with its defaults: flossingLoss of the first k
// exponents over 10 transient + `steps` averaged steps of 1 sequence (float64, the default
// WebAssembly kernels), then an Adam step. An epoch: `train` on the delayed XOR task of length 50
// (1024 training sequences, batches of 32: 32 optimizer steps of exact BPTT and Adam, float32,
// 1 layer), its training time as metrics.jsonl records it (validation and spectra not counted).
// Times are the best of `reps` runs.
import { cpus } from 'node:os';
import { randomModel, type CellKind } from '../src/cells/index.js';
import { Rng } from '../src/linalg/index.js';
import { Adam, resolveTrainConfig, train } from '../src/train/index.js';
import { flossingLoss } from '../src/train/floss/flossing-loss.js';
import { option } from './argv.js';
import { minimumMs } from './timing.js';

const sizes = option('sizes', '64,128').split(',').map(Number);
const cells = option('cells', 'rnn_tanh,lstm,gru').split(',') as CellKind[];
const k = Number(option('k', '4'));
const steps = Number(option('steps', '100'));
const reps = Number(option('reps', '3'));
const TRANSIENT = 10;
const INPUTS = 2;
const EPOCH = { trainSize: 1024, batch: 32, delay: 48 };

/** Milliseconds of one epoch of training: the best of `reps` one-epoch runs. */
async function epochMs(cell: CellKind, hidden: number): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const { metrics } = await train(resolveTrainConfig({
      task: { name: 'xor', delay: EPOCH.delay, trainSize: EPOCH.trainSize, evalSize: 32 },
      cell, hidden, epochs: 1, batch: EPOCH.batch, spectrum: { every: 0 },
    }));
    best = Math.min(best, 1000 * metrics.at(-1)!.seconds);
  }
  return best;
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
  const ms = minimumMs(reps, () => {
    const result = flossingLoss(model, inputs, { k, transient: TRANSIENT, steps });
    let o = 0;
    for (const layer of result.grads) for (const g of Object.values(layer) as Float64Array[]) { grad.set(g, o); o += g.length; }
    adam.step(flat, grad, 1e-3);
    bytes = result.memoryBytes;
  });
  return { ms, bytes };
}

console.log(`## One flossing update against one training epoch (k = ${k}, ${TRANSIENT} + ${steps} steps of 1 sequence, float64; ` +
  `epoch: delayed XOR of length ${EPOCH.delay + 2}, ${EPOCH.trainSize} sequences, batch ${EPOCH.batch}, float32)`);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, 1 thread, best of ${reps}\n`);
console.log('| cell | H | state n | flossing update (ms) | tape (MiB) | epoch (ms) | update / epoch |');
console.log('|---|---|---|---|---|---|---|');
for (const cell of cells) {
  for (const hidden of sizes) {
    const floss = flossMs(cell, hidden);
    const epoch = await epochMs(cell, hidden);
    const n = cell === 'lstm' ? 2 * hidden : hidden;
    console.log(`| ${cell} | ${hidden} | ${n} | ${floss.ms.toFixed(1)} | ${(floss.bytes / 2 ** 20).toFixed(1)} | ${epoch.toFixed(0)} | ${(floss.ms / epoch).toFixed(3)} |`);
  }
}
