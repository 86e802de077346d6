import { UserError } from '../errors.js';

/** A model or input batch handed to the cells that is not a valid network or drive for it (shapes, sizes, non-finite weights). */
export class ModelError extends UserError {}
