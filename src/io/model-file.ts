/**
 * Reading a model file of any format we know into named tensors in PyTorch's state-dict layout,
 * which `rnnModelFromTensors` turns into a model. Each format has its own reader; this file only
 * chooses one.
 */
import { readOnnx } from './onnx/read-onnx.js';
import { isPytorchFile, readPytorchFile } from './pytorch/read.js';
import type { SafetensorsContents } from './safetensors.js';
import { readSafetensors } from './safetensors-file.js';
import { rnnFileFromTensors, type LoadRnnFileOptions, type RnnFile } from './rnn-file.js';
import { rnnModelFromTensors, type LoadRnnOptions } from './torch-rnn.js';
import type { RnnModel } from '../cells/model.js';

/** The formats a model file may have. */
export type ModelFileFormat = 'safetensors' | 'pytorch' | 'onnx';

/** The format of the model file at `path`, from its name or first bytes: anything else is read as safetensors, whose reader names what it found. */
export function modelFileFormat(path: string): ModelFileFormat {
  if (/\.onnx$/i.test(path)) return 'onnx';
  if (isPytorchFile(path)) return 'pytorch';
  return 'safetensors';
}

/** The tensors of the model file at `path` (and its metadata), in PyTorch's state-dict layout and names. */
export function readModelFile(path: string): SafetensorsContents {
  switch (modelFileFormat(path)) {
    case 'safetensors':
      return readSafetensors(path);
    case 'pytorch':
      return readPytorchFile(path);
    case 'onnx':
      return readOnnx(path);
  }
}

/** The model file at `path` read whole: the RNN, its embedding and the tensors they came from. */
export function loadRnnFile(path: string, options: LoadRnnFileOptions = {}): RnnFile {
  return rnnFileFromTensors(readModelFile(path), path, options);
}

/** The RNN of the model file at `path` (see rnnModelFromTensors). */
export function loadRnnModel(path: string, options: LoadRnnOptions = {}): RnnModel {
  return rnnModelFromTensors(readModelFile(path), path, options);
}
