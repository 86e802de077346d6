import { instantiateKernels } from '../src/linalg/wasm-module.js';

/** Multiply-adds per iteration of simdPeak: 12 vectors. */
const VECTORS = 12;

/**
 * The WebAssembly SIMD ceiling of one core in GFLOP/s (a multiply and an add per lane), measured
 * by asm/simd-peak.ts: the best of several ~50 ms runs, so a busy machine lowers it little.
 */
export function measuredCeiling(): { float64: number; float32: number } {
  const k = instantiateKernels();
  const rate = (run: (n: number) => number, lanes: number) => {
    const iterations = 2_000_000;
    run(iterations);
    let best = 0;
    for (let r = 0; r < 7; r++) {
      const t = performance.now();
      run(iterations);
      best = Math.max(best, (iterations * VECTORS * lanes * 2) / ((performance.now() - t) * 1e6));
    }
    return best;
  };
  return { float64: rate((n) => k.simdPeak(n), 2), float32: rate((n) => k.simdPeakF32(n), 4) };
}
