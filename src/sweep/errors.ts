import { UserError } from '../errors.js';

/** A sweep problem the user can fix: a bad spec, a wrong directory, an unreachable executor. */
export class SweepError extends UserError {}
