export { covariantLyapunovVectors, type ClvOptions, type ClvResult } from './ginelli.js';
export { clvSummary, type ClvSummary, type StatePart } from './summary.js';
export { ClvAngles } from './angles.js';
export { clvMemory, clvSamples, checkClvMemory, largestClvWindow, largestFitting, type ClvShape } from './memory.js';
