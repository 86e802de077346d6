/**
 * rnn-lyapunov: Lyapunov spectra of recurrent networks driven by sequence data.
 *
 * The names a user needs, in the order data flows: a model and its inputs → its spectrum (or the
 * spectrum of any dynamical system) → training with spectra every epoch. Everything else lives
 * behind the floors' own entry points — `rnn-lyapunov/linalg`, `/lyapunov`, `/cells`, `/io`,
 * `/model-spectrum`, `/record`, `/train`, `/sweep`, `/report` (docs/architecture.md).
 */

/** The spectrum of a recurrent network driven by input sequences, in one thread or over worker threads. */
export {
  modelSpectrum, modelSpectrumThreaded, modelSpectrumUntilConverged, randomDrive, embeddingInputs, describeModel,
  type ModelSpectrumOptions, type TokenInputs, type ModelSpectrumResult, type ThreadedSpectrumOptions, type DriveKind,
} from './model-spectrum/index.js';

/** The spectrum of any `TangentSystem` by the QR method, its thread-mergeable sums, and the quantities derived from it. */
export {
  lyapunovSpectrum, untilConverged, spectrumSums, mergeSpectrumSums, spectrumFromSums, kaplanYorkeDimension, entropyRate,
  type SpectrumOptions, type SpectrumResult, type SpectrumSums, type TangentSystem, type JacobianSystem, type LogDetSystem,
  type ConvergenceOptions, type ConvergedSpectrum, type FiniteTimeExponents,
} from './lyapunov/index.js';

/** Covariant Lyapunov vectors (Ginelli et al.) of any `TangentSystem` or model, and what they say: growth rates, angles, where they live. */
export { covariantLyapunovVectors, clvSummary, type ClvOptions, type ClvResult, type ClvSummary } from './lyapunov/index.js';
export { modelClv, type ModelClvOptions, type ModelClvResult } from './model-spectrum/index.js';
/** Per-step Jacobians computed elsewhere as a `TangentSystem` (from arrays, or from a safetensors file [B, T, n, n]), and written to one. */
export { storedJacobians, type JacobianSequence } from './lyapunov/index.js';
export { jacobianSequence } from './model-spectrum/index.js';
export { writeJacobians, readJacobians, jacobianFileShape } from './io/index.js';

/** Dynamical systems with known spectra, to check the method and to learn it on. */
export { henonMap, logisticMap, lorenz63, linearMap } from './lyapunov/index.js';

/** Recurrent networks as PyTorch stores them, and their tangent dynamics as a `TangentSystem`. */
export { createCellSystem, randomModel, type RnnModel, type InputSequences, type CellKind, type LstmState } from './cells/index.js';

/**
 * Models and input batches in and out of safetensors files (PyTorch state dicts); a whole file's
 * RNN, embedding and the tensors used (`loadRnnFile`); a text's token ids.
 */
export {
  loadRnnModel, loadRnnFile, saveRnnModel, loadInputSequences, loadTextTokens, readSafetensors, writeSafetensors,
  type RnnFile, type ModelSource, type Embedding,
} from './io/index.js';

/** The linear-algebra kernels: WebAssembly SIMD (float64 or float32) or the plain float64 reference. */
export { createKernels, type LinalgKernels, type LinalgBackend, type Precision } from './linalg/index.js';

/** Training with exact BPTT and spectra every epoch, in memory or in a crash-safe run directory. */
export { train, trainInRunDirectory, resolveTrainConfig, validateTrainConfig, type TrainConfig, type TrainConfigInput } from './train/index.js';
/** Gradient flossing: the loss Σ(λ_i − target)² of the first k exponents and its exact gradient (docs/flossing.md). */
export { flossingLoss, type FlossingOptions, type FlossingResult, type FlossConfig } from './train/index.js';

/** Every error a user can cause is a `UserError`; these are the ones the functions above throw. */
export { UserError, OptionError } from './errors.js';
export { SpectrumError } from './lyapunov/index.js';
export { SpectrumInputError } from './model-spectrum/index.js';
export { ModelError } from './cells/index.js';
export { TensorFileError, SafetensorsError, ModelFileError, JacobianFileError } from './io/index.js';
export { RunDirError } from './record/index.js';
export { TrainConfigError, TrainingDivergedError, FlossingError } from './train/index.js';
