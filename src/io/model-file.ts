/**
 * Reading a model file of any format we know into named tensors in PyTorch's state-dict layout,
 * which `rnnModelFromTensors` turns into a model. Each format has its own reader; this file only
 * chooses one.
 */
import { readOnnx } from './onnx/read-onnx.js';
import { readSafetensors, type SafetensorsContents } from './safetensors.js';

/** The formats a model file may have. */
export type ModelFileFormat = 'safetensors' | 'onnx';

/** The format of the model file at `path`, from its name: anything else is read as safetensors, whose reader names what it found. */
export function modelFileFormat(path: string): ModelFileFormat {
  if (/\.onnx$/i.test(path)) return 'onnx';
  return 'safetensors';
}

/** The tensors of the model file at `path` (and its metadata), in PyTorch's state-dict layout and names. */
export function readModelFile(path: string): SafetensorsContents {
  switch (modelFileFormat(path)) {
    case 'safetensors':
      return readSafetensors(path);
    case 'onnx':
      return readOnnx(path);
  }
}
