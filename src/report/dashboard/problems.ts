import { UserError } from '../../errors.js';

/** Why a request could not be answered, for people: a status, what kind of failure, and the error's own message. */
export interface Problem {
  status: number;
  kind: string;
  /** Names the file (and line) at fault where the error does. */
  message: string;
  /** A bug rather than a damaged or missing file: its stack belongs on the server's stderr. */
  bug: boolean;
}

/**
 * A damaged run or sweep file (not valid JSON, a field of the wrong type, a file where a directory
 * should be) is a user error of that run alone: 422, with the message of the reader that found it.
 */
export function problemOf(error: unknown): Problem {
  const { code, path, statusCode } = error as NodeJS.ErrnoException & { statusCode?: number };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UserError) return { status: 422, kind: 'a file cannot be read', message, bug: false };
  if (typeof code === 'string' && code.startsWith('E') && !code.startsWith('ERR_')) {
    const where = path !== undefined && !message.includes(path) ? `${path}: ` : '';
    return { status: 422, kind: 'a file cannot be read', message: `${where}${message}`, bug: false };
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return { status: statusCode, kind: 'bad request', message, bug: false };
  return { status: 500, kind: 'internal error (a bug of the dashboard)', message, bug: true };
}
