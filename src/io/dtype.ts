/**
 * The safetensors element types this toolkit reads and writes, their sizes, and the
 * conversion of little-endian element bytes to and from JavaScript numbers.
 * Floating-point types widen to Float64Array; I64 is read into a Float64Array too (exactly:
 * values beyond the safe integers ±(2^53 − 1) are rejected); I32 into Int32Array; U8 and BOOL
 * into Uint8Array.
 */
import { BFLOAT16, BINARY16, decodeFloatBits, encodeFloatBits, type FloatFormat } from './float-format.js';

export type FloatDtype = 'F64' | 'F32' | 'F16' | 'BF16';
export type Dtype = FloatDtype | 'I64' | 'I32' | 'U8' | 'BOOL';
export type TensorData = Float64Array | Int32Array | Uint8Array;

export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  U8: 1,
  BOOL: 1,
};

export const DTYPES = Object.keys(DTYPE_BYTES) as Dtype[];

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

export function isFloatDtype(dtype: Dtype): dtype is FloatDtype {
  return dtype === 'F64' || dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

const TWO_POW_32 = 2 ** 32;
const INT32_RANGE = [-(2 ** 31), 2 ** 31 - 1] as const;

/**
 * Decode `count` elements of `dtype` starting at byte `offset` of `view`. Values the result
 * type cannot hold exactly go to `fail`.
 */
export function decodeElements(
  dtype: Dtype,
  view: DataView,
  offset: number,
  count: number,
  fail: (index: number, reason: string) => never,
): TensorData {
  switch (dtype) {
    case 'F64':
      return fill(new Float64Array(count), (i) => view.getFloat64(offset + 8 * i, true));
    case 'F32':
      return fill(new Float64Array(count), (i) => view.getFloat32(offset + 4 * i, true));
    case 'F16':
    case 'BF16': {
      const format = dtype === 'F16' ? BINARY16 : BFLOAT16;
      return fill(new Float64Array(count), (i) => decodeFloatBits(view.getUint16(offset + 2 * i, true), format));
    }
    case 'I64':
      return fill(new Float64Array(count), (i) => {
        const low = view.getUint32(offset + 8 * i, true);
        const high = view.getInt32(offset + 8 * i + 4, true);
        // Exact whenever the true value is a safe integer; rounding is monotone, so an unsafe
        // true value never rounds into the safe range.
        const value = high * TWO_POW_32 + low;
        if (!Number.isSafeInteger(value)) {
          fail(i, `I64 value ${view.getBigInt64(offset + 8 * i, true)} is beyond ±(2^53 − 1) and cannot be held exactly`);
        }
        return value;
      });
    case 'I32':
      return fill(new Int32Array(count), (i) => view.getInt32(offset + 4 * i, true));
    case 'U8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'BOOL':
      return fill(new Uint8Array(count), (i) => {
        const byte = view.getUint8(offset + i);
        if (byte > 1) fail(i, `BOOL byte ${byte} is neither 0 nor 1`);
        return byte;
      });
  }
}

/**
 * Encode `data` as `dtype` into `view` at byte `offset`. Values the type cannot represent
 * (a finite float overflowing to infinity, a non-integer or out-of-range integer) go to `fail`.
 */
export function encodeElements(
  dtype: Dtype,
  data: ArrayLike<number>,
  view: DataView,
  offset: number,
  fail: (index: number, reason: string) => never,
): void {
  const count = data.length;
  switch (dtype) {
    case 'F64':
      for (let i = 0; i < count; i++) view.setFloat64(offset + 8 * i, data[i], true);
      return;
    case 'F32':
      for (let i = 0; i < count; i++) {
        const rounded = Math.fround(data[i]);
        if (!Number.isFinite(rounded) && Number.isFinite(data[i])) fail(i, overflowReason(data[i], 'F32'));
        view.setFloat32(offset + 4 * i, rounded, true);
      }
      return;
    case 'F16':
    case 'BF16':
      encodeNarrowFloats(dtype, dtype === 'F16' ? BINARY16 : BFLOAT16, data, view, offset, fail);
      return;
    case 'I64':
      for (let i = 0; i < count; i++) {
        const value = checkInteger(data[i], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'I64', i, fail);
        const high = Math.floor(value / TWO_POW_32);
        view.setInt32(offset + 8 * i + 4, high, true);
        view.setUint32(offset + 8 * i, value - high * TWO_POW_32, true);
      }
      return;
    case 'I32':
      for (let i = 0; i < count; i++) {
        view.setInt32(offset + 4 * i, checkInteger(data[i], ...INT32_RANGE, 'I32', i, fail), true);
      }
      return;
    case 'U8':
      for (let i = 0; i < count; i++) view.setUint8(offset + i, checkInteger(data[i], 0, 255, 'U8', i, fail));
      return;
    case 'BOOL':
      for (let i = 0; i < count; i++) view.setUint8(offset + i, checkInteger(data[i], 0, 1, 'BOOL', i, fail));
      return;
  }
}

function encodeNarrowFloats(
  dtype: Dtype,
  format: FloatFormat,
  data: ArrayLike<number>,
  view: DataView,
  offset: number,
  fail: (index: number, reason: string) => never,
): void {
  for (let i = 0; i < data.length; i++) {
    const bits = encodeFloatBits(data[i], format);
    if (bits === undefined) fail(i, overflowReason(data[i], dtype));
    view.setUint16(offset + 2 * i, bits, true);
  }
}

function overflowReason(value: number, dtype: Dtype): string {
  return `value ${value} overflows ${dtype} (it would round to infinity)`;
}

function checkInteger(
  value: number,
  min: number,
  max: number,
  dtype: Dtype,
  index: number,
  fail: (index: number, reason: string) => never,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(index, `value ${value} is not an integer in [${min}, ${max}] as ${dtype} requires`);
  }
  return value;
}

function fill<T extends { length: number; [i: number]: number }>(array: T, element: (i: number) => number): T {
  for (let i = 0; i < array.length; i++) array[i] = element(i);
  return array;
}
