import { UserError } from '../errors.js';

/** Input sequences or options that do not fit the model whose spectrum is asked for. */
export class SpectrumInputError extends UserError {}
