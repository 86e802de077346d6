import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../src/io/index.js';
import { Rng } from '../src/linalg/index.js';

const root = new URL('..', import.meta.url).pathname;
const model = join(root, 'test/fixtures/torch/lstm_l2_bias_h3.model.safetensors');
const drive = ['--drive', 'gaussian', '--batch', '2', '--transient', '50', '--seed', '4'];

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('clv --json: the forward pass is the spectrum of the same window, and the CLVs live in the layers\' h and c', () => {
  // A file of inputs (a random drive's sequence 1 depends on the length of sequence 0): spectrum reads its first 350 steps.
  const inputs = join(mkdtempSync(join(tmpdir(), 'clv-')), 'inputs.safetensors');
  writeSafetensors(inputs, { inputs: { shape: [2, 410, 3], data: new Rng(8).fillNormal(new Float64Array(2 * 410 * 3)) } });
  const given = ['--inputs', inputs, '--transient', '50', '--seed', '4'];
  const clv = cli('clv', model, ...given, '--window', '300', '--backward-transient', '60', '--every', '10', '--json');
  assert.equal(clv.code, 0, clv.stderr);
  const doc = JSON.parse(clv.stdout);
  const spectrum = cli('spectrum', model, ...given, '--steps', '300', '--json');
  assert.equal(spectrum.code, 0, spectrum.stderr);
  const { exponents } = JSON.parse(spectrum.stdout);
  // The same inputs, initial basis and QR every step: the Gram–Schmidt exponents of the window are the spectrum's.
  const forward = [...doc.forwardExponents].sort((a: number, b: number) => b - a);
  forward.forEach((x: number, i: number) => assert.ok(Math.abs(x - exponents[i]) < 1e-10, `λ_${i + 1}: ${x} vs ${exponents[i]}`));
  assert.deepEqual(doc.options, { dim: 12, k: 12, batch: 2, window: 300, backwardTransient: 60, transient: 50, every: 10, samples: 30 });
  assert.equal(doc.exponents.length, 12);
  assert.equal(doc.angles.pairs.length, 11);
  assert.equal(doc.angles.pairs[0].degrees.count, 60);
  assert.deepEqual(doc.location.parts, ['h0', 'c0', 'h1', 'c1']);
  for (const weights of doc.location.weights) assert.ok(Math.abs(weights.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-12, `${weights}`);
  const table = cli('clv', model, ...drive, '--window', '300', '--backward-transient', '60', '--every', '10');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /\|v\|² in h0 +\|v\|² in c0 +\|v\|² in h1 +\|v\|² in c1/);
  assert.match(table.stdout, /CLV 11, 12 /);
});

test('clv --vectors-out writes [B, S, n, k] unit CLVs, the sample steps and the growth rates; an existing file needs --force', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'clv-')), 'clv.safetensors');
  const args = ['clv', model, ...drive, '--window', '40', '--backward-transient', '30', '--every', '8', '--k', '5', '--vectors-out', out];
  const first = cli(...args);
  assert.equal(first.code, 0, first.stderr);
  const { tensors } = readSafetensors(out);
  const vectors = tensors.get('vectors')!;
  assert.deepEqual(vectors.shape, [2, 5, 12, 5]);
  assert.deepEqual(Array.from(tensors.get('times')!.data), [0, 8, 16, 24, 32]);
  assert.deepEqual(tensors.get('growth')!.shape, [2, 40, 5]);
  for (let bs = 0; bs < 10; bs++) {
    for (let j = 0; j < 5; j++) {
      let squares = 0;
      for (let i = 0; i < 12; i++) squares += vectors.data[bs * 60 + i * 5 + j]! ** 2;
      assert.ok(Math.abs(squares - 1) < 1e-12, `sample ${bs} CLV ${j + 1}: |v|² = ${squares}`);
    }
  }
  const again = cli(...args);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^rnn-lyapunov: --vectors-out .*: the file exists; pass --force/);
  assert.equal(cli(...args, '--force').code, 0);
});

test('clv refuses storage over --memory-budget before any allocation, and spectrum options it has no use for', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'clv-')), 'clv.safetensors');
  const big = cli('clv', model, ...drive, '--window', '3000000', '--backward-transient', '10', '--memory-budget', '0.001', '--vectors-out', out);
  assert.equal(big.code, 2, big.stderr);
  // R: 2 sequences × 3000010 steps × 12·13/2 doubles = 3.49 GiB, the largest part.
  assert.match(big.stderr, /^rnn-lyapunov: these covariant Lyapunov vectors need ≈ [\d.]+ GiB \(R factors 2 × 3000010 steps × 12·13\/2 float64: 3\.49 GiB\), over the memory budget of 0\.00100 GiB \(--memory-budget\); --window (\d+) --every (\d+) fits/);
  assert.equal(big.stderr.trim().split('\n').length, 1);
  assert.ok(!existsSync(out));
  // The setting it names runs under the same budget; one step more is refused.
  const [fits, every] = /--window (\d+) --every (\d+)/.exec(big.stderr)!.slice(1).map(Number) as [number, number];
  const at = (window: number) => cli('clv', model, ...drive, '--window', String(window), '--backward-transient', '10', '--memory-budget', '0.001', '--every', String(every));
  assert.equal(at(fits + 1).code, 2);
  const run = at(fits);
  assert.equal(run.code, 0, run.stderr);
  const steps = cli('clv', model, '--window', '10', '--backward-transient', '10', '--steps', '5');
  assert.equal(steps.code, 2);
  assert.match(steps.stderr, /--steps is not a clv option/);
});
