import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors, parseSafetensors, readSafetensors, SafetensorsError, type TensorInputs } from '../src/io/index.js';

const FILE = 'bad.safetensors';

/** A file with the given header text and `dataBytes` zero bytes of data. */
function rawFile(header: string | Uint8Array, dataBytes = 0, declaredLength?: bigint): Uint8Array {
  const json = typeof header === 'string' ? Buffer.from(header, 'utf8') : header;
  const bytes = new Uint8Array(8 + json.length + dataBytes);
  new DataView(bytes.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  bytes.set(json, 8);
  return bytes;
}

function entry(dtype: string, shape: unknown, offsets: unknown): string {
  return JSON.stringify({ dtype, shape, data_offsets: offsets });
}

function assertFails(bytes: Uint8Array, message: RegExp, tensor?: string): void {
  assert.throws(
    () => parseSafetensors(bytes, FILE),
    (error: unknown) => {
      assert.ok(error instanceof SafetensorsError, `expected SafetensorsError, got ${error}`);
      assert.equal(error.file, FILE);
      assert.equal(error.tensor, tensor);
      assert.ok(error.message.startsWith(`${FILE}: ${tensor === undefined ? '' : `tensor '${tensor}': `}`), error.message);
      assert.match(error.message, message);
      return true;
    },
  );
}

test('file shorter than the length field', () => {
  assertFails(new Uint8Array(5), /file is 5 bytes long, shorter than the 8-byte header length/);
  assertFails(new Uint8Array(0), /file is 0 bytes long/);
});

test('header length beyond the sane limit or the file', () => {
  assertFails(rawFile('{}', 0, 2n ** 40n), /header length 1099511627776 exceeds the limit of 100000000 bytes/);
  assertFails(rawFile('{}', 0, 2n ** 64n - 1n), /header length 18446744073709551615 exceeds the limit/);
  assertFails(rawFile('{}', 10, 100n), /header length 100 exceeds the 12 bytes that follow the length field/);
});

test('header that is not UTF-8, not JSON, or not an object', () => {
  assertFails(rawFile(new Uint8Array([0x7b, 0xff, 0x7d])), /header is not valid UTF-8/);
  assertFails(rawFile('{"a": '), /header is not valid JSON \(/);
  assertFails(rawFile(''), /header is not valid JSON/);
  assertFails(rawFile('[1,2]'), /header must be a JSON object mapping tensor names to entries, got \[1,2\]/);
  assertFails(rawFile('null'), /header must be a JSON object .*got null/);
});

test('tensor entry that is not an object or lacks a field', () => {
  assertFails(rawFile('{"w": 3}'), /entry must be an object with dtype, shape and data_offsets, got 3/, 'w');
  assertFails(rawFile('{"w": {"shape": [1], "data_offsets": [0, 4]}}', 4), /entry is missing 'dtype'/, 'w');
  assertFails(rawFile('{"w": {"dtype": "F32", "data_offsets": [0, 4]}}', 4), /entry is missing 'shape'/, 'w');
  assertFails(rawFile('{"w": {"dtype": "F32", "shape": [1]}}', 4), /entry is missing 'data_offsets'/, 'w');
});

test('dtype of the wrong type or unknown', () => {
  assertFails(rawFile(`{"w": ${entry(5 as never, [1], [0, 4])}}`, 4), /dtype must be a string, got 5/, 'w');
  assertFails(
    rawFile(`{"w": ${entry('F8_E4M3', [1], [0, 1])}}`, 1),
    /unsupported dtype 'F8_E4M3', expected one of F64, F32, F16, BF16, I64, I32, U8, BOOL/,
    'w',
  );
});

test('shape that is not an array of non-negative integers', () => {
  for (const shape of [[-1], [1.5], '3', [2, null], null]) {
    assertFails(
      rawFile(`{"w": ${entry('F32', shape, [0, 4])}}`, 4),
      /shape must be an array of non-negative integers, got /,
      'w',
    );
  }
});

test('data_offsets of the wrong form', () => {
  for (const offsets of [[0], [0, 4, 8], [4, 0], [-4, 0], [0, 4.5], 'x', [0, '4']]) {
    assertFails(
      rawFile(`{"w": ${entry('F32', [1], offsets)}}`, 4),
      /data_offsets must be \[begin, end\] with integers 0 ≤ begin ≤ end, got /,
      'w',
    );
  }
});

test('data_offsets not matching shape × dtype size', () => {
  assertFails(
    rawFile(`{"w": ${entry('F32', [2, 3], [0, 12])}}`, 12),
    /data_offsets \[0, 12\] span 12 bytes but shape \[2, 3\] of F32 needs 24 \(6 elements × 4 bytes\)/,
    'w',
  );
});

test('data_offsets beyond the data section', () => {
  assertFails(
    rawFile(`{"w": ${entry('F64', [2], [0, 16])}}`, 8),
    /data_offsets \[0, 16\] reach beyond the data section of 8 bytes/,
    'w',
  );
});

test('overlapping tensors', () => {
  assertFails(
    rawFile(`{"a": ${entry('F32', [2], [0, 8])}, "b": ${entry('F32', [2], [4, 12])}}`, 12),
    /data_offsets \[4, 12\] overlap tensor 'a' at \[0, 8\]/,
    'b',
  );
  // An empty tensor placed inside another one breaks the tiling too.
  assertFails(
    rawFile(`{"a": ${entry('F32', [2], [0, 8])}, "e": ${entry('F32', [0], [4, 4])}}`, 8),
    /overlap tensor 'a'/,
    'e',
  );
});

test('holes in the data section and trailing bytes', () => {
  assertFails(
    rawFile(`{"a": ${entry('F32', [1], [0, 4])}, "b": ${entry('F32', [1], [8, 12])}}`, 12),
    /data bytes \[4, 8\) belong to no tensor \(the next tensor, 'b', starts at 8\)/,
  );
  assertFails(rawFile(`{"b": ${entry('F32', [1], [4, 8])}}`, 8), /data bytes \[0, 4\) belong to no tensor/);
  assertFails(
    rawFile(`{"a": ${entry('F32', [1], [0, 4])}}`, 7),
    /3 trailing bytes after the last tensor \(data section is 7 bytes, tensors cover 4\)/,
  );
  assertFails(rawFile('{}', 1), /1 trailing bytes after the last tensor/);
});

test('__metadata__ that is not an object of strings', () => {
  assertFails(rawFile('{"__metadata__": [1]}'), /__metadata__ must be an object whose values are strings, got \[1\]/);
  assertFails(rawFile('{"__metadata__": {"epoch": 3}}'), /__metadata__ value of 'epoch' must be a string, got 3/);
});

test('element values the result array cannot hold', () => {
  const i64 = rawFile(`{"n": ${entry('I64', [2], [0, 16])}}`, 16);
  new DataView(i64.buffer).setBigInt64(i64.length - 8, 2n ** 53n, true);
  assertFails(i64, /element 1: I64 value 9007199254740992 is beyond ±\(2\^53 − 1\)/, 'n');
  const bool = rawFile(`{"m": ${entry('BOOL', [3], [0, 3])}}`, 3);
  bool[bool.length - 1] = 2;
  assertFails(bool, /element 2: BOOL byte 2 is neither 0 nor 1/, 'm');
});

test('the empty file {} with no tensors is valid', () => {
  assert.deepEqual(parseSafetensors(rawFile('{}'), FILE).tensors.size, 0);
  assert.deepEqual(parseSafetensors(rawFile('{}   '), FILE).metadata, {});
});

function assertWriteFails(tensors: TensorInputs, message: RegExp, tensor?: string): void {
  assert.throws(
    () => encodeSafetensors(tensors, {}, 'out.safetensors'),
    (error: unknown) => {
      assert.ok(error instanceof SafetensorsError, `expected SafetensorsError, got ${error}`);
      assert.equal(error.file, 'out.safetensors');
      assert.equal(error.tensor, tensor);
      assert.match(error.message, message);
      return true;
    },
  );
}

test('writer rejects data it cannot store faithfully', () => {
  assertWriteFails({ w: { shape: [2, 3], data: [1, 2] } }, /tensor 'w': data has 2 values but shape \[2, 3\] needs 6/, 'w');
  assertWriteFails({ w: { shape: [-1], data: [] } }, /shape must be non-negative integers, got \[-1\]/, 'w');
  assertWriteFails({ __metadata__: { shape: [1], data: [1] } }, /the name __metadata__ is reserved for metadata/);
  assertWriteFails({ h: { dtype: 'F16', shape: [2], data: [1, 65520] } }, /element 1: value 65520 overflows F16/, 'h');
  assertWriteFails({ h: { dtype: 'BF16', shape: [1], data: [1e39] } }, /element 0: value 1e\+39 overflows BF16/, 'h');
  assertWriteFails({ h: { dtype: 'F32', shape: [1], data: [1e39] } }, /element 0: value 1e\+39 overflows F32/, 'h');
  assertWriteFails({ n: { dtype: 'I32', shape: [1], data: [0.5] } }, /value 0.5 is not an integer in \[-2147483648, 2147483647\] as I32 requires/, 'n');
  assertWriteFails({ n: { dtype: 'U8', shape: [1], data: [256] } }, /value 256 is not an integer in \[0, 255\]/, 'n');
  assertWriteFails({ n: { dtype: 'I64', shape: [1], data: [2 ** 53] } }, /value 9007199254740992 is not an integer/, 'n');
  assertWriteFails({ m: { dtype: 'BOOL', shape: [1], data: [2] } }, /value 2 is not an integer in \[0, 1\] as BOOL requires/, 'm');
});

test('writer keeps infinities and NaN, which are values and not overflow', () => {
  const bytes = encodeSafetensors({ h: { dtype: 'F16', shape: [3], data: [Infinity, -Infinity, NaN] } });
  const data = parseSafetensors(bytes, FILE).tensors.get('h')!.data;
  assert.deepEqual([data[0], data[1]], [Infinity, -Infinity]);
  assert.ok(Number.isNaN(data[2]));
});

/** `bytes` written to a fresh file, then stretched with a hole to `size` bytes (sparse: no disk used). */
function fileOf(bytes: Uint8Array, size = bytes.length): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rnn-lyap-st-')), 'big.safetensors');
  writeFileSync(path, bytes);
  if (size > bytes.length) truncateSync(path, size);
  return path;
}

function assertReadFails(path: string, message: RegExp): void {
  assert.throws(() => readSafetensors(path), (error: unknown) => {
    assert.ok(error instanceof SafetensorsError, `expected SafetensorsError, got ${error}`);
    assert.ok(error.message.startsWith(`${path}: `), error.message);
    assert.match(error.message, message);
    return true;
  });
}

test('files over 2 GiB are refused by their header, with their name, without reading them whole', () => {
  const over2GiB = 2 ** 31 + 4096;
  assertReadFails(fileOf(rawFile('{}', 0, 2n ** 40n), over2GiB), /header length 1099511627776 exceeds the limit/);
  // A valid header for 4 bytes of data: the other 2 GiB are trailing bytes, found from the size alone.
  const small = rawFile(`{"w": ${entry('F32', [1], [0, 4])}}`, 4);
  assertReadFails(fileOf(small, over2GiB), new RegExp(`${over2GiB - small.length + 4 - 4} trailing bytes after the last tensor`));
  assertReadFails(fileOf(rawFile('{}', 0, 1000n)), /header length 1000 exceeds the 2 bytes that follow/);
});

test('a header nested 100 000 deep is refused by its depth, naming the file', () => {
  const deep = 100_000;
  assertFails(rawFile(`{"a": ${'['.repeat(deep)}${']'.repeat(deep)}}`), /header nests deeper than 16 levels/);
  assertReadFails(fileOf(rawFile(`{"a": ${'{"x": '.repeat(deep)}1${'}'.repeat(deep)}}`)), /header nests deeper than 16 levels/);
  // Brackets inside strings are not nesting.
  const named = `{"${'['.repeat(40)}": ${entry('F32', [1], [0, 4])}}`;
  assert.equal(parseSafetensors(rawFile(named, 4), FILE).tensors.size, 1);
});

test('a tensor name or dtype with a newline still gives a one-line message', () => {
  const header = `{"w\\nx": ${entry('F32\n', [1], [0, 4])}}`;
  assert.throws(() => parseSafetensors(rawFile(header, 4), FILE), (error: Error) => {
    assert.ok(error instanceof SafetensorsError);
    assert.equal(error.message, `${FILE}: tensor 'w\\u000ax': unsupported dtype 'F32\\u000a', expected one of F64, F32, F16, BF16, I64, I32, U8, BOOL`);
    return true;
  });
});

test('reading by range gives the same tensors as parsing the whole file', () => {
  const path = new URL('./fixtures/torch/gru_l2_bias_h3.model.safetensors', import.meta.url).pathname;
  const byRange = readSafetensors(path);
  const whole = parseSafetensors(readFileSync(path), path);
  assert.deepEqual([...byRange.tensors], [...whole.tensors]);
  assert.deepEqual(byRange.metadata, whole.metadata);
  assert.ok(byRange.tensors.size >= 6);
});
