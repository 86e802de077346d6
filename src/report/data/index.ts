/** What the plots and pages draw from, read from run directories, sweeps and saved JSON. */
export { readRunData, type RunData } from './run-data.js';
export { spectrumFromJson, type SpectrumData } from './spectrum-data.js';
export type { SweepData, SweepRow } from './sweep-data.js';
export { withReadout, finishedRunsKey } from './sweep-dir-data.js';
