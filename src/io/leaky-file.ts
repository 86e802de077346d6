/**
 * Model files of the leaky one-layer networks, safetensors with the kind in the metadata:
 * - `cell: rate` (a rate network, cells/rate-network.ts): `weight_hh` [N, N] (W), `weight_ih`
 *   [N, I] (W_in), optional `bias` [N]; metadata `dt`, the Euler step in time constants.
 * - `cell: esn` (an echo-state network, cells/echo-state.ts, as `train --cell esn` writes it):
 *   `reservoir.weight_hh` [N, N], `reservoir.weight_ih` [N, I], optional `reservoir.bias` [N],
 *   `readout.weight` [I, N], `readout.bias` [I]; metadata `leak` (reservoirpy's lr).
 */
import type { EchoStateModel } from '../cells/echo-state.js';
import type { Readout } from '../cells/closed-loop.js';
import { ModelError } from '../cells/errors.js';
import type { RateModel } from '../cells/rate-network.js';
import { validateEchoStateModel, validateRateModel } from '../cells/index.js';
import { ModelFileError } from './errors.js';
import type { ModelSource } from './model-source.js';
import type { SafetensorsContents, SafetensorsHeader } from './safetensors.js';
import { readSafetensors, readSafetensorsHeader } from './safetensors-file.js';
import { writeSafetensors } from './safetensors-write.js';
import { shapedFiniteValues } from './tensor-checks.js';

export type LeakyKind = 'rate' | 'esn';

export type LeakyFile = { file: string; source: ModelSource } & (
  | { kind: 'rate'; model: RateModel }
  | { kind: 'esn'; model: EchoStateModel; readout: Required<Readout> }
);

/** The leaky kind a safetensors header's metadata names, or undefined (an RNN/LSTM/GRU file). */
export function leakyKindOf(header: SafetensorsHeader): LeakyKind | undefined {
  const cell = header.metadata.cell;
  return cell === 'rate' || cell === 'esn' ? cell : undefined;
}

/** The kind of the file at `path` when it is a safetensors file of a leaky network, else undefined (reads the header only). */
export function leakyFileKind(path: string): LeakyKind | undefined {
  if (!/\.safetensors$/i.test(path)) return undefined;
  return leakyKindOf(readSafetensorsHeader(path));
}

function tensorValues(contents: SafetensorsContents, file: string, name: string, shape: number[], expected: string): Float64Array {
  const tensor = contents.tensors.get(name);
  const fail = (detail: string): never => {
    throw new ModelFileError(file, detail, name);
  };
  if (tensor === undefined) fail(`is missing: expected ${expected}`);
  return shapedFiniteValues(tensor!, shape, `expected ${expected}`, fail);
}

function metadataNumber(contents: SafetensorsContents, file: string, key: string, meaning: string): number {
  const value = Number(contents.metadata[key]);
  if (contents.metadata[key] === undefined || !Number.isFinite(value)) {
    throw new ModelFileError(file, `metadata '${key}' is ${JSON.stringify(contents.metadata[key])}; expected a number (${meaning})`);
  }
  return value;
}

/** The tensors read (in `used`'s order) and the others, with their shapes. */
function sourceOf(contents: SafetensorsContents, file: string, used: string[]): ModelSource {
  const summary = (name: string) => ({ name, shape: [...contents.tensors.get(name)!.shape] });
  return { file, prefix: '', used: used.map(summary), ignored: [...contents.tensors.keys()].filter((name) => !used.includes(name)).map(summary) };
}

/** A rate-network or echo-state file, every tensor checked (names, shapes, finite values) and the model validated. */
export function readLeakyFile(path: string): LeakyFile {
  const contents = readSafetensors(path);
  const kind = leakyKindOf(contents);
  if (kind === undefined) throw new ModelFileError(path, `metadata 'cell' is ${JSON.stringify(contents.metadata.cell)}; expected 'rate' or 'esn'`);
  const prefix = kind === 'esn' ? 'reservoir.' : '';
  const hh = contents.tensors.get(`${prefix}weight_hh`);
  const n = hh?.shape[0] ?? 0;
  const weightHh = tensorValues(contents, path, `${prefix}weight_hh`, [n, n], '[N, N], the recurrent weights');
  const ih = contents.tensors.get(`${prefix}weight_ih`);
  const inputs = ih?.shape[1] ?? 0;
  const weightIh = tensorValues(contents, path, `${prefix}weight_ih`, [n, inputs], `[N, I] = [${n}, I], the input weights`);
  const biasName = kind === 'esn' ? 'reservoir.bias' : 'bias';
  const bias = contents.tensors.has(biasName) ? tensorValues(contents, path, biasName, [n], `[N] = [${n}]`) : undefined;
  const used = [`${prefix}weight_hh`, `${prefix}weight_ih`, ...(bias ? [biasName] : [])];
  try {
    if (kind === 'rate') {
      const model: RateModel = {
        cell: 'rate', inputSize: inputs, hiddenSize: n, dt: metadataNumber(contents, path, 'dt', 'the Euler step, 0 < dt ≤ 1'), weightHh, weightIh, ...(bias ? { bias } : {}),
      };
      validateRateModel(model);
      return { kind, file: path, model, source: sourceOf(contents, path, used) };
    }
    const model: EchoStateModel = {
      cell: 'esn', inputSize: inputs, hiddenSize: n, leak: metadataNumber(contents, path, 'leak', 'the leak rate, 0 < lr ≤ 1'), weightHh, weightIh, ...(bias ? { bias } : {}),
    };
    validateEchoStateModel(model);
    const readout = {
      weight: tensorValues(contents, path, 'readout.weight', [inputs, n], `[I, N] = [${inputs}, ${n}]: the readout maps the state to the next input`),
      bias: tensorValues(contents, path, 'readout.bias', [inputs], `[I] = [${inputs}]`),
    };
    return { kind, file: path, model, readout, source: sourceOf(contents, path, [...used, 'readout.weight', 'readout.bias']) };
  } catch (error) {
    if (error instanceof ModelError) throw new ModelFileError(path, error.message);
    throw error;
  }
}

export function writeRateModel(path: string, model: RateModel): void {
  const n = model.hiddenSize;
  writeSafetensors(path, {
    weight_hh: { shape: [n, n], data: model.weightHh },
    weight_ih: { shape: [n, model.inputSize], data: model.weightIh },
    ...(model.bias ? { bias: { shape: [n], data: model.bias } } : {}),
  }, { cell: 'rate', dt: String(model.dt) });
}

export function writeEchoStateModel(path: string, model: EchoStateModel, readout: Required<Readout>, metadata: Record<string, string> = {}): void {
  const n = model.hiddenSize;
  writeSafetensors(path, {
    'reservoir.weight_hh': { shape: [n, n], data: model.weightHh },
    'reservoir.weight_ih': { shape: [n, model.inputSize], data: model.weightIh },
    ...(model.bias ? { 'reservoir.bias': { shape: [n], data: model.bias } } : {}),
    'readout.weight': { shape: [model.inputSize, n], data: readout.weight },
    'readout.bias': { shape: [model.inputSize], data: readout.bias },
  }, { ...metadata, cell: 'esn', leak: String(model.leak) });
}
