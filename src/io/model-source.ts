/**
 * Which tensors of a model file a spectrum was taken of, and which it left aside: said out loud
 * in the CLI's table and recorded in its JSON, so that a spectrum can be traced to its weights.
 */
import type { RnnModel } from '../cells/model.js';
import type { SafetensorsHeader } from './safetensors.js';
import { formatShape } from './tensor-checks.js';
import { torchLayerNames } from './torch-rnn-names.js';

export interface TensorSummary {
  name: string;
  shape: number[];
}

export interface ModelSource {
  file: string;
  /** The state-dict prefix of the RNN's tensors ('' for a bare nn.RNN/LSTM/GRU state dict). */
  prefix: string;
  /** The embedding the RNN is driven through, when it is (also listed in `used`). */
  embedding?: string;
  /** The embedding (when it drives the RNN), then the RNN's tensors layer by layer in PyTorch's order, then the readout's (closed loop). */
  used: TensorSummary[];
  /** Every other tensor of the file (a readout, an unused embedding, buffers), in file order. */
  ignored: TensorSummary[];
}

/** The tensors of `contents` that the model under `prefix` (and `embedding`, a tensor name, and `readout`'s tensors) were read from. */
export function modelSource(
  contents: SafetensorsHeader, file: string, prefix: string, model: Pick<RnnModel, 'numLayers' | 'bias'>, embedding?: string,
  readout: readonly string[] = [],
): ModelSource {
  const usedNames = embedding === undefined ? [] : [embedding];
  for (let layer = 0; layer < model.numLayers; layer++) {
    const names = torchLayerNames(prefix, layer);
    usedNames.push(names.weightIh, names.weightHh, ...(model.bias ? [names.biasIh, names.biasHh] : []));
  }
  usedNames.push(...readout);
  const summary = (name: string): TensorSummary => ({ name, shape: [...contents.tensors.get(name)!.shape] });
  const used = usedNames.map(summary);
  const ignored = [...contents.tensors.keys()].filter((name) => !usedNames.includes(name)).map(summary);
  return { file, prefix, ...(embedding !== undefined ? { embedding } : {}), used, ignored };
}

/** The source with its embedding moved to the ignored tensors: a drive that does not go through it. */
export function withoutEmbedding(source: ModelSource): ModelSource {
  const { embedding, ...rest } = source;
  if (embedding === undefined) return source;
  const entry = source.used.find((tensor) => tensor.name === embedding)!;
  return { ...rest, used: source.used.filter((tensor) => tensor !== entry), ignored: [entry, ...source.ignored] };
}

/** 'weight_ih_l0 [96, 16], …' — tensors named with their shapes. */
export function listTensors(tensors: readonly TensorSummary[]): string {
  return tensors.map(({ name, shape }) => `${name} ${formatShape(shape)}`).join(', ');
}
