// The environment of the PyTorch processes the benches time against: OpenBLAS's thread count as
// asked, and glibc's malloc told to keep freed memory (no mmap for large blocks, no trimming, a
// 256 MiB pad). PyTorch frees and re-allocates its temporaries every step; with glibc's defaults
// the larger ones go back to the kernel and return as fresh zeroed pages, which made its step
// times wander: at D = 128 the median was up to twice the minimum and the minimum itself moved
// 1.5–3× between runs of the same bench (2026-12-07, torch 1.13 on OpenBLAS 0.3.21, 2-core EPYC).
// With these settings its medians sit within 10 % of its minima and its minima are as low or
// lower, so the baseline is the faster and steadier one (docs/performance.md).
export const TORCH_MALLOC_SETTINGS = {
  MALLOC_MMAP_THRESHOLD_: '1073741824',
  MALLOC_TRIM_THRESHOLD_: '1073741824',
  MALLOC_TOP_PAD_: '268435456',
} as const;

/** The environment for a PyTorch process, with OPENBLAS_NUM_THREADS set when `blasThreads` is given. */
export function torchEnv(blasThreads?: number): NodeJS.ProcessEnv {
  return { ...process.env, ...TORCH_MALLOC_SETTINGS, ...(blasThreads === undefined ? {} : { OPENBLAS_NUM_THREADS: String(blasThreads) }) };
}
