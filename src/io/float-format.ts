/**
 * Conversions between float64 and the narrow IEEE-like binary formats safetensors stores
 * (binary16 "F16", bfloat16 "BF16"), rounding to nearest with ties to even directly from
 * float64: going through float32 first would round twice and be wrong in rare halfway cases.
 */
export interface FloatFormat {
  /** Stored mantissa bits (without the implicit leading 1). */
  mantissaBits: number;
  /** Exponent field bits; the bias is 2^(exponentBits−1) − 1. */
  exponentBits: number;
}

export const BINARY16: FloatFormat = { mantissaBits: 10, exponentBits: 5 };
export const BFLOAT16: FloatFormat = { mantissaBits: 7, exponentBits: 8 };
/** Used by tests to check the rounding against Math.fround, an independent implementation. */
export const BINARY32: FloatFormat = { mantissaBits: 23, exponentBits: 8 };

const scratch = new DataView(new ArrayBuffer(8));

/** Unbiased binary exponent of a finite float64 (floor(log2|x|) for normal x). */
function exponentOf(x: number): number {
  scratch.setFloat64(0, x);
  const field = (scratch.getUint16(0) >>> 4) & 0x7ff;
  // Zero and float64 subnormals lie far below every narrow format's range; any exponent that
  // small sends them down the subnormal path, which is all the caller needs.
  return field === 0 ? -1023 : field - 1023;
}

/** Round a non-negative float64 below 2^53 to an integer, ties to even. */
function roundHalfEven(y: number): number {
  const floor = Math.floor(y);
  const rest = y - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The bit pattern of x rounded to `format`, ties to even. Returns undefined when a finite x
 * rounds beyond the largest finite value (IEEE would give ±Inf; callers report it instead).
 * NaN becomes the canonical quiet NaN; ±Inf and ±0 keep their sign.
 */
export function encodeFloatBits(x: number, format: FloatFormat): number | undefined {
  const { mantissaBits, exponentBits } = format;
  const signBit = 2 ** (mantissaBits + exponentBits);
  const infinityBits = (2 ** exponentBits - 1) * 2 ** mantissaBits;
  if (Number.isNaN(x)) return infinityBits + 2 ** (mantissaBits - 1);
  const negative = x < 0 || Object.is(x, -0);
  const sign = negative ? signBit : 0;
  const magnitude = Math.abs(x);
  if (magnitude === Infinity) return sign + infinityBits;
  const bias = 2 ** (exponentBits - 1) - 1;
  const minNormalExponent = 1 - bias;
  const exponent = Math.max(exponentOf(magnitude), minNormalExponent);
  // Scaling by a power of two is exact, so the only rounding is roundHalfEven's.
  const significand = roundHalfEven(magnitude * 2 ** (mantissaBits - exponent));
  // For normal numbers significand ∈ [2^m, 2^(m+1)]: its leading bit adds one to the exponent
  // field (exponent + bias − 1), which also carries rounding up into the next binade. At the
  // clamped minimum exponent the field term is 0, leaving the subnormal pattern, and a
  // subnormal that rounds up to 2^m becomes the smallest normal by the same carry.
  const bits = (exponent + bias - 1) * 2 ** mantissaBits + significand;
  if (bits >= infinityBits) return undefined;
  return sign + bits;
}

/** The float64 value of a bit pattern in `format` (exact: every such value is a float64). */
export function decodeFloatBits(bits: number, format: FloatFormat): number {
  const { mantissaBits, exponentBits } = format;
  const mantissaScale = 2 ** mantissaBits;
  const exponentField = Math.floor(bits / mantissaScale) % 2 ** exponentBits;
  const mantissa = bits % mantissaScale;
  const sign = bits >= 2 ** (mantissaBits + exponentBits) ? -1 : 1;
  const bias = 2 ** (exponentBits - 1) - 1;
  if (exponentField === 2 ** exponentBits - 1) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponentField === 0) return sign * mantissa * 2 ** (1 - bias - mantissaBits);
  return sign * (mantissaScale + mantissa) * 2 ** (exponentField - bias - mantissaBits);
}
