import { UserError } from '../errors.js';

/** An input the reports cannot use (missing file, wrong shape): the user can fix it. */
export class ReportInputError extends UserError {}
