import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointScalars, fileNameMatcher, numberInName, WatchError } from '../src/record/index.js';

test('file-name patterns match as a shell globs one directory: * ? [set] [!set] {a,b}, dots literal', () => {
  const cases: [string, string[], string[]][] = [
    ['*.{safetensors,pt,pth}', ['epoch_1.pt', 'a.pth', 'm.safetensors'], ['a.ptx', 'a.pt.tmp', 'a_pt', 'notes.txt']],
    ['epoch_??.pt', ['epoch_01.pt', 'epoch_ab.pt'], ['epoch_1.pt', 'epoch_001.pt', 'epoch_01xpt']],
    ['ckpt-[0-9]*.pt', ['ckpt-1.pt', 'ckpt-12.pt'], ['ckpt-a.pt']],
    ['ckpt-[!0-9]*', ['ckpt-a.pt'], ['ckpt-1.pt']],
    ['a+b(1).pt', ['a+b(1).pt'], ['aab1.pt']],
  ];
  for (const [pattern, yes, no] of cases) {
    const matches = fileNameMatcher(pattern);
    for (const name of yes) assert.ok(matches(name), `${pattern} should match ${name}`);
    for (const name of no) assert.ok(!matches(name), `${pattern} should not match ${name}`);
  }
  for (const bad of ['', 'dir/*.pt', '*.{pt', 'x[ab']) assert.throws(() => fileNameMatcher(bad), WatchError, bad);
});

test('a checkpoint name gives the number after "epoch", else its last number', () => {
  assert.equal(numberInName('epoch_0003.safetensors'), 3);
  assert.equal(numberInName('epoch=3-step=120.ckpt'), 3);
  assert.equal(numberInName('model-epoch12.pt'), 12);
  assert.equal(numberInName('ckpt-v2-17.pt'), 17);
  assert.equal(numberInName('best.pt'), undefined);
});

test('checkpoint metadata gives epoch, step, losses and lr in PyTorch users\' spellings; other values are left out', () => {
  assert.deepEqual(checkpointScalars({ epoch: '4', global_step: '400', train_loss: '1.25', val_loss: 'nan', lr: '1e-3', format: 'pt' }),
    { epoch: 4, step: 400, trainLoss: 1.25, valLoss: NaN, lr: 1e-3 });
  assert.deepEqual(checkpointScalars({ epoch: 2, loss: 0.5, valLoss: '-inf' }), { epoch: 2, trainLoss: 0.5, valLoss: -Infinity });
  assert.deepEqual(checkpointScalars({ epoch: '1.5', step: '-1', val_loss: 'low', lr: '' }), {});
});
