/**
 * Token ids for a model driven through its embedding: a text encoded with a vocabulary, or a
 * tensor of ids [B, T] read from a safetensors file.
 */
import { readFileSync } from 'node:fs';
import { ModelFileError, TextInputError } from './errors.js';
import { readSafetensors } from './safetensors-file.js';
import { formatShape } from './tensor-checks.js';

/**
 * A vocabulary file: JSON holding a list of symbols or one string of symbols (its characters),
 * index = token id.
 */
export function readVocabulary(path: string): string[] {
  const fail = (detail: string): never => {
    throw new TextInputError(path, `${detail}; expected a vocabulary (--vocab): a JSON list of symbols or a JSON string of characters, index = token id`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return fail(`not JSON (${error.message})`);
  }
  const symbols = typeof parsed === 'string' ? Array.from(parsed) : parsed;
  if (!Array.isArray(symbols) || symbols.length === 0) return fail(`holds ${Array.isArray(symbols) ? 'an empty list' : typeof symbols}`);
  const ids = new Map<string, number>();
  symbols.forEach((symbol: unknown, id) => {
    if (typeof symbol !== 'string' || symbol === '') fail(`entry ${id} is ${JSON.stringify(symbol)}, not a non-empty string`);
    const before = ids.get(symbol as string);
    if (before !== undefined) fail(`symbol ${JSON.stringify(symbol)} is listed twice, as ids ${before} and ${id}`);
    ids.set(symbol as string, id);
  });
  return symbols as string[];
}

/**
 * The token ids of `text`: at each position the longest symbol of the vocabulary that matches
 * there (with one-character symbols, one id per character: char-level). A position no symbol
 * matches is an error naming it.
 */
export function encodeText(text: string, vocabulary: readonly string[], textFile: string, vocabFile: string): Int32Array {
  const ids = new Map(vocabulary.map((symbol, id) => [symbol, id]));
  const longest = vocabulary.reduce((most, symbol) => Math.max(most, symbol.length), 0);
  const tokens: number[] = [];
  for (let at = 0; at < text.length;) {
    let length = Math.min(longest, text.length - at);
    while (length > 0 && !ids.has(text.slice(at, at + length))) length--;
    if (length === 0) {
      const symbol = String.fromCodePoint(text.codePointAt(at)!);
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const line = text.slice(0, lineStart).split('\n').length;
      const column = Array.from(text.slice(lineStart, at)).length + 1;
      const position = Array.from(text.slice(0, at)).length;
      throw new TextInputError(textFile, `symbol ${JSON.stringify(symbol)} at line ${line}, column ${column} (character ${position}) is not in the vocabulary ${vocabFile} (${vocabulary.length} symbols)`);
    }
    tokens.push(ids.get(text.slice(at, at + length))!);
    at += length;
  }
  return Int32Array.from(tokens);
}

/** The text file `path` encoded with the vocabulary file `vocabPath`. */
export function loadTextTokens(path: string, vocabPath: string): Int32Array {
  return encodeText(readFileSync(path, 'utf8'), readVocabulary(vocabPath), path, vocabPath);
}

/**
 * The integer tensor `name` [B, T] of token ids in a safetensors file, each an id of `embedding`
 * (in [0, vocabSize)).
 */
export function loadTokenIds(
  path: string, embedding: { name: string; vocabSize: number }, name = 'tokens',
): { batch: number; steps: number; ids: Int32Array } {
  const tensor = readSafetensors(path).tensors.get(name);
  if (tensor === undefined) throw new ModelFileError(path, `no tensor '${name}' of token ids [B, T]`);
  const fail = (detail: string): never => {
    throw new ModelFileError(path, detail, name);
  };
  if (tensor.shape.length !== 2 || tensor.shape.some((size) => size < 1)) fail(`has shape ${formatShape(tensor.shape)}; expected [B, T] (sequences, steps), each at least 1`);
  if (!['I64', 'I32', 'U8'].includes(tensor.dtype)) fail(`has dtype ${tensor.dtype}; expected integer token ids (I64, I32 or U8)`);
  const [batch, steps] = tensor.shape as [number, number];
  const { data } = tensor;
  for (let i = 0; i < data.length; i++) {
    const id = data[i]!;
    if (id < 0 || id >= embedding.vocabSize) {
      fail(`id ${id} at [${Math.floor(i / steps)}, ${i % steps}] is out of range: the embedding '${embedding.name}' has ${embedding.vocabSize} rows (ids 0 to ${embedding.vocabSize - 1})`);
    }
  }
  return { batch, steps, ids: Int32Array.from(data) };
}
