/** The sweep's run lock is the record's lock primitive (src/record/run-lock.ts), under its own file per run. */
export { tryLock, unlock, readOwner, isHeld, isLiveHere, DEFAULT_STALE_MS, type LockOwner } from '../../record/run-lock.js';
