import { UserError } from '../../errors.js';
import { MAX_BYTES, PAGE_BYTES } from '../wasm-heap.js';
import { instantiateKernels, type KernelExports } from '../wasm-module.js';

/** Allocations start on cache lines. */
const ALIGN_FLOATS = 16;
/**
 * Columns of the shared dimension per kernel call: a panel of B rows this wide stays in the
 * L2 cache while every pair of A rows streams past it (the weight-gradient products have a
 * shared dimension of T·B, thousands long).
 */
const PANEL = 256;

/**
 * Float32 buffers inside one WebAssembly memory, sized once (growing the memory would detach
 * every view), with the SIMD product C = A·Bᵀ over them. All three operands of a product must
 * be views of this arena.
 */
export class F32Arena {
  /** The instance whose memory holds the arena, for kernels called on its arrays (see `pointer`). */
  readonly exports: KernelExports;
  private next: number;
  private readonly end: number;

  /**
   * An arena for `floats` float32 values in all (alignment included; see `F32Arena.sizeFor`), in a
   * fresh instance of build/kernels.wasm.
   */
  constructor(floats: number, wasm: KernelExports = instantiateKernels()) {
    this.exports = wasm;
    const base = Math.ceil(this.exports.heapBase() / (4 * ALIGN_FLOATS)) * 4 * ALIGN_FLOATS;
    const needed = base + floats * 4;
    if (needed > MAX_BYTES) {
      throw new UserError(
        `training buffers need ${(needed / 2 ** 30).toFixed(1)} GiB, more than one WebAssembly memory holds (4 GiB): ` +
          'use a smaller batch, shorter sequences or a smaller network',
      );
    }
    const have = this.exports.memory.buffer.byteLength;
    if (needed > have) this.exports.memory.grow(Math.ceil((needed - have) / PAGE_BYTES));
    this.next = base / 4;
    this.end = this.exports.memory.buffer.byteLength / 4;
  }

  /** Floats an arena needs for allocations of these sizes. */
  static sizeFor(sizes: readonly number[]): number {
    return sizes.reduce((total, n) => total + alignUp(n), 0);
  }

  allocate(n: number): Float32Array {
    const start = this.next;
    if (start + n > this.end) throw new RangeError(`F32Arena: ${n} floats requested, ${this.end - start} left (arena sized too small)`);
    this.next = start + alignUp(n);
    return new Float32Array(this.exports.memory.buffer, start * 4, n);
  }

  /** The byte address of a view of this arena, for the kernels of `exports`. */
  pointer(view: Float32Array): number {
    if (view.buffer !== this.exports.memory.buffer) throw new Error('F32Arena.pointer: not a view of this arena');
    return view.byteOffset;
  }

  /** Same contract as gemm-nt.ts `transpose`, on views of this arena. */
  transpose(rows: number, cols: number, a: Float32Array, aOffset: number, out: Float32Array, outOffset: number): void {
    this.exports.transposeF32(rows, cols, this.pointer(a) + 4 * aOffset, this.pointer(out) + 4 * outOffset);
  }

  /** Same contract as gemm-nt.ts `addColumnSums`, on views of this arena. */
  addColumnSums(rows: number, cols: number, a: Float32Array, aOffset: number, sums: Float32Array, sumsOffset: number): void {
    this.exports.addColumnSumsF32(rows, cols, this.pointer(a) + 4 * aOffset, this.pointer(sums) + 4 * sumsOffset);
  }

  /** Same contract as gemm-nt.ts `addRowVector`, on views of this arena. */
  addRowVector(rows: number, cols: number, a: Float32Array, aOffset: number, v: Float32Array, vOffset: number): void {
    this.exports.addRowVectorF32(rows, cols, this.pointer(a) + 4 * aOffset, this.pointer(v) + 4 * vOffset);
  }

  /** Same contract as gemm-nt.ts `expShifted`, on a view of this arena (the exponentials agree to float32 rounding). */
  expShifted(n: number, a: Float32Array, aOffset: number, shift: number): number {
    return this.exports.expShiftedF32(n, this.pointer(a) + 4 * aOffset, shift);
  }

  /** Same contract as gemm-nt.ts `gemmNT`, on views of this arena. */
  gemmNT(
    m: number, n: number, k: number,
    a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, c: Float32Array, cOffset: number,
    accumulate: boolean,
  ): void {
    const buffer = this.exports.memory.buffer;
    if (a.buffer !== buffer || b.buffer !== buffer || c.buffer !== buffer) {
      throw new Error('F32Arena.gemmNT: every operand must be a view of this arena');
    }
    const pa = a.byteOffset + 4 * aOffset;
    const pb = b.byteOffset + 4 * bOffset;
    const pc = c.byteOffset + 4 * cOffset;
    if (k === 0) {
      if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
      return;
    }
    for (let p = 0; p < k; p += PANEL) {
      const width = Math.min(PANEL, k - p);
      this.exports.gemmNTF32(m, n, width, pa + 4 * p, k, pb + 4 * p, k, pc, n, accumulate || p > 0 ? 1 : 0);
    }
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;
}
