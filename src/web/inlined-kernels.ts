import { provideKernelWasm } from '../linalg/kernel-wasm-source.browser.js';

/** build/kernels.wasm as base64, put in by scripts/build-web.mjs. */
declare const KERNELS_WASM_BASE64: string;

/** Hands the kernels inlined in this bundle to the linear algebra: a bundle that carries them needs no URL. */
export function provideInlinedKernels(): void {
  provideKernelWasm(Uint8Array.from(atob(KERNELS_WASM_BASE64), (c) => c.charCodeAt(0)));
}
