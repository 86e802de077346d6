import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cos, exp, expm1, log, nearestLog2, sin, tanh } from '../src/linalg/libm.js';

// The oracle is the JavaScript engine's own Math.*: V8 up to version 11 (Node 20) computes these
// with its C++ port of fdlibm, an implementation independent of ours, so there the two must agree
// bit for bit. Any engine's Math.* is within an ulp of the true value, as fdlibm is, so elsewhere
// they must agree to an ulp or two.
const V8_MAJOR = Number(process.versions.v8.split('.')[0]);
const ENGINE_IS_FDLIBM = V8_MAJOR <= 11;

const FUNCTIONS = { exp, log, expm1, tanh, sin, cos } as const;
type Name = keyof typeof FUNCTIONS;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** Deterministic LCG in [0, 1), independent of the code under test. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

/** What each function gets on the spectrum path, plus the whole double line by bit pattern. */
function inputs(name: Name): number[] {
  const r = lcg(7 + name.length);
  const xs: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    xs.push((r() - 0.5) * 80 * r()); // pre-activations, weighted towards 0
    xs.push((r() - 0.5) * 1600); // past the overflow thresholds
    words[0] = (r() * 4294967296) >>> 0;
    words[1] = (r() * 4294967296) >>> 0;
    xs.push(bits[0]!); // any double: subnormals, huge, NaN payloads
    xs.push(name === 'sin' || name === 'cos' ? 2 * Math.PI * r() : r()); // Box–Muller's angle and u
    xs.push(Math.exp((r() - 0.5) * 1400)); // logs of pivots and R_ii over the whole range
    xs.push(-r() * 1e-9 * r());
  }
  return xs.concat(EDGES);
}

const EDGES = [
  0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
  1.7976931348623157e308, -1.7976931348623157e308, 709.782712893384, 709.7827128933841,
  709.78, -708.39, -745.1332191019411, -745.1332191019412, -746, 1, -1, 2, 0.5, 22, -22, 21.999999,
  56 * Math.LN2, -56 * Math.LN2, 0.5 * Math.LN2, 1.5 * Math.LN2, 2 ** -28, 2 ** -54, 2 ** -1000,
  Math.PI / 4, Math.PI / 2, Math.PI, (3 * Math.PI) / 4, 2 * Math.PI, -Math.PI / 2, 8 * Math.PI,
  Math.SQRT2, Math.SQRT1_2, 1 + 2 ** -20, 1 - 2 ** -20, 823549.6, -823549.6,
];

/** Distance in units in the last place between two finite doubles of the same sign. */
function ulps(a: number, b: number): number {
  bits[0] = a;
  const ha = words[1]!, la = words[0]!;
  bits[0] = b;
  return Math.abs((ha - words[1]!) * 4294967296 + (la - words[0]!));
}

for (const name of Object.keys(FUNCTIONS) as Name[]) {
  const ours = FUNCTIONS[name];
  const engines = Math[name] as (x: number) => number;
  const xs = inputs(name);

  test(`${name} equals Math.${name} bit for bit over ${xs.length} inputs (V8 ≤ 11, i.e. Node 20)`, { skip: ENGINE_IS_FDLIBM ? false : `V8 ${process.versions.v8} is not fdlibm` }, () => {
    assert.ok(xs.length >= 100_000);
    let differing = 0;
    let first: number | undefined;
    for (const x of xs) {
      if (!Object.is(ours(x), engines(x))) {
        differing++;
        first ??= x;
      }
    }
    assert.equal(differing, 0, `${differing} differ, first at x = ${first}: ${ours(first!)} vs ${engines(first!)}`);
  });

  test(`${name} is within 2 ulps of Math.${name} and has its special values`, () => {
    for (const x of xs) {
      const a = ours(x), b = engines(x);
      if (Number.isNaN(b) || !Number.isFinite(b) || b === 0) assert.ok(Object.is(a, b), `${name}(${x}) = ${a}, want ${b}`);
      else assert.ok(ulps(a, b) <= 2, `${name}(${x}) = ${a}, Math gives ${b}`);
    }
  });
}

test('the textbook values', () => {
  assert.equal(exp(0), 1);
  assert.equal(exp(1), Math.E);
  assert.equal(exp(-Infinity), 0);
  assert.equal(exp(710), Infinity);
  assert.equal(exp(-746), 0);
  assert.equal(log(1), 0);
  assert.equal(log(Math.E), 1);
  assert.equal(log(0), -Infinity);
  assert.equal(log(-0), -Infinity);
  assert.ok(Number.isNaN(log(-1)));
  assert.equal(log(2 ** -1074), -1074 * Math.LN2);
  assert.equal(log(2), Math.LN2);
  assert.equal(log(10), Math.LN10);
  assert.ok(Object.is(expm1(-0), -0));
  assert.equal(expm1(-Infinity), -1);
  assert.ok(Object.is(tanh(-0), -0));
  assert.equal(tanh(Infinity), 1);
  assert.equal(tanh(-30), -1);
  assert.ok(Object.is(sin(-0), -0));
  assert.equal(cos(0), 1);
  assert.equal(sin(Math.PI / 2), 1);
  assert.equal(cos(Math.PI), -1);
  assert.ok(Number.isNaN(sin(Infinity)) && Number.isNaN(cos(NaN)));
});

test('nearestLog2 is the integer nearest log₂ x: m or m + 1 around 2^m·√2, over the whole double range', () => {
  const below = Math.SQRT2 - 2 ** -52; // the double just under √2 (Math.SQRT2 is just over)
  for (let m = -1074; m <= 1023; m++) {
    const p = 2 ** m;
    assert.equal(nearestLog2(p), m, `2^${m}`);
    if (m <= 1022 - 1 && m >= -1022) {
      assert.equal(nearestLog2(p * Math.SQRT2), m + 1, `2^${m}·SQRT2`);
      assert.equal(nearestLog2(p * below), m, `2^${m}·(√2 − ulp)`);
      assert.equal(nearestLog2(p * 1.9999999999999998), m + 1, `just under 2^${m + 1}`);
    }
  }
  assert.equal(nearestLog2(Number.MAX_VALUE), 1024);
  assert.equal(nearestLog2(5e-324), -1074);
  assert.equal(nearestLog2(3 * 5e-324), -1072); // log₂ 3 = 1.58
  assert.equal(nearestLog2(1e300), Math.round(Math.log2(1e300)));
});
