/**
 * The spectra taken while training QR every `spectrum.qrEvery` steps ('auto': 4 for k < 0.9·n): the same
 * exponents as a QR every step, to rounding, for gated cells whose leading exponents spread
 * (a chaotic init) and for trained ones; the setting is checked and recorded like the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MemoryRecorder, probeQrEvery, resolveTrainConfig, train, TrainConfigError, type TrainConfigInput } from '../src/train/index.js';
import { parseSweepSpec } from '../src/sweep/index.js';

const base = (cell: 'lstm' | 'gru', qrEvery: number): TrainConfigInput => ({
  task: { name: 'copy', symbols: 4, length: 3, delay: 5, trainSize: 256, evalSize: 32 },
  cell, hidden: 12, epochs: 1, batch: 32, lr: 1e-2, seed: 5, init: 'uniform:1.5', precision: 'float64',
  spectrum: { every: 1, batch: 2, steps: 80, transient: 10, k: 10, qrEvery },
});

test("spectrum.qrEvery defaults to 'auto': 4 for k < 0.9·n, else 1; otherwise an integer ≥ 1", () => {
  assert.equal(resolveTrainConfig({ task: { name: 'copy' } }).spectrum.qrEvery, 'auto');
  assert.deepEqual([[31, 64], [57, 64], [58, 64], [64, 64], [32, 128]].map(([k, n]) => probeQrEvery('auto', k!, n!)), [4, 4, 1, 1, 4]);
  assert.equal(probeQrEvery(2, 64, 64), 2);
  for (const bad of [0, 1.5, -2, 'always'] as never[]) {
    assert.throws(() => resolveTrainConfig({ task: { name: 'copy' }, spectrum: { qrEvery: bad } }),
      (e: unknown) => e instanceof TrainConfigError && /spectrum\.qrEvery/.test(e.message), `qrEvery ${bad}`);
  }
  const spec = (qrEvery: number) => ({ name: 's', method: 'grid', parameters: { lr: { values: [0.01] } }, spectrum: { every: 1, qrEvery }, readout: { metric: 'final_val_loss', epoch: 1 }, base: { task: { name: 'copy' } } });
  assert.equal(parseSweepSpec(spec(2)).spectrum.qrEvery, 2);
  assert.equal(parseSweepSpec(spec('auto' as never)).spectrum.qrEvery, 'auto');
  assert.throws(() => parseSweepSpec(spec(0)), /qrEvery/);
});

for (const cell of ['lstm', 'gru'] as const) {
  test(`${cell}: the spectra training records with a QR every 4 steps are those of a QR every step, to 1e-10`, async () => {
    const spectra = async (qrEvery: number) => {
      const recorder = new MemoryRecorder();
      await train(resolveTrainConfig(base(cell, qrEvery)), { recorder });
      return recorder.spectrumLines.map((line) => line.spectrum!);
    };
    const [every, fourth] = [await spectra(1), await spectra(4)];
    assert.equal(fourth.length, 2, 'at initialisation and after the epoch');
    for (const [e, s] of fourth.entries()) {
      assert.equal(s.options.qrEvery, 4);
      assert.equal(every[e]!.options.qrEvery, 1);
      assert.ok(s.qrCount < every[e]!.qrCount / 2, `QRs: ${s.qrCount} against ${every[e]!.qrCount}`);
      s.exponents.forEach((lambda, i) => {
        const reference = every[e]!.exponents[i]!;
        assert.ok(Math.abs(lambda - reference) <= 1e-10 * Math.max(1, Math.abs(reference)), `epoch ${e} λ${i + 1}: ${lambda} against ${reference}`);
      });
    }
  });
}

test("train --spectrum-qr-every takes 'auto' or an integer ≥ 1; anything else is one line, exit 2", () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--task', 'copy', '--spectrum-qr-every', 'often'], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, "rnn-lyapunov: --spectrum-qr-every must be 'auto' or an integer ≥ 1, got 'often'\n");
});
