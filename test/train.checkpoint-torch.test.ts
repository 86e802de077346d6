/**
 * Checkpoints written by `train` are PyTorch state dicts: nn.LSTM/GRU/RNN and nn.Linear load
 * them with strict=True and compute the same logits. The committed fixtures hold two
 * checkpoints and PyTorch's logits for them (scripts/check_checkpoint_torch.py --write); where
 * torch is installed, a fresh checkpoint is also checked live by the same script.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../src/io/index.js';
import { BpttEngine, readCheckpointNetwork, trainInRunDirectory } from '../src/train/index.js';
import { referenceKernels, type Precision } from '../src/linalg/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'train');
const SCRIPTS = join(import.meta.dirname, '..', 'scripts');

function ourOutputs(stem: string, precision: Precision, inputs: { data: Float64Array; shape: number[] }): Float64Array {
  const params = readCheckpointNetwork(`${stem}.safetensors`, `${stem}.readout.safetensors`, precision);
  const [batch, steps] = inputs.shape as [number, number, number];
  return new BpttEngine(params.spec, precision).outputs(params.values, { batch, steps, inputs: { kind: 'dense', data: inputs.data } });
}

for (const name of ['lstm_l2_copy', 'gru_nobias_adding']) {
  test(`checkpoint ${name}: our logits equal PyTorch's for the strictly loaded state dicts`, () => {
    const stem = join(FIXTURES, name);
    const expected = readSafetensors(`${stem}.torch.safetensors`).tensors;
    const inputs = expected.get('inputs')!;
    const torchOut = expected.get('outputs')!.data as Float64Array;
    const scale = Math.max(...Array.from(torchOut, Math.abs));
    for (const [precision, tolerance] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
      const ours = ourOutputs(stem, precision, { data: inputs.data as Float64Array, shape: inputs.shape });
      assert.equal(ours.length, torchOut.length);
      for (let i = 0; i < ours.length; i++) {
        assert.ok(Math.abs(ours[i]! - torchOut[i]!) <= tolerance * scale, `${name} ${precision} logit ${i}: ${ours[i]} vs PyTorch ${torchOut[i]}`);
      }
    }
  });
}

test('a checkpoint written now has the fixtures\' layout, and loads strictly into PyTorch when torch is installed', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-ckpt-'));
  try {
    const run = await trainInRunDirectory(join(root, 'run'), {
      task: { name: 'copy', symbols: 4, length: 3, delay: 4, trainSize: 256, evalSize: 32 },
      cell: 'lstm', layers: 2, hidden: 6, epochs: 1, batch: 32, seed: 1, spectrum: { every: 0 },
    }, { hooks: { kernels: referenceKernels } });
    const stem = join(run.dir, 'checkpoints', 'epoch-0001');
    const layout = (path: string) => {
      const { tensors, metadata } = readSafetensors(path);
      return { metadata, tensors: [...tensors].map(([n, t]) => [n, t.dtype, t.shape.join('×')]).sort() };
    };
    for (const suffix of ['safetensors', 'readout.safetensors']) {
      assert.deepEqual(layout(`${stem}.${suffix}`), layout(join(FIXTURES, `lstm_l2_copy.${suffix}`)), suffix);
    }
    const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
    if (torch.status !== 0) return; // no PyTorch here: the fixtures above stand in for it
    const inputs = readSafetensors(join(FIXTURES, 'lstm_l2_copy.torch.safetensors')).tensors.get('inputs')!;
    const outputs = ourOutputs(stem, 'float64', { data: inputs.data as Float64Array, shape: inputs.shape });
    const check = join(root, 'check.safetensors');
    writeSafetensors(check, {
      inputs: { dtype: 'F64', shape: inputs.shape, data: inputs.data },
      outputs: { dtype: 'F64', shape: [inputs.shape[0]!, inputs.shape[1]!, 4], data: outputs },
    });
    const live = spawnSync('/usr/bin/python3', ['check_checkpoint_torch.py', stem, '--inputs', check], { cwd: SCRIPTS, encoding: 'utf8' });
    assert.equal(live.status, 0, `${live.stdout}${live.stderr}`);
    assert.match(live.stdout, /loaded strictly/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
