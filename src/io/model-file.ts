/**
 * Reading a model file of any format we know into named tensors in PyTorch's state-dict layout,
 * which `rnnModelFromTensors` turns into a model. Each format has its own reader; this file only
 * chooses one.
 */
import { readOnnx } from './onnx/read-onnx.js';
import { isPytorchFile, readPytorchFile } from './pytorch/read.js';
import { readSafetensors, type SafetensorsContents } from './safetensors.js';

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
