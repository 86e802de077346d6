/**
 * What trains a sweep's runs: a local pool of processes, Redis workers fed by a BullMQ queue, or
 * workers that claim runs through the run locks of a shared sweep directory.
 */
export { runLocalSweep, type LocalSweepOptions } from './local-sweep.js';
export type { SweepEvent } from './local-pool.js';
export { enqueueSweep, followRedisSweep, type EnqueueResult } from './redis-enqueue.js';
export { runClaimWorker, prepareClaimSweep, type ClaimOptions, type ClaimResult } from './claim-worker.js';
export { runWorker, type WorkerOptions } from './redis-worker.js';
export { connectRedis, parseRedisUrl } from './redis-connection.js';
export { waitForSweep } from './wait-sweep.js';
export { describeEvent } from './event-text.js';
