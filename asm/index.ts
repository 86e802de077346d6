// Entry point of build/kernels.wasm. Memory is managed by the JavaScript side (src/linalg/wasm-heap.ts):
// every pointer is a byte address in the exported memory, at or above heapBase(). Each kernel is
// one generic AssemblyScript function, exported twice: on f64 under its plain name, on f32 with an
// F32 suffix (same arguments; buffers of floats instead of doubles, lengths in floats).
import * as reflectorBasis from './reflector-basis';
import * as formed from './formed-rows';
import * as peak from './simd-peak';
import { dotProducts } from './dot-products';
import { qrPositive as householderQr, qrWorkLength as householderWorkLength } from './householder-qr';
import { triangularSolve as upperTriangularSolve } from './triangular-solve';

/** Training's product C (+)= A·Bᵀ in float32 (see gemm-nt.ts); float32 only, so no f64 twin. */
export { gemmNTF32 } from './gemm-nt';

/** Training's elementwise cell steps on float32 buffers (see cell-steps.ts); float32 only. */
export { lstmForwardF32, lstmBackwardF32, gruForwardF32, gruBackwardF32, tanhForwardF32 } from './cell-steps';

/** The spectrum's float64 LSTM and GRU forward steps, with fdlibm's exp and tanh (see spectrum-cells.ts); float64 only. */
export { lstmLayerForward, gruLayerForward } from './spectrum-cells';

/** The transposes, column sums, bias rows and softmax exponentials around training's products, in float32 (see row-ops.ts). */
export { transposeF32, addColumnSumsF32, addRowVectorF32, expShiftedF32 } from './row-ops';

/** First byte the JavaScript allocator may use. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * out (m×k, column-major, columns ldo apart) (+)= A (m×n, row-major) · X (n×k, column-major,
 * columns ldx apart).
 */
export function matmulBlock(a: usize, m: i32, n: i32, x: usize, ldx: i32, k: i32, out: usize, ldo: i32, accumulate: bool): void {
  dotProducts<f64>(a, n, m, x, ldx, k, n, out, ldo, accumulate);
}

export function matmulBlockF32(a: usize, m: i32, n: i32, x: usize, ldx: i32, k: i32, out: usize, ldo: i32, accumulate: bool): void {
  dotProducts<f32>(a, n, m, x, ldx, k, n, out, ldo, accumulate);
}

/** z (n×k, column-major) becomes Q with positive R; rDiag[j] = R_jj; work: qrWorkLength(n, k) doubles. */
export function qrPositive(z: usize, n: i32, k: i32, rDiag: usize, work: usize): void {
  householderQr<f64>(z, n, k, rDiag, work);
}

export function qrPositiveF32(z: usize, n: i32, k: i32, rDiag: usize, work: usize): void {
  householderQr<f32>(z, n, k, rDiag, work);
}

/** Doubles of scratch qrPositive needs for an n×k block. */
export function qrWorkLength(n: i32, k: i32): i32 {
  return householderWorkLength<f64>(n, k);
}

/** Floats of scratch qrPositiveF32 needs for an n×k block. */
export function qrWorkLengthF32(n: i32, k: i32): i32 {
  return householderWorkLength<f32>(n, k);
}

/** Doubles of one basis stored as reflectors (qrReflectors, reflectorStep). */
export function reflectorSlotLength(n: i32, k: i32): i32 {
  return reflectorBasis.reflectorSlotLength<f64>(n, k);
}

/** Doubles of scratch for qrReflectors and reflectorStep. */
export function reflectorWorkLength(n: i32, k: i32): i32 {
  return reflectorBasis.reflectorWorkLength<f64>(n, k);
}

/** QR of z (n×k) into the basis at slot; rDiag = |R_jj|. */
export function qrReflectors(z: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize): void {
  reflectorBasis.qrReflectors<f64>(z, n, k, rDiag, slot, work);
}

