import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors, parseSafetensors, readSafetensors, SafetensorsError, writeSafetensors } from '../src/io/index.js';

/** A safetensors file assembled by hand: length field, header text, raw data. */
function rawFile(header: string, data: number[]): Uint8Array {
  const json = Buffer.from(header, 'utf8');
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

function headerOf(bytes: Uint8Array): { length: number; text: string } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { length, text: Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8') };
}

test('parses a hand-assembled file with little-endian F32, I64 and BF16 data', () => {
  const bytes = rawFile(
    '{"b":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},' +
      '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"c":{"dtype":"BF16","shape":[1],"data_offsets":[24,26]},' +
      '"__metadata__":{"format":"pt"}}',
    [
      ...[0x00, 0x00, 0x80, 0x3f], // F32 1.0
      ...[0x00, 0x00, 0x20, 0xc0], // F32 -2.5
      ...[0x05, 0, 0, 0, 0, 0, 0, 0], // I64 5
      ...[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // I64 -2
      ...[0x49, 0x40], // BF16 0x4049 = 3.140625
    ],
  );
  const { tensors, metadata } = parseSafetensors(bytes, 'hand.safetensors');
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual([...tensors.keys()], ['b', 'a', 'c']);
  assert.deepEqual(tensors.get('a'), { dtype: 'F32', shape: [2], data: new Float64Array([1, -2.5]) });
  assert.deepEqual(tensors.get('b'), { dtype: 'I64', shape: [2], data: new Float64Array([5, -2]) });
  assert.deepEqual(tensors.get('c'), { dtype: 'BF16', shape: [1], data: new Float64Array([3.140625]) });
});

test('every dtype round-trips through encode and parse', () => {
  const f32 = [0.1, -1e-40, 3.4e38, 1 / 3];
  const cases = {
    f64: { dtype: 'F64', shape: [2, 2], data: [Math.PI, -0, 1e-310, -1.7976931348623157e308], expected: [Math.PI, -0, 1e-310, -1.7976931348623157e308] },
    f32: { dtype: 'F32', shape: [4], data: f32, expected: f32.map(Math.fround) },
    // 0.1 → 0x2e66 = 0.0999755859375; 2^-24·1.4 → subnormal 0x0001; 1/3 → 0x3555.
    f16: { dtype: 'F16', shape: [4], data: [0.1, 1.4 * 2 ** -24, 1 / 3, -65504], expected: [0.0999755859375, 2 ** -24, 0.333251953125, -65504] },
    // 1/3 → 0x3eab = 0.333984375; 1 + 2^-8 is a tie → 1.
    bf16: { dtype: 'BF16', shape: [3], data: [1 / 3, 1 + 2 ** -8, -0], expected: [0.333984375, 1, -0] },
    i64: { dtype: 'I64', shape: [4], data: [0, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER], expected: [0, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER] },
    i32: { dtype: 'I32', shape: [3], data: [-(2 ** 31), 2 ** 31 - 1, 7], expected: [-(2 ** 31), 2 ** 31 - 1, 7] },
    u8: { dtype: 'U8', shape: [3], data: [0, 128, 255], expected: [0, 128, 255] },
    bool: { dtype: 'BOOL', shape: [1, 3], data: [1, 0, 1], expected: [1, 0, 1] },
  } as const;
  const { tensors } = parseSafetensors(encodeSafetensors(cases), 'round-trip');
  const arrayKind = { F64: Float64Array, F32: Float64Array, F16: Float64Array, BF16: Float64Array, I64: Float64Array, I32: Int32Array, U8: Uint8Array, BOOL: Uint8Array };
  for (const [name, { dtype, shape, expected }] of Object.entries(cases)) {
    const tensor = tensors.get(name)!;
    assert.equal(tensor.dtype, dtype);
    assert.deepEqual(tensor.shape, shape);
    assert.ok(tensor.data instanceof arrayKind[dtype], `${name} array type`);
    assert.equal(tensor.data.length, expected.length);
    expected.forEach((value, i) => assert.ok(Object.is(tensor.data[i], value), `${name}[${i}]: ${tensor.data[i]} vs ${value}`));
  }
});

test('writer stores F16 as little-endian bit patterns, F64 by default, scalars and empty tensors', () => {
  const bytes = encodeSafetensors({
    half: { dtype: 'F16', shape: [2], data: [1, -2] },
    scalar: { shape: [], data: [0.5] },
    empty: { dtype: 'F32', shape: [0, 3], data: [] },
  });
  const { length, text } = headerOf(bytes);
  const header = JSON.parse(text);
  assert.deepEqual(header.empty, { dtype: 'F32', shape: [0, 3], data_offsets: [0, 0] });
  assert.deepEqual(header.half, { dtype: 'F16', shape: [2], data_offsets: [0, 4] });
  assert.deepEqual(header.scalar, { dtype: 'F64', shape: [], data_offsets: [4, 12] });
  const data = bytes.subarray(8 + length);
  assert.deepEqual([...data.subarray(0, 4)], [0x00, 0x3c, 0x00, 0xc0]);
  assert.deepEqual([...data.subarray(4, 12)], [0, 0, 0, 0, 0, 0, 0xe0, 0x3f]);
  assert.equal(data.length, 12);
  const { tensors } = parseSafetensors(bytes, 'mem');
  assert.deepEqual(tensors.get('scalar')!.data, new Float64Array([0.5]));
  assert.equal(tensors.get('empty')!.data.length, 0);
});

test('writer lays tensors out in sorted name order, padding the header with spaces to 8 bytes', () => {
  for (let nameLength = 1; nameLength <= 16; nameLength++) {
    const tensors = {
      ['z'.repeat(nameLength)]: { dtype: 'F32' as const, shape: [1], data: [1] },
      b: { shape: [2], data: [2, 3] },
      a: { dtype: 'U8' as const, shape: [3], data: [4, 5, 6] },
    };
    const bytes = encodeSafetensors(tensors, { note: 'é' });
    const { length, text } = headerOf(bytes);
    assert.equal((8 + length) % 8, 0, `data start for name length ${nameLength}`);
    const trimmed = text.trimEnd();
    assert.match(text.slice(trimmed.length), /^ *$/);
    assert.ok(text.length - trimmed.length < 8);
    const header = JSON.parse(text);
    assert.deepEqual(header.__metadata__, { note: 'é' });
    assert.deepEqual(header.a.data_offsets, [0, 3]);
    assert.deepEqual(header.b.data_offsets, [3, 19]);
    assert.deepEqual(header['z'.repeat(nameLength)].data_offsets, [19, 23]);
    assert.equal(bytes.length, 8 + length + 23);
  }
});

test('metadata round-trips; an empty metadata object is left out of the header', () => {
  const withMeta = encodeSafetensors({ x: { shape: [1], data: [1] } }, { cell: 'lstm', epoch: '3' });
  assert.deepEqual(parseSafetensors(withMeta, 'm').metadata, { cell: 'lstm', epoch: '3' });
  const without = encodeSafetensors({ x: { shape: [1], data: [1] } });
  assert.ok(!headerOf(without).text.includes('__metadata__'));
  assert.deepEqual(parseSafetensors(without, 'm').metadata, {});
});

test('a Map of read tensors can be written back unchanged', () => {
  const original = encodeSafetensors({ w: { dtype: 'BF16', shape: [2], data: [1.5, -3] }, n: { dtype: 'I32', shape: [1], data: [9] } });
  const { tensors } = parseSafetensors(original, 'first');
  assert.deepEqual(encodeSafetensors(tensors), original);
});

test('writeSafetensors replaces files atomically and leaves the old file on failure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'io-safetensors-'));
  try {
    const path = join(dir, 'model.safetensors');
    writeSafetensors(path, { w: { shape: [2], data: [1, 2] } }, { version: '1' });
    const first = readFileSync(path);
    assert.deepEqual(readSafetensors(path).tensors.get('w')!.data, new Float64Array([1, 2]));

    assert.throws(
      () => writeSafetensors(path, { w: { dtype: 'F16', shape: [1], data: [1e6] } }),
      (error: unknown) => error instanceof SafetensorsError && error.file === path,
    );
    assert.deepEqual(readFileSync(path), first);
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);

    writeSafetensors(path, { w: { shape: [1], data: [7] } });
    assert.deepEqual(readSafetensors(path).tensors.get('w')!.data, new Float64Array([7]));
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);

    // A failing rename (the target is a non-empty directory) removes the temporary file.
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'child'), { recursive: true });
    assert.throws(() => writeSafetensors(blocked, { w: { shape: [1], data: [1] } }));
    assert.deepEqual(readdirSync(dir).sort(), ['blocked', 'model.safetensors']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
