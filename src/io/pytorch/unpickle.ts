/**
 * A restricted reader of `data.pkl`: pickle is a program, and a hostile file's program calls
 * whatever Python function it names (`os.system`). Here a name resolves only when it is on the
 * allow-list of what a state dict needs, and each allowed name is our own inert stand-in that
 * builds data (a dict, a reference to a tensor); any other name stops the read before anything
 * is called, naming the global. Python dicts become Maps. A pickle can still set properties,
 * prototypes included, on the objects it builds (the parser's DICT and BUILD do), so what it
 * gives back is read only through brand checks: a tensor is one this file made and froze, an
 * array is copied by index, a dict is read as a Map whatever its prototype.
 */
import { types } from 'node:util';
import { Parser } from 'pickleparser';
import { UserError } from '../../errors.js';
import type { Dtype } from '../dtype.js';
import type { Fail } from '../tensor-checks.js';

/** The objects this file made (all frozen): a pickle cannot forge one by borrowing a prototype. */
const genuine = new WeakSet<object>();

function made<T extends object>(value: T): T {
  genuine.add(Object.freeze(value));
  return value;
}

/** A storage a tensor views: `NAME/data/KEY`, holding `elements` elements of `dtype`. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: Dtype,
    readonly elements: number,
  ) {
    made(this);
  }
}

/** A tensor as pickled: its storage, and where in it the elements are (offset and strides in elements). */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {
    made(this);
  }
}

/** A typed storage class (torch.FloatStorage, …), as named in a storage's persistent id. */
class StorageType {
  constructor(
    readonly name: string,
    readonly dtype: Dtype,
  ) {
    made(this);
  }
}

/** Whether `value` is a tensor this reader made (not an object a pickle gave its prototype). */
export function isTensorRef(value: unknown): value is TensorRef {
  return isGenuine(value) && value instanceof TensorRef;
}

function isGenuine(value: unknown): value is object {
  return typeof value === 'object' && value !== null && genuine.has(value);
}

/** The elements of a pickled list or tuple, copied by index (its methods may be the pickle's), or undefined. */
export function listItems(value: unknown): unknown[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: unknown[] = [];
  for (let i = 0; i < value.length; i++) items.push(value[i]);
  return items;
}

/** The entries of a pickled dict, read as a Map whatever its prototype, or undefined. */
export function dictEntries(value: unknown): [unknown, unknown][] | undefined {
  return types.isMap(value) ? [...Map.prototype.entries.call(value)] : undefined;
}

const STORAGE_TYPES: Record<string, Dtype> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

type ParserOptions = NonNullable<ConstructorParameters<typeof Parser>[0]>;
type NameResolver = NonNullable<ParserOptions['nameResolver']>;
type PersistentResolver = NonNullable<ParserOptions['persistentResolver']>;

const MAX_DIMENSIONS = 16;
const MAX_NAME_LENGTH = 100;

/** The object `pickle` holds, with tensors as TensorRefs, dicts as Maps, lists and tuples as arrays. */
export function unpickleStateDict(pickle: Uint8Array, fail: Fail): unknown {
  const parser = new Parser({
    nameResolver: allowListResolver(fail),
    persistentResolver: storageResolver(fail),
    unpicklingTypeOfDictionary: 'Map',
    unpicklingTypeOfSet: 'array',
  });
  try {
    return parser.parse(pickle);
  } catch (error) {
    // The parser's own errors (a truncated stream, a call of something not callable) are about the file.
    if (error instanceof UserError) throw error;
    return fail(`data.pkl is not a pickle of a state dict (${error instanceof Error ? error.message : String(error)})`);
  }
}

function allowListResolver(fail: Fail): NameResolver {
  const functions: Record<string, (...args: unknown[]) => unknown> = {
    'collections.OrderedDict': () => new Map(),
    'torch._utils._rebuild_tensor_v2': (...args) => rebuildTensor(args, fail),
    'torch._utils._rebuild_parameter': (data) => (isTensorRef(data) ? data : fail('_rebuild_parameter of something other than a tensor')),
  };
  return {
    resolve(module: string, name: string) {
      const qualified = `${module}.${name}`;
      if (Object.hasOwn(functions, qualified)) return functions[qualified];
      if (module === 'torch' && Object.hasOwn(STORAGE_TYPES, name)) {
        // Not callable: it only tags a storage's persistent id with its dtype.
        return new StorageType(qualified, STORAGE_TYPES[name]) as unknown as () => unknown;
      }
      const storage = module === 'torch' && name.endsWith('Storage');
      return fail(
        storage
          ? `data.pkl holds a tensor stored as ${short(qualified)}, a dtype not read here; expected one of ${Object.keys(STORAGE_TYPES).join(', ')}`
          : `data.pkl names the Python global '${short(qualified)}', which is not allowed in a state dict; refused, nothing was run. ` +
              `Files of tensors are read: save one with torch.save(model.state_dict(), 'model.pt')`,
      );
    },
  };
}

/** A storage's persistent id: ('storage', StorageType, key, location, numel). */
function storageResolver(fail: Fail): PersistentResolver {
  return {
    resolve(id: unknown) {
      const pid = listItems(id);
      if (!pid || pid.length !== 5 || pid[0] !== 'storage' || !isGenuine(pid[1]) || !(pid[1] instanceof StorageType)) {
        return fail(`data.pkl has a persistent id that is not ('storage', torch.<Type>Storage, key, location, numel)`);
      }
      const [, type, key, , elements] = pid as [string, StorageType, unknown, unknown, unknown];
      if (typeof key !== 'string' || !/^\w{1,64}$/.test(key)) fail(`data.pkl names a storage with key ${short(String(key))}; expected a word such as '0'`);
      if (!isCount(elements)) fail(`storage '${key}' has element count ${short(String(elements))}; expected a non-negative integer`);
      return new StorageRef(key as string, type.dtype, elements as number);
    },
  };
}

/** torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
function rebuildTensor(args: unknown[], fail: Fail): TensorRef {
  const [storage, offset] = args;
  const [shape, stride] = [listItems(args[2]), listItems(args[3])];
  if (!isGenuine(storage) || !(storage instanceof StorageRef)) return fail('_rebuild_tensor_v2 without a storage');
  const isDims = (value: unknown[] | undefined): value is number[] => value !== undefined && value.length <= MAX_DIMENSIONS && value.every(isCount);
  if (!isCount(offset) || !isDims(shape) || !isDims(stride) || shape.length !== stride.length) {
    return fail(`a tensor of storage '${storage.key}' has offset, size or stride that are not non-negative integers of one length (at most ${MAX_DIMENSIONS})`);
  }
  const last = shape.some((size) => size === 0) ? -1 : shape.reduce((end, size, axis) => end + (size - 1) * stride[axis], offset);
  if (last >= storage.elements) {
    fail(`a tensor of size [${shape.join(', ')}], stride [${stride.join(', ')}] at offset ${offset} reaches element ${last} of storage '${storage.key}', which holds ${storage.elements}`);
  }
  return new TensorRef(storage, offset, Object.freeze(shape), Object.freeze(stride));
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function short(text: string): string {
  return text.length > MAX_NAME_LENGTH ? `${text.slice(0, MAX_NAME_LENGTH)}…` : text;
}
