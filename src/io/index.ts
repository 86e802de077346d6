export type { Dtype, FloatDtype, TensorData } from './dtype.js';
export { DTYPES, DTYPE_BYTES, isFloatDtype } from './dtype.js';
export { SafetensorsError } from './safetensors-error.js';
export type { Tensor, SafetensorsContents } from './safetensors.js';
export { readSafetensors, parseSafetensors, METADATA_KEY, MAX_HEADER_BYTES } from './safetensors.js';
export type { TensorInput, TensorInputs } from './safetensors-write.js';
export { writeSafetensors, encodeSafetensors } from './safetensors-write.js';
export { writeFileAtomic } from './atomic-write.js';
