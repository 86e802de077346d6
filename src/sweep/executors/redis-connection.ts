/** Redis for the BullMQ executor: the executor's URL, and a connection checked to answer. */
import { Redis } from 'ioredis';
import { SweepError } from '../errors.js';
import { contentHash } from '../spec/canonical-json.js';

/** One queue for every sweep; a job's id names its sweep and run. */
export const QUEUE_NAME = 'rnn-lyapunov-runs';

export function parseRedisUrl(executor: string): URL {
  let url: URL;
  try {
    url = new URL(executor);
  } catch {
    throw new SweepError(`--executor '${executor}' is not a URL: expected redis://HOST:PORT`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new SweepError(`--executor '${executor}': expected redis://HOST:PORT`);
  return url;
}

/**
 * A connection as BullMQ needs it (commands wait through reconnections instead of failing),
 * once a probe without retries got an answer to PING: an unreachable server is an error, not
 * a silent hang.
 */
export async function connectRedis(executor: string, timeoutMs = 5000): Promise<Redis> {
  const url = parseRedisUrl(executor);
  const probe = new Redis(url.href, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {}); // surfaced by the rejected connect below
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new SweepError(`cannot reach Redis at ${url.host}: ${(error as Error).message}`);
  } finally {
    probe.disconnect();
  }
  const redis = new Redis(url.href, { maxRetriesPerRequest: null });
  redis.on('error', (error) => process.stderr.write(`redis ${url.host}: ${error.message}\n`));
  return redis;
}

/**
 * BullMQ job id of a run: its sweep's spec and directory, and the run (custom ids may not
 * contain ':' nor be integers). The same spec sent to two directories makes two sweeps.
 */
export function jobIdOf(sweep: { key: string; layout: { root: string } }, runId: string): string {
  return `${sweep.key}-${contentHash(sweep.layout.root)}-${runId}`;
}
