/** Live successive halving with Redis workers training the runs (`sweep --prune --executor redis://…`); this process ranks and prunes. */
import { connectRedis } from '../executors/redis-connection.js';
import { runRedisPhase } from '../executors/redis-phase.js';
import type { LocalSweepOptions } from '../executors/local-sweep.js';
import type { StatusCounts } from '../store/run-index.js';
import type { SweepSpec } from '../spec/spec.js';
import { runPrunedSweep, type LivePruning } from './live.js';

export async function runPrunedRedisSweep(
  spec: SweepSpec, outDir: string, pruning: LivePruning, executor: string, options: Pick<LocalSweepOptions, 'onEvent' | 'signal' | 'onReady'> = {},
): Promise<StatusCounts> {
  const connection = await connectRedis(executor);
  try {
    return await runPrunedSweep(spec, outDir, pruning, (sweep, only, stopAfter) =>
      runRedisPhase(sweep, connection, only, stopAfter, options.signal ? { signal: options.signal } : {}), options);
  } finally {
    connection.disconnect();
  }
}
