import { UsageError } from '../cli/errors.js';

/** An input the reports cannot use (missing file, wrong shape): the user can fix it, exit code 2. */
export class ReportInputError extends UsageError {
  override name = 'ReportInputError';
}
