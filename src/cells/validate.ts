import { ModelError } from './errors.js';
import { CELL_KINDS, gateCount, isInputStream, type InputSource, type RnnModel } from './model.js';

/** Checks shapes and values of a model against PyTorch's layout; throws naming the tensor. */
export function validateModel(model: RnnModel): void {
  if (!CELL_KINDS.includes(model.cell)) {
    throw new ModelError(`model.cell is '${String(model.cell)}', expected one of ${CELL_KINDS.join(', ')}`);
  }
  for (const field of ['inputSize', 'hiddenSize', 'numLayers'] as const) {
    const v = model[field];
    if (!Number.isInteger(v) || v < 1) throw new ModelError(`model.${field} is ${v}, expected a positive integer`);
  }
  if (model.layers.length !== model.numLayers) {
    throw new ModelError(`model has ${model.layers.length} layers of weights, expected numLayers = ${model.numLayers}`);
  }
  const gh = gateCount(model.cell) * model.hiddenSize;
  const h = model.hiddenSize;
  model.layers.forEach((layer, l) => {
    const inSize = l === 0 ? model.inputSize : h;
    checkTensor(`weight_ih_l${l}`, layer.weightIh, gh * inSize, `[${gh}, ${inSize}]`);
    checkTensor(`weight_hh_l${l}`, layer.weightHh, gh * h, `[${gh}, ${h}]`);
    for (const [name, bias] of [[`bias_ih_l${l}`, layer.biasIh], [`bias_hh_l${l}`, layer.biasHh]] as const) {
      if (model.bias) {
        if (bias === undefined) throw new ModelError(`${name} is missing but model.bias is true`);
        checkTensor(name, bias, gh, `[${gh}]`);
      } else if (bias !== undefined) {
        throw new ModelError(`${name} is present but model.bias is false`);
      }
    }
  });
}

/** Checks that the inputs fit the model: feature size, data length, finite values (a stream's, step by step: checkStepInputs). */
export function validateInputs(model: Pick<RnnModel, 'inputSize'>, inputs: InputSource): void {
  if (inputs.size !== model.inputSize) {
    throw new ModelError(`input size mismatch: model expects ${model.inputSize} features per step, inputs have ${inputs.size}`);
  }
  for (const field of ['batch', 'steps'] as const) {
    const v = inputs[field];
    if (!Number.isInteger(v) || v < 1) throw new ModelError(`inputs.${field} is ${v}, expected a positive integer`);
  }
  if (isInputStream(inputs)) return;
  const expected = inputs.batch * inputs.steps * inputs.size;
  if (inputs.data.length !== expected) {
    throw new ModelError(
      `inputs.data has ${inputs.data.length} values, expected batch×steps×size = ${inputs.batch}×${inputs.steps}×${inputs.size} = ${expected}`,
    );
  }
  const bad = firstNonFinite(inputs.data);
  if (bad >= 0) {
    const { size, steps } = inputs;
    const b = Math.floor(bad / (steps * size));
    const t = Math.floor(bad / size) % steps;
    throw new ModelError(`inputs.data is ${inputs.data[bad]} at sequence ${b}, step ${t}, feature ${bad % size}: expected finite values`);
  }
}

/**
 * Step t of every sequence into `out` (B×I, sequence-major): read from a stream (and checked
 * finite, which held sequences were when validated) or copied from the held data.
 */
export function readInputStep(inputs: InputSource, t: number, out: Float64Array): void {
  const { batch: B, steps: T, size: I } = inputs;
  if (!Number.isInteger(t) || t < 0 || t >= T) {
    throw new RangeError(`step t=${t} is outside the input sequences: expected an integer 0 ≤ t < T = ${T}`);
  }
  if (isInputStream(inputs)) {
    inputs.readStep(t, out);
    checkStepInputs(out, t, I);
  } else {
    for (let b = 0; b < B; b++) out.set(inputs.data.subarray((b * T + t) * I, (b * T + t + 1) * I), b * I);
  }
}

/** Checks that step t of a stream, B×I as readStep wrote it, is finite. */
export function checkStepInputs(values: Float64Array, t: number, size: number): void {
  const bad = firstNonFinite(values);
  if (bad >= 0) {
    throw new ModelError(`inputs at sequence ${Math.floor(bad / size)}, step ${t}, feature ${bad % size} are ${values[bad]}: expected finite values`);
  }
}

/** Checks that `values` (a tensor or a state) has `expected` entries, all finite; throws naming it. */
export function checkTensor(name: string, values: Float64Array, expected: number, shape: string): void {
  if (values.length !== expected) {
    throw new ModelError(`${name} has ${values.length} values, expected ${shape} = ${expected}`);
  }
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new ModelError(`${name} has non-finite value ${values[bad]} at flat index ${bad}`);
}

function firstNonFinite(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}
