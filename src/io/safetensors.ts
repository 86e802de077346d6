/**
 * Reading safetensors files: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * mapping tensor names to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the
 * end of the header) plus an optional "__metadata__" object of strings, then the raw
 * little-endian row-major data. Every rule of the format is checked, including that the
 * tensors cover the data section exactly (no overlaps, holes or trailing bytes).
 */
import { readFileSync } from 'node:fs';
import { decodeElements, DTYPE_BYTES, DTYPES, isDtype, type Dtype, type TensorData } from './dtype.js';
import { SafetensorsError } from './errors.js';

export interface Tensor {
  dtype: Dtype;
  shape: number[];
  /** Row-major elements; see dtype.ts for which array each dtype gives. */
  data: TensorData;
}

export interface SafetensorsContents {
  /** Tensors in header order. */
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** The key of the optional string-to-string metadata object in the header. */
export const METADATA_KEY = '__metadata__';
/** Larger headers are refused before parsing (the reference implementation uses the same bound). */
export const MAX_HEADER_BYTES = 100_000_000;
const LENGTH_FIELD_BYTES = 8;

export function readSafetensors(path: string): SafetensorsContents {
  return parseSafetensors(readFileSync(path), path);
}

/** Parse a whole safetensors file held in memory; `sourceName` names it in error messages. */
export function parseSafetensors(bytes: Uint8Array, sourceName: string): SafetensorsContents {
  const fail = (detail: string, tensor?: string): never => {
    throw new SafetensorsError(sourceName, detail, tensor);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < LENGTH_FIELD_BYTES) {
    fail(`file is ${bytes.length} bytes long, shorter than the 8-byte header length that starts a safetensors file`);
  }
  const declaredLength = view.getBigUint64(0, true);
  if (declaredLength > BigInt(MAX_HEADER_BYTES)) {
    fail(`header length ${declaredLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const headerLength = Number(declaredLength);
  if (headerLength > bytes.length - LENGTH_FIELD_BYTES) {
    fail(`header length ${headerLength} exceeds the ${bytes.length - LENGTH_FIELD_BYTES} bytes that follow the length field`);
  }
  const header = parseHeaderJson(bytes.subarray(LENGTH_FIELD_BYTES, LENGTH_FIELD_BYTES + headerLength), fail);
  const dataStart = LENGTH_FIELD_BYTES + headerLength;
  const dataLength = bytes.length - dataStart;

  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value, fail);
    else entries.push(parseEntry(name, value, (detail) => fail(detail, name)));
  }
  checkCoverage(entries, dataLength, fail);

  const tensors = new Map<string, Tensor>();
  for (const { name, dtype, shape, begin, elements } of entries) {
    const data = decodeElements(dtype, view, dataStart + begin, elements, (index, reason) =>
      fail(`element ${index}: ${reason}`, name),
    );
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}

interface Entry {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
  elements: number;
}

type Fail = (detail: string, tensor?: string) => never;

function parseHeaderJson(headerBytes: Uint8Array, fail: Fail): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    return fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    return fail(`header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) {
    return fail(`header must be a JSON object mapping tensor names to entries, got ${describeJson(header)}`);
  }
  return header;
}

function parseMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (!isPlainObject(value)) {
    return fail(`${METADATA_KEY} must be an object whose values are strings, got ${describeJson(value)}`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      fail(`${METADATA_KEY} value of '${key}' must be a string, got ${describeJson(item)}`);
    }
  }
  return value as Record<string, string>;
}

function parseEntry(name: string, value: unknown, fail: (detail: string) => never): Entry {
  if (!isPlainObject(value)) {
    return fail(`entry must be an object with dtype, shape and data_offsets, got ${describeJson(value)}`);
  }
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!(field in value)) fail(`entry is missing '${field}'`);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') return fail(`dtype must be a string, got ${describeJson(dtype)}`);
  if (!isDtype(dtype)) return fail(`unsupported dtype '${dtype}', expected one of ${DTYPES.join(', ')}`);
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    return fail(`shape must be an array of non-negative integers, got ${describeJson(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || offsets[0] > offsets[1]) {
    return fail(`data_offsets must be [begin, end] with integers 0 ≤ begin ≤ end, got ${describeJson(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const elements = shape.reduce((product: number, size: number) => product * size, 1);
  const needed = elements * DTYPE_BYTES[dtype];
  if (end - begin !== needed) {
    fail(
      `data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} ` +
        `needs ${needed} (${elements} elements × ${DTYPE_BYTES[dtype]} bytes)`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end, elements };
}

/** The spec requires the tensors to tile the data section: no overlap, no hole, nothing after. */
function checkCoverage(entries: Entry[], dataLength: number, fail: Fail): void {
  for (const entry of entries) {
    if (entry.end > dataLength) {
      fail(`data_offsets [${entry.begin}, ${entry.end}] reach beyond the data section of ${dataLength} bytes`, entry.name);
    }
  }
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Entry | undefined;
  for (const entry of ordered) {
    if (entry.begin < covered && previous) {
      fail(
        `data_offsets [${entry.begin}, ${entry.end}] overlap tensor '${previous.name}' at [${previous.begin}, ${previous.end}]`,
        entry.name,
      );
    }
    if (entry.begin > covered) {
      fail(`data bytes [${covered}, ${entry.begin}) belong to no tensor (the next tensor, '${entry.name}', starts at ${entry.begin})`);
    }
    covered = entry.end;
    previous = entry;
  }
  if (covered < dataLength) {
    fail(`${dataLength - covered} trailing bytes after the last tensor (data section is ${dataLength} bytes, tensors cover ${covered})`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describeJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
