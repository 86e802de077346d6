/**
 * SIGINT/SIGTERM stop a sweep or worker cleanly: running attempts are killed and their runs
 * re-queued. A second signal ends the process at once.
 */
export function stopOnSignals(controller = new AbortController()): AbortController {
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller;
}
