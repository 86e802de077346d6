/**
 * Decoding an .onnx file (a protobuf ModelProto) into plain objects holding the fields we read.
 * int64 fields come back as numbers: dims, attribute ints and opset versions are far below 2^53.
 */
import { readFileSync, statSync } from 'node:fs';
import protobuf from 'protobufjs';
import { ModelFileError } from '../errors.js';
import { ONNX_PROTO_SUBSET } from './onnx-proto.js';

export interface OnnxTensor {
  name?: string;
  dims?: number[];
  data_type?: number;
  segment?: object;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  raw_data?: Uint8Array;
  external_data?: { key?: string; value?: string }[];
  data_location?: number;
}

export interface OnnxAttribute {
  name?: string;
  ref_attr_name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: OnnxAttribute[];
}

export interface OnnxGraph {
  node?: OnnxNode[];
  initializer?: OnnxTensor[];
}

export interface OnnxModel {
  ir_version?: number;
  producer_name?: string;
  producer_version?: string;
  graph?: OnnxGraph;
}

/** Protobuf's own limit on a message: larger models keep their weights in external files. */
const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

let modelType: protobuf.Type | undefined;

/** The ModelProto of the file at `path`, or a one-line error naming the file. */
export function readOnnxModel(path: string): OnnxModel {
  const fail = (detail: string): never => {
    throw new ModelFileError(path, detail);
  };
  const size = statSync(path).size;
  if (size > MAX_PROTOBUF_BYTES) {
    fail(`is ${size} bytes, more than the 2 GiB a protobuf message can hold; models that large keep their weights as external data, which is not supported`);
  }
  return decodeOnnxModel(readFileSync(path), fail);
}

/** Decode the bytes of an .onnx file; `fail` receives what went wrong. */
export function decodeOnnxModel(bytes: Uint8Array, fail: (detail: string) => never): OnnxModel {
  modelType ??= protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');
  let message: protobuf.Message;
  try {
    message = modelType.decode(bytes);
  } catch (error) {
    return fail(`is not a readable ONNX model (protobuf: ${(error as Error).message}); expected a ModelProto as written by torch.onnx.export`);
  }
  return modelType.toObject(message, { longs: Number }) as OnnxModel;
}
