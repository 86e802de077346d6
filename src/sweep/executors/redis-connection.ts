/** Redis for the BullMQ executor: the backend URL, and a connection checked to answer. */
import { Redis } from 'ioredis';
import { SweepError } from '../errors.js';

/** One queue for every sweep; a job's id names its sweep and run. */
export const QUEUE_NAME = 'rnn-lyapunov-runs';

export function parseRedisBackend(backend: string): URL {
  let url: URL;
  try {
    url = new URL(backend);
  } catch {
    throw new SweepError(`--backend '${backend}' is not a URL: expected redis://HOST:PORT`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new SweepError(`--backend '${backend}': expected redis://HOST:PORT`);
  return url;
}

/**
 * A connection as BullMQ needs it (commands wait through reconnections instead of failing),
 * once a probe without retries got an answer to PING: an unreachable server is an error, not
 * a silent hang.
 */
export async function connectRedis(backend: string, timeoutMs = 5000): Promise<Redis> {
  const url = parseRedisBackend(backend);
  const probe = new Redis(url.href, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {}); // reported by the rejected connect below
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

/** BullMQ job id of a run: custom ids may not contain ':' nor be integers. */
export function jobIdOf(sweepKey: string, runId: string): string {
  return `${sweepKey}-${runId}`;
}
