export type { TangentSystem, LogDetSystem, JacobianSystem, RewindableSystem } from './system.js';
export { hasLogAbsDet, canFormJacobian, canRewind, rewindByState } from './system.js';
export {
  lyapunovSpectrum, spectrumSums, mergeSpectrumSums, spectrumFromSums,
  type SpectrumOptions, type SpectrumResult, type SpectrumSums, type LogBase,
} from './spectrum.js';
export { SpectrumError } from './errors.js';
export { kaplanYorkeDimension, entropyRate } from './statistics.js';
export { denseJacobians } from './jacobian.js';
export { henonMap } from './systems/henon.js';
export { logisticMap } from './systems/logistic.js';
export { lorenz63 } from './systems/lorenz.js';
export { linearMap } from './systems/linear.js';
export type { BasisForm } from './spectrum.js';
export {
  covariantLyapunovVectors, clvSummary, clvMemory, clvSamples, checkClvMemory, largestClvWindow, largestFitting,
  type ClvOptions, type ClvResult, type ClvSummary, type StatePart, type ClvShape,
} from './clv/index.js';
export { distribution, QUANTILE_LEVELS, type Distribution } from './distribution.js';
export { untilConverged, type ConvergenceOptions, type Convergence, type ConvergedSpectrum } from './until-converged.js';
export type { FiniteTimeExponents } from './finite-time.js';
export { storedJacobians, type JacobianSequence } from './systems/stored-jacobians.js';
export { checkFtleWindow } from './spectrum-options.js';
