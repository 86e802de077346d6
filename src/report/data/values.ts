/**
 * Numbers as the CLI writes them: JSON has no infinities, so `toJson` writes −∞ as the string
 * "-Infinity". These turn such values back into numbers and say which could not be plotted.
 */
export function reviveNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'Infinity' || value === '-Infinity' || value === 'NaN') return Number(value);
  return undefined;
}