/** Z = M·Q (M n×n row-major, overwritten; Q the basis at slot), then qrReflectors of Z into the slot. */
export function reflectorStep(m: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize): void {
  reflectorBasis.reflectorStep<f64>(m, n, k, rDiag, slot, work);
}

/** reflectorStep with M's rows sorted and its columns in the slot's order (n i32 at order, updated); returns M's zero rows. */
export function sortedReflectorStep(m: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize, order: usize): i32 {
  return reflectorBasis.sortedReflectorStep<f64>(m, n, k, rDiag, slot, work, order);
}

/** out_b (+)= F_b·X_b for each trajectory b, F_b a layer's formed matrix (formed-rows.ts: formedProducts). */
export function formedProducts(
  weight: usize, gates: i32, rows: i32, n: i32, coef: usize, diagonal: usize, f: usize,
  x: usize, ldx: i32, xStride: i32, k: i32, out: usize, ldo: i32, outStride: i32, batch: i32, accumulate: bool,
  scale: usize, from: i32,
): void {
  formed.formedProducts<f64>(weight, gates, rows, n, coef, diagonal, f, x, ldx, xStride, k, out, ldo, outStride, batch, accumulate, scale, from);
}

export function formedProductsF32(
  weight: usize, gates: i32, rows: i32, n: i32, coef: usize, diagonal: usize, f: usize,
  x: usize, ldx: i32, xStride: i32, k: i32, out: usize, ldo: i32, outStride: i32, batch: i32, accumulate: bool,
  scale: usize, from: i32,
): void {
  formed.formedProducts<f32>(weight, gates, rows, n, coef, diagonal, f, x, ldx, xStride, k, out, ldo, outStride, batch, accumulate, scale, from);
}

/** sortedReflectorStep of M = Σ_g diag(coef_g)·W_g (+ diag(diagonal) unless 0), formed into m first (formed-rows.ts). */
export function formedReflectorStep(
  weight: usize, gates: i32, coef: usize, diagonal: usize,
  m: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize, order: usize,
): i32 {
  return reflectorBasis.formedReflectorStep<f64>(weight, gates, coef, diagonal, m, n, k, rDiag, slot, work, order);
}

export function reflectorSlotLengthF32(n: i32, k: i32): i32 {
  return reflectorBasis.reflectorSlotLength<f32>(n, k);
}

export function reflectorWorkLengthF32(n: i32, k: i32): i32 {
  return reflectorBasis.reflectorWorkLength<f32>(n, k);
}

export function qrReflectorsF32(z: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize): void {
  reflectorBasis.qrReflectors<f32>(z, n, k, rDiag, slot, work);
}

export function reflectorStepF32(m: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize): void {
  reflectorBasis.reflectorStep<f32>(m, n, k, rDiag, slot, work);
}

export function sortedReflectorStepF32(m: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize, order: usize): i32 {
  return reflectorBasis.sortedReflectorStep<f32>(m, n, k, rDiag, slot, work, order);
}

export function formedReflectorStepF32(
  weight: usize, gates: i32, coef: usize, diagonal: usize,
  m: usize, n: i32, k: i32, rDiag: usize, slot: usize, work: usize, order: usize,
): i32 {
  return reflectorBasis.formedReflectorStep<f32>(weight, gates, coef, diagonal, m, n, k, rDiag, slot, work, order);
}

/** C ← R⁻¹C, columns normalised (R packed upper triangular, C k×k upper triangular); norms[j] = the norm divided out. */
export function triangularSolve(r: usize, k: i32, c: usize, norms: usize): void {
  upperTriangularSolve<f64>(r, k, c, norms);
}

export function triangularSolveF32(r: usize, k: i32, c: usize, norms: usize): void {
  upperTriangularSolve<f32>(r, k, c, norms);
}

/** The SIMD multiply-add ceiling (simd-peak.ts): `iterations` × 12 vector multiply-adds. */
export function simdPeak(iterations: i32): f64 {
  return peak.simdPeak<f64>(iterations);
}

export function simdPeakF32(iterations: i32): f32 {
  return peak.simdPeak<f32>(iterations);
}
