import { kernelWasmBuilt, kernelWasmLocation, readKernelWasm } from './kernel-wasm-source.js';

/**
 * Instantiating build/kernels.wasm (compiled from asm/ by scripts/build-wasm.mjs), synchronously:
 * the module is a few kilobytes, so `new WebAssembly.Module(bytes)` costs well under a millisecond
 * and callers need no `await`. Where the bytes come from is kernel-wasm-source.ts's business (a
 * file under Node; the browser build swaps in kernel-wasm-source.browser.ts, bytes the page gives).
 */

/** The part of the WebAssembly memory object the heap uses. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/**
 * Exports of build/kernels.wasm; pointers are byte addresses. The plain names work on doubles, the
 * F32 ones are the same kernels on floats (sizes are counts of doubles or floats respectively).
 */
export interface KernelExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  matmulBlock(a: number, m: number, n: number, x: number, ldx: number, k: number, out: number, ldo: number, accumulate: number): void;
  qrPositive(z: number, n: number, k: number, rDiag: number, work: number): void;
  qrWorkLength(n: number, k: number): number;
  reflectorSlotLength(n: number, k: number): number;
  reflectorWorkLength(n: number, k: number): number;
  qrReflectors(z: number, n: number, k: number, rDiag: number, slot: number, work: number): void;
  reflectorStep(m: number, n: number, k: number, rDiag: number, slot: number, work: number): void;
  /** reflectorStep with M's rows sorted and its columns in the order at `order` (n i32, becomes the rows' order); returns M's zero rows. */
  sortedReflectorStep(m: number, n: number, k: number, rDiag: number, slot: number, work: number, order: number): number;
  /** sortedReflectorStep of M = Σ_g diag(coef_g)·W_g (+ diag(diagonal) unless 0), formed into m first. */
  formedReflectorStep(
    weight: number, gates: number, coef: number, diagonal: number, m: number, n: number, k: number, rDiag: number, slot: number, work: number, order: number,
  ): number;
  triangularSolve(r: number, k: number, c: number, norms: number): void;
  /**
   * For b < batch: out_b (+)= F_b·X_b, F_b formed from weight, coef_b and diagonal_b (unless 0)
   * into f, out_b first set to scale_b ⊙ X_b's rows from `from` unless scale is 0 (asm/formed-rows.ts).
   */
  formedProducts(
    weight: number, gates: number, rows: number, n: number, coef: number, diagonal: number, f: number,
    x: number, ldx: number, xStride: number, k: number, out: number, ldo: number, outStride: number, batch: number, accumulate: number,
    scale: number, from: number,
  ): void;
  formedProductsF32(
    weight: number, gates: number, rows: number, n: number, coef: number, diagonal: number, f: number,
    x: number, ldx: number, xStride: number, k: number, out: number, ldo: number, outStride: number, batch: number, accumulate: number,
    scale: number, from: number,
  ): void;
  matmulBlockF32(a: number, m: number, n: number, x: number, ldx: number, k: number, out: number, ldo: number, accumulate: number): void;
  /** The spectrum's float64 cell layers' forward steps (asm/spectrum-cells.ts), the same bits as src/cells/lstm-layer.ts and gru-layer.ts. */
  lstmLayerForward(
    batch: number, hidden: number, pre: number, bias: number, cOld: number,
    fromI: number, fromF: number, fromG: number, fromO: number, a: number, f: number, cNew: number, hNew: number,
  ): void;
  gruLayerForward(
    batch: number, hidden: number, x: number, fromHidden: number, biasIh: number, biasHh: number, hOld: number,
    a: number, rFromHidden: number, zFromOld: number, r: number, z: number, hNew: number,
  ): void;
  qrPositiveF32(z: number, n: number, k: number, rDiag: number, work: number): void;
  qrWorkLengthF32(n: number, k: number): number;
  reflectorSlotLengthF32(n: number, k: number): number;
  reflectorWorkLengthF32(n: number, k: number): number;
  qrReflectorsF32(z: number, n: number, k: number, rDiag: number, slot: number, work: number): void;
  reflectorStepF32(m: number, n: number, k: number, rDiag: number, slot: number, work: number): void;
  sortedReflectorStepF32(m: number, n: number, k: number, rDiag: number, slot: number, work: number, order: number): number;
  formedReflectorStepF32(
    weight: number, gates: number, coef: number, diagonal: number, m: number, n: number, k: number, rDiag: number, slot: number, work: number, order: number,
  ): number;
  triangularSolveF32(r: number, k: number, c: number, norms: number): void;
  /** C (m×n, rows ldc apart) (+)= A·Bᵀ (A m×k, B n×k, rows lda, ldb apart), row-major float32. */
  gemmNTF32(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number): void;
  /** The cells' elementwise training steps on float32 buffers (asm/cell-steps.ts; src/cells/backward/wasm.ts). */
  lstmForwardF32(batch: number, hidden: number, gates: number, aux: number, cPrev: number, c: number, h: number, local: number): void;
  lstmBackwardF32(batch: number, hidden: number, gates: number, aux: number, dPre: number, dh: number, dc: number): void;
  gruForwardF32(batch: number, hidden: number, gates: number, hh: number, hPrev: number, h: number, local: number): void;
  gruBackwardF32(batch: number, hidden: number, gates: number, dPreInput: number, dPreHidden: number, dh: number, dhPrev: number): void;
  tanhForwardF32(n: number, gates: number, h: number): void;
  /** gemm-nt.ts transpose, addColumnSums and addRowVector on float32 buffers (asm/row-ops.ts): exact, as the js ones. */
  transposeF32(rows: number, cols: number, a: number, out: number): void;
  addColumnSumsF32(rows: number, cols: number, a: number, sums: number): void;
  addRowVectorF32(rows: number, cols: number, a: number, v: number): void;
  /** gemm-nt.ts expShifted on float32 buffers (asm/row-ops.ts). */
  expShiftedF32(n: number, p: number, shift: number): number;
  /** iterations × 12 SIMD multiply-adds in registers (asm/simd-peak.ts): the benchmarks' measured ceiling. */
  simdPeak(iterations: number): number;
  simdPeakF32(iterations: number): number;
}

