import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRateSystem, randomEchoStateModel, randomRateModel, zeroInputs } from '../src/cells/index.js';
import { readLeakyFile, writeEchoStateModel, writeRateModel, writeSafetensors } from '../src/io/index.js';
import { Rng } from '../src/linalg/index.js';

// Rate-network and echo-state files (metadata cell: rate | esn) through `spectrum`. Oracle: the
// sum rule — with k = N, Σλ is the mean log|det J| along the trajectory, computed here step by
// step from LU determinants of the formed Jacobian, not by the QR iteration.

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'leaky-files-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('spectrum of a rate-network file: exponents per time unit whose sum is the mean log|det J| of the autonomous steps it took', () => {
  const model = randomRateModel({ inputSize: 2, hiddenSize: 10, dt: 0.2, bias: true }, new Rng(3), 2.5);
  const file = join(dir, 'rate.safetensors');
  writeRateModel(file, model);
  const back = readLeakyFile(file);
  assert.equal(back.kind, 'rate');
  assert.deepEqual(Array.from(back.model.weightHh), Array.from(model.weightHh));
  const r = cli('spectrum', file, '--batch', '1', '--steps', '400', '--transient', '0', '--seed', '5', '--json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { exponents: number[]; units: string; inputs: Record<string, unknown>; source: { used: { name: string }[] } };
  assert.equal(json.exponents.length, 10);
  assert.match(json.units, /time unit/);
  assert.deepEqual(json.inputs, { kind: 'leaky', cell: 'rate', drive: 'none', seed: 5 });
  assert.deepEqual(json.source.used.map((t) => t.name), ['weight_hh', 'weight_ih', 'bias']);
  // The same start the command uses for trajectory 0 (seeded N(0, 1) state), stepped independently of the QR loop.
  const start = new Float64Array(10);
  new Rng((Math.imul(5, 0x2c1b3c6d) ^ Math.imul(1, 0x297a2d39)) >>> 0).fillNormal(start, 1);
  const system = createRateSystem(model, zeroInputs(1, 400, 2), { initialState: start });
  const logDet = new Float64Array(1);
  let sum = 0;
  for (let t = 0; t < 400; t++) {
    system.step(t);
    system.logAbsDet(logDet);
    sum += logDet[0]!;
  }
  const expected = sum / 400 / 0.2;
  const got = json.exponents.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(got - expected) < 1e-9 * Math.max(1, Math.abs(expected)), `Σλ ${got} vs mean log|det J|/dt ${expected}`);
});

test('spectrum of an echo-state file: closed loop or Gaussian drive, and one-line errors for what does not apply', () => {
  const rng = new Rng(2);
  const model = randomEchoStateModel(3, { units: 20, sr: 0.9, lr: 0.7, input_scaling: 0.3 }, rng);
  const readout = { weight: rng.fillNormal(new Float64Array(60), 0.1), bias: new Float64Array(3) };
  const file = join(dir, 'esn.safetensors');
  writeEchoStateModel(file, model, readout);
  for (const mode of [['--closed-loop'], ['--drive', 'gaussian']]) {
    const r = cli('spectrum', file, ...mode, '--batch', '2', '--steps', '200', '--transient', '50', '--k', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { exponents: number[]; model: { cell: string; stateDim: number } };
    assert.equal(json.exponents.length, 3);
    assert.deepEqual([json.model.cell, json.model.stateDim], ['esn', 20]);
  }
  const cases: [string[], RegExp][] = [
    [[file], /an echo-state network runs in closed loop \(--closed-loop\) or driven \(--drive gaussian\)/],
    [[file, '--closed-loop', '--lstm-state', 'h'], /is an echo-state network file: --lstm-state do not apply to it/],
    [[file, '--drive', 'onehot'], /--drive onehot needs one-hot or token inputs/],
  ];
  for (const [args, message] of cases) {
    const r = cli('spectrum', ...args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const bad = join(dir, 'rate-bad.safetensors');
  writeSafetensors(bad, { weight_hh: { shape: [3, 3], data: new Float64Array(9) }, weight_ih: { shape: [3, 1], data: new Float64Array(3) } }, { cell: 'rate' });
  const r = cli('spectrum', bad);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /rate-bad\.safetensors: metadata 'dt' is undefined; expected a number \(the Euler step, 0 < dt ≤ 1\)/);
});
