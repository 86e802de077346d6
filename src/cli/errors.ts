/** An error the user can fix (bad flag, bad file): printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
