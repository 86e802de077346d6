// The environment of the PyTorch processes the benches time against: OpenBLAS's thread count as
// asked, and glibc's malloc told to keep freed memory (no mmap for large blocks, no trimming, a
// 256 MiB pad). PyTorch frees and re-allocates its temporaries every step; with glibc's defaults
// the larger ones go back to the kernel and return as fresh zeroed pages. Measured with
// scripts/bench_torch.py (the spectrum step, float64, batch 16, k = D), three runs each way
// alternating, 2-core EPYC, torch 1.13 on OpenBLAS 0.3.21, 2026-12-07, minimum ms per step on one
// thread: joint LSTM D = 128 31.8–52.1 by default, 17.6–19.3 with these settings; D = 256
// 120–163 and 68–72; GRU D = 128 27.7–32.9 and 17.6–18.4; RNN D = 128 18.8–24.4 and 16.7–18.0;
// D = 64 the same either way. Medians: up to 2.9× the minimum by default; with these, within 9 %
// in 17 of the 18 one-thread rows. So these settings give the faster and steadier baseline.
// jemalloc 5.3 (Debian's libjemalloc2 by LD_PRELOAD, its defaults), which PyTorch's tuning guide
// names, returns large blocks too: as slow as glibc's defaults at D ≥ 256 (GRU D = 256: 348 ms
// against 72; k = 32 of D = 512: 700 against 31).
export const TORCH_MALLOC_SETTINGS = {
  MALLOC_MMAP_THRESHOLD_: '1073741824',
  MALLOC_TRIM_THRESHOLD_: '1073741824',
  MALLOC_TOP_PAD_: '268435456',
} as const;

/** How the benches' tables name that setting. */
export const TORCH_ALLOCATOR = 'glibc malloc keeping freed memory, bench/torch-env.ts';

/** The environment for a PyTorch process, with OPENBLAS_NUM_THREADS set when `blasThreads` is given. */
export function torchEnv(blasThreads?: number): NodeJS.ProcessEnv {
  return { ...process.env, ...TORCH_MALLOC_SETTINGS, ...(blasThreads === undefined ? {} : { OPENBLAS_NUM_THREADS: String(blasThreads) }) };
}
