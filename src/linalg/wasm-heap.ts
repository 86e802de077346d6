import type { WasmMemory } from './wasm-module.js';

export const PAGE_BYTES = 65536;
/** Buffers start on cache-line boundaries, so columns of an n×k block with n % 8 = 0 do too. */
const ALIGN_BYTES = 64;
/** 65536 pages: the most a 32-bit WebAssembly memory can hold. */
export const MAX_BYTES = 65536 * PAGE_BYTES;

/**
 * A bump allocator over one wasm instance's memory. Nothing is ever freed: allocate every buffer a
 * run needs once, before the step loop (a new kernels instance gives a new, empty heap).
 *
 * Growing the memory (which only the allocations and `reserve` do) detaches every typed array that
 * views it. A buffer's `.array` re-derives its view after a growth, so hold buffers, not
 * arrays, across allocations — or call `reserve` first so that later allocations never grow.
 */
export class WasmHeap {
  private top: number;
  private wholeFloat64: Float64Array;
  private wholeFloat32: Float32Array;
  private wholeInt32: Int32Array;

  constructor(private readonly memory: WasmMemory, heapBase: number) {
    this.top = alignUp(heapBase);
    this.wholeFloat64 = new Float64Array(memory.buffer);
    this.wholeFloat32 = new Float32Array(memory.buffer);
    this.wholeInt32 = new Int32Array(memory.buffer);
  }

  /** A zero-filled buffer of `length` doubles, valid for the life of the heap. */
  allocate(length: number): WasmFloat64Buffer {
    return new WasmFloat64Buffer(this, this.allocateBytes('allocate', length, 8), length);
  }

  /** A zero-filled buffer of `length` floats, valid for the life of the heap. */
  allocateFloat32(length: number): WasmFloat32Buffer {
    return new WasmFloat32Buffer(this, this.allocateBytes('allocateFloat32', length, 4), length);
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

  /** All of memory as 32-bit integers (row orders); re-derived when the memory has grown. */
  get int32(): Int32Array {
    if (this.wholeInt32.buffer !== this.memory.buffer) this.wholeInt32 = new Int32Array(this.memory.buffer);
    return this.wholeInt32;
  }

  /** Bytes handed out so far, including the module's static data below the heap base. */
  get bytesUsed(): number {
    return this.top;
  }

  private allocateBytes(method: string, length: number, elementBytes: number): number {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`WasmHeap.${method}: length must be a non-negative integer, got ${length}`);
    }
    const byteOffset = this.top;
    this.ensureCapacity(byteOffset + length * elementBytes);
    this.top = alignUp(byteOffset + length * elementBytes);
    return byteOffset;
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

/**
 * Elements living in wasm memory (doubles in WasmFloat64Buffer, floats in WasmFloat32Buffer): pass
 * them to the kernels' resident methods without copies.
 */
export abstract class WasmBuffer<A extends Float64Array | Float32Array> {
  private view: A | undefined;

  constructor(protected readonly heap: WasmHeap, readonly byteOffset: number, readonly length: number) {}

  /** All of the heap's memory as this buffer's element type. */
  protected abstract wholeMemory(): A;

  /** Elements [offset, offset + length) of this buffer, sharing its memory (no copy, no allocation in the heap). */
  abstract slice(offset: number, length: number): WasmBuffer<A>;

  /** A view of the elements. Do not keep it across heap allocations (see WasmHeap). */
  get array(): A {
    const whole = this.wholeMemory();
    if (this.view === undefined || this.view.buffer !== whole.buffer) {
      const start = this.byteOffset / whole.BYTES_PER_ELEMENT;
      this.view = whole.subarray(start, start + this.length) as A;
    }
    return this.view;
  }

  /** Whether the two buffers share any byte. */
  overlaps(other: WasmBuffer<Float64Array | Float32Array>): boolean {
    return this.heap === other.heap
      && this.byteOffset < other.byteOffset + other.byteLength
      && other.byteOffset < this.byteOffset + this.byteLength;
  }

  get byteLength(): number {
    return this.length * this.wholeMemory().BYTES_PER_ELEMENT;
  }

  /** Byte address of elements [offset, offset + length), checked to lie inside this buffer. */
  protected sliceByteOffset(method: string, unit: string, offset: number, length: number): number {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.length) {
      throw new RangeError(`${method}: [${offset}, ${offset + length}) is outside a buffer of ${this.length} ${unit}`);
    }
    return this.byteOffset + offset * this.wholeMemory().BYTES_PER_ELEMENT;
  }
}

export class WasmFloat64Buffer extends WasmBuffer<Float64Array> {
  protected wholeMemory(): Float64Array {
    return this.heap.float64;
  }

  slice(offset: number, length: number): WasmFloat64Buffer {
    return new WasmFloat64Buffer(this.heap, this.sliceByteOffset('WasmFloat64Buffer.slice', 'doubles', offset, length), length);
  }
}

export class WasmFloat32Buffer extends WasmBuffer<Float32Array> {
  protected wholeMemory(): Float32Array {
    return this.heap.float32;
  }

  slice(offset: number, length: number): WasmFloat32Buffer {
    return new WasmFloat32Buffer(this.heap, this.sliceByteOffset('WasmFloat32Buffer.slice', 'floats', offset, length), length);
  }
}

function alignUp(byte: number): number {
  return Math.ceil(byte / ALIGN_BYTES) * ALIGN_BYTES;
}
