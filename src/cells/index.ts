export * from './model.js';
export { createCellSystem, type CellSystem, type CellSystemOptions } from './system.js';
export { TANGENT_PATHS, type TangentPath } from './formed-matrices.js';
export { cellLogAbsDet } from './logdet.js';
export { randomModel, type ModelShape } from './random-model.js';
export { validateModel, validateInputs } from './validate.js';
export { ModelError } from './errors.js';
export { createClosedLoopSystem, validateReadout, type ClosedLoopOptions, type Readout } from './closed-loop.js';
export { createRateSystem, randomRateModel, validateRateModel, type RateModel, type RateShape, type RateSystem, type RateSystemOptions } from './rate-network.js';
export {
  closedLoopEchoState, createEchoStateSystem, randomEchoStateModel, spectralRadius, validateEchoStateModel, zeroInputs,
  type EchoStateModel, type EchoStateSystem, type EchoStateSystemOptions, type ReservoirSettings,
} from './echo-state.js';