// @types/node does not declare the WebAssembly global and tsconfig has no DOM lib: type the
// two constructors used here locally instead of declaring globals others might collide with.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

const REQUIRED_FUNCTIONS = [
  'heapBase', 'matmulBlock', 'qrPositive', 'qrWorkLength',
  'reflectorSlotLength', 'reflectorWorkLength', 'qrReflectors', 'reflectorStep', 'sortedReflectorStep', 'formedReflectorStep', 'formedProducts', 'formedProductsF32',
  'matmulBlockF32', 'qrPositiveF32', 'qrWorkLengthF32',
  'reflectorSlotLengthF32', 'reflectorWorkLengthF32', 'qrReflectorsF32', 'reflectorStepF32', 'sortedReflectorStepF32', 'formedReflectorStepF32', 'gemmNTF32',
  'triangularSolve', 'triangularSolveF32',
  'lstmForwardF32', 'lstmBackwardF32', 'gruForwardF32', 'gruBackwardF32', 'tanhForwardF32',
  'transposeF32', 'addColumnSumsF32', 'addRowVectorF32', 'expShiftedF32', 'simdPeak', 'simdPeakF32',
  'lstmLayerForward', 'gruLayerForward',
] as const;

/** How to make build/kernels.wasm, for the messages that find it missing. */
export const BUILD_ADVICE = 'build it with `node scripts/build-wasm.mjs` or `npm run build`';

const compiled = new Map<string, object>();

/** A fresh instance (its own memory) of the kernels module; the compiled module is cached per location. */
export function instantiateKernels(path: string = kernelWasmLocation()): KernelExports {
  let module = compiled.get(path);
  if (module === undefined) {
    if (!kernelWasmBuilt(path)) throw new Error(`instantiateKernels: ${path} is missing (${BUILD_ADVICE})`);
    module = new webAssembly.Module(readKernelWasm(path));
    compiled.set(path, module);
  }
  const { exports } = new webAssembly.Instance(module, {});
  for (const name of REQUIRED_FUNCTIONS) {
    if (typeof exports[name] !== 'function') {
      throw new Error(`instantiateKernels: ${path} does not export function ${name}; rebuild with scripts/build-wasm.mjs`);
    }
  }
  if (!(exports.memory instanceof Object) || !('buffer' in exports.memory)) {
    throw new Error(`instantiateKernels: ${path} does not export its memory`);
  }
  return exports as unknown as KernelExports;
}
