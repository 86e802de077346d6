import { UsageError } from './errors.js';

/** Strict option parsers for commander: a typo is an error, not a NaN. */
export function integer(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${name} must be an integer ≥ ${min}, got '${value}'`);
    }
    return n;
  };
}

export function choice<T extends string>(name: string, values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) {
      throw new UsageError(`${name} must be one of ${values.join(', ')}; got '${value}'`);
    }
    return value as T;
  };
}
