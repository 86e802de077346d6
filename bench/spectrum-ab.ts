// Before/after of one spectrum step on a shared machine: this checkout's code and another's
// (--base: a copy of another commit's src/ and package.json, with build/kernels.wasm and
// node_modules beside them, as docs/performance.md makes one) loaded into one process and run
// alternately, so that a slow spell of the machine hits both; reports whether the two give
// bit-identical exponents.
//   node --import tsx bench/spectrum-ab.ts --base /tmp/base [--cells gru,rnn_tanh,lstm] [--sizes 64,128] [--k K] [--pairs 21] [--steps 60]
// Problem as in bench/spectrum.ts: a random 1-layer model, input size 8, batch 16, k = D (or --k, at most D), wasm
// float64 on one thread, no sum rule. A run's time is the whole call (setup included) over its
// steps; prints, per row, both minima, their ratio and the median of the pairs' ratios.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { option } from './argv.js';
import { machineLine } from './machine.js';

const BATCH = 16;
const INPUT_SIZE = 8;
const baseRoot = option('base', '');
if (baseRoot === '') throw new RangeError('--base is required: the root of another checkout (its src/ is loaded)');
const cells = option('cells', 'gru,rnn_tanh,lstm').split(',');
const sizes = option('sizes', '64,128').split(',').map(Number);
const pairs = Number(option('pairs', '21'));
const stepsAt64 = Number(option('steps', '60'));
const kAsked = Number(option('k', 'Infinity'));

interface Code { cells: typeof import('../src/cells/index.js'); linalg: typeof import('../src/linalg/index.js'); spectrum: typeof import('../src/model-spectrum/index.js') }
async function load(root: string): Promise<Code> {
  const at = (path: string) => pathToFileURL(join(root, 'src', path)).href;
  return { cells: await import(at('cells/index.ts')), linalg: await import(at('linalg/index.ts')), spectrum: await import(at('model-spectrum/index.ts')) };
}

/** A run of `steps` steps with one checkout's code, returning its ms per step and exponents. */
function runner(code: Code, cell: string, d: number, steps: number): () => { ms: number; exponents: Float64Array } {
  const hidden = cell === 'lstm' ? d / 2 : d;
  const rng = new code.linalg.Rng(2024);
  const model = code.cells.randomModel({ cell: cell as 'gru', inputSize: INPUT_SIZE, hiddenSize: hidden, numLayers: 1, bias: true }, rng, 1 / Math.sqrt(hidden));
  const inputs = { batch: BATCH, steps, size: INPUT_SIZE, data: rng.fillNormal(new Float64Array(BATCH * steps * INPUT_SIZE)) };
  const options = { steps, k: Math.min(kAsked, d), sumRule: false, ...code.spectrum.spectrumKernels('wasm', 'float64') };
  return () => {
    const start = performance.now();
    const { exponents } = code.spectrum.modelSpectrum(model, inputs, options);
    return { ms: (performance.now() - start) / steps, exponents: Float64Array.from(exponents) };
  };
}

const before = await load(resolve(baseRoot));
const after = await load(join(import.meta.dirname, '..'));
console.log(`## Spectrum step before/after (${resolve(baseRoot)} → this checkout), ms per step, batch ${BATCH}, k = ${Number.isFinite(kAsked) ? `min(${kAsked}, D)` : 'D'}, wasm f64 ×1`);
console.log(machineLine());
console.log('\n| cell | D | before | after | before/after (minima) | median of paired ratios | max abs diff of exponents |\n|---|---|---|---|---|---|---|');
for (const cell of cells) {
  for (const d of sizes) {
    const steps = Math.max(4, Math.round(stepsAt64 * (64 / d) ** 2));
    const runs = [runner(before, cell, d, steps), runner(after, cell, d, steps)] as const;
    const best = [Infinity, Infinity];
    const ratios: number[] = [];
    let diff = 0;
    // Pair 0 warms both up (JIT tiers, kernel instantiation) and is not counted.
    for (let p = 0; p <= pairs; p++) {
      const [a, b] = [runs[0](), runs[1]()];
      for (let i = 0; i < a.exponents.length; i++) diff = Math.max(diff, Math.abs(a.exponents[i]! - b.exponents[i]!));
      if (p === 0) continue;
      best[0] = Math.min(best[0]!, a.ms);
      best[1] = Math.min(best[1]!, b.ms);
      ratios.push(a.ms / b.ms);
    }
    ratios.sort((x, y) => x - y);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    console.log(`| ${cell} | ${d} | ${best[0]!.toFixed(2)} | ${best[1]!.toFixed(2)} | ${(best[0]! / best[1]!).toFixed(2)}× | ${median.toFixed(2)}× | ${diff === 0 ? '0 (bit-identical)' : diff.toExponential(1)} |`);
  }
}
