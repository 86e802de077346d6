/** What the plots and pages draw from, read from run directories, sweeps and saved JSON. */
export { readRunData, isRunDirectory, type RunData, type RunSpectrum } from './run-data.js';
export { spectrumFromJson, type SpectrumData } from './spectrum-data.js';
export { statusCounts, type SweepData, type SweepRow, type ReadoutScore } from './sweep-data.js';
export { readSweepData, sweepFromJson } from './sweep-input.js';
export { isSweepDirectory, sweepIndexData, sweepReadout, withReadout, finishedRunsKey, type SweepReadout } from './sweep-dir-data.js';
