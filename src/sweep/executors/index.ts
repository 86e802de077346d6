/** What trains a sweep's runs: a local pool of processes, or Redis workers fed by a BullMQ queue. */
export { runLocalSweep, type LocalSweepOptions } from './local-sweep.js';
export type { SweepEvent } from './local-pool.js';
export { enqueueSweep, type EnqueueResult } from './redis-enqueue.js';
export { runWorker, type WorkerOptions } from './redis-worker.js';
export { connectRedis, parseRedisUrl } from './redis-connection.js';
export { waitForSweep } from './wait-sweep.js';
export { describeEvent } from './event-text.js';
