import type { WasmMemory } from './wasm-module.js';

const PAGE_BYTES = 65536;
/** Buffers start on cache-line boundaries, so columns of an n×k block with n % 8 = 0 do too. */
const ALIGN_BYTES = 64;
const MAX_BYTES = 65536 * PAGE_BYTES;

/**
 * A bump allocator over one wasm instance's memory. Nothing is ever freed: allocate every buffer a
 * run needs once, before the step loop (a new kernels instance gives a new, empty heap).
 *
 * Growing the memory (which only `allocate` and `reserve` do) detaches every Float64Array that
 * views it. `WasmFloat64Buffer.array` re-derives its view after a growth, so hold buffers, not
 * arrays, across allocations — or call `reserve` first so that later allocations never grow.
 */
export class WasmHeap {
  private top: number;
  private wholeFloat64: Float64Array;
  private wholeFloat32: Float32Array;

  constructor(private readonly memory: WasmMemory, heapBase: number) {
    this.top = alignUp(heapBase);
    this.wholeFloat64 = new Float64Array(memory.buffer);
    this.wholeFloat32 = new Float32Array(memory.buffer);
  }

  /** A zero-filled buffer of `length` doubles, valid for the life of the heap. */
  allocate(length: number): WasmFloat64Buffer {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`WasmHeap.allocate: length must be a non-negative integer, got ${length}`);
    }
    return new WasmFloat64Buffer(this, this.allocateBytes(length * 8), length);
  }

  /**
   * `byteLength` zero-filled bytes, valid for the life of the heap; returns the first one's address.
   * For scratch that is not doubles (the float32 kernels' floats, viewed through `float32`).
   */
  allocateBytes(byteLength: number): number {
    if (!Number.isInteger(byteLength) || byteLength < 0) {
      throw new RangeError(`WasmHeap.allocateBytes: byteLength must be a non-negative integer, got ${byteLength}`);
    }
    const byteOffset = this.top;
    this.ensureCapacity(byteOffset + byteLength);
    this.top = alignUp(byteOffset + byteLength);
    return byteOffset;
  }

  /** Grow now so that `lengths` more doubles (as separate buffers) fit without a later growth. */
  reserve(...lengths: number[]): void {
    let end = this.top;
    for (const length of lengths) end = alignUp(end + length * 8);
    this.ensureCapacity(end);
  }

  /** All of memory as doubles; re-derived when the memory has grown. */
  get float64(): Float64Array {
    if (this.wholeFloat64.buffer !== this.memory.buffer) this.wholeFloat64 = new Float64Array(this.memory.buffer);
    return this.wholeFloat64;
  }

  /** All of memory as floats; re-derived when the memory has grown. */
  get float32(): Float32Array {
    if (this.wholeFloat32.buffer !== this.memory.buffer) this.wholeFloat32 = new Float32Array(this.memory.buffer);
    return this.wholeFloat32;
  }

  /** Bytes handed out so far, including the module's static data below the heap base. */
  get bytesUsed(): number {
    return this.top;
  }

  private ensureCapacity(endByte: number): void {
    const have = this.memory.buffer.byteLength;
    if (endByte <= have) return;
    if (endByte > MAX_BYTES) {
      throw new RangeError(`WasmHeap: ${endByte} bytes requested, beyond the 4 GiB a wasm32 memory can hold`);
    }
    this.memory.grow(Math.ceil((endByte - have) / PAGE_BYTES));
  }
}

/** Doubles living in wasm memory: pass them to the kernels' resident methods without copies. */
export class WasmFloat64Buffer {
  private view: Float64Array | undefined;

  constructor(private readonly heap: WasmHeap, readonly byteOffset: number, readonly length: number) {}

  /** A view of the doubles. Do not keep it across heap allocations (see WasmHeap). */
  get array(): Float64Array {
    const whole = this.heap.float64;
    if (this.view === undefined || this.view.buffer !== whole.buffer) {
      this.view = new Float64Array(whole.buffer, this.byteOffset, this.length);
    }
    return this.view;
  }

  /** Doubles [offset, offset + length) of this buffer, sharing its memory (no copy, no allocation in the heap). */
  slice(offset: number, length: number): WasmFloat64Buffer {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.length) {
      throw new RangeError(`WasmFloat64Buffer.slice: [${offset}, ${offset + length}) is outside a buffer of ${this.length} doubles`);
    }
    return new WasmFloat64Buffer(this.heap, this.byteOffset + offset * 8, length);
  }

  /** Whether the two buffers share any double. */
  overlaps(other: WasmFloat64Buffer): boolean {
    return this.heap === other.heap
      && this.byteOffset < other.byteOffset + other.length * 8
      && other.byteOffset < this.byteOffset + this.length * 8;
  }
}

function alignUp(byte: number): number {
  return Math.ceil(byte / ALIGN_BYTES) * ALIGN_BYTES;
}
