/**
 * `sweep SPEC --out DIR --executor redis://…|claim`: the sweep is trained by workers. Redis:
 * enqueue the runs; claim: prepare the directory for `worker --claim`. With `--wait`, follow the
 * sweep (this process writes its index) until no run is queued or running.
 */
import type { SweepSpec } from '../../sweep/spec/index.js';
import { UsageError } from '../errors.js';
import { stopOnSignals } from './stop-signals.js';

export async function sweepForWorkers(spec: SweepSpec, out: string, executor: string, wait: boolean): Promise<void> {
  if (executor !== 'claim' && !/^rediss?:/.test(executor)) {
    throw new UsageError(`sweep: --executor '${executor}': expected local, claim or redis://HOST:PORT`);
  }
  const { formatStatus } = await import('../../sweep/store/index.js');
  const executors = await import('../../sweep/executors/index.js');
  // Signals stop it cleanly once the sweep directory is set up; until then they end it at once.
  const controller = new AbortController();
  const onReady = () => stopOnSignals(controller);
  const lost = (runs: number) => process.stderr.write(`${runs} queued runs had lost their jobs (Redis restarted without persistence?) and were enqueued again\n`);
  if (executor === 'claim') {
    executors.prepareClaimSweep(spec, out);
    onReady();
    process.stdout.write(`prepared ${out}; workers (any number, on machines that see it at this path): npx rnn-lyapunov worker --claim ${out}\n`);
  } else {
    const result = await executors.enqueueSweep(spec, out, executor, { signal: controller.signal, onReady });
    if (result.lost > 0) lost(result.lost);
    process.stdout.write(`enqueued ${result.added} runs${result.retried > 0 ? ` (${result.retried} failed ones retried)` : ''} on ${executor}; ` +
      `workers: npx rnn-lyapunov worker --executor ${executor}\n`);
  }
  if (!wait || controller.signal.aborted) return;
  const onChange = (counts: Parameters<typeof formatStatus>[1]) => process.stderr.write(`${formatStatus(out, counts)}\n`);
  const counts = executor === 'claim'
    ? await executors.waitForSweep(out, onChange, controller.signal)
    : await executors.followRedisSweep(out, executor, onChange, lost, controller.signal);
  if (counts.failed > 0) process.exitCode = 1;
}
