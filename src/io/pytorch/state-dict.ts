/**
 * Finding the state dict in an unpickled `torch.save` object, and reading its tensors. A file
 * may hold the state dict itself, or a checkpoint with it inside (`{'model': sd, 'optimizer': …,
 * 'epoch': 3}`, Lightning's `{'state_dict': …}`): the dict that holds RNN parameters is the one
 * used, whatever its depth. Everything else (optimizer state, numbers) is left unread.
 */
import { decodeElements, DTYPE_BYTES, type TensorData } from '../dtype.js';
import type { Tensor } from '../safetensors.js';
import { TORCH_RNN_PARAMETER } from '../torch-rnn-names.js';
import type { Fail } from '../tensor-checks.js';
import type { TorchArchive } from './archive.js';
import { dictEntries, isTensorRef, listItems, type StorageRef, type TensorRef } from './unpickle.js';

/** Deeper nesting is not searched (a checkpoint nests 2–4 levels; a pickle may even hold cycles). */
const MAX_DEPTH = 16;
/** The most elements a tensor may have here: as float64, the bytes a safetensors tensor may have. */
const MAX_ELEMENTS = Math.floor((2 ** 32 - 1) / 8);

interface TensorDict {
  /** Keys from the root to the dict, joined with '.' and ending in one ('' for the root). */
  prefix: string;
  tensors: Map<string, TensorRef>;
}

/**
 * The tensors of the state dict in `root`: the one dict holding RNN parameters, under its own
 * names. When several dicts hold them (an EMA copy beside the model), or none does, every dict
 * of tensors is given, each name preceded by its path of keys, so the RNN loader's prefix
 * choice (and its messages) covers them.
 */
export function findStateDict(root: unknown): Map<string, TensorRef> {
  const dicts = tensorDicts(root);
  const withRnn = dicts.filter(({ tensors }) => [...tensors.keys()].some((name) => TORCH_RNN_PARAMETER.test(name)));
  if (withRnn.length === 1) return withRnn[0].tensors;
  const merged = new Map<string, TensorRef>();
  for (const { prefix, tensors } of withRnn.length > 1 ? withRnn : dicts) {
    for (const [name, tensor] of tensors) merged.set(`${prefix}${name}`, tensor);
  }
  return merged;
}

/**
 * The numbers at the top of a checkpoint dict (`epoch`, `global_step`, `loss`, …) as text, the
 * way safetensors metadata holds them: what a checkpoint says about its training. Strings are
 * left out, so a checkpoint's own 'cell' entry never reads as our metadata's cell kind.
 */
export function checkpointNumbers(root: unknown): Record<string, string> {
  const numbers: Record<string, string> = {};
  for (const [key, value] of dictEntries(root) ?? []) {
    if (typeof key === 'string' && (typeof value === 'number' || typeof value === 'bigint')) numbers[key] = String(value);
  }
  return numbers;
}

/** Every dict in the object with string keys to tensors, outermost first. */
function tensorDicts(root: unknown): TensorDict[] {
  const found: TensorDict[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH || typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const entries = dictEntries(value) ?? listItems(value)?.map((item, i): [unknown, unknown] => [i, item]) ?? [];
    const tensors = new Map<string, TensorRef>();
    for (const [key, item] of entries) {
      if (typeof key === 'string' && isTensorRef(item)) tensors.set(key, item);
    }
    if (tensors.size > 0) found.push({ prefix, tensors });
    // A key of another type (a tuple, or an object whose toString the pickle set) is not made text.
    for (const [key, item] of entries) visit(item, `${prefix}${['string', 'number', 'bigint'].includes(typeof key) ? String(key) : '?'}.`, depth + 1);
  };
  visit(root, '', 0);
  return found;
}

/** The tensors' elements, copied out of their storages (a strided view becomes row-major). */
export function readTensors(refs: Map<string, TensorRef>, archive: TorchArchive, fail: Fail): Map<string, Tensor> {
  const storages = new Map<StorageRef, TensorData>();
  const keys = [...new Set([...refs.values()].map((ref) => ref.storage.key))];
  const bytes = archive.storages(keys);
  const decoded = (storage: StorageRef): TensorData => {
    let data = storages.get(storage);
    if (!data) {
      const raw = bytes.get(storage.key)!;
      const needed = storage.elements * DTYPE_BYTES[storage.dtype];
      if (raw.length < needed) fail(`storage 'data/${storage.key}' holds ${raw.length} bytes, but ${storage.elements} elements of ${storage.dtype} need ${needed}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      data = decodeElements(storage.dtype, view, 0, storage.elements, (index, reason) => fail(`storage 'data/${storage.key}', element ${index}: ${reason}`));
      storages.set(storage, data);
    }
    return data;
  };
  const tensors = new Map<string, Tensor>();
  for (const [name, ref] of refs) {
    const elements = ref.shape.reduce((product, size) => product * size, 1);
    if (elements > MAX_ELEMENTS) fail(`tensor '${name}' of size [${ref.shape.join(', ')}] has more than ${MAX_ELEMENTS} elements`);
    tensors.set(name, { dtype: ref.storage.dtype, shape: [...ref.shape], data: gather(decoded(ref.storage), ref, elements) });
  }
  return tensors;
}

/** The view's elements in row-major order: a slice when they lie so in the storage, else copied one by one. */
function gather(source: TensorData, { offset, shape, stride }: TensorRef, elements: number): TensorData {
  let expected = 1;
  let rowMajor = true;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && stride[axis] !== expected) rowMajor = false;
    expected *= shape[axis];
  }
  if (rowMajor) return source.slice(offset, offset + elements);
  const out = new (source.constructor as new (length: number) => TensorData)(elements);
  const index = new Array<number>(shape.length).fill(0);
  let position = offset;
  for (let i = 0; i < elements; i++) {
    out[i] = source[position];
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis] < shape[axis]) {
        position += stride[axis];
        break;
      }
      position -= stride[axis] * (shape[axis] - 1);
      index[axis] = 0;
    }
  }
  return out;
}
