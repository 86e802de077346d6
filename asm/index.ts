// Entry point of build/kernels.wasm. Memory is managed by the JavaScript side (src/linalg/wasm-heap.ts):
// every pointer is a byte address in the exported memory, at or above heapBase().
import { dotProducts } from './dot-products';
export { qrPositive, qrWorkLength } from './householder-qr';

/** First byte the JavaScript allocator may use. */
export function heapBase(): usize {
  return __heap_base;
}

/** out (m×k, column-major) (+)= A (m×n, row-major) · X (n×k, column-major). */
export function matmulBlock(a: usize, m: i32, n: i32, x: usize, k: i32, out: usize, accumulate: bool): void {
  dotProducts(a, n, m, x, n, k, n, out, m, accumulate);
}
