/**
 * The symbols of a character-level model: the distinct Unicode code points of the training
 * text in code-point order, then one "unknown" symbol that stands for any character the
 * training text lacks. Saved with a run as JSON so a model can be driven by new text later.
 */

export interface VocabularyJson {
  format: 'rnn-lyapunov.vocabulary';
  version: 1;
  /** Known characters in code-point order; the unknown symbol is index symbols.length. */
  symbols: string[];
}

/** How the unknown symbol prints when decoding. */
export const UNKNOWN_CHARACTER = '\uFFFD';

const byCodePoint = (a: string, b: string) => a.codePointAt(0)! - b.codePointAt(0)!;

export class Vocabulary {
  /** Known characters in code-point order. */
  readonly symbols: readonly string[];
  private readonly index: ReadonlyMap<string, number>;

  private constructor(symbols: string[]) {
    this.symbols = symbols;
    this.index = new Map(symbols.map((s, i) => [s, i]));
  }

  /** The vocabulary of the code points in `texts`. */
  static fromTexts(texts: Iterable<string>): Vocabulary {
    const seen = new Set<string>();
    for (const text of texts) for (const ch of text) seen.add(ch);
    return new Vocabulary([...seen].sort(byCodePoint));
  }

  static fromJSON(json: unknown, source = 'vocabulary'): Vocabulary {
    const v = json as Partial<VocabularyJson> | null;
    if (v === null || typeof v !== 'object' || v.format !== 'rnn-lyapunov.vocabulary' || v.version !== 1) {
      throw new TypeError(`${source}: expected an object with format 'rnn-lyapunov.vocabulary' and version 1`);
    }
    const symbols = v.symbols;
    if (!Array.isArray(symbols)) throw new TypeError(`${source}: field 'symbols' must be an array of characters`);
    symbols.forEach((s: unknown, i) => {
      if (typeof s !== 'string' || [...s].length !== 1) {
        throw new TypeError(`${source}: symbols[${i}] is ${JSON.stringify(s)}, expected a single character`);
      }
      if (i > 0 && byCodePoint(symbols[i - 1]!, s) >= 0) {
        throw new TypeError(`${source}: symbols must be distinct and in code-point order (at index ${i})`);
      }
    });
    return new Vocabulary([...symbols]);
  }

  toJSON(): VocabularyJson {
    return { format: 'rnn-lyapunov.vocabulary', version: 1, symbols: [...this.symbols] };
  }

  /** Known characters plus the unknown symbol: the input and output size of a model. */
  get size(): number {
    return this.symbols.length + 1;
  }

  get unknownIndex(): number {
    return this.symbols.length;
  }

  indexOf(ch: string): number {
    return this.index.get(ch) ?? this.unknownIndex;
  }

  /** Symbol indices of the code points of `text`. */
  encode(text: string): Int32Array {
    const codes = new Int32Array(text.length);
    let n = 0;
    for (const ch of text) codes[n++] = this.indexOf(ch);
    return codes.slice(0, n);
  }

  decode(indices: ArrayLike<number>): string {
    let text = '';
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i]!;
      if (!Number.isInteger(k) || k < 0 || k >= this.size) {
        throw new RangeError(`symbol index ${k} at position ${i} is outside the vocabulary [0, ${this.size})`);
      }
      text += k === this.unknownIndex ? UNKNOWN_CHARACTER : this.symbols[k];
    }
    return text;
  }
}
