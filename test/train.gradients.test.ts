/**
 * Every parameter gradient of the BPTT engine against central finite differences of the loss,
 * in float64: for each tensor, a few random entries and the derivative along a random
 * direction inside the tensor; for the whole vector, the derivative along the gradient itself
 * (which must equal ‖g‖).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CELL_KINDS, type CellKind } from '../src/cells/index.js';
import { Rng } from '../src/linalg/index.js';
import {
  BpttEngine, type PassOptions, type SequenceInputs, type Targets, type TrainingBatch, createParams, type NetworkSpec,
} from '../src/train/index.js';

const B = 3;
const T = 5;
const I = 4;
const O = 5;
const TOLERANCE = 1e-6;

function makeBatch(rng: Rng, loss: Targets['loss'], at: Targets['at'], inputKind: SequenceInputs['kind']): TrainingBatch {
  const inputs: SequenceInputs = inputKind === 'dense'
    ? { kind: 'dense', data: rng.fillNormal(new Float64Array(B * T * I)) }
    : { kind: 'one-hot', indices: Int32Array.from({ length: B * T }, () => rng.int(I)) };
  const rows = at === 'every-step' ? B * T : B;
  const targets: Targets = loss === 'cross-entropy'
    ? { loss, at, classes: Int32Array.from({ length: rows }, () => rng.int(O)) }
    : { loss, at, values: rng.fillNormal(new Float64Array(rows * O)) };
  return { batch: B, steps: T, inputs, targets };
}

interface Case {
  cell: CellKind;
  layers: number;
  bias: boolean;
  batch: TrainingBatch;
  options?: () => PassOptions;
}

function checkCase({ cell, layers, bias, batch, options = () => ({}) }: Case, seed: number): void {
  const rng = new Rng(seed);
  const spec: NetworkSpec = { cell, inputSize: I, hiddenSize: 4, numLayers: layers, bias, outputSize: O };
  const engine = new BpttEngine(spec, 'float64');
  const params = createParams(spec, 'float64');
  // Wide enough that the dynamics are not trivial (relu units of both signs, saturating gates).
  for (let i = 0; i < params.values.length; i++) params.values[i] = rng.range(-0.9, 0.9);
  assert.ok(params.values instanceof Float64Array);
  const theta = params.values;
  const grad = new Float64Array(theta.length);
  engine.gradient(theta, grad, batch, options());
  const loss = (x: Float64Array) => engine.evaluate(x, batch, options()).loss;
  const directional = (direction: Float64Array) => {
    const eps = 1e-5;
    const plus = theta.map((v, i) => v + eps * direction[i]!);
    const minus = theta.map((v, i) => v - eps * direction[i]!);
    return (loss(plus) - loss(minus)) / (2 * eps);
  };
  const gradNorm = Math.hypot(...grad);
  const where = `${cell} L${layers} ${bias ? 'bias' : 'nobias'} ${batch.targets.loss} ${batch.targets.at} ${batch.inputs.kind}`;
  const close = (fd: number, exact: number, what: string) => {
    // Relative to the entry, with a floor at 1e-4 of the whole gradient for entries near 0.
    const scale = Math.max(Math.abs(exact), Math.abs(fd), 1e-4 * gradNorm);
    assert.ok(Math.abs(fd - exact) <= TOLERANCE * scale, `${where} ${what}: finite difference ${fd}, backprop ${exact}`);
  };
  for (const tensor of params.layout.tensors) {
    for (let trial = 0; trial < 3; trial++) {
      const index = tensor.offset + rng.int(tensor.size);
      const unit = new Float64Array(theta.length);
      unit[index] = 1;
      close(directional(unit), grad[index]!, `${tensor.name}[${index - tensor.offset}]`);
    }
    const direction = new Float64Array(theta.length);
    let along = 0;
    for (let i = tensor.offset; i < tensor.offset + tensor.size; i++) {
      direction[i] = rng.normal();
      along += direction[i]! * grad[i]!;
    }
    close(directional(direction), along, `${tensor.name} along a random direction`);
  }
  assert.ok(gradNorm > 0, `${where}: zero gradient`);
  close(directional(grad.map((g) => g / gradNorm)), gradNorm, 'whole vector along the gradient (= ‖g‖)');
}

for (const cell of CELL_KINDS) {
  test(`BPTT gradients of ${cell} match finite differences (1–2 layers, bias or not, CE and MSE)`, () => {
    let seed = 1;
    for (const layers of [1, 2]) {
      for (const bias of [true, false]) {
        for (const loss of ['cross-entropy', 'mse'] as const) {
          const rng = new Rng(1000 + seed);
          checkCase({ cell, layers, bias, batch: makeBatch(rng, loss, 'every-step', 'dense') }, seed++);
        }
      }
    }
  });

  test(`BPTT gradients of ${cell}: last-step losses, one-hot inputs, carried state, dropout, mask`, () => {
    const rng = new Rng(77);
    checkCase({ cell, layers: 2, bias: true, batch: makeBatch(rng, 'cross-entropy', 'last-step', 'one-hot') }, 11);
    checkCase({ cell, layers: 1, bias: true, batch: makeBatch(rng, 'mse', 'last-step', 'dense') }, 12);
    // A carried (non-zero) initial state: the gradient stops at it, the loss depends on it.
    const stateBatch = makeBatch(rng, 'cross-entropy', 'every-step', 'one-hot');
    const spec: NetworkSpec = { cell, inputSize: I, hiddenSize: 4, numLayers: 2, bias: true, outputSize: O };
    checkCase({
      cell, layers: 2, bias: true, batch: stateBatch,
      options: () => {
        const state = new BpttEngine(spec, 'float64').createState(B);
        const r = new Rng(5);
        for (const a of [...state.h, ...(state.c ?? [])]) for (let i = 0; i < a.length; i++) a[i] = r.range(-0.8, 0.8);
        return { state };
      },
    }, 13);
    // Dropout with the same mask on every evaluation (same seed).
    checkCase({
      cell, layers: 1, bias: false, batch: makeBatch(rng, 'cross-entropy', 'every-step', 'dense'),
      options: () => ({ dropout: { p: 0.3, rng: new Rng(9) } }),
    }, 14);
    // Masked and ignored positions.
    const masked = makeBatch(rng, 'cross-entropy', 'every-step', 'dense');
    if (masked.targets.loss !== 'cross-entropy') throw new Error('unreachable');
    masked.targets.mask = Uint8Array.from({ length: B * T }, (_, i) => (i % 3 === 0 ? 0 : 1));
    masked.targets.classes[1] = -100;
    checkCase({ cell, layers: 1, bias: true, batch: masked }, 15);
  });
}
