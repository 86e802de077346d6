export { modelSpectrum, modelSpectrumSums, type ModelSpectrumOptions, type ModelSpectrumResult } from './model-spectrum.js';
export { modelSpectrumThreaded, spectrumKernels, type ThreadedSpectrumOptions } from './threads.js';
export { describeModel, type ModelDescription } from './description.js';
export { checkSpectrumInputs, spectrumInputSteps, spectrumLstmState, spectrumStateDimension, type InputStepOptions } from './inputs.js';
export { randomDrive, DRIVE_KINDS, type DriveKind } from './random-drive.js';
export { SpectrumInputError } from './errors.js';
