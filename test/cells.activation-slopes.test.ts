import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  sigmoidComplementFromExp, sigmoidFromExp, sigmoidSlope, sigmoidSlopeFromExp, tanhSlope, tanhSlopeGiven,
} from '../src/cells/activations.js';

/**
 * The slope functions against test/fixtures/activation-slopes.json: exact sech²(y) and
 * σ(y)σ(−y) at each float64 y, from Python's decimal arithmetic at 80 digits
 * (scripts/fixtures/activation-slopes.py), correctly rounded to float64.
 */
interface Rounded { value: string; normal: boolean }
interface Point { y: string; tanhSlope: Rounded; sigmoidSlope: Rounded }
const fixture = JSON.parse(readFileSync(new URL('./fixtures/activation-slopes.json', import.meta.url), 'utf8')) as { points: Point[] };

const SLOPES = [
  ['tanhSlope', tanhSlope],
  ['sigmoidSlope', sigmoidSlope],
] as const;

/** The forms the training steps use, given what the step has computed anyway; same fixture. */
const GIVEN = [
  ['tanhSlope', 'tanhSlopeGiven(y, tanh y)', (y: number) => tanhSlopeGiven(y, Math.tanh(y))],
  ['sigmoidSlope', 'sigmoidSlopeFromExp(y, e^{−y}, σ(y))', (y: number) => { const t = Math.exp(-y); return sigmoidSlopeFromExp(y, t, sigmoidFromExp(t)); }],
] as const;

test('the fixture covers saturation: both signs, normal, subnormal and underflowing values', () => {
  const ys = fixture.points.map((p) => Number(p.y));
  for (const y of [0, 1, 10, 18.7, 30, 300, 700]) {
    assert.ok(ys.includes(y) && ys.includes(-y), `y = ±${y}`);
  }
  for (const [name] of SLOPES) {
    const values = fixture.points.map((p) => p[name]);
    assert.ok(values.some((v) => !v.normal && Number(v.value) > 0), `${name}: a subnormal value`);
    assert.ok(values.some((v) => Number(v.value) === 0), `${name}: an underflow to 0`);
  }
});

for (const [name, slope] of SLOPES) {
  test(`${name} matches the exact value to 1e-14 relative where it is a normal float, and is never 0 there`, () => {
    for (const p of fixture.points) {
      const y = Number(p.y);
      const want = Number(p[name].value);
      const got = slope(y);
      if (p[name].normal) {
        assert.ok(got > 0, `${name}(${y}) = ${got}, the true value ${want} is a normal float`);
        assert.ok(Math.abs(got - want) <= 1e-14 * want, `${name}(${y}) = ${got}, want ${want} (rel ${Math.abs(got - want) / want})`);
      } else {
        // Subnormal or 0 in float64: the correctly rounded value itself.
        assert.equal(got, want, `${name}(${y})`);
      }
    }
  });
}

for (const [key, name, slope] of GIVEN) {
  test(`${name} matches the exact value like the plain form`, () => {
    for (const p of fixture.points) {
      const y = Number(p.y);
      const want = Number(p[key].value);
      const got = slope(y);
      if (p[key].normal) {
        assert.ok(got > 0 && Math.abs(got - want) <= 1e-14 * want, `${name} at ${y} = ${got}, want ${want}`);
      } else {
        assert.equal(got, want, `${name} at ${y}`);
      }
    }
  });
}

/** PyTorch's σ as written down, the forward the cells must equal. */
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

test('sigmoidFromExp is 1 / (1 + e^{−y}) bit for bit; σ(y)·sigmoidComplementFromExp is σ\'(y)', () => {
  for (const p of fixture.points) {
    const y = Number(p.y);
    const t = Math.exp(-y);
    assert.equal(sigmoidFromExp(t), sigmoid(y));
    const want = Number(p.sigmoidSlope.value);
    // Where e^{−y} overflows (y < −709.78) σ(y) = 0 and the product with it is 0, not the subnormal σ'.
    if (p.sigmoidSlope.normal) {
      const got = sigmoid(y) * sigmoidComplementFromExp(t, sigmoidFromExp(t));
      assert.ok(got > 0 && Math.abs(got - want) <= 1e-14 * want, `at ${y}: ${got}, want ${want}`);
    }
  }
});

test('the slopes follow their asymptotics: sech² y ≈ 4e^{−2|y|}, σ\'(y) ≈ e^{−|y|} for large |y|', () => {
  for (const y of [20, 25, 30, 40, 60, 100, 200, 300, 350]) {
    for (const s of [1, -1]) {
      // Relative corrections: sech² y = 4e^{−2|y|}(1 − 2e^{−2|y|} + …), σ' = e^{−|y|}(1 − 2e^{−|y|} + …).
      const e2 = Math.exp(-2 * y), e1 = Math.exp(-y);
      const tanhWant = 4 * e2 * (1 - 2 * e2), sigmoidWant = e1 * (1 - 2 * e1);
      // exp's own error at |x| up to 700 and the rounding of 4e: a few ulps.
      assert.ok(Math.abs(tanhSlope(s * y) - tanhWant) <= 1e-14 * tanhWant, `tanhSlope(${s * y}) = ${tanhSlope(s * y)}, want ${tanhWant}`);
      assert.ok(Math.abs(sigmoidSlope(s * y) - sigmoidWant) <= 1e-14 * sigmoidWant, `sigmoidSlope(${s * y})`);
    }
  }
  // Near 0: sech² y = 1 − y² + (2/3) y⁴ − …, σ'(y) = 1/4 − y²/16 + y⁴/96 − …
  for (const y of [1e-3, -1e-3, 1e-5]) {
    assert.ok(Math.abs(tanhSlope(y) - (1 - y * y + (2 / 3) * y ** 4)) <= 2e-16);
    assert.ok(Math.abs(sigmoidSlope(y) - (0.25 - (y * y) / 16 + y ** 4 / 96)) <= 2e-16);
  }
});

test('the slopes are even, 1 and 1/4 at 0, and 0 for infinite or huge inputs', () => {
  for (const y of [0.3, 3, 33, 333]) {
    assert.equal(tanhSlope(-y), tanhSlope(y));
    assert.equal(sigmoidSlope(-y), sigmoidSlope(y));
  }
  assert.equal(tanhSlope(0), 1);
  assert.equal(sigmoidSlope(0), 0.25);
  for (const y of [Infinity, -Infinity, 1e300, -1e300]) {
    assert.equal(tanhSlope(y), 0);
    assert.equal(sigmoidSlope(y), 0);
  }
});
