import type { Rng } from '../linalg/random.js';
import { gateCount, type CellKind, type RnnModel } from './model.js';
import { randomRateModel, type RateModel, type RateShape } from './rate-network.js';

export interface ModelShape {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
}

/**
 * A model with every weight and bias drawn from U(−scale, scale), the initialisation of the
 * Vogt et al. experiments (PyTorch's default is scale = 1/√H). For a rate network (cell 'rate'),
 * `scale` is the gain g: see randomRateModel.
 */
export function randomModel(shape: ModelShape, rng: Rng, scale: number): RnnModel;
export function randomModel(shape: RateShape & { cell: 'rate' }, rng: Rng, g: number): RateModel;
export function randomModel(shape: ModelShape | (RateShape & { cell: 'rate' }), rng: Rng, scale: number): RnnModel | RateModel {
  if (shape.cell === 'rate') return randomRateModel(shape, rng, scale);
  if (!(scale >= 0) || !Number.isFinite(scale)) {
    throw new RangeError(`randomModel: scale is ${scale}, expected a finite number ≥ 0`);
  }
  const gh = gateCount(shape.cell) * shape.hiddenSize;
  const uniform = (length: number) => {
    const v = new Float64Array(length);
    for (let i = 0; i < length; i++) v[i] = rng.range(-scale, scale);
    return v;
  };
  const layers = Array.from({ length: shape.numLayers }, (_, l) => {
    const inSize = l === 0 ? shape.inputSize : shape.hiddenSize;
    const weightIh = uniform(gh * inSize);
    const weightHh = uniform(gh * shape.hiddenSize);
    return shape.bias ? { weightIh, weightHh, biasIh: uniform(gh), biasHh: uniform(gh) } : { weightIh, weightHh };
  });
  return { ...shape, layers };
}
