/**
 * rnn-lyapunov/browser: the library without Node — a model and its inputs from bytes, its
 * spectrum in the calling thread or split over workers the caller starts (each running
 * spectrumPartMessage on a request of spectrumPartRequests, the parts merged by mergedSpectrum,
 * as the page does in web-workers.ts). The published bundle (dist/web/rnn-lyapunov.js,
 * library-bundle.ts) carries the WebAssembly kernels; provideKernelWasm or loadKernelWasm
 * replace them, e.g. for a build of this file by another bundler.
 */
import { provideKernelWasm } from '../linalg/kernel-wasm-source.browser.js';

export { provideKernelWasm };

/** Fetches kernels.wasm (the package's build/kernels.wasm, served by the page's host) and provides it. */
export async function loadKernelWasm(url: string | URL): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`loadKernelWasm: ${String(url)} answered ${response.status} ${response.statusText}`);
  provideKernelWasm(new Uint8Array(await response.arrayBuffer()));
}

export { UserError, OptionError } from '../errors.js';
export { parseSafetensors, type SafetensorsContents, type Tensor } from '../io/safetensors.js';
export { rnnFileFromTensors, type LoadRnnFileOptions, type RnnFile } from '../io/rnn-file.js';
export { rnnModelFromTensors } from '../io/torch-rnn.js';
export { withoutEmbedding, listTensors, type ModelSource } from '../io/model-source.js';
export { toJson } from '../io/json.js';
export type { InputSequences, RnnModel } from '../cells/model.js';
export { modelSpectrum, modelSpectrumSums, type ModelSpectrumOptions, type ModelSpectrumResult, type SpectrumInputs } from '../model-spectrum/model-spectrum.js';
export {
  spectrumPartRequests, spectrumPartMessage, runSpectrumPart, mergedSpectrum, partTransfers, rebuildError,
  type SpectrumWorkerRequest, type SpectrumWorkerMessage, type ThreadedSpectrumOptions,
} from '../model-spectrum/batch-parts.js';
export { drivePlan, defaultDrive, type DrivePlan, type DriveDescription } from '../model-spectrum/drive-plan.js';
export { describeModel, type ModelDescription } from '../model-spectrum/description.js';
export { SpectrumError } from '../lyapunov/errors.js';
