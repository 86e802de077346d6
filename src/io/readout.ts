/**
 * The readout of a forecaster: the nn.Linear that maps the RNN's top-layer h to its next input,
 * for closed-loop spectra. Found by name (`fc` or `readout` as the last module: `fc.weight`,
 * `model.readout.weight`) or by the module prefix the caller names (`--readout decoder.`).
 * weight [I, H] (output size = the RNN's input size, input size = its hidden size); bias [I], or
 * none (nn.Linear(bias=False)).
 */
import type { Readout } from '../cells/closed-loop.js';
import type { RnnModel } from '../cells/model.js';
import { ModelFileError } from './errors.js';
import type { Tensor } from './safetensors.js';
import { shapedFiniteValues } from './tensor-checks.js';

export interface NamedReadout extends Readout {
  /** The module prefix of its tensors, such as 'fc.'. */
  prefix: string;
  /** The tensors it was read from: weight, then bias when there is one. */
  names: string[];
}

/** The names a readout's weight is found by. */
export const READOUT_WEIGHT_NAME = /(?:^|\.)(?:fc|readout)\.weight$/;

/** The readout from the tensors under `requested` (a module prefix; a missing final '.' is added), else the one named like a readout. */
export function findReadout(
  tensors: ReadonlyMap<string, Tensor>, file: string, model: Pick<RnnModel, 'inputSize' | 'hiddenSize'>, requested?: string,
): NamedReadout {
  let prefix: string;
  if (requested !== undefined) {
    prefix = requested === '' || requested.endsWith('.') ? requested : `${requested}.`;
    if (!tensors.has(`${prefix}weight`)) {
      const linear = [...tensors.keys()].filter((name) => name.endsWith('weight') && tensors.get(name)!.shape.length === 2).map((name) => `'${name}'`);
      throw new ModelFileError(file, `no tensor '${prefix}weight' for the readout (--readout ${requested}); its 2-D weights are ${linear.join(', ') || 'none'}`);
    }
  } else {
    const candidates = [...tensors.keys()].filter((name) => READOUT_WEIGHT_NAME.test(name));
    if (candidates.length !== 1) {
      const what = candidates.length === 0 ? 'no readout (a tensor fc.weight or readout.weight)' : `several readouts: ${candidates.map((name) => `'${name}'`).join(', ')}`;
      throw new ModelFileError(file, `${what}; closed loop needs the nn.Linear from the top layer's h to the input: name its prefix with --readout PREFIX`);
    }
    prefix = candidates[0]!.slice(0, -'weight'.length);
  }
  const { inputSize: I, hiddenSize: H } = model;
  const weightName = `${prefix}weight`;
  const weight = readoutValues(tensors.get(weightName)!, weightName, file, [I, H], `[input size, hidden size] = [${I}, ${H}]: the readout maps the top layer's h to the next input`);
  const biasName = `${prefix}bias`;
  const biasTensor = tensors.get(biasName);
  if (biasTensor === undefined) return { prefix, names: [weightName], weight };
  const bias = readoutValues(biasTensor, biasName, file, [I], `[input size] = [${I}]`);
  return { prefix, names: [weightName, biasName], weight, bias };
}

function readoutValues(tensor: Tensor, name: string, file: string, shape: number[], expected: string): Float64Array {
  const fail = (detail: string): never => {
    throw new ModelFileError(file, detail, name);
  };
  return shapedFiniteValues(tensor, shape, `a readout's must be ${expected}`, fail);
}
