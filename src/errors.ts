/**
 * The one base of every error a user can cause and fix: a bad flag or option value, a file that
 * is not what it should be, a network that diverges for the weights given, a run directory in the
 * wrong state. The CLI prints a `UserError` as one line (exit 2) and anything else, a bug, with its
 * stack trace (exit 1). Each folder declares its own subclasses in its `errors.ts`.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * An option given to a library function or command is outside what it accepts. The message names
 * the option, the value given and what was expected.
 */
export class OptionError extends UserError {}

/** Throws an OptionError unless `value` is an integer in [min, max]. */
export function checkInteger(name: string, value: number, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new OptionError(`${name} must be ${range}, got ${value}`);
  }
}

/**
 * What crosses `postMessage` from a worker thread for an error: its message, its class name (to
 * rebuild the class where the receiver knows it) and whether it is a user error — a flag, so the
 * receiver never has to match class names to decide how to print it.
 */
export interface ErrorMessage {
  readonly message: string;
  readonly className: string;
  readonly userError: boolean;
}

export function toErrorMessage(error: unknown): ErrorMessage {
  if (error instanceof Error) return { message: error.message, className: error.name, userError: error instanceof UserError };
  return { message: String(error), className: 'Error', userError: false };
}
