import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeSafetensors, inputSequencesFromTensors, loadInputSequences, ModelFileError, parseSafetensors, writeSafetensors, type TensorInputs,
} from '../src/io/index.js';

const fromTensors = (tensors: TensorInputs, name?: string) =>
  inputSequencesFromTensors(parseSafetensors(encodeSafetensors(tensors), 'in.safetensors'), 'in.safetensors', name);

function assertFails(tensors: TensorInputs, message: RegExp, name?: string): void {
  assert.throws(
    () => fromTensors(tensors, name),
    (error: unknown) => error instanceof ModelFileError && error.file === 'in.safetensors' && message.test(error.message),
  );
}

test('loads a [B, T, I] tensor named inputs from a file, F32 widened to float64', () => {
  const dir = mkdtempSync(join(tmpdir(), 'io-inputs-'));
  try {
    const path = join(dir, 'inputs.safetensors');
    const data = Array.from({ length: 2 * 3 * 4 }, (_, i) => i / 8 - 1);
    writeSafetensors(path, { inputs: { dtype: 'F32', shape: [2, 3, 4], data }, other: { shape: [1], data: [0] } });
    const sequences = loadInputSequences(path);
    assert.deepEqual(sequences, { batch: 2, steps: 3, size: 4, data: Float64Array.from(data) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tensor of another name, and integer tensors such as one-hot bytes, are accepted', () => {
  const sequences = fromTensors({ onehot: { dtype: 'U8', shape: [1, 2, 2], data: [1, 0, 0, 1] } }, 'onehot');
  assert.deepEqual(sequences, { batch: 1, steps: 2, size: 2, data: new Float64Array([1, 0, 0, 1]) });
});

test('a missing tensor, a wrong rank, an empty axis or a non-finite value is refused', () => {
  assertFails({ x: { shape: [1, 1, 1], data: [0] } }, /^in\.safetensors: no tensor 'inputs' of input sequences \(tensors present: 'x'\)$/);
  assertFails({}, /no tensor 'inputs' of input sequences \(tensors present: none\)/);
  assertFails({ inputs: { shape: [2, 3], data: [0, 0, 0, 0, 0, 0] } }, /^in\.safetensors: tensor 'inputs': has shape \[2, 3\]; expected \[B, T, I\] \(sequences, steps, features\), each at least 1$/);
  assertFails({ inputs: { shape: [2, 0, 3], data: [] } }, /tensor 'inputs': has shape \[2, 0, 3\]; expected \[B, T, I\]/);
  assertFails({ seq: { shape: [1, 2, 1], data: [0, NaN] } }, /tensor 'seq': holds NaN at index 1 \(element \[0, 1, 0\]\); expected finite values/, 'seq');
});
