/**
 * Per-step Jacobians in a safetensors file: one tensor `jacobians` of shape [B, T, n, n], J[b, t]
 * the Jacobian ∂s_{t+1}/∂s_t of trajectory b at step t, row-major — the layout parallel-in-time
 * Lyapunov codes read. Written by `spectrum --jacobians-out`, read back as a TangentSystem
 * (model-spectrum `jacobianSequence`).
 */
import { DTYPE_BYTES, isFloatDtype, type Dtype } from './dtype.js';
import { JacobianFileError } from './errors.js';
import { readSafetensors, readSafetensorsHeader } from './safetensors-file.js';
import { writeSafetensorsTensor } from './safetensors-write.js';

export const JACOBIANS_TENSOR = 'jacobians';

/** What a Jacobian file's header says, before its data is read. */
export interface JacobianFileShape {
  file: string;
  /** The tensor read: 'jacobians', or the file's only tensor. */
  tensor: string;
  dtype: Dtype;
  batch: number;
  steps: number;
  dim: number;
}

/** Stored Jacobians, B×T×n×n row-major. */
export interface Jacobians {
  batch: number;
  steps: number;
  dim: number;
  data: Float64Array | Float32Array;
}

/** The tensor's shape from the header, checked: a floating-point [B, T, n, n] with B, T, n ≥ 1. */
export function jacobianFileShape(file: string): JacobianFileShape {
  const { tensors } = readSafetensorsHeader(file);
  const tensor = tensors.has(JACOBIANS_TENSOR) ? JACOBIANS_TENSOR : tensors.size === 1 ? [...tensors.keys()][0]! : undefined;
  if (tensor === undefined) {
    throw new JacobianFileError(file, `expected a tensor '${JACOBIANS_TENSOR}' of shape [B, T, n, n] (or a single tensor), found ${tensors.size === 0 ? 'none' : [...tensors.keys()].slice(0, 5).map((name) => `'${name}'`).join(', ')}`);
  }
  const { dtype, shape } = tensors.get(tensor)!;
  const fail = (detail: string): never => {
    throw new JacobianFileError(file, detail, tensor);
  };
  if (!isFloatDtype(dtype)) fail(`dtype ${dtype}: Jacobians must be floating point (F64, F32, F16 or BF16)`);
  if (shape.length !== 4 || shape[2] !== shape[3] || shape.some((size) => size < 1)) {
    fail(`shape [${shape.join(', ')}]: expected [B, T, n, n] (trajectories, steps, the state dimension twice), each at least 1`);
  }
  const [batch, steps, dim] = shape as [number, number, number, number];
  return { file, tensor, dtype, batch, steps, dim };
}

/** Bytes the file's data section holds and bytes the decoded float64 array takes: what reading it costs. */
export function jacobianFileBytes({ dtype, batch, steps, dim }: JacobianFileShape): { file: number; decoded: number } {
  const elements = batch * steps * dim * dim;
  return { file: elements * DTYPE_BYTES[dtype], decoded: elements * 8 };
}

/** The Jacobians of a file whose header `jacobianFileShape` checked; a non-finite entry is refused with its place. */
export function readJacobians(shape: JacobianFileShape): Jacobians {
  const { file, tensor, batch, steps, dim } = shape;
  const data = readSafetensors(file).tensors.get(tensor)!.data as Float64Array;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      const n2 = dim * dim;
      const [b, t, r] = [Math.floor(i / (steps * n2)), Math.floor(i / n2) % steps, i % n2];
      throw new JacobianFileError(file, `element [${b}, ${t}, ${Math.floor(r / dim)}, ${r % dim}] is ${data[i]}: Jacobians must be finite`, tensor);
    }
  }
  return { batch, steps, dim, data };
}

/** Writes Jacobians as `jacobians` [B, T, n, n] (F64, or F32 from a Float32Array), with string metadata. */
export function writeJacobians(file: string, { batch, steps, dim, data }: Jacobians, metadata: Record<string, string> = {}): void {
  writeSafetensorsTensor(file, JACOBIANS_TENSOR, { shape: [batch, steps, dim, dim], data }, metadata);
}
