import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTrainingTable, formatEpochLine, resolveTrainConfig } from '../src/train/index.js';
import { type EpochMetrics } from '../src/record/index.js';
import { demoConfig } from '../src/cli/commands/demo.js';

function epoch(e: number, valLoss: number, lambda: number[] | null): EpochMetrics {
  return {
    epoch: e, step: 10 * e, lr: 1e-3, trainLoss: e === 0 ? null : valLoss + 0.1, gradNorm: null, gradNormMax: null,
    clippedFraction: null, valLoss, valAccuracy: 0.5, lambda, kaplanYorke: lambda === null ? null : 1.5, entropy: null, seconds: 1,
  };
}

test('the training table lists every epoch with its exponents and summarises how loss and λ₁ moved', () => {
  const text = formatTrainingTable([epoch(0, 4, [-0.5, -0.6]), epoch(1, 3, null), epoch(2, 2, [-0.1, -0.2])]);
  const lines = text.split('\n');
  assert.match(lines[0]!, /epoch\s+train loss\s+val loss\s+val acc\s+λ₁\s+λ₂\s+D_KY/);
  assert.match(lines[2]!, /^\s*0\s+–\s+4\.0000\s+50\.0%\s+-0\.500\s+-0\.600\s+1\.50$/);
  assert.match(lines[3]!, /^\s*1\s+3\.1000\s+3\.0000\s+50\.0%\s+–\s+–\s+–$/);
  // Two epochs with a spectrum: loss 4 → 2 while λ₁ −0.5 → −0.1, perfectly anti-correlated.
  assert.match(text, /validation loss 4\.000 → 2\.000 while λ₁ went -0\.500 → -0\.100 nats\/step \(epochs 0–2; correlation of the two across epochs r = -1\.00\)/);
  assert.doesNotMatch(formatTrainingTable([epoch(0, 4, [-0.5])]), /correlation/);
});

test('the per-epoch progress line names loss, accuracy, λ₁ and time', () => {
  assert.equal(formatEpochLine(epoch(2, 2, [-0.1234]), 5), 'epoch 2/5  train 2.1000  val 2.0000  acc 50.0%  λ₁ -0.1234  D_KY 1.50  1.0 s');
});

test('the demo configuration is a valid training config (LSTM char-LM, spectrum every epoch)', () => {
  const config = resolveTrainConfig(demoConfig(15));
  assert.equal(config.task.name, 'charlm');
  assert.equal(config.cell, 'lstm');
  assert.equal(config.spectrum.every, 1);
});
