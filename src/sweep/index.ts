/**
 * Hyperparameter sweeps, in four rooms: spec (the file and its runs), store (the sweep
 * directory), executors (local pool, Redis) and readout. A command that needs one room imports
 * that room's index, so it does not load the others' dependencies (BullMQ, SQLite) at start-up.
 */
export * from './spec/index.js';
export * from './store/index.js';
export * from './executors/index.js';
export * from './readout/index.js';
export * from './prune/index.js';
export { SweepError } from './errors.js';
