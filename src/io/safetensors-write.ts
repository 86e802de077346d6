/**
 * Writing safetensors files. Tensors are laid out back to back in sorted name order; the
 * header is padded with spaces so the data section starts at a multiple of 8 bytes (so a
 * reader can map F64 data in place); files are replaced atomically.
 */
import { DTYPE_BYTES, encodeElements, type Dtype } from './dtype.js';
import { writeFileAtomic } from './atomic-write.js';
import { METADATA_KEY } from './safetensors.js';
import { SafetensorsError } from './errors.js';

export interface TensorInput {
  /** Element type to store; F64 (lossless) when omitted. */
  dtype?: Dtype;
  shape: readonly number[];
  /** Row-major elements, exactly the product of `shape` many. */
  data: ArrayLike<number>;
}

export type TensorInputs = Record<string, TensorInput> | ReadonlyMap<string, TensorInput>;

const DATA_ALIGNMENT = 8;

export function writeSafetensors(path: string, tensors: TensorInputs, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata, path));
}

/** The bytes of a safetensors file; `targetName` names the destination in error messages. */
export function encodeSafetensors(
  tensors: TensorInputs,
  metadata: Record<string, string> = {},
  targetName = '<safetensors buffer>',
): Uint8Array {
  const fail = (detail: string, tensor?: string): never => {
    throw new SafetensorsError(targetName, detail, tensor);
  };
  const named = [...(tensors instanceof Map ? tensors : Object.entries(tensors))] as [string, TensorInput][];
  named.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  // A null prototype makes every name, "__proto__" included, an ordinary own key.
  const header: Record<string, unknown> = Object.create(null);
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  const layout: { name: string; tensor: TensorInput; dtype: Dtype; begin: number }[] = [];
  let offset = 0;
  for (const [name, tensor] of named) {
    if (name === METADATA_KEY) fail(`the name ${METADATA_KEY} is reserved for metadata`);
    const dtype = tensor.dtype ?? 'F64';
    const end = offset + checkedElementCount(tensor, (detail) => fail(detail, name)) * DTYPE_BYTES[dtype];
    header[name] = { dtype, shape: [...tensor.shape], data_offsets: [offset, end] };
    layout.push({ name, tensor, dtype, begin: offset });
    offset = end;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / DATA_ALIGNMENT) * DATA_ALIGNMENT;
  const dataStart = 8 + headerLength;
  const bytes = new Uint8Array(dataStart + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, dataStart);
  for (const { name, tensor, dtype, begin } of layout) {
    encodeElements(dtype, tensor.data, view, dataStart + begin, (index, reason) =>
      fail(`element ${index}: ${reason}`, name),
    );
  }
  return bytes;
}

function checkedElementCount(tensor: TensorInput, fail: (detail: string) => never): number {
  const { shape, data } = tensor;
  if (!shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    fail(`shape must be non-negative integers, got [${shape.join(', ')}]`);
  }
  const elements = shape.reduce((product, size) => product * size, 1);
  if (data.length !== elements) {
    fail(`data has ${data.length} values but shape [${shape.join(', ')}] needs ${elements}`);
  }
  return elements;
}
