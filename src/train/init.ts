import { randomOrthonormal } from '../linalg/orthonormal.js';
import { referenceKernels } from '../linalg/reference.js';
import type { Rng } from '../linalg/random.js';
import { tensorView, type NetworkParams, type ParamTensor } from './network.js';
import { TrainConfigError } from './errors.js';

/**
 * How parameters start. Whatever a scheme does not name gets PyTorch's default,
 * U(−1/√H, 1/√H) (nn.RNN/LSTM/GRU for all their parameters, and nn.Linear(H, O) for the
 * readout, whose bound 1/√fan_in is the same).
 * - default: PyTorch's default everywhere;
 * - uniform:p: U(−p, p) for every recurrent parameter, weights and biases (the paper's sweep
 *   parameter);
 * - orthogonal: each H×H gate block of every weight_hh a Haar-random orthogonal matrix;
 * - normal:g: weight_ih and weight_hh entries N(0, g²/H) (g = 1 is the edge of chaos of a
 *   random tanh RNN).
 */
export type InitSpec =
  | { kind: 'default' }
  | { kind: 'uniform'; scale: number }
  | { kind: 'orthogonal' }
  | { kind: 'normal'; gain: number };

const FORMS = 'default, uniform:P (P > 0), orthogonal, normal:G (G > 0)';

export function parseInit(text: string): InitSpec {
  const [kind, value, ...rest] = text.trim().split(':');
  const number = () => {
    const x = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isFinite(x) || x <= 0 || rest.length > 0) {
      throw new TrainConfigError(`init "${text}": ${kind} needs one positive number after the colon, as in ${kind}:${kind === 'uniform' ? '0.08' : '1.0'}`);
    }
    return x;
  };
  switch (kind) {
    case 'default':
    case 'orthogonal':
      if (value !== undefined) throw new TrainConfigError(`init "${text}": ${kind} takes no parameter`);
      return { kind };
    case 'uniform':
      return { kind, scale: number() };
    case 'normal':
      return { kind, gain: number() };
    default:
      throw new TrainConfigError(`init "${text}" is not one of ${FORMS}`);
  }
}

export function formatInit(spec: InitSpec): string {
  switch (spec.kind) {
    case 'default':
    case 'orthogonal':
      return spec.kind;
    case 'uniform':
      return `uniform:${spec.scale}`;
    case 'normal':
      return `normal:${spec.gain}`;
  }
}

/** Draws every parameter from `rng`, tensor after tensor in layout order (seeded and reproducible). */
export function initialiseParams(params: NetworkParams, init: InitSpec | string, rng: Rng): void {
  const spec = typeof init === 'string' ? parseInit(init) : init;
  const h = params.spec.hiddenSize;
  const bound = 1 / Math.sqrt(h);
  for (const tensor of params.layout.tensors) {
    const view = tensorView(params.values, tensor);
    const recurrent = tensor.layer >= 0;
    const weight = tensor.role === 'weightIh' || tensor.role === 'weightHh';
    if (spec.kind === 'uniform' && recurrent) {
      fillUniform(view, spec.scale, rng);
    } else if (spec.kind === 'normal' && weight) {
      const std = spec.gain / Math.sqrt(h);
      for (let i = 0; i < view.length; i++) view[i] = std * rng.normal();
    } else if (spec.kind === 'orthogonal' && tensor.role === 'weightHh') {
      fillOrthogonalBlocks(view, tensor, h, rng);
    } else {
      fillUniform(view, bound, rng);
    }
  }
}

function fillUniform(view: { [i: number]: number; length: number }, bound: number, rng: Rng): void {
  for (let i = 0; i < view.length; i++) view[i] = rng.range(-bound, bound);
}

/** Gate block g (rows g·H … g·H + H − 1) of a [G·H × H] matrix gets its own orthogonal matrix. */
function fillOrthogonalBlocks(view: { [i: number]: number; length: number }, tensor: ParamTensor, h: number, rng: Rng): void {
  const gates = tensor.shape[0]! / h;
  for (let g = 0; g < gates; g++) {
    // Column-major H×H block with orthonormal columns; its transpose is orthogonal too.
    const q = randomOrthonormal(referenceKernels, rng, h, h);
    for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) view[(g * h + i) * h + j] = q[j * h + i]!;
  }
}
