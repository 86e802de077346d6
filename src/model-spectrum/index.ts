export { modelSpectrum, modelSpectrumSums, inputSource, type ModelSpectrumOptions, type ModelSpectrumResult, type SpectrumInputs } from './model-spectrum.js';
export { modelSpectrumThreaded, spectrumKernels, type ThreadedSpectrumOptions } from './threads.js';
export { describeModel, type ModelDescription } from './description.js';
export { checkSpectrumInputs, spectrumInputSteps, spectrumLstmState, spectrumStateDimension, type InputStepOptions } from './inputs.js';
export { randomDrive, driveStream, DRIVE_KINDS, DRIVE_WINDOW_BYTES, type DriveKind, type RandomDrive } from './random-drive.js';
export { spectrumMemory, defaultMemoryBudget, formatGiB, WORKER_BYTES, type SpectrumMemoryShape } from './memory.js';
export { SpectrumInputError } from './errors.js';
export { embeddingInputs, tokenBatch, tokenStream, windowOffsets, isTokenInputs, type TokenInputs } from './token-inputs.js';
export { closedLoopSystem, isAutonomousStarts, START_SPREAD, type AutonomousStarts, type ClosedLoop } from './closed-loop.js';
