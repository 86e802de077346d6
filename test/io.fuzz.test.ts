// Mutated model and input files, loaded and used in this process: each must end in a one-line
// user error (naming the file, when loading it failed) or in a spectrum without NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../src/errors.js';
import { loadInputSequences, loadRnnModel } from '../src/io/index.js';
import { Rng } from '../src/linalg/index.js';
import { modelSpectrum, randomDrive } from '../src/model-spectrum/index.js';
import type { CellKind, InputSequences, RnnModel } from '../src/cells/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures/torch');
const MODELS = readdirSync(FIXTURES).filter((name) => name.endsWith('.model.safetensors')).sort();
const rng = new Rng(13);
const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)]!;

interface Layout { header: Record<string, unknown>; data: Uint8Array }

function split(bytes: Uint8Array): Layout {
  const length = Number(Buffer.from(bytes).readBigUInt64LE(0));
  return { header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8')), data: bytes.subarray(8 + length) };
}

function join8(headerText: string, data: Uint8Array, declared?: bigint): Uint8Array {
  const header = Buffer.from(headerText, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(declared ?? BigInt(header.length));
  return Buffer.concat([length, header, data]);
}

type Entry = { dtype: unknown; shape: unknown; data_offsets: unknown };
const tensorNames = (header: Record<string, unknown>) => Object.keys(header).filter((name) => name !== '__metadata__');

/** Edits of one header entry, or of the header as a whole, that a broken or hostile writer could make. */
const HEADER_EDITS: ((header: Record<string, unknown>, name: string) => void)[] = [
  (h, n) => { (h[n] as Entry).dtype = pick(['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'U8', 'BOOL', 'F8_E4M3', 'f32', 7, null, ['F32']]); },
  (h, n) => {
    const shape = (h[n] as Entry).shape as number[];
    (h[n] as Entry).shape = pick([[], [0], [-1, 4], [1e15, 1e15], [2.5], ['3'], [...shape, 1], [...shape].reverse(), [shape.reduce((a, b) => a * b, 1)], [2 ** 53, 2], null]);
  },
  (h, n) => {
    const [begin, end] = (h[n] as Entry).data_offsets as [number, number];
    (h[n] as Entry).data_offsets = pick([[end, begin], [0, 1e18], [begin + 1, end + 1], [-1, end], [0.5, end], [begin], [begin, end, 3], 'x', [begin, 2 ** 64]]);
  },
  (h, n) => { delete (h[n] as Record<string, unknown>)[pick(['dtype', 'shape', 'data_offsets'])]; },
  (h, n) => {
    const entry = h[n];
    delete h[n];
    h[pick(['weight_ih_l0_reverse', 'weight_hr_l0', 'weight_hh_l7', 'rnn.weight_hh_l0', `${n}\nx`, '', '__proto__', 'constructor'])] = entry;
  },
  (h, n) => { delete h[n]; },
  (h) => { h.__metadata__ = pick([{ cell: 'gru' }, { cell: 'rnn_relu' }, { cell: 'RNN_TANH' }, { cell: 'x\ny' }, { cell: 5 }, 'cell', [1], null]); },
  (h, n) => { h[n] = pick([3, 'tensor', [], null, { dtype: 'F32' }]); },
];

/** Byte-level and structural mutations of a valid file. */
const MUTATIONS: Record<string, (bytes: Uint8Array) => Uint8Array> = {
  'bit flips': (bytes) => {
    const out = Uint8Array.from(bytes);
    for (let i = 1 + rng.int(8); i > 0; i--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return out;
  },
  'header bit flips': (bytes) => {
    const out = Uint8Array.from(bytes);
    const headerEnd = 8 + Number(Buffer.from(bytes).readBigUInt64LE(0));
    for (let i = 1 + rng.int(3); i > 0; i--) out[8 + rng.int(headerEnd - 8)]! ^= 1 << rng.int(8);
    return out;
  },
  truncation: (bytes) => bytes.subarray(0, rng.int(bytes.length)),
  'trailing bytes': (bytes) => Buffer.concat([bytes, Buffer.alloc(1 + rng.int(16), 7)]),
  'length field': (bytes) => {
    const { header, data } = split(bytes);
    const text = JSON.stringify(header);
    return join8(text, data, pick([0n, 1n, BigInt(text.length - 1), BigInt(text.length + 3), 2n ** 63n, 2n ** 64n - 1n, 100_000_001n]));
  },
  'header edit': (bytes) => {
    const { header, data } = split(bytes);
    pick(HEADER_EDITS)(header, pick(tensorNames(header)));
    return join8(JSON.stringify(header), data);
  },
  'deep nesting': (bytes) => {
    const depth = pick([17, 1000, 100_000]);
    return join8(`{"a": ${'['.repeat(depth)}${']'.repeat(depth)}}`, split(bytes).data);
  },
  'non-finite or huge weight': (bytes) => {
    const out = Uint8Array.from(bytes);
    const { header } = split(out);
    const entry = header[pick(tensorNames(header))] as { dtype: string; data_offsets: [number, number] };
    const width = entry.dtype === 'F64' ? 8 : entry.dtype === 'F32' ? 4 : 0;
    const [begin, end] = entry.data_offsets;
    if (width === 0 || end === begin) return out;
    const at = out.length - split(out).data.length + begin + width * rng.int((end - begin) / width);
    const value = pick([NaN, Infinity, -Infinity, 1e30, -3e38, 5e-324]);
    const view = new DataView(out.buffer);
    if (width === 8) view.setFloat64(at, value, true);
    else view.setFloat32(at, value, true);
    return out;
  },
};

function checkOutcome(path: string, run: () => void, outcomes: Map<string, number>): void {
  const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  try {
    run();
    count('spectrum');
  } catch (error) {
    assert.ok(error instanceof UserError, `${path}: not a user error: ${(error as Error).stack}`);
    assert.ok(!error.message.includes('\n'), `${path}: message of several lines: ${JSON.stringify(error.message)}`);
    count(error.name);
  }
}

/** A short spectrum: 2 steps of transient, the rest averaged. */
function spectrumOf(model: RnnModel, inputs: InputSequences): void {
  const result = modelSpectrum(model, inputs, { steps: Math.max(1, inputs.steps - 2), transient: 2 });
  for (const value of [...result.exponents, ...result.perSequence.flat()]) {
    assert.ok(!Number.isNaN(value) && value !== Infinity, `exponent ${value}`);
  }
}

/** A model file loaded: a failure must name the file. */
function loadModel(path: string, cell: CellKind | undefined): RnnModel {
  try {
    return loadRnnModel(path, cell ? { cell } : {});
  } catch (error) {
    if (error instanceof UserError) assert.ok(error.message.includes(path), `${path}: message does not name the file: ${error.message}`);
    throw error;
  }
}

/**
 * `count` files, the i-th the fixture `fixtures[i % n]` of `dir` mutated by the (i % m)-th of
 * `mutations`, each loaded as a model and given a short spectrum; the count of each ending.
 */
function fuzzModels(count: number, dir: string, fixtures: readonly string[], mutations: Record<string, (bytes: Uint8Array) => Uint8Array>): Map<string, number> {
  const out = mkdtempSync(join(tmpdir(), 'rnn-lyap-fuzz-'));
  const outcomes = new Map<string, number>();
  const kinds = Object.keys(mutations);
  for (let i = 0; i < count; i++) {
    const fixture = fixtures[i % fixtures.length]!;
    const kind = kinds[i % kinds.length]!;
    const path = join(out, `${i}-${kind.replaceAll(' ', '-')}-${fixture}`);
    writeFileSync(path, mutations[kind]!(readFileSync(join(dir, fixture))));
    // A vanilla RNN's .pt file does not say its nonlinearity (a safetensors fixture's metadata does); its name does.
    const cell = fixture.endsWith('.pt') ? (/^rnn_(tanh|relu)/.exec(fixture)?.[0] as CellKind | undefined) : undefined;
    checkOutcome(path, () => {
      const model = loadModel(path, cell);
      spectrumOf(model, randomDrive('gaussian', 2, 10, model.inputSize, i));
    }, outcomes);
  }
  return outcomes;
}

test('300 mutated model files: each a one-line user error naming the file, or a spectrum without NaN', () => {
  const outcomes = fuzzModels(300, FIXTURES, MODELS, MUTATIONS);
  // Both endings occur, and the loader's own errors are among them.
  assert.ok((outcomes.get('spectrum') ?? 0) > 20, JSON.stringify([...outcomes]));
  assert.ok((outcomes.get('SafetensorsError') ?? 0) > 50, JSON.stringify([...outcomes]));
  assert.ok((outcomes.get('ModelFileError') ?? 0) > 10, JSON.stringify([...outcomes]));
});

test('60 mutated input files: each a one-line user error naming the file, or a spectrum without NaN', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lyap-fuzz-'));
  const outcomes = new Map<string, number>();
  const model = loadRnnModel(join(FIXTURES, 'lstm_l1_bias_h4.model.safetensors'));
  const source = readFileSync(join(FIXTURES, 'lstm_l1_bias_h4.expect.safetensors'));
  const kinds = Object.keys(MUTATIONS);
  for (let i = 0; i < 60; i++) {
    const kind = kinds[i % kinds.length]!;
    const path = join(dir, `${i}-${kind.replaceAll(' ', '-')}.safetensors`);
    writeFileSync(path, MUTATIONS[kind]!(source));
    checkOutcome(path, () => {
      let inputs: InputSequences;
      try {
        inputs = loadInputSequences(path);
      } catch (error) {
        if (error instanceof UserError) assert.ok(error.message.includes(path), `${path}: message does not name the file: ${error.message}`);
        throw error;
      }
      spectrumOf(model, inputs);
    }, outcomes);
  }
  assert.ok((outcomes.get('spectrum') ?? 0) > 5, JSON.stringify([...outcomes]));
  assert.ok((outcomes.get('SafetensorsError') ?? 0) > 10, JSON.stringify([...outcomes]));
});

const PT_FIXTURES = join(import.meta.dirname, 'fixtures/pytorch');
const PT_MODELS = readdirSync(PT_FIXTURES).filter((name) => /^(rnn_tanh|rnn_relu|lstm|gru)_.*\.pt$|^checkpoint_|^lightning_/.test(name)).sort();

/** Mutations of a torch.save zip: of its bytes, or of one entry (the pickle or a storage) re-zipped. */
const PT_MUTATIONS: Record<string, (bytes: Uint8Array) => Uint8Array> = {
  'bit flips': MUTATIONS['bit flips']!,
  truncation: MUTATIONS.truncation!,
  'pickle edits': (bytes) => rezip(bytes, (name) => name.endsWith('/data.pkl'), (pickle) => {
    const out = Array.from(pickle);
    for (let i = 1 + rng.int(4); i > 0; i--) {
      const at = rng.int(out.length);
      const edit = rng.int(3);
      if (edit === 0) out[at] = rng.int(256);
      else if (edit === 1) out.splice(at, 1);
      else out.splice(at, 0, pick([0x28, 0x29, 0x2e, 0x30, 0x52, 0x51, 0x62, 0x64, 0x73, 0x74, 0x75, 0x7d, 0x85, 0x86, 0x8a, 0x94]));
    }
    return Uint8Array.from(out);
  }),
  'storage edits': (bytes) => rezip(bytes, (name) => name.includes('/data/'), (storage) => {
    const out = Uint8Array.from(storage);
    if (rng.int(2) === 0) return out.subarray(0, rng.int(out.length));
    for (let i = 1 + rng.int(4); i > 0; i--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return out;
  }),
};

/** The archive with `edit` applied to one entry chosen among those `which` selects, stored as torch.save stores. */
function rezip(bytes: Uint8Array, which: (name: string) => boolean, edit: (entry: Uint8Array) => Uint8Array): Uint8Array {
  const entries = unzipSync(bytes);
  const name = pick(Object.keys(entries).filter(which));
  return zipSync({ ...entries, [name]: edit(entries[name]!) }, { level: 0 });
}

test('60 mutated PyTorch files: each a one-line user error naming the file, or a spectrum without NaN', () => {
  const outcomes = fuzzModels(60, PT_FIXTURES, PT_MODELS, PT_MUTATIONS);
  assert.ok((outcomes.get('spectrum') ?? 0) > 5, JSON.stringify([...outcomes]));
  assert.ok((outcomes.get('ModelFileError') ?? 0) > 20, JSON.stringify([...outcomes]));
});
