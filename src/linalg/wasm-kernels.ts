import type { LinalgKernels } from './kernels.js';
import { type WasmFloat64Buffer, WasmHeap } from './wasm-heap.js';
import { instantiateKernels, type KernelExports } from './wasm-module.js';

/** A region of wasm memory holding `length` elements of a kernel's type. */
interface Scratch {
  readonly byteOffset: number;
  readonly length: number;
}

/**
 * The `LinalgKernels` methods of one instantiation of the kernels compiled from asm/ (WebAssembly
 * 128-bit SIMD), with their own memory: Float64Array operands are copied into wasm memory as the
 * instantiation's elements (rounded to float32 for float32), the kernel runs there, and the
 * results are copied back as doubles. O(n·k) copies around O(n·k²) work.
 */
abstract class StagedWasmKernels implements LinalgKernels {
  abstract readonly name: string;
  readonly heap: WasmHeap;
  private staging: Scratch;
  protected qrWork: Scratch;

  constructor(protected readonly wasm: KernelExports) {
    this.heap = new WasmHeap(wasm.memory, wasm.heapBase());
    this.staging = { byteOffset: this.heap.allocateBytes(0), length: 0 };
    this.qrWork = this.staging;
  }

  /** Bytes of one element: 8 (float64) or 4 (float32). */
  protected abstract readonly elementBytes: number;
  /** All of memory viewed as elements. */
  protected abstract elements(): Float64Array | Float32Array;
  /** The instantiation's exports; pointers are byte addresses, lengths count elements. */
  protected abstract kernelMatmul(a: number, m: number, n: number, x: number, k: number, out: number, accumulate: number): void;
  protected abstract kernelQr(z: number, n: number, k: number, rDiag: number, work: number): void;
  protected abstract kernelQrWorkLength(n: number, k: number): number;

  matmulBlock(
    a: Float64Array, m: number, n: number,
    x: Float64Array, k: number,
    out: Float64Array, accumulate = false,
  ): void {
    checkMatmulShape('matmulBlock', m, n, k);
    checkLength('matmulBlock', 'a', a.length, m * n, 'm·n');
    checkLength('matmulBlock', 'x', x.length, n * k, 'n·k');
    checkLength('matmulBlock', 'out', out.length, m * k, 'm·k');
    const base = this.stage(m * n + n * k + m * k);
    const memory = this.elements();
    const xAt = base + m * n;
    const outAt = xAt + n * k;
    memory.set(a.subarray(0, m * n), base);
    memory.set(x.subarray(0, n * k), xAt);
    if (accumulate) memory.set(out.subarray(0, m * k), outAt);
    const bytes = this.elementBytes;
    this.kernelMatmul(base * bytes, m, n, xAt * bytes, k, outAt * bytes, accumulate ? 1 : 0);
    out.set(memory.subarray(outAt, outAt + m * k));
  }

  qrPositive(z: Float64Array, n: number, k: number, rDiag: Float64Array): void {
    checkQrShape('qrPositive', n, k);
    checkLength('qrPositive', 'z', z.length, n * k, 'n·k');
    checkLength('qrPositive', 'rDiag', rDiag.length, k, 'k');
    this.reserveQr(n, k);
    const zAt = this.stage(n * k + k);
    const memory = this.elements();
    const rAt = zAt + n * k;
    memory.set(z.subarray(0, n * k), zAt);
    const bytes = this.elementBytes;
    this.kernelQr(zAt * bytes, n, k, rAt * bytes, this.qrWork.byteOffset);
    z.set(memory.subarray(zAt, zAt + n * k));
    rDiag.set(memory.subarray(rAt, rAt + k));
  }

  /** Allocate the QR scratch for n×k blocks now rather than inside the step loop. */
  reserveQr(n: number, k: number): void {
    const length = this.kernelQrWorkLength(n, k);
    if (this.qrWork.length < length) {
      this.qrWork = { byteOffset: this.heap.allocateBytes(length * this.elementBytes), length };
    }
  }

  /**
   * Copy area for the Float64Array methods, as an element index into `elements()`; grows
   * geometrically so repeated calls settle.
   */
  private stage(length: number): number {
    if (this.staging.length < length) {
      const grown = Math.max(length, Math.ceil(this.staging.length * 1.5));
      this.staging = { byteOffset: this.heap.allocateBytes(grown * this.elementBytes), length: grown };
    }
    return this.staging.byteOffset / this.elementBytes;
  }
}

