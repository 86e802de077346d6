/**
 * Reading a PyTorch file (`torch.save`, PyTorch ≥ 1.6) into the tensors of the state dict it
 * holds, in the shape the safetensors reader gives, without running any of its pickle; the
 * metadata is the checkpoint's top-level numbers (epoch, losses), which `watch` records.
 */
import { extname } from 'node:path';
import { ModelFileError } from '../errors.js';
import type { SafetensorsContents } from '../safetensors.js';
import type { Fail } from '../tensor-checks.js';
import { isLegacyTorchFile, isZip, leadingBytes, MAGIC_BYTES, openTorchArchive } from './archive.js';
import { checkpointNumbers, findStateDict, readTensors } from './state-dict.js';
import { unpickleStateDict } from './unpickle.js';

/** The names PyTorch files go by: torch.save's .pt/.pth, Hugging Face's .bin, Lightning's .ckpt. */
const PYTORCH_EXTENSIONS = new Set(['.pt', '.pth', '.bin', '.ckpt']);

/** Whether the file at `path` is one for readPytorchFile: by its name, or by its first bytes whatever its name. */
export function isPytorchFile(path: string): boolean {
  if (PYTORCH_EXTENSIONS.has(extname(path).toLowerCase())) return true;
  const start = leadingBytes(path, MAGIC_BYTES);
  return isZip(start) || isLegacyTorchFile(start);
}

export function readPytorchFile(path: string): SafetensorsContents {
  const fail: Fail = (detail) => {
    throw new ModelFileError(path, detail);
  };
  const archive = openTorchArchive(path, fail);
  const root = unpickleStateDict(archive.pickle, fail);
  return { tensors: readTensors(findStateDict(root), archive, fail), metadata: checkpointNumbers(root) };
}
