/**
 * Reading safetensors files: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * mapping tensor names to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the
 * end of the header) plus an optional "__metadata__" object of strings, then the raw
 * little-endian row-major data. Every rule of the format is checked, including that the
 * tensors cover the data section exactly (no overlaps, holes or trailing bytes). No file system
 * here (the browser build parses a dropped file's bytes): safetensors-file.ts reads files.
 */
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
/**
 * Deeper headers are refused before parsing. A valid header nests 3 levels (the header, an
 * entry, its shape); unbounded nesting would overflow the stack of whatever walks it.
 */
export const MAX_HEADER_DEPTH = 16;
const LENGTH_FIELD_BYTES = 8;
/** The largest tensor read in one piece: a Buffer's limit, and the decoded array's element limit. */
const MAX_TENSOR_BYTES = 2 ** 32 - 1;

/** A file's header: its metadata and each tensor's dtype and shape, in header order. */
export interface SafetensorsHeader {
  tensors: Map<string, Omit<Tensor, 'data'>>;
  metadata: Record<string, string>;
}

/**
 * `read(position, length)`: `length` bytes of a file or buffer of `fileBytes` bytes (or a
 * SafetensorsError naming it); safetensors-file.ts reads a file by ranges, parseSafetensors a buffer.
 */
export type ReadRange = ((position: number, length: number) => Uint8Array) & { fileBytes: number };

/**
 * Reads in the order the layout allows checking it cheaply: the 8-byte length, then the header,
 * then each tensor's bytes by range. A bogus or truncated file is refused with its name
 * (`sourceName`) before its data is read.
 */
export function readSafetensorsRanges(read: ReadRange, sourceName: string): SafetensorsContents {
  const fail = failFor(sourceName);
  const { metadata, entries, dataStart } = readHeader(read, fail);
  const tensors = new Map<string, Tensor>();
  for (const entry of entries) {
    const bytes = read(dataStart + entry.begin, entry.end - entry.begin);
    tensors.set(entry.name, decodeEntry(entry, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, fail));
  }
  return { tensors, metadata };
}

/** The header alone, checked as readSafetensorsRanges checks it: what reading the tensors would give, before reading them. */
export function readSafetensorsHeaderRanges(read: ReadRange, sourceName: string): SafetensorsHeader {
  const { metadata, entries } = readHeader(read, failFor(sourceName));
  return { metadata, tensors: new Map(entries.map(({ name, dtype, shape }) => [name, { dtype, shape }])) };
}

function readHeader(read: ReadRange, fail: Fail): { metadata: Record<string, string>; entries: Entry[]; dataStart: number } {
  const { fileBytes } = read;
  const headerLength = checkLengthField(read(0, Math.min(LENGTH_FIELD_BYTES, fileBytes)), fileBytes, fail);
  const dataStart = LENGTH_FIELD_BYTES + headerLength;
  return { ...parseHeader(read(LENGTH_FIELD_BYTES, headerLength), fileBytes - dataStart, fail), dataStart };
}

/** Parse a whole safetensors file held in memory (no copy of its tensors' bytes); `sourceName` names it in error messages. */
export function parseSafetensors(bytes: Uint8Array, sourceName: string): SafetensorsContents {
  const read = Object.assign((position: number, length: number) => bytes.subarray(position, position + length), { fileBytes: bytes.length });
  return readSafetensorsRanges(read, sourceName);
}

function failFor(sourceName: string): Fail {
  return (detail, tensor) => {
    throw new SafetensorsError(sourceName, detail, tensor);
  };
}

/** The header length the first 8 bytes declare, checked against the limit and the file's size. */
function checkLengthField(lengthField: Uint8Array, fileBytes: number, fail: Fail): number {
  if (fileBytes < LENGTH_FIELD_BYTES) {
    fail(`file is ${fileBytes} bytes long, shorter than the 8-byte header length that starts a safetensors file`);
  }
  const declaredLength = new DataView(lengthField.buffer, lengthField.byteOffset, LENGTH_FIELD_BYTES).getBigUint64(0, true);
  if (declaredLength > BigInt(MAX_HEADER_BYTES)) {
    fail(`header length ${declaredLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const headerLength = Number(declaredLength);
  if (headerLength > fileBytes - LENGTH_FIELD_BYTES) {
    fail(`header length ${headerLength} exceeds the ${fileBytes - LENGTH_FIELD_BYTES} bytes that follow the length field`);
  }
  return headerLength;
}

/** The header's metadata and tensor entries, checked to tile a data section of `dataLength` bytes. */
function parseHeader(headerBytes: Uint8Array, dataLength: number, fail: Fail): { metadata: Record<string, string>; entries: Entry[] } {
  const header = parseHeaderJson(headerBytes, fail);
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value, fail);
    else entries.push(parseEntry(name, value, (detail) => fail(detail, name)));
  }
  checkCoverage(entries, dataLength, fail);
  return { metadata, entries };
}

function decodeEntry({ name, dtype, shape, elements }: Entry, view: DataView, offset: number, fail: Fail): Tensor {
  const data = decodeElements(dtype, view, offset, elements, (index, reason) => fail(`element ${index}: ${reason}`, name));
  return { dtype, shape, data };
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
  checkNesting(text, fail);
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

/** Refuses a header nested deeper than MAX_HEADER_DEPTH, counting brackets outside strings. */
function checkNesting(text: string, fail: Fail): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_HEADER_DEPTH) {
        fail(`header nests deeper than ${MAX_HEADER_DEPTH} levels (at byte ${i}); a safetensors header nests 3 (header, entry, shape)`);
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
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
  if (needed > MAX_TENSOR_BYTES) {
    fail(`shape ${shapeText(shape)} of ${dtype} needs ${needed} bytes, more than the ${MAX_TENSOR_BYTES} a tensor may have here`);
  }
  if (end - begin !== needed) {
    fail(
      `data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape ${shapeText(shape)} of ${dtype} ` +
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

/** A shape as `[2, 3]`, its first 8 sizes only when it has more (a hostile header may give a million). */
function shapeText(shape: readonly number[]): string {
  return `[${shape.slice(0, 8).join(', ')}${shape.length > 8 ? `, … (${shape.length} sizes)` : ''}]`;
}

function describeJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
