import { UserError } from '../errors.js';

/** A setting on the page that cannot work (a k above the state dimension, a steps field left empty): shown as one line. */
export class PageInputError extends UserError {}

/** The run was cancelled from the page: its workers were stopped. */
export class CancelledError extends UserError {
  constructor() {
    super('cancelled: the workers were stopped');
  }
}
