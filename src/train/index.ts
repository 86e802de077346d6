/** Training: exact BPTT, initialisations, optimizers, the training loop with spectra, run records. */
export { arrayType, PRECISIONS, type FloatArray, type FloatArrayConstructor, type Precision } from '../linalg/precision.js';
export {
  checkNetworkSpec, createParams, findTensor, fromRnnModel, paramLayout, tensorByName, tensorView, toRnnModel,
  type NetworkParams, type NetworkSpec, type ParamLayout, type ParamRole, type ParamTensor, type Readout,
} from './network.js';
export { BpttEngine, type PassOptions } from './bptt/engine.js';
export type {
  PassResult, RecurrentState, SequenceBatch, SequenceInputs, StepSelection, Targets, TrainingBatch,
} from './bptt/batch.js';
export { formatInit, initialiseParams, parseInit, type InitSpec } from './init.js';
export { Adam } from './optim/adam.js';
export { Sgd } from './optim/sgd.js';
export { createOptimizer } from './optim/create.js';
export type { Optimizer, OptimizerConfig, OptimizerState } from './optim/optimizer.js';
export { clipGradientNorm } from './optim/clip.js';
export { formatSchedule, learningRate, parseSchedule, type Schedule } from './optim/schedule.js';
export {
  DEFAULT_TRAIN_CONFIG, resolveTrainConfig, validateTrainConfig, type ResolveOptions,
  type SpectrumSchedule, type StepSpectrumSchedule, type TrainConfig, type TrainConfigInput,
} from './config.js';
export { TrainConfigError, TaskDataError, TrainingDivergedError, FlossingError } from './errors.js';
export { flossingLoss, type FlossingOptions, type FlossingResult } from './floss/flossing-loss.js';
export { DEFAULT_FLOSS_CONFIG, parseFlossSpec, type FlossConfig } from './floss/config.js';
export { train, type BatchProgress, type TrainHooks, type TrainResult } from './loop.js';
export { MemoryRecorder, type RunStart, type TrainCheckpoint, type TrainRecorder } from './recorder.js';
export { CHECKPOINT_FILES, readCheckpointNetwork, RunRecorder } from './run-recorder.js';
export { SUMMARY_FILE, trainInRunDirectory, type RunOptions, type RunResult } from './run.js';
export { evaluateSplit, type EvaluationResult } from './evaluate.js';
export { probeQrEvery, probeSpectrum, type SpectrumProbeConfig } from './spectrum-probe.js';
export { trainingBatch } from './task-batch.js';
export { deriveSeed } from './seeds.js';
export { formatTrainingTable, type ChanceLevel, type TrainingTableOptions } from './summary-table.js';
export { formatEpochLine, progressHooks, type ProgressOptions } from './progress-line.js';
export { runModel, runModelAndInputs } from './run-model.js';
export { ESN_SETTINGS, esnClosedLoopSpectrum, trainEchoStateRun, type EsnRunConfig, type EsnRunResult, type EsnSettings } from './esn.js';
export { memoryFactory } from './bptt/memory.js';
export {
  addingTask, charLmTask, checkTaskSpec, copyTask, createTask, lorenzSeries, lorenzTask, resolveTaskSpec, smnistTask, xorTask, shakespearePaths,
  DEPRECATED_TASK_OPTIONS, MNIST_FILES, TASK_OPTIONS, VOCABULARY_FILE, Vocabulary,
  type Batch, type CharLmTask, type LastStepClassBatch, type LorenzOptions, type LorenzTask, type PerStepClassBatch, type PerStepValueBatch, type Task,
} from './tasks/index.js';
