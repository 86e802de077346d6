import type { LinalgKernels } from './kernels.js';
import { WasmFloat64Buffer, WasmHeap } from './wasm-heap.js';
import { instantiateKernels, type KernelExports } from './wasm-module.js';

/**
 * The float64 kernels compiled from asm/ (WebAssembly 128-bit SIMD), with their own memory.
 *
 * Two ways in:
 * - the `LinalgKernels` methods take ordinary Float64Arrays and copy them in and out of wasm
 *   memory (O(n·k) copies around O(n·k²) work);
 * - the resident methods take `WasmFloat64Buffer`s allocated from `heap` once per run, so the
 *   step loop moves no data and allocates nothing. Read and write those buffers through `.array`.
 */
export class WasmKernels implements LinalgKernels {
  readonly name = 'wasm';
  readonly heap: WasmHeap;
  private staging: WasmFloat64Buffer;
  private qrWork: WasmFloat64Buffer;

  constructor(private readonly wasm: KernelExports = instantiateKernels()) {
    this.heap = new WasmHeap(wasm.memory, wasm.heapBase());
    this.staging = this.heap.allocate(0);
    this.qrWork = this.heap.allocate(0);
  }

  matmulBlock(
    a: Float64Array, m: number, n: number,
    x: Float64Array, k: number,
    out: Float64Array, accumulate = false,
  ): void {
    checkMatmulShape('matmulBlock', m, n, k);
    checkLength('matmulBlock', 'a', a.length, m * n, 'm·n');
    checkLength('matmulBlock', 'x', x.length, n * k, 'n·k');
    checkLength('matmulBlock', 'out', out.length, m * k, 'm·k');
    const stage = this.stage(m * n + n * k + m * k);
    const memory = this.heap.float64;
    const base = stage.byteOffset / 8;
    const xAt = base + m * n;
    const outAt = xAt + n * k;
    memory.set(a.subarray(0, m * n), base);
    memory.set(x.subarray(0, n * k), xAt);
    if (accumulate) memory.set(out.subarray(0, m * k), outAt);
    this.wasm.matmulBlock(base * 8, m, n, xAt * 8, k, outAt * 8, accumulate ? 1 : 0);
    out.set(memory.subarray(outAt, outAt + m * k));
  }

  qrPositive(z: Float64Array, n: number, k: number, rDiag: Float64Array): void {
    checkQrShape('qrPositive', n, k);
    checkLength('qrPositive', 'z', z.length, n * k, 'n·k');
    checkLength('qrPositive', 'rDiag', rDiag.length, k, 'k');
    this.reserveQr(n, k);
    const stage = this.stage(n * k + k);
    const memory = this.heap.float64;
    const zAt = stage.byteOffset / 8;
    const rAt = zAt + n * k;
    memory.set(z.subarray(0, n * k), zAt);
    this.wasm.qrPositive(zAt * 8, n, k, rAt * 8, this.qrWork.byteOffset);
    z.set(memory.subarray(zAt, zAt + n * k));
    rDiag.set(memory.subarray(rAt, rAt + k));
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

  /** Allocate the QR scratch for n×k blocks now rather than inside the step loop. */
  reserveQr(n: number, k: number): void {
    const length = this.wasm.qrWorkLength(n, k);
    if (this.qrWork.length < length) this.qrWork = this.heap.allocate(length);
  }

  /** Copy area for the Float64Array methods; grows geometrically so repeated calls settle. */
  private stage(length: number): WasmFloat64Buffer {
    if (this.staging.length < length) {
      this.staging = this.heap.allocate(Math.max(length, Math.ceil(this.staging.length * 1.5)));
    }
    return this.staging;
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
