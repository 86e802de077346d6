import { UserError } from '../errors.js';

/** A bad flag or combination of flags: printed as one line, exit code 2. */
export class UsageError extends UserError {}
