// Shared by the cell tests: every configuration the cells support.
import assert from 'node:assert/strict';
import { type CellKind, type CellSystem, type LstmState } from '../src/cells/index.js';

export interface CellConfig { cell: CellKind; layers: number; bias: boolean; lstmState?: LstmState }

/** Cell kind × layers (1, 2) × bias × LSTM state mode. */
export const CELL_CONFIGS: readonly CellConfig[] = (['rnn_tanh', 'rnn_relu', 'gru', 'lstm'] as const).flatMap((cell) =>
  [1, 2].flatMap((layers) => [true, false].flatMap((bias): CellConfig[] =>
    cell === 'lstm'
      ? (['joint', 'h'] as const).map((lstmState) => ({ cell, layers, bias, lstmState }))
      : [{ cell, layers, bias }])));

export const configName = (c: CellConfig) =>
  `${c.cell}${c.lstmState ? `/${c.lstmState}` : ''} L=${c.layers} ${c.bias ? 'bias' : 'nobias'}`;

/**
 * Central differences of `step(t)` in float64, one state coordinate at a time (perturbed in all
 * trajectories at once: they are independent). Row-major n×n per trajectory.
 */
/** What finite differences need of a system: its state, a reset to a given state, and a step. */
export type SteppableSystem = Pick<CellSystem, 'dim' | 'batch' | 'state' | 'step'> & { reset(state: Float64Array, cell?: Float64Array): void };

export function finiteDifferenceJacobians(system: SteppableSystem, s0: Float64Array, c0: Float64Array | undefined, t: number, h = 1e-6): Float64Array[] {
  const { dim: n, batch: B } = system;
  const jac = Array.from({ length: B }, () => new Float64Array(n * n));
  const perturbed = (j: number, delta: number) => {
    const s = Float64Array.from(s0);
    for (let b = 0; b < B; b++) s[b * n + j] = s[b * n + j]! + delta;
    system.reset(s, c0);
    system.step(t);
    return Float64Array.from(system.state);
  };
  for (let j = 0; j < n; j++) {
    const plus = perturbed(j, h);
    const minus = perturbed(j, -h);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < n; i++) jac[b]![i * n + j] = (plus[b * n + i]! - minus[b * n + i]!) / (2 * h);
    }
  }
  return jac;
}

/**
 * Each trajectory's exact Jacobian against its finite differences, to `tolerance` relative to its
 * largest entry; an all-zero Jacobian (a relu layer whose units are all off: the step is locally
 * constant) must have all-zero differences too, and at least one must not be zero.
 */
export function assertMatchesFiniteDifferences(exact: readonly Float64Array[], fd: readonly Float64Array[], tolerance = 1e-7): void {
  const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let checked = 0;
  exact.forEach((jacobian, b) => {
    const scale = maxAbs(jacobian);
    if (scale === 0) {
      assert.equal(maxAbs(fd[b]!), 0, `trajectory ${b}: tangent is zero but finite differences are not`);
      return;
    }
    assert.equal(jacobian.length, fd[b]!.length);
    let diff = 0;
    for (let i = 0; i < jacobian.length; i++) diff = Math.max(diff, Math.abs(jacobian[i]! - fd[b]![i]!));
    assert.ok(diff / scale <= tolerance, `trajectory ${b}: max relative error ${(diff / scale).toExponential(2)} > ${tolerance}`);
    checked++;
  });
  assert.ok(checked > 0, 'every Jacobian is zero: the comparison would be vacuous');
}
