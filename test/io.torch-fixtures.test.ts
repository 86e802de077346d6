/**
 * Our reader and writer against files from an independent implementation: the PyTorch state
 * dicts and reference data written by scripts/make-fixtures.py (numpy safetensors writer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeSafetensors, loadInputSequences, loadRnnModel, ModelFileError, readSafetensors, saveRnnModel, writeSafetensors,
} from '../src/io/index.js';

const DIR = 'test/fixtures/torch';
const MODELS = readdirSync(DIR).filter((file) => file.endsWith('.model.safetensors')).sort();
const NAME = /^(rnn_tanh|rnn_relu|lstm|gru)_l(\d+)_(bias|nobias)_h(\d+)\.model\.safetensors$/;

test('fixture files are present', () => {
  assert.ok(MODELS.length >= 20, `found ${MODELS.length} model fixtures in ${DIR}`);
});

test('every PyTorch fixture loads with the configuration its metadata and file name state', () => {
  for (const file of MODELS) {
    const path = join(DIR, file);
    const model = loadRnnModel(path);
    const expect = readSafetensors(path.replace('.model.', '.expect.'));
    const meta = expect.metadata;
    assert.equal(readSafetensors(path).metadata.cell, model.cell, file);
    assert.deepEqual(
      [model.cell, model.numLayers, model.hiddenSize, model.inputSize, model.bias],
      [meta.cell, Number(meta.layers), Number(meta.hidden), Number(meta.input_size), meta.bias === 'true'],
      file,
    );
    const named = NAME.exec(file);
    if (named) {
      const [, cell, layers, bias, hidden] = named;
      assert.deepEqual([model.cell, model.numLayers, model.bias, model.hiddenSize], [cell, Number(layers), bias === 'bias', Number(hidden)], file);
    }
    const inputs = loadInputSequences(path.replace('.model.', '.expect.'));
    assert.deepEqual([inputs.batch, inputs.steps, inputs.size], [Number(meta.batch), Number(meta.steps), model.inputSize], file);
  }
});

test('vanilla RNN fixtures need their metadata: with it stripped, --cell decides and a wrong one is refused', () => {
  const file = MODELS.find((name) => name.startsWith('rnn_relu_'))!;
  const contents = readSafetensors(join(DIR, file));
  const dir = mkdtempSync(join(tmpdir(), 'io-fixtures-'));
  try {
    const bare = join(dir, 'bare.safetensors');
    writeSafetensors(bare, contents.tensors);
    assert.throws(() => loadRnnModel(bare), (error: unknown) => error instanceof ModelFileError && /pass --cell rnn_tanh or --cell rnn_relu/.test(error.message));
    assert.equal(loadRnnModel(bare, { cell: 'rnn_relu' }).cell, 'rnn_relu');
    assert.throws(() => loadRnnModel(bare, { cell: 'lstm' }), /--cell lstm expects 4 gates/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('re-encoding any fixture reproduces the independent writer byte for byte', () => {
  const files = readdirSync(DIR).filter((file) => file.endsWith('.safetensors'));
  for (const file of files) {
    const bytes = readFileSync(join(DIR, file));
    const { tensors, metadata } = readSafetensors(join(DIR, file));
    assert.deepEqual(encodeSafetensors(tensors, metadata), new Uint8Array(bytes), file);
  }
});

test('saveRnnModel of a loaded fixture reproduces the PyTorch state-dict file byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'io-fixtures-'));
  try {
    for (const file of MODELS) {
      const path = join(DIR, file);
      const saved = join(dir, file);
      saveRnnModel(saved, loadRnnModel(path), {}, readSafetensors(path).metadata);
      assert.deepEqual(readFileSync(saved), readFileSync(path), file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
