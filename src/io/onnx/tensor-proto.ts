/**
 * The values of an ONNX TensorProto holding weights: float, double, float16 or bfloat16, stored
 * in raw_data (little-endian) or in the typed field ONNX assigns to the type (float_data,
 * double_data, or int32_data holding 16-bit patterns). External data and other types are refused.
 */
import { decodeElements, type FloatDtype } from '../dtype.js';
import { BFLOAT16, BINARY16, decodeFloatBits } from '../float-format.js';
import type { Tensor } from '../safetensors.js';
import type { Fail } from '../tensor-checks.js';
import type { OnnxTensor } from './decode.js';

/** TensorProto.DataType numbers of the floating-point types we read, and their safetensors names. */
const FLOAT_TYPES: Record<number, FloatDtype> = { 1: 'F32', 11: 'F64', 10: 'F16', 16: 'BF16' };
const TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};
const BYTES: Record<FloatDtype, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };

/** The tensor's shape and values as float64; `fail` is bound to the tensor's name. */
export function onnxFloatTensor(tensor: OnnxTensor, fail: Fail): Tensor {
  if (tensor.data_location === 1 || (tensor.external_data?.length ?? 0) > 0) {
    const location = tensor.external_data?.find((entry) => entry.key === 'location')?.value;
    fail(`is stored as external data${location === undefined ? '' : ` in '${location}'`}, which is not supported; re-export with the weights inside the .onnx file (torch.onnx.export does so below 2 GiB)`);
  }
  if (tensor.segment !== undefined) fail('is a segment of a larger tensor, which is not supported');
  const type = tensor.data_type ?? 0;
  const dtype = FLOAT_TYPES[type] ?? fail(`has data type ${TYPE_NAMES[type] ?? type}; expected FLOAT, DOUBLE, FLOAT16 or BFLOAT16`);
  const shape = tensor.dims ?? [];
  const count = shape.reduce((product, size) => product * size, 1);
  const data = tensor.raw_data !== undefined && tensor.raw_data.length > 0 ? fromRaw(tensor.raw_data, dtype, count, fail) : fromTyped(tensor, dtype);
  if (data.length !== count) fail(`holds ${data.length} values; its dims [${shape.join(', ')}] need ${count}`);
  return { dtype, shape, data };
}

function fromRaw(raw: Uint8Array, dtype: FloatDtype, count: number, fail: Fail): Float64Array {
  if (raw.length !== count * BYTES[dtype]) fail(`has ${raw.length} bytes of raw_data; ${count} ${dtype} values take ${count * BYTES[dtype]}`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return decodeElements(dtype, view, 0, count, () => fail('holds a value that cannot be read')) as Float64Array;
}

function fromTyped(tensor: OnnxTensor, dtype: FloatDtype): Float64Array {
  switch (dtype) {
    case 'F32':
      return Float64Array.from(tensor.float_data ?? []);
    case 'F64':
      return Float64Array.from(tensor.double_data ?? []);
    case 'F16':
    case 'BF16': {
      const format = dtype === 'F16' ? BINARY16 : BFLOAT16;
      return Float64Array.from(tensor.int32_data ?? [], (bits) => decodeFloatBits(bits & 0xffff, format));
    }
  }
}
