import { SweepError } from '../errors.js';

/** A pruning problem the user can fix: a bad results file or model file, a rung or keep share out of range. */
export class PruneError extends SweepError {}
