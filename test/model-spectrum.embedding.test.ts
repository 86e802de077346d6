import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeText, findEmbedding, loadRnnFile, loadTextTokens, readSafetensors, readVocabulary, writeSafetensors, type Tensor } from '../src/io/index.js';
import { createKernels } from '../src/linalg/index.js';
import { embeddingInputs, modelSpectrum, modelSpectrumThreaded, spectrumMemory, windowOffsets } from '../src/model-spectrum/index.js';

const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/embedding');
const charlm = join(fixtures, 'charlm.safetensors');
const text = join(fixtures, 'text.txt');
const vocab = join(fixtures, 'charlm.vocab.json');
/** Written by scripts/make-embedding-fixture.py with torch (float64, autograd Jacobians, QR every step). */
const reference = JSON.parse(readFileSync(join(fixtures, 'charlm.reference.json'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'rnn-lyap-embedding-'));

function cli(...args: string[]) {
  // One thread: a worker's start costs more than these small runs.
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args, '--threads', '1'], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(...args: string[]) {
  const r = cli(...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Exit code 2 and one line `rnn-lyapunov: …` matching `message`. */
function assertOneLineError(args: string[], message: RegExp) {
  const r = cli(...args);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('spectrum:'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^rnn-lyapunov: /);
  assert.match(lines[0]!, message);
}

/** `spectrum --text` on the char-LM as the reference was computed, run once. */
let textDocument: { exponents: number[]; inputs: unknown } | undefined;
const textSpectrum = () => (textDocument ??= json('spectrum', charlm, ...textArgs));

const maxDifference = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
const textArgs = ['--text', text, '--vocab', vocab, '--batch', '4', '--transient', '50', '--steps', '500'];

test('spectrum --text drives the char-LM through its embedding: λ1…λ5 as the PyTorch float64 reference', (t) => {
  assert.deepEqual([reference.batch, reference.transient, reference.steps], [4, 50, 500]);
  const doc = textSpectrum();
  const difference = maxDifference(doc.exponents.slice(0, 5), reference.exponents.slice(0, 5));
  t.diagnostic(`max |λ_i − reference| over i = 1..5: ${difference.toExponential(2)} nats/step (random initial bases, each its own)`);
  assert.ok(difference < 0.01, `λ1..λ5 ${doc.exponents.slice(0, 5)} vs ${reference.exponents.slice(0, 5)}`);
  // Every exponent's sum is the mean log|det J| along the same trajectory: independent of the bases.
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(doc.exponents) - sum(reference.exponents)) < 1e-9);
  assert.deepEqual(doc.inputs, {
    kind: 'text', file: text, vocabulary: vocab, embedding: 'embedding.weight', tokens: readFileSync(text, 'utf8').length, offsets: reference.offsets,
  });
});

test('from the identity basis, as the reference computed it, all 48 exponents agree to rounding', (t) => {
  const { model, embedding } = loadRnnFile(charlm);
  const inputs = embeddingInputs(embedding!, loadTextTokens(text, vocab), 4, 550);
  const result = modelSpectrum(model, inputs, { steps: 500, transient: 50, initialBasis: 'identity', kernels: createKernels('js') });
  const difference = maxDifference(result.exponents, reference.exponents_identity_basis);
  t.diagnostic(`max |λ_i − reference| over all 48: ${difference.toExponential(2)} nats/step`);
  assert.ok(difference < 1e-9, `${difference}`);
});

test('the char-LM saved with torch.save(model.state_dict()) reads as its safetensors twin and gives the same spectrum through its text', () => {
  const [pt, st] = [loadRnnFile(join(fixtures, 'charlm.pt')), loadRnnFile(charlm)];
  assert.deepEqual(pt.model, st.model);
  assert.deepEqual(pt.embedding?.weights, st.embedding?.weights);
  assert.deepEqual(pt.source.used, st.source.used);
  const doc = json('spectrum', join(fixtures, 'charlm.pt'), ...textArgs);
  assert.deepEqual(doc.exponents, textSpectrum().exponents, 'bit for bit');
  assert.ok(maxDifference(doc.exponents.slice(0, 5), reference.exponents.slice(0, 5)) < 0.01);
});

test('token ids through an embedding drive the RNN exactly as the embedded vectors held whole', () => {
  const { model, embedding } = loadRnnFile(charlm);
  const ids = loadTextTokens(text, vocab);
  const [batch, steps, size] = [3, 120, 16];
  const tokens = embeddingInputs(embedding!, ids, batch, steps);
  // The same windows, looked up here: offsets ⌊b (N − W) / (B − 1)⌋.
  const data = new Float64Array(batch * steps * size);
  for (let b = 0; b < batch; b++) {
    const offset = Math.floor((b * (ids.length - steps)) / (batch - 1));
    for (let t = 0; t < steps; t++) data.set(embedding!.weights.subarray(ids[offset + t]! * size, (ids[offset + t]! + 1) * size), (b * steps + t) * size);
  }
  const options = { steps: 100, transient: 20, kernels: createKernels('js') };
  const held = modelSpectrum(model, { batch, steps, size, data }, options).exponents;
  assert.deepEqual(modelSpectrum(model, tokens, options).exponents, held);
});

test('token inputs and a random token drive split over threads give what one thread gives', async () => {
  const { model, embedding } = loadRnnFile(charlm);
  const options = { steps: 100, transient: 20, backend: 'js' as const };
  const tokens = embeddingInputs(embedding!, loadTextTokens(text, vocab), 3, 120);
  const drive = { kind: 'tokens' as const, batch: 3, steps: 120, size: 16, seed: 2, embedding: embedding! };
  for (const inputs of [tokens, drive]) {
    const one = await modelSpectrumThreaded(model, inputs, { ...options, threads: 1 });
    const two = await modelSpectrumThreaded(model, inputs, { ...options, threads: 2 });
    assert.equal(two.options.threads, 2);
    assert.deepEqual(two.exponents, one.exponents);
  }
});

test('the committed reference is what the PyTorch script computes now', { timeout: 300_000 }, (t) => {
  const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (torch.status !== 0) {
    t.skip('/usr/bin/python3 cannot import torch');
    return;
  }
  const r = spawnSync('/usr/bin/python3', [join(root, 'scripts/make-embedding-fixture.py'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const live = JSON.parse(r.stdout);
  assert.ok(maxDifference(live.exponents, reference.exponents) < 1e-10);
  assert.ok(maxDifference(live.exponents_identity_basis, reference.exponents_identity_basis) < 1e-10);
});

test('the text is cut into windows at evenly spaced offsets, and must hold one window', () => {
  assert.deepEqual(windowOffsets(2462, 4, 550), [0, 637, 1274, 1912]);
  assert.deepEqual(windowOffsets(100, 1, 100), [0]);
  assert.throws(() => windowOffsets(99, 2, 100, 'a.txt'), /a\.txt: 99 tokens, fewer than one window of 100/);
  assertOneLineError(['spectrum', charlm, '--text', text, '--vocab', vocab, '--steps', '3000'],
    /text\.txt: 2462 tokens, fewer than one window of 3100 \(the steps read: transient \+ steps\); give a text of at least 3100 tokens/);
});

test('a model with an embedding is driven by random tokens through it by default, and says so', () => {
  const args = ['spectrum', charlm, '--batch', '2', '--transient', '10', '--steps', '100', '--k', '3'];
  const table = cli(...args);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^from .*charlm\.safetensors \(prefix 'lstm\.'\): lstm\.weight_ih_l0 \[96, 16\], lstm\.weight_hh_l0 \[96, 24\], lstm\.bias_ih_l0 \[96\], lstm\.bias_hh_l0 \[96\]$/m);
  assert.match(table.stdout, /^embedding embedding\.weight \[41, 16\] turns token ids into the inputs$/m);
  assert.match(table.stdout, /^ignored fc\.bias \[41\], fc\.weight \[41, 24\]$/m);
  assert.match(table.stdout, /driven by random tokens through 'embedding\.weight' \(seed 0\)/);
  const doc = json(...args);
  assert.deepEqual(doc.inputs, { kind: 'drive', drive: 'tokens', seed: 0, embedding: 'embedding.weight' });
  assert.deepEqual(doc.source, {
    file: charlm, prefix: 'lstm.', embedding: 'embedding.weight',
    used: [
      { name: 'embedding.weight', shape: [41, 16] },
      { name: 'lstm.weight_ih_l0', shape: [96, 16] }, { name: 'lstm.weight_hh_l0', shape: [96, 24] },
      { name: 'lstm.bias_ih_l0', shape: [96] }, { name: 'lstm.bias_hh_l0', shape: [96] },
    ],
    ignored: [{ name: 'fc.weight', shape: [41, 24] }, { name: 'fc.bias', shape: [41] }].sort((a, b) => orderInFile(a.name) - orderInFile(b.name)),
  });
  // One-hot vectors over the 16 inputs are another drive, with a warning.
  const onehot = cli(...args, '--drive', 'onehot', '--json');
  assert.equal(onehot.code, 0, onehot.stderr);
  assert.match(onehot.stderr, /warning: .* has an embedding 'embedding\.weight'; --drive onehot feeds one-hot vectors over the RNN's 16 inputs/);
  const other = JSON.parse(onehot.stdout);
  assert.notDeepEqual(other.exponents, doc.exponents);
  assert.equal(other.source.embedding, undefined);
  assert.deepEqual(other.source.ignored.map((t: { name: string }) => t.name).sort(), ['embedding.weight', 'fc.bias', 'fc.weight']);
});

/** A tensor's position in the fixture file (the ignored tensors are listed in file order). */
function orderInFile(name: string): number {
  return [...readSafetensors(charlm).tensors.keys()].indexOf(name);
}

test('random tokens through an identity embedding are the one-hot drive (same seed, same symbols)', () => {
  const { tensors } = readSafetensors(join(fixtures, 'decoder_lstm.safetensors'));
  const state = Object.fromEntries([...tensors].map(([name, t]) => [name, { shape: t.shape, data: t.data as Float64Array }]));
  const identity = new Float64Array(36);
  for (let i = 0; i < 6; i++) identity[i * 7] = 1;
  const withEmbedding = join(scratch, 'identity-embedding.safetensors');
  writeSafetensors(withEmbedding, { ...state, 'embed.weight': { shape: [6, 6], data: identity } });
  const args = ['--batch', '3', '--transient', '20', '--steps', '200', '--seed', '7'];
  const tokens = json('spectrum', withEmbedding, ...args);
  assert.equal(tokens.inputs.drive, 'tokens');
  const onehot = json('spectrum', join(fixtures, 'decoder_lstm.safetensors'), ...args);
  assert.equal(onehot.inputs.drive, 'onehot');
  assert.deepEqual(tokens.exponents, onehot.exponents);
});

test('--tokens drives through the embedding with the ids of a file, checked against its rows', () => {
  const ids = loadTextTokens(text, vocab);
  const file = join(scratch, 'tokens.safetensors');
  const offsets = reference.offsets as number[];
  const batch = Float64Array.from(offsets.flatMap((o) => [...ids.subarray(o, o + 550)]));
  writeSafetensors(file, { tokens: { dtype: 'I64', shape: [4, 550], data: batch } });
  const fromTokens = json('spectrum', charlm, '--tokens', file, '--transient', '50', '--steps', '500');
  const fromText = textSpectrum();
  assert.deepEqual(fromTokens.exponents, fromText.exponents, 'the same windows give the same spectrum');
  assert.deepEqual(fromTokens.inputs, { kind: 'tokens', file, embedding: 'embedding.weight' });

  const bad = join(scratch, 'bad-tokens.safetensors');
  writeSafetensors(bad, { tokens: { dtype: 'I64', shape: [2, 3], data: [0, 1, 2, 3, 41, 5] } });
  assertOneLineError(['spectrum', charlm, '--tokens', bad, '--steps', '2', '--transient', '0'],
    /bad-tokens\.safetensors: tensor 'tokens': id 41 at \[1, 1\] is out of range: the embedding 'embedding\.weight' has 41 rows \(ids 0 to 40\)$/);
});

test('a symbol the vocabulary lacks is a one-line error naming it and where it is', () => {
  const file = join(scratch, 'accent.txt');
  writeFileSync(file, 'The river\ncame down, café');
  assertOneLineError(['spectrum', charlm, '--text', file, '--vocab', vocab],
    /accent\.txt: symbol "é" at line 2, column 15 \(character 24\) is not in the vocabulary .*charlm\.vocab\.json \(41 symbols\)$/);
  const string = join(scratch, 'vocab-string.json');
  const symbols = JSON.parse(readFileSync(vocab, 'utf8'));
  writeFileSync(string, JSON.stringify(symbols.join('')));
  assert.deepEqual(readVocabulary(string), symbols, 'a vocabulary given as one string is the list of its characters');
  const words = join(scratch, 'vocab-words.json');
  writeFileSync(words, JSON.stringify(['a', 'ab', 'b', 'abc', ' ']));
  assert.deepEqual([...encodeText('abc ab a b', readVocabulary(words), 'w.txt', words)], [3, 4, 1, 4, 0, 4, 2], 'longest symbol first');
  const twice = join(scratch, 'vocab-twice.json');
  writeFileSync(twice, JSON.stringify(['a', 'b', 'a']));
  assertOneLineError(['spectrum', charlm, '--text', text, '--vocab', twice], /vocab-twice\.json: symbol "a" is listed twice, as ids 0 and 2/);
  assertOneLineError(['spectrum', charlm, '--text', text], /--text needs --vocab VOCAB/);
  assertOneLineError(['spectrum', charlm, '--text', text, '--vocab', vocab, '--drive', 'gaussian'], /give one of --inputs, --drive, --text, --tokens, not --drive and --text/);
});

test('--embedding names the embedding, and a missing or misfit one is a one-line error', () => {
  assertOneLineError(['spectrum', charlm, '--embedding', 'embedder.weight'],
    /charlm\.safetensors: no tensor 'embedder\.weight' \(--embedding\); its 2-D tensors are 'embedding\.weight' \[41, 16\], .*'fc\.weight' \[41, 24\]/);
  assertOneLineError(['spectrum', charlm, '--embedding', 'fc.weight'],
    /charlm\.safetensors: tensor 'fc\.weight': has shape \[41, 24\]; an embedding \(--embedding\) must be \[V, 16\], as wide as the RNN's input size$/);
  assertOneLineError(['spectrum', join(fixtures, 'decoder_lstm.safetensors'), '--text', text, '--vocab', vocab],
    /--text drives a model through its embedding, but .*decoder_lstm\.safetensors has none of width 6 \(the RNN's input size\)/);
  // A tensor not named like an embedding is used when named.
  const { tensors } = readSafetensors(charlm);
  const renamed = join(scratch, 'renamed.safetensors');
  writeSafetensors(renamed, Object.fromEntries([...tensors].map(([name, t]) => [name === 'embedding.weight' ? 'lookup.table' : name, { shape: t.shape, data: t.data as Float64Array }])));
  assert.equal(json('spectrum', renamed, '--steps', '20', '--transient', '0', '--k', '1').inputs.drive, 'onehot', 'not found by its name');
  const named = json('spectrum', renamed, ...textArgs, '--embedding', 'lookup.table');
  assert.deepEqual(named.exponents, textSpectrum().exponents);
  assert.equal(named.source.embedding, 'lookup.table');
});

test('an embedding is found by name and width; several are narrowed to the RNN\'s module, else refused', () => {
  const matrix = (rows: number, columns: number): Tensor => ({ dtype: 'F64', shape: [rows, columns], data: new Float64Array(rows * columns) });
  const find = (names: Record<string, Tensor>, prefix: string) => findEmbedding(new Map(Object.entries(names)), 'm.safetensors', 3, prefix)?.name;
  assert.equal(find({ 'encoder.weight': matrix(9, 3), 'decoder.weight': matrix(3, 9) }, 'rnn.'), 'encoder.weight', "PyTorch's word language model");
  assert.equal(find({ 'model.embed.weight': matrix(9, 3) }, 'model.lstm.'), 'model.embed.weight');
  assert.equal(find({ 'embedding.weight': matrix(9, 4), 'encoder.weight_ih_l0': matrix(9, 3) }, 'encoder.'), undefined, 'wrong width, or not an embedding');
  assert.equal(find({ 'encoder.embedding.weight': matrix(5, 3), 'decoder.embedding.weight': matrix(7, 3) }, 'decoder.rnn.'), 'decoder.embedding.weight');
  assert.throws(() => find({ 'embedding.weight': matrix(5, 3), 'emb.weight': matrix(7, 3) }, 'lstm.'),
    /m\.safetensors: several embeddings of width 3 \(the RNN's input size\): 'embedding\.weight', 'emb\.weight'; choose one with --embedding TENSOR/);
});

test('--prefix picks one RNN of two (with or without its dot); without it the error lists the prefixes', () => {
  const seq2seq = join(fixtures, 'seq2seq.safetensors');
  assertOneLineError(['spectrum', seq2seq],
    /seq2seq\.safetensors: several sets of RNN weights, under prefixes '(de|en)coder\.rnn\.', '(de|en)coder\.rnn\.'; choose one with --prefix \(e\.g\. --prefix (de|en)coder\.rnn\.\)$/);
  assertOneLineError(['spectrum', seq2seq, '--prefix', 'rnn.'], /no RNN weights under prefix 'rnn\.' \(--prefix\); the file has RNN weights under prefixes/);
  const args = ['--drive', 'gaussian', '--batch', '2', '--transient', '10', '--steps', '100'];
  const decoder = json('spectrum', seq2seq, '--prefix', 'decoder.rnn', ...args);
  assert.deepEqual(decoder.exponents, json('spectrum', join(fixtures, 'decoder_lstm.safetensors'), ...args).exponents);
  assert.equal(decoder.source.prefix, 'decoder.rnn.');
  assert.deepEqual(decoder.source.used.map((t: { name: string }) => t.name).sort(),
    ['decoder.rnn.bias_hh_l0', 'decoder.rnn.bias_ih_l0', 'decoder.rnn.weight_hh_l0', 'decoder.rnn.weight_ih_l0']);
  assert.equal(decoder.source.ignored.length, 6, 'both embeddings and the encoder GRU');
  const encoder = json('spectrum', seq2seq, '--prefix', 'encoder.rnn.', '--batch', '2', '--transient', '10', '--steps', '100');
  assert.equal(encoder.model.cell, 'gru');
  assert.equal(encoder.source.embedding, 'encoder.embedding.weight');
});

test('the memory estimate counts token ids (4 bytes a step) and the embedding in every thread', () => {
  const shape = { batch: 8, steps: 1_000_000, size: 16, stateDim: 48, k: 5, threads: 2 };
  const tokens = spectrumMemory({ ...shape, held: true, tokens: { vocabSize: 1000 } }).parts;
  assert.deepEqual(tokens.find(([what]) => what.startsWith('token ids')), ['token ids 8 × 1000000 int32, held twice (split over threads)', 2 * 4 * 8e6]);
  assert.deepEqual(tokens.find(([what]) => what.startsWith('embedding')), ['embedding 1000 × 16 float64, one per thread', 3 * 8 * 16_000]);
  const vectors = spectrumMemory({ ...shape, held: true }).parts;
  assert.equal(vectors[0]![1], 2 * 8 * 8e6 * 16);
  assertOneLineError(['spectrum', charlm, '--text', text, '--vocab', vocab, '--memory-budget', '0.0001'], /over the memory budget of/);
});
