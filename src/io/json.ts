/**
 * JSON with infinities kept: an exponent of −∞ (a direction the Jacobian annihilates, as
 * through dead relu units) is written as the string "-Infinity" instead of JSON's silent null.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}
