import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BFLOAT16, BINARY16, BINARY32, decodeFloatBits, encodeFloatBits } from '../src/io/index.js';
import { Rng } from '../src/linalg/index.js';

const hex = (bits: number | undefined) => (bits === undefined ? 'overflow' : `0x${bits.toString(16).padStart(4, '0')}`);

// Bit patterns from the IEEE 754 binary16 definition (1 sign, 5 exponent bits with bias 15,
// 10 mantissa bits); the halfway cases are worked out by hand.
const F16_CASES: [number, number | undefined][] = [
  [1, 0x3c00],
  [-2, 0xc000],
  [0.5, 0x3800],
  [65504, 0x7bff], // largest finite
  [65519.99, 0x7bff], // just below the halfway point to 2^16
  [65520, undefined], // halfway: ties to even goes to 2^16 = infinity
  [2 ** -14, 0x0400], // smallest normal
  [2 ** -24, 0x0001], // smallest subnormal
  [2 ** -25, 0x0000], // half the smallest subnormal: tie, even is 0
  [2 ** -25 * 1.0000001, 0x0001], // just above that tie
  [3 * 2 ** -25, 0x0002], // 1.5 quanta: tie, even is 2
  [2 ** -14 - 2 ** -25, 0x0400], // tie between largest subnormal 0x03ff and smallest normal
  [1 + 2 ** -11, 0x3c00], // tie between 0x3c00 and 0x3c01: even mantissa
  [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02: even mantissa
  [1 + 2 ** -11 + 2 ** -40, 0x3c01], // just above a tie; rounding through float32 would lose it
  [2047.5, 0x6800], // tie between 2047 (0x67ff) and 2048 (0x6800): 2048 is even
  [1 / 3, 0x3555],
  [0.1, 0x2e66],
  [0, 0x0000],
  [-0, 0x8000],
  [Infinity, 0x7c00],
  [-Infinity, 0xfc00],
  [NaN, 0x7e00],
];

// bfloat16 is the top half of binary32 (8 exponent bits, 7 mantissa bits).
const BF16_CASES: [number, number | undefined][] = [
  [1, 0x3f80],
  [-2, 0xc000],
  [Math.PI, 0x4049], // float32 pi is 0x40490fdb; the dropped half 0x0fdb < 0x8000
  [1 / 3, 0x3eab], // float32 0x3eaaaaab; dropped 0xaaab > 0x8000 rounds up
  [1 + 2 ** -8, 0x3f80], // tie: even mantissa
  [1 + 3 * 2 ** -8, 0x3f82], // tie: even mantissa
  [(2 - 2 ** -7) * 2 ** 127, 0x7f7f], // largest finite
  [(2 - 2 ** -8) * 2 ** 127, undefined], // halfway to 2^128: rounds to infinity
  [2 ** -126, 0x0080], // smallest normal
  [2 ** -133, 0x0001], // smallest subnormal
  [2 ** -134, 0x0000], // tie with zero
  [-0, 0x8000],
  [-Infinity, 0xff80],
  [NaN, 0x7fc0],
];

test('float64 → binary16 matches known bit patterns, ties to even', () => {
  for (const [value, expected] of F16_CASES) {
    assert.equal(hex(encodeFloatBits(value, BINARY16)), hex(expected), `F16 of ${value}`);
  }
});

test('float64 → bfloat16 matches known bit patterns, ties to even', () => {
  for (const [value, expected] of BF16_CASES) {
    assert.equal(hex(encodeFloatBits(value, BFLOAT16)), hex(expected), `BF16 of ${value}`);
  }
});

test('binary16 decoding gives the exact known values', () => {
  assert.equal(decodeFloatBits(0x3c00, BINARY16), 1);
  assert.equal(decodeFloatBits(0x7bff, BINARY16), 65504);
  assert.equal(decodeFloatBits(0x0001, BINARY16), 2 ** -24);
  assert.equal(decodeFloatBits(0x03ff, BINARY16), 1023 * 2 ** -24);
  assert.equal(decodeFloatBits(0x3555, BINARY16), 0.333251953125);
  assert.equal(decodeFloatBits(0xc000, BINARY16), -2);
  assert.ok(Object.is(decodeFloatBits(0x8000, BINARY16), -0));
  assert.equal(decodeFloatBits(0x7c00, BINARY16), Infinity);
  assert.equal(decodeFloatBits(0xfc00, BINARY16), -Infinity);
  assert.ok(Number.isNaN(decodeFloatBits(0x7e00, BINARY16)));
  assert.ok(Number.isNaN(decodeFloatBits(0xfc01, BINARY16)));
});

test('bfloat16 decoding of every pattern equals the float32 with those top 16 bits', () => {
  const asFloat32 = new Float32Array(1);
  const asBits = new Uint32Array(asFloat32.buffer);
  for (let bits = 0; bits < 0x10000; bits++) {
    asBits[0] = bits << 16;
    const decoded = decodeFloatBits(bits, BFLOAT16);
    if (Number.isNaN(asFloat32[0])) assert.ok(Number.isNaN(decoded), hex(bits));
    else assert.ok(Object.is(decoded, asFloat32[0]), `${hex(bits)}: ${decoded} vs ${asFloat32[0]}`);
  }
});

test('every non-NaN binary16 and bfloat16 pattern survives decode then encode', () => {
  for (const format of [BINARY16, BFLOAT16]) {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = decodeFloatBits(bits, format);
      if (!Number.isNaN(value)) assert.equal(encodeFloatBits(value, format), bits);
    }
  }
});

test('the same rounding with binary32 parameters agrees with Math.fround', () => {
  const rng = new Rng(7);
  const asFloat32 = new Float32Array(1);
  const asBits = new Uint32Array(asFloat32.buffer);
  for (let i = 0; i < 20000; i++) {
    // Spread over all binades, subnormals included, and both signs.
    const value = (rng.uniform() < 0.5 ? -1 : 1) * (1 + rng.uniform()) * 2 ** Math.floor(rng.range(-152, 128));
    asFloat32[0] = Math.fround(value);
    const expected = Number.isFinite(asFloat32[0]) ? asBits[0] : undefined;
    assert.equal(encodeFloatBits(value, BINARY32), expected, `${value}`);
  }
  // Exact halfway points between neighbouring float32 values.
  for (let i = 0; i < 2000; i++) {
    const low = Math.fround(rng.range(-1e6, 1e6));
    asFloat32[0] = low;
    asBits[0] += 1;
    const halfway = (low + asFloat32[0]) / 2;
    asFloat32[0] = Math.fround(halfway);
    assert.equal(encodeFloatBits(halfway, BINARY32), asBits[0], `${halfway}`);
  }
});
