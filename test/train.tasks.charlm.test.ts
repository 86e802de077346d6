import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/linalg/index.js';
import {
  charLmTask, createTask, shakespearePaths, Vocabulary, VOCABULARY_FILE, type CharLmTask, type PerStepClassBatch,
} from '../src/train/index.js';

const dir = mkdtempSync(join(tmpdir(), 'charlm-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function textFile(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The characters a window batch shows: the inputs' one-hot symbols, decoded. */
function shownText(task: CharLmTask, b: PerStepClassBatch, sequence: number): string {
  const V = task.vocabulary.size;
  const symbols: number[] = [];
  for (let t = 0; t < b.steps; t++) {
    const row = b.inputs.subarray((sequence * b.steps + t) * V, (sequence * b.steps + t + 1) * V);
    assert.equal(row.reduce((a, x) => a + x, 0), 1, `one-hot row sums to 1 (sequence ${sequence}, step ${t})`);
    symbols.push(row.indexOf(1));
  }
  if (b.symbols) assert.deepEqual([...b.symbols.subarray(sequence * b.steps, (sequence + 1) * b.steps)], symbols, 'symbols = one-hot indices');
  return task.vocabulary.decode(symbols);
}

const alphabet = 'abcdefghijklmnopqrstuvwxyz\n';
/** 1000 random characters: every character of the alphabet occurs in the first 800, windows are unique. */
const letters = new Rng(123);
const plain = Array.from({ length: 1000 }, () => alphabet[letters.int(alphabet.length)]).join('');

test('test text: every character in the first 800, no window of 11 repeated', () => {
  assert.equal(new Set(plain.slice(0, 800)).size, alphabet.length);
  const windows = new Set(Array.from({ length: 990 }, (_, i) => plain.slice(i, i + 11)));
  assert.equal(windows.size, 990);
});

test('80/10/10 split by position: the splits are disjoint, in order, and rebuild the text exactly', () => {
  const task = charLmTask({ text: textFile('plain.txt', plain), seq: 10 });
  assert.deepEqual([task.splits.train.length, task.splits.validation.length, task.splits.test.length], [800, 100, 100]);
  const decoded = (['train', 'validation', 'test'] as const).map((s) => task.vocabulary.decode(task.splits[s]));
  assert.equal(decoded.join(''), plain);
  assert.equal(decoded[1], plain.slice(800, 900));
  assert.equal(task.trainSize, 79); // windows of 10 from a random phase in [0, 10): (79 + 1)·10 ≤ 800
});

test('CRLF and lone CR become LF; a UTF-8 BOM is dropped; a non-UTF-8 file reads as Latin-1', () => {
  const crlf = charLmTask({ text: textFile('crlf.txt', plain.replace(/\n/g, '\r\n').replace(/z/g, 'z\r')), seq: 5 });
  assert.ok(!crlf.vocabulary.symbols.includes('\r'), 'no CR in the vocabulary');
  const all = (['train', 'validation', 'test'] as const).map((s) => crlf.vocabulary.decode(crlf.splits[s])).join('');
  assert.equal(all, plain.replace(/z/g, 'z\n'));

  const bom = charLmTask({ text: textFile('bom.txt', `\uFEFF${plain}`), seq: 5 });
  assert.ok(!bom.vocabulary.symbols.includes('\uFEFF'));
  assert.equal(bom.splits.train.length, 800);

  const latin1 = Uint8Array.from(Buffer.from(`${plain.slice(0, 500)}C\u00e6sar${plain.slice(500)}`, 'latin1'));
  const caesar = charLmTask({ text: textFile('latin1.txt', latin1), seq: 5 });
  assert.ok(caesar.vocabulary.symbols.includes('\u00e6'), 'byte 0xE6 reads as æ');
  assert.ok(caesar.vocabulary.decode(caesar.splits.train).includes('C\u00e6sar'));
});

test('vocabulary: training characters in code-point order plus unknown; JSON round trip; unseen characters map to unknown', () => {
  // 'Z' and '€' occur only after the first 80 % (in validation / test).
  const text = `${plain.slice(0, 850)}Z${plain.slice(851, 950)}€${plain.slice(951)}`;
  const task = charLmTask({ text: textFile('unseen.txt', text), seq: 5 });
  const v = task.vocabulary;
  assert.deepEqual(v.symbols, [...alphabet].sort());
  assert.equal(v.size, 28);
  assert.equal(task.inputSize, 28);
  assert.equal(v.indexOf('Z'), v.unknownIndex);
  assert.equal(task.splits.validation[50], v.unknownIndex);
  assert.equal(task.splits.test[50], v.unknownIndex);

  const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(back.symbols, v.symbols);
  assert.deepEqual(back.encode(text), v.encode(text));
  const astral = Vocabulary.fromTexts(['b\u{1F600}a\u00e9']);
  assert.deepEqual(astral.symbols, ['a', 'b', '\u00e9', '\u{1F600}'], 'sorted by code point, astral characters whole');
  assert.deepEqual(Vocabulary.fromJSON(astral.toJSON()).symbols, astral.symbols);
  assert.throws(() => Vocabulary.fromJSON({ format: 'rnn-lyapunov.vocabulary', version: 1, symbols: ['b', 'a'] }), /code-point order/);
  assert.throws(() => Vocabulary.fromJSON({ format: 'rnn-lyapunov.vocabulary', version: 1, symbols: ['ab'] }), /symbols\[0\]/);
  assert.throws(() => v.decode([28]), /outside the vocabulary/);
});

test('createTask with the saved vocabulary keeps symbol indices on a different text', () => {
  const task = charLmTask({ text: textFile('first.txt', plain), seq: 10 });
  const artifacts = task.artifacts();
  const other = textFile('other.txt', plain.replace(/[a-m]/g, 'x'));
  const rebuilt = createTask({ ...task.describe().spec, text: other }, artifacts) as CharLmTask;
  assert.deepEqual(rebuilt.vocabulary.symbols, task.vocabulary.symbols);
  assert.equal(rebuilt.vocabulary.indexOf('n'), task.vocabulary.indexOf('n'));
  const fresh = createTask({ ...task.describe().spec, text: other }) as CharLmTask;
  assert.notDeepEqual(fresh.vocabulary.symbols, task.vocabulary.symbols, 'without the artifact the vocabulary is rebuilt');
  assert.ok(VOCABULARY_FILE in artifacts);
});

test('training batches: shapes, one-hot inputs, next-character targets, every window once per epoch, seeded', () => {
  const task = charLmTask({ text: textFile('batches.txt', plain), seq: 10 });
  const train = task.vocabulary.decode(task.splits.train);
  const epoch = (seed: number) => [...task.batches(16, new Rng(seed))] as PerStepClassBatch[];
  const batches = epoch(1);
  assert.deepEqual(batches.map((b) => b.batch), [16, 16, 16, 16, 15]);
  const starts = new Set<number>();
  for (const b of batches) {
    assert.ok(b.symbols, 'one-hot batches carry their symbols');
    assert.deepEqual([b.steps, b.inputSize, b.inputs.length, b.targets.length, b.mask], [10, 28, b.batch * 280, b.batch * 10, undefined]);
    for (let s = 0; s < b.batch; s++) {
      const shown = shownText(task, b, s);
      const next = task.vocabulary.decode(b.targets.subarray(s * 10, s * 10 + 10));
      assert.equal(shown.slice(1), next.slice(0, 9), 'targets are the inputs shifted by one');
      const at = train.indexOf(shown + next.slice(9));
      assert.ok(at >= 0, 'a window of the training text');
      starts.add(at);
    }
  }
  assert.equal(starts.size, 79, 'distinct windows');
  const phase = [...starts][0]! % 10;
  assert.ok([...starts].every((s) => s % 10 === phase), 'non-overlapping windows at one phase');
  const flat = (bs: PerStepClassBatch[]) => bs.flatMap((b) => [...b.targets]);
  assert.deepEqual(flat(epoch(1)), flat(batches), 'same seed, same epoch');
  assert.notDeepEqual(flat(epoch(2)), flat(batches), 'another seed, another order');
});

test('evaluation windows cover the validation text in order; streams continue across windows', () => {
  const task = charLmTask({ text: textFile('eval.txt', plain), seq: 7 });
  const validation = task.vocabulary.decode(task.splits.validation);
  let shown = '';
  for (const b of task.evalBatches('validation', 4) as Iterable<PerStepClassBatch>) {
    for (let s = 0; s < b.batch; s++) shown += shownText(task, b, s);
  }
  assert.equal(shown, validation.slice(0, 14 * 7), 'floor(99 / 7) = 14 windows');

  const windows = [...task.streamBatches(3)];
  assert.equal(windows.length, Math.floor(Math.floor(799 / 3) / 7));
  assert.deepEqual(windows.map((w) => w.carryState), windows.map((_, j) => j > 0));
  for (let j = 1; j < windows.length; j++) {
    for (let s = 0; s < 3; s++) {
      const targets = task.vocabulary.decode(windows[j - 1]!.targets.subarray(s * 7, s * 7 + 7));
      const continued = shownText(task, windows[j - 1]!, s).slice(1) + shownText(task, windows[j]!, s)[0];
      assert.equal(targets, continued, `stream ${s} continues at window ${j}`);
    }
  }
});

test('spectrum inputs are one-hot windows of the validation text', () => {
  const task = charLmTask({ text: textFile('spectrum.txt', plain), seq: 5 });
  const inputs = task.spectrumInputs(4, 60, new Rng(9));
  assert.deepEqual([inputs.batch, inputs.steps, inputs.size, inputs.data.length], [4, 60, 28, 4 * 60 * 28]);
  const validation = task.vocabulary.decode(task.splits.validation);
  const asBatch = { loss: 'ce-per-step', batch: 4, steps: 60, inputSize: 28, inputs: inputs.data, targets: new Int32Array(240) } as const;
  for (let s = 0; s < 4; s++) assert.ok(validation.includes(shownText(task, asBatch, s)), `sequence ${s} is held-out text`);
  assert.throws(() => task.spectrumInputs(1, 100, new Rng(1)), /spectrum steps/);
  assert.throws(() => charLmTask({ text: textFile('short.txt', plain.slice(0, 100)), seq: 20 }), /validation split has 10 characters/);
});

test('default corpus: Hamlet, Macbeth, Julius Caesar; 80/10/10 of each; Latin-1 Cæsar; maxChars', () => {
  const paths = shakespearePaths();
  assert.deepEqual(paths.map((p) => p.split('/').pop()), ['shakespeare-hamlet.txt', 'shakespeare-macbeth.txt', 'shakespeare-caesar.txt']);
  const task = charLmTask();
  const { train, validation, test: held } = task.splits;
  const total = train.length + validation.length + held.length;
  // The files are ASCII except Caesar's two Latin-1 bytes, and have no CR: one character per byte.
  assert.equal(total, paths.reduce((n, p) => n + readFileSync(p).length, 0));
  assert.ok(Math.abs(train.length - 0.8 * total) <= 3 && Math.abs(validation.length - 0.1 * total) <= 3, 'proportions per document');
  assert.ok(task.vocabulary.symbols.includes('\u00e6') && !task.vocabulary.symbols.includes('\r'));
  assert.ok(task.vocabulary.decode(train).includes('C\u00e6sar'));
  assert.equal(task.describe().spec.text, null);

  const small = charLmTask({ maxChars: 30000, seq: 50 });
  const smallTotal = small.splits.train.length + small.splits.validation.length + small.splits.test.length;
  assert.ok(smallTotal <= 30000 && smallTotal > 29990, `maxChars keeps ${smallTotal} characters`);
  const smallTrain = small.vocabulary.decode(small.splits.train);
  for (const play of ['Hamlet', 'Macbeth', 'Julius Caesar']) {
    assert.ok(smallTrain.includes(`[The Tragedie of ${play} by William Shakespeare`), `${play} starts the share kept of its file`);
  }
});
