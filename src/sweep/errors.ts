import { UserError } from '../errors.js';

/** A sweep problem the user can fix: a bad spec, a wrong directory, an unreachable executor. */
export class SweepError extends UserError {}

/** The sweep's index.sqlite cannot be read; it is a cache of the run directories, so it can be rebuilt. */
export class CorruptIndexError extends SweepError {
  constructor(file: string, sweepDir: string, why: string) {
    super(`${file} is corrupt (${why}); it is rebuilt from the run directories by: npx rnn-lyapunov sweep status ${sweepDir} --rebuild`);
  }
}
