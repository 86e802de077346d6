import { UsageError } from './errors.js';

/**
 * Strict option parsers for commander, the CLI's only number parsers: a typo is an error, not a NaN.
 * `max` bounds what a user can ask for; `why` says where the bound comes from.
 */
export function integer(name: string, min: number, max?: { max: number; why: string }): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || (max !== undefined && n > max.max)) {
      const range = max === undefined ? `≥ ${min}` : `in [${min}, ${max.max}] (${max.why})`;
      throw new UsageError(`${name} must be an integer ${range}, got '${value}'`);
    }
    return n;
  };
}

/** 'auto', or an integer ≥ 1. */
export function integerOrAuto(name: string): (value: string) => number | 'auto' {
  const parse = integer(name, 1);
  return (value) => {
    if (value === 'auto') return value;
    try {
      return parse(value);
    } catch {
      throw new UsageError(`${name} must be 'auto' or an integer ≥ 1, got '${value}'`);
    }
  };
}

/** A finite number in the interval from `min` to `max`, each end open unless included. */
export function real(
  name: string, min: number, max: number, ends: { includeMin?: boolean; includeMax?: boolean } = {},
): (value: string) => number {
  const { includeMin = false, includeMax = false } = ends;
  return (value) => {
    const x = Number(value);
    const inside = (includeMin ? x >= min : x > min) && (includeMax ? x <= max : x < max);
    if (value.trim() === '' || !Number.isFinite(x) || !inside) {
      const interval = `${includeMin ? '[' : '('}${min}, ${max === Infinity ? '∞' : max}${includeMax ? ']' : ')'}`;
      throw new UsageError(`${name} must be a number in ${interval}, got '${value}'`);
    }
    return x;
  };
}

/** A task option's value: a number when it reads as one (42, 0.02, 1e-3), else the text. */
export function numberOrText(value: string): number | string {
  return /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value) ? Number(value) : value;
}

export function choice<T extends string>(name: string, values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) {
      throw new UsageError(`${name} must be one of ${values.join(', ')}; got '${value}'`);
    }
    return value as T;
  };
}

/** Increasing epochs ≥ 1 separated by commas, e.g. '1' or '1,2' (the rungs of successive halving). */
export function epochList(name: string): (value: string) => number[] {
  return (value) => {
    const epochs = value.split(',').map((part) => part.trim());
    if (!epochs.every((e) => /^\d+$/.test(e)) || epochs.map(Number).some((e, i, all) => e < 1 || (i > 0 && e <= all[i - 1]!))) {
      throw new UsageError(`${name} must be increasing integers ≥ 1 separated by commas, e.g. 1 or 1,2; got '${value}'`);
    }
    return epochs.map(Number);
  };
}
