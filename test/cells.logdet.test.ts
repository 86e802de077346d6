import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, logAbsDet } from '../src/linalg/index.js';
import { denseJacobians, type TangentSystem } from '../src/lyapunov/index.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('logAbsDet of small matrices with known determinants', () => {
  close(logAbsDet(Float64Array.of(3, 1, 4, 2), 2), Math.log(2), 1e-15, '[[3,1],[4,2]]');
  // A zero leading entry needs the row swap of partial pivoting.
  close(logAbsDet(Float64Array.of(0, 2, 5, 0), 2), Math.log(10), 1e-15, '[[0,2],[5,0]]');
  close(logAbsDet(Float64Array.of(-2, 7, 1, 0, 0.5, 9, 0, 0, 3), 3), Math.log(3), 1e-15, 'triangular');
  close(logAbsDet(Float64Array.of(1e-200, 0, 0, 1e-200), 2), -400 * Math.LN10, 1e-12, 'tiny entries (no underflow)');
  assert.equal(logAbsDet(Float64Array.of(1, 2, 2, 4), 2), -Infinity);
  assert.equal(logAbsDet(new Float64Array(9), 3), -Infinity);
});

test('logAbsDet is multiplicative and scales as n·log|c|', () => {
  const rng = new Rng(5);
  const n = 7;
  const a = rng.fillNormal(new Float64Array(n * n));
  const b = rng.fillNormal(new Float64Array(n * n));
  const ab = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += a[i * n + p]! * b[p * n + j]!;
      ab[i * n + j] = s;
    }
  }
  const aCopy = Float64Array.from(a);
  close(logAbsDet(ab, n), logAbsDet(a, n) + logAbsDet(b, n), 1e-11, 'log|det AB|');
  assert.deepEqual(a, aCopy, 'input not modified');
  close(logAbsDet(a.map((v) => -3 * v), n), n * Math.log(3) + logAbsDet(a, n), 1e-12, 'log|det(−3A)|');
});

test('logAbsDet rejects bad input with a clear error', () => {
  assert.throws(() => logAbsDet(new Float64Array(5), 2), /5 entries, expected n×n = 4/);
  assert.throws(() => logAbsDet(Float64Array.of(1, NaN, 0, 1), 2), /entry \(0, 1\) is NaN/);
});

test('denseJacobians recovers the matrices of a batch of linear maps', () => {
  // Trajectory b is x' = A_b x; its Jacobian is A_b whatever the state.
  const n = 3;
  const mats = [Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 10), Float64Array.of(0, -1, 0, 1, 0, 0, 0, 0, 2)];
  const system: TangentSystem = {
    dim: n, batch: 2, dt: 1, timeUnit: 'step', state: new Float64Array(2 * n),
    step() {},
    tangent(q, k, out) {
      for (let b = 0; b < 2; b++) {
        for (let j = 0; j < k; j++) {
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let p = 0; p < n; p++) s += mats[b]![i * n + p]! * q[b * n * k + j * n + p]!;
            out[b * n * k + j * n + i] = s;
          }
        }
      }
    },
  };
  const jac = denseJacobians(system);
  assert.deepEqual(jac, mats);
  close(logAbsDet(jac[0]!, n), Math.log(3), 1e-14, 'det A_0 = −3');
  close(logAbsDet(jac[1]!, n), Math.log(2), 1e-14, 'det A_1 = 2');
});
