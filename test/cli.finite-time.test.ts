import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensorsHeader, writeJacobians, writeSafetensors } from '../src/io/index.js';
import { randomDrive } from '../src/model-spectrum/index.js';

const root = new URL('..', import.meta.url).pathname;
const model = join(root, 'test/fixtures/torch/lstm_l2_bias_h3.model.safetensors');
const dir = mkdtempSync(join(tmpdir(), 'rnn-lyap-ftle-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user error: exit 2 and one line on stderr matching `pattern`. */
function refused(r: ReturnType<typeof cli>, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

test('spectrum --ftle-window: the finite-time exponents in the table and the JSON, their mean the spectrum', () => {
  const args = ['spectrum', model, '--batch', '3', '--steps', '600', '--transient', '50', '--ftle-window', '60', '--threads', '2'];
  const table = cli(...args);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /finite-time exponents over windows of 60 steps \(3 sequences × 10 windows\)\n\s+i\s+mean\s+std\s+5%\s+50%\s+95%/);
  const doc = JSON.parse(cli(...args, '--json').stdout);
  assert.equal(doc.finiteTime.count, 30);
  assert.equal(doc.options.ftleWindow, 60);
  doc.exponents.forEach((l: number, i: number) => assert.ok(Math.abs(doc.finiteTime.mean[i] - l) < 1e-10, `mean FTLE ${i + 1}`));
  refused(cli('spectrum', model, '--steps', '1000', '--ftle-window', '300'), /^rnn-lyapunov: --ftle-window 300 does not divide --steps 1000: give --steps 900 or 1200/);
});

test('spectrum --until-converged stops below the tolerance, shows the worst stderr on stderr; a longer fixed run confirms it', () => {
  const tolerance = 3e-3;
  const common = ['--batch', '4', '--k', '3', '--transient', '50', '--seed', '2'];
  const r = cli('spectrum', model, ...common, '--steps', '250', '--until-converged', String(tolerance), '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /until-converged: 250 steps, worst stderr \d\.\d\de-\d+ \(tolerance 0\.003\)/);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.convergence.converged, true);
  assert.ok(Math.max(...doc.stderr) < tolerance);
  assert.equal(doc.options.steps, doc.convergence.steps);
  const longer = JSON.parse(cli('spectrum', model, ...common, '--seed', '7', '--steps', String(4 * doc.convergence.steps), '--json').stdout);
  longer.exponents.forEach((l: number, i: number) =>
    assert.ok(Math.abs(doc.exponents[i] - l) < 3 * tolerance, `λ${i + 1}: ${doc.exponents[i]} vs a 4× longer run's ${l}`));
  refused(cli('spectrum', model, '--max-steps', '5000'), /--max-steps goes with --until-converged TOL/);
});

test('spectrum --until-converged on an inputs file goes as far as the file reaches, then says it did not converge', () => {
  const file = join(dir, 'inputs.safetensors');
  writeSafetensors(file, { inputs: { shape: [2, 700, 3], data: randomDrive('onehot', 2, 700, 3, 1).data } });
  const r = cli('spectrum', model, '--inputs', file, '--transient', '100', '--steps', '150', '--k', '2', '--until-converged', '1e-6');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /NOT converged {7}after 600 steps \(doubling again would pass the most allowed, 600\): worst stderr \d\.\d\de-\d+ ≥ 0\.000001/);
  assert.match(r.stdout, /2 sequences × 600 steps after 100 transient/);
});

test('spectrum --jacobians-out, then --jacobians: the same spectrum from the file; float32 stores F32', () => {
  const file = join(dir, 'lstm.safetensors');
  const direct = cli('spectrum', model, '--batch', '3', '--steps', '200', '--transient', '40', '--jacobians-out', file, '--json');
  assert.equal(direct.code, 0, direct.stderr);
  assert.match(direct.stderr, /wrote Jacobians \[3, 240, 12, 12\] float64 to /);
  const header = readSafetensorsHeader(file);
  assert.deepEqual(header.tensors.get('jacobians'), { dtype: 'F64', shape: [3, 240, 12, 12] });
  const replay = cli('spectrum', '--jacobians', file, '--transient', '40', '--json');
  assert.equal(replay.code, 0, replay.stderr);
  const [a, b] = [JSON.parse(direct.stdout), JSON.parse(replay.stdout)];
  assert.equal(b.options.steps, 200, '--steps defaults to T − --transient');
  assert.deepEqual(b.jacobians, { file, tensor: 'jacobians', dtype: 'F64', batch: 3, steps: 240, dim: 12 }, 'the JSON names the file it read');
  a.exponents.forEach((l: number, i: number) => assert.ok(Math.abs(b.exponents[i] - l) <= 1e-12 * Math.max(1, Math.abs(l)), `λ${i + 1}: ${b.exponents[i]} vs ${l}`));
  refused(cli('spectrum', model, '--steps', '200', '--jacobians-out', file), /--jacobians-out .*lstm\.safetensors: the file exists; pass --force/);
  const f32 = join(dir, 'lstm32.safetensors');
  assert.equal(cli('spectrum', model, '--batch', '2', '--steps', '50', '--transient', '0', '--precision', 'float32', '--jacobians-out', f32).code, 0);
  assert.equal(readSafetensorsHeader(f32).tensors.get('jacobians')!.dtype, 'F32');
});

test('spectrum --jacobians: a truncated file, a wrong shape or NaNs give one line, exit 2; the dump is weighed before the run', () => {
  const truncated = join(dir, 'truncated.safetensors');
  writeJacobians(truncated, { batch: 1, steps: 10, dim: 2, data: new Float64Array(40).fill(0.3) });
  truncateSync(truncated, statSync(truncated).size - 100);
  refused(cli('spectrum', '--jacobians', truncated, '--transient', '0'), /truncated\.safetensors: tensor 'jacobians': data_offsets .* reach beyond the data section/);
  const nan = join(dir, 'nan.safetensors');
  const values = new Float64Array(40).fill(0.3);
  values[21] = NaN;
  writeJacobians(nan, { batch: 1, steps: 10, dim: 2, data: values });
  refused(cli('spectrum', '--jacobians', nan, '--transient', '0'), /nan\.safetensors: tensor 'jacobians': element \[0, 5, 0, 1\] is NaN/);
  refused(cli('spectrum', '--jacobians', model), /tensor|expected a tensor 'jacobians'/);
  refused(cli('spectrum', model, '--jacobians', nan), /give a model or --jacobians FILE, not both/);
  // 64 × 100 100 steps × 12 × 12 float64 = 6.9 GiB of Jacobians, over a 4 GiB budget: refused before any allocation.
  refused(cli('spectrum', model, '--batch', '64', '--steps', '100000', '--jacobians-out', join(dir, 'big.safetensors'), '--memory-budget', '4'),
    /this spectrum needs ≈ \d+\.\d+ GiB \(Jacobians 64 × 100100 × 12 × 12 float64: 6\.\d+ GiB\), over the memory budget of 4\.00 GiB/);
});