/**
 * The float64 kernels. Two ways in:
 * - the `LinalgKernels` methods take ordinary Float64Arrays and copy them in and out of wasm
 *   memory (O(n·k) copies around O(n·k²) work);
 * - the resident methods take `WasmFloat64Buffer`s allocated from `heap` once per run, so the
 *   step loop moves no data and allocates nothing. Read and write those buffers through `.array`.
 */
export class WasmKernels extends StagedWasmKernels {
  readonly name = 'wasm';
  protected readonly elementBytes = 8;

  constructor(wasm: KernelExports = instantiateKernels()) {
    super(wasm);
  }

  protected elements(): Float64Array {
    return this.heap.float64;
  }

  protected kernelMatmul(a: number, m: number, n: number, x: number, k: number, out: number, accumulate: number): void {
    this.wasm.matmulBlock(a, m, n, x, k, out, accumulate);
  }

  protected kernelQr(z: number, n: number, k: number, rDiag: number, work: number): void {
    this.wasm.qrPositive(z, n, k, rDiag, work);
  }

  protected kernelQrWorkLength(n: number, k: number): number {
    return this.wasm.qrWorkLength(n, k);
  }

  /** matmulBlock on operands resident in this instance's heap; `out` must not overlap `x` or `a`. */
  matmulResident(
    a: WasmFloat64Buffer, m: number, n: number,
    x: WasmFloat64Buffer, k: number,
    out: WasmFloat64Buffer, accumulate = false,
  ): void {
    checkMatmulShape('matmulResident', m, n, k);
    checkLength('matmulResident', 'a', a.length, m * n, 'm·n');
    checkLength('matmulResident', 'x', x.length, n * k, 'n·k');
    checkLength('matmulResident', 'out', out.length, m * k, 'm·k');
    if (out.overlaps(x) || out.overlaps(a)) throw new RangeError('matmulResident: out overlaps an input');
    this.wasm.matmulBlock(a.byteOffset, m, n, x.byteOffset, k, out.byteOffset, accumulate ? 1 : 0);
  }

  /**
   * qrPositive on a block resident in this instance's heap. Call `reserveQr(n, k)` before the step
   * loop: the first call for a larger block allocates scratch, which may grow (and detach) memory.
   */
  qrResident(z: WasmFloat64Buffer, n: number, k: number, rDiag: WasmFloat64Buffer): void {
    checkQrShape('qrResident', n, k);
    checkLength('qrResident', 'z', z.length, n * k, 'n·k');
    checkLength('qrResident', 'rDiag', rDiag.length, k, 'k');
    if (z.overlaps(rDiag)) throw new RangeError('qrResident: rDiag overlaps z');
    this.reserveQr(n, k);
    this.wasm.qrPositive(z.byteOffset, n, k, rDiag.byteOffset, this.qrWork.byteOffset);
  }
}

/**
 * The same kernels in float32 (f32x4: twice the elements per SIMD instruction, half the memory
 * traffic), behind the same float64 interface: operands are rounded to float32 on the way in,
 * every product, sum and reflection is float32, and results come back as doubles (exactly the
 * float32 values). Expect relative errors of float32's ε·√n ≈ 6e-8·√n rather than float64's.
 */
export class WasmFloat32Kernels extends StagedWasmKernels {
  readonly name = 'wasm-f32';
  protected readonly elementBytes = 4;

  constructor(wasm: KernelExports = instantiateKernels()) {
    super(wasm);
  }

  protected elements(): Float32Array {
    return this.heap.float32;
  }

  protected kernelMatmul(a: number, m: number, n: number, x: number, k: number, out: number, accumulate: number): void {
    this.wasm.matmulBlockF32(a, m, n, x, k, out, accumulate);
  }

  protected kernelQr(z: number, n: number, k: number, rDiag: number, work: number): void {
    this.wasm.qrPositiveF32(z, n, k, rDiag, work);
  }

  protected kernelQrWorkLength(n: number, k: number): number {
    return this.wasm.qrWorkLengthF32(n, k);
  }
}

function checkMatmulShape(method: string, m: number, n: number, k: number): void {
  for (const [name, value] of [['m', m], ['n', n], ['k', k]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`${method}: ${name} must be a non-negative integer, got ${value}`);
    }
  }
}

function checkQrShape(method: string, n: number, k: number): void {
  for (const [name, value] of [['n', n], ['k', k]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`${method}: ${name} must be a non-negative integer, got ${value}`);
    }
  }
  if (k > n) throw new RangeError(`${method}: k=${k} exceeds n=${n}`);
}

function checkLength(method: string, name: string, have: number, need: number, formula: string): void {
  if (have < need) {
    throw new RangeError(`${method}: ${name} holds ${have} doubles, expected at least ${formula} = ${need}`);
  }
}
