import { UserError } from '../errors.js';

/**
 * A training config, task option, schedule or init that is not one the trainer accepts; the
 * message names the field, and `field` holds its path in the config ('hidden', 'spectrum.k',
 * 'task.length') where the check knows it, so a sweep can name the spec field that set it.
 */
export class TrainConfigError extends UserError {
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

/** A task's data file (text corpus, MNIST IDX file) that is missing, unreadable or malformed; the message names the file. */
export class TaskDataError extends UserError {}

/** The loss or the weights became non-finite: the run cannot go on with these hyperparameters. */
export class TrainingDivergedError extends UserError {}

/**
 * Gradient flossing cannot run as asked: a direction the tangent map annihilated (log R_ii = −∞),
 * non-finite states, or a memory bound the options exceed; the message names the option to change.
 */
export class FlossingError extends UserError {}
