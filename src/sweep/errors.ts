/**
 * A sweep problem the user can fix (bad spec, wrong directory, unreachable backend). It is a
 * RangeError, the library's kind of argument error, so the CLI prints it as one line (exit 2).
 */
export class SweepError extends RangeError {
  override name = 'SweepError';
}
