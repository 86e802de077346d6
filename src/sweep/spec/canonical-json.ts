import { createHash } from 'node:crypto';
import { SweepError } from '../errors.js';

/**
 * JSON with object keys sorted at every depth, so that equal configurations written in any key
 * order give the same text (and the same hash). Non-finite numbers are refused: JSON would turn
 * them into null silently and two different configs would share an id.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, '$'));
}

function sortKeys(value: unknown, path: string): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new SweepError(`${path} is ${value}: a configuration needs finite numbers`);
  }
  if (Array.isArray(value)) return value.map((v, i) => sortKeys(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v, `${path}.${key}`);
    }
    return out;
  }
  return value;
}

/** Short content hash: the first `length` hex digits of SHA-256 of the canonical JSON. */
export function contentHash(value: unknown, length = 12): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}
