/**
 * `count` blocks of `length` doubles (one per step), in a few large Float64Arrays rather than one
 * array per step: a typed array is limited in length, and per-step arrays would cost an object
 * each. Chunks of up to 2^27 doubles (1 GiB), each holding whole blocks.
 */
const CHUNK_DOUBLES = 2 ** 27;

export class StepBlocks {
  private readonly chunks: Float64Array[] = [];
  private readonly perChunk: number;

  constructor(readonly length: number, readonly count: number) {
    this.perChunk = Math.max(1, Math.floor(CHUNK_DOUBLES / Math.max(1, length)));
    for (let first = 0; first < count; first += this.perChunk) {
      this.chunks.push(new Float64Array(Math.min(this.perChunk, count - first) * length));
    }
  }

  /** Block i, a view (writes go to the store). */
  block(i: number): Float64Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`StepBlocks: block ${i} is outside [0, ${this.count})`);
    const offset = (i % this.perChunk) * this.length;
    return this.chunks[Math.floor(i / this.perChunk)]!.subarray(offset, offset + this.length);
  }
}
