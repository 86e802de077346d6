import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTrainingTable, formatEpochLine, resolveTrainConfig } from '../src/train/index.js';
import { type TrainedEpochMetrics } from '../src/record/index.js';
import { demoConfig } from '../src/cli/commands/demo.js';

function epoch(e: number, valLoss: number, lambda: number[] | null): TrainedEpochMetrics {
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
  // Two epochs with a spectrum: a correlation over two points is ±1 whatever they are, so none is shown.
  assert.match(text, /validation loss 4\.000 → 2\.000 while λ₁ went -0\.500 → -0\.100 nats\/step \(epochs 0–2; correlation of the two across epochs r = — \(needs 4 epochs with a spectrum\)\)/);
  assert.doesNotMatch(formatTrainingTable([epoch(0, 4, [-0.5])]), /correlation/);
});

test('the correlation of loss and λ₁ is shown from 4 epochs with a spectrum on', () => {
  // Loss 1, 2, 3, 4 against λ₁ 1, 3, 2, 4 (×0.1): deviations ±1.5, ±0.5 give Σxy = 4, Σx² = Σy² = 5, r = 0.8.
  const lambdas = [0.1, 0.3, 0.2, 0.4];
  const text = formatTrainingTable(lambdas.map((l, e) => epoch(e, e + 1, [l])));
  assert.match(text, /correlation of the two across epochs r = 0\.80\)/);
});

test('the training table ends with the chance level of the task, in the loss and accuracy columns', () => {
  const lines = formatTrainingTable([epoch(0, 4, [-0.5, -0.6]), epoch(1, 3, [-0.4, -0.5])], { chance: { chanceLoss: Math.log(8), chanceAccuracy: 1 / 8 } }).split('\n');
  // ln 8 = 2.0794…, 1/8 = 12.5%, right-aligned under "val loss" and "val acc".
  const chance = lines[4]!;
  assert.match(chance, /^chance\s+2\.0794\s+12\.5%$/);
  assert.equal(chance.indexOf('2.0794') + '2.0794'.length, lines[0]!.indexOf('val loss') + 'val loss'.length);
  assert.equal(chance.indexOf('12.5%') + '12.5%'.length, lines[0]!.indexOf('val acc') + 'val acc'.length);
  const regression = formatTrainingTable([epoch(0, 4, null)], { chance: { chanceLoss: 1 / 6, chanceAccuracy: null } });
  assert.match(regression.split('\n')[3]!, /^chance\s+0\.1667\s+–$/);
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
