/**
 * Writing safetensors files. Tensors are laid out back to back in sorted name order; the
 * header is padded with spaces so the data section starts at a multiple of 8 bytes (so a
 * reader can map F64 data in place); files are replaced atomically.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
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

  const layout: { name: string; tensor: TensorInput; dtype: Dtype; begin: number; end: number }[] = [];
  let offset = 0;
  for (const [name, tensor] of named) {
    if (name === METADATA_KEY) fail(`the name ${METADATA_KEY} is reserved for metadata`);
    const dtype = tensor.dtype ?? 'F64';
    const end = offset + checkedElementCount(tensor, (detail) => fail(detail, name)) * DTYPE_BYTES[dtype];
    layout.push({ name, tensor, dtype, begin: offset, end });
    offset = end;
  }
  const header = encodeHeader(layout, metadata);
  const dataStart = header.length;
  const bytes = new Uint8Array(dataStart + offset);
  const view = new DataView(bytes.buffer);
  bytes.set(header);
  for (const { name, tensor, dtype, begin } of layout) {
    encodeElements(dtype, tensor.data, view, dataStart + begin, (index, reason) =>
      fail(`element ${index}: ${reason}`, name),
    );
  }
  return bytes;
}

/**
 * The length field and the JSON header of tensors laid out at [begin, end) of the data section,
 * padded with spaces to a multiple of 8 bytes: everything before the data.
 */
function encodeHeader(layout: readonly { name: string; tensor: TensorInput; dtype: Dtype; begin: number; end: number }[], metadata: Record<string, string>): Uint8Array {
  // A null prototype makes every name, "__proto__" included, an ordinary own key.
  const header: Record<string, unknown> = Object.create(null);
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  for (const { name, tensor, dtype, begin, end } of layout) header[name] = { dtype, shape: [...tensor.shape], data_offsets: [begin, end] };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / DATA_ALIGNMENT) * DATA_ALIGNMENT;
  const bytes = new Uint8Array(8 + headerLength).fill(0x20);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  return bytes;
}

/**
 * A file of one F64 or F32 tensor written straight from its array, without the encoded copy
 * `writeSafetensors` makes: for tensors as large as the memory allows once (per-step Jacobians).
 * Atomic, as writeSafetensors.
 */
export function writeSafetensorsTensor(
  path: string, name: string, tensor: { shape: readonly number[]; data: Float64Array | Float32Array }, metadata: Record<string, string> = {},
): void {
  const dtype: Dtype = tensor.data instanceof Float32Array ? 'F32' : 'F64';
  const fail = (detail: string): never => {
    throw new SafetensorsError(path, detail, name);
  };
  if (name === METADATA_KEY) fail(`the name ${METADATA_KEY} is reserved for metadata`);
  if (endianness() !== 'LE') fail('writing raw tensor data needs a little-endian machine');
  const bytes = checkedElementCount(tensor, fail) * DTYPE_BYTES[dtype];
  const header = encodeHeader([{ name, tensor, dtype, begin: 0, end: bytes }], metadata);
  const data = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  writeFileAtomic(path, (temporary) => {
    const fd = openSync(temporary, 'wx');
    try {
      writeAll(fd, header);
      for (let at = 0; at < data.length; at += WRITE_CHUNK) writeAll(fd, data.subarray(at, Math.min(data.length, at + WRITE_CHUNK)));
    } finally {
      closeSync(fd);
    }
  });
}

/** Bytes handed to one write call. */
const WRITE_CHUNK = 64 * 2 ** 20;

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

function checkedElementCount(tensor: Pick<TensorInput, 'shape' | 'data'>, fail: (detail: string) => never): number {
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
