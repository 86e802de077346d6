import { GEMM_F32_WASM_BASE64 } from './gemm-f32-wasm.js';

interface GemmExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  gemmNT(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number): void;
}

// Node's WebAssembly global is not in @types/node without the DOM lib: type what is used here.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | undefined;

const PAGE_BYTES = 65536;
/** 65536 pages: the most a 32-bit WebAssembly memory can hold. */
const MAX_BYTES = 65536 * PAGE_BYTES;
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
  private readonly exports: GemmExports;
  private next: number;
  private readonly end: number;

  /** An arena for `floats` float32 values in all (alignment included; see `F32Arena.sizeFor`). */
  constructor(floats: number) {
    compiled ??= new webAssembly.Module(Buffer.from(GEMM_F32_WASM_BASE64, 'base64'));
    this.exports = new webAssembly.Instance(compiled, {}).exports as GemmExports;
    const base = Math.ceil(this.exports.heapBase() / (4 * ALIGN_FLOATS)) * 4 * ALIGN_FLOATS;
    const needed = base + floats * 4;
    if (needed > MAX_BYTES) {
      throw new RangeError(
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

  /** Same contract as gemm.ts `gemmNT`, on views of this arena. */
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
      this.exports.gemmNT(m, n, width, pa + 4 * p, k, pb + 4 * p, k, pc, n, accumulate || p > 0 ? 1 : 0);
    }
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;
}
