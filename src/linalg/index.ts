export { PRECISIONS, type LinalgKernels, type Precision } from './kernels.js';
export { referenceKernels } from './reference.js';
export { Rng } from './random.js';
export { logAbsDet } from './lu-logdet.js';
export { randomOrthonormal, identityBlock } from './orthonormal.js';
export { createKernels, LINALG_BACKENDS, type KernelOptions, type LinalgBackend } from './backends.js';
export { WasmKernelsBase, WasmKernels, WasmFloat32Kernels } from './wasm-kernels.js';
export { WasmHeap, WasmBuffer, WasmFloat64Buffer, WasmFloat32Buffer } from './wasm-heap.js';
