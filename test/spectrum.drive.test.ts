import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { InputSequences } from '../src/cells/index.js';
import { loadRnnModel } from '../src/io/index.js';
import { Rng } from '../src/linalg/index.js';
import {
  driveStream, modelSpectrumThreaded, randomDrive, spectrumMemory, type DriveKind, type RandomDrive,
} from '../src/model-spectrum/index.js';

/** The drive as it was built before it was made step by step: one generator, sequence after sequence, all held. */
function wholeDrive(kind: DriveKind, batch: number, steps: number, size: number, seed: number): InputSequences {
  const rng = new Rng(seed);
  const data = new Float64Array(batch * steps * size);
  if (kind === 'onehot') {
    for (let s = 0; s < batch * steps; s++) data[s * size + rng.int(size)] = 1;
  } else {
    rng.fillNormal(data);
  }
  return { batch, steps, size, data };
}

const sameBits = (a: Float64Array, b: Float64Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Step t of every sequence of held inputs, B×I. */
function heldStep(inputs: InputSequences, t: number): Float64Array {
  const { batch, steps, size, data } = inputs;
  const out = new Float64Array(batch * size);
  for (let b = 0; b < batch; b++) out.set(data.subarray((b * steps + t) * size, (b * steps + t + 1) * size), b * size);
  return out;
}

test('the drive has the values the whole drive had: symbols and normals printed by the old code', () => {
  const onehot = randomDrive('onehot', 3, 7, 5, 11);
  const symbols = [0, 1, 2].map((b) => [0, 1, 2, 3, 4, 5, 6].map((t) => [...onehot.data.subarray((b * 7 + t) * 5, (b * 7 + t + 1) * 5)].indexOf(1)));
  assert.deepEqual(symbols, [[1, 0, 3, 1, 3, 2, 4], [2, 0, 0, 4, 3, 0, 2], [3, 4, 4, 1, 3, 1, 0]]);
  assert.equal(onehot.data.reduce((a, b) => a + b, 0), 21);
  // 9 normals per sequence: the second sequence starts on the spare of a Box–Muller pair.
  assert.deepEqual([...randomDrive('gaussian', 2, 3, 3, 4).data], [
    1.1043345707682217, -0.3462305455247019, -0.6404101740269857, 0.21976040817729614, -1.5228469971819218, -1.278420832182699,
    -0.6848286149271723, 0.40294922780582787, -0.33014334289568814, -0.5143595939098721, -1.0378176953527445, 0.5837481581179301,
    -1.4438414647801288, 1.062898119505494, -0.810319374986936, -0.3263714751468636, 0.5338517096518512, 0.27801371736301067,
  ]);
});

test('a stream read across many windows, backwards and in parts gives the whole drive', () => {
  // 32 sequences of 512 features: a window of 32 steps, so 80 steps cross 3 windows.
  for (const kind of ['gaussian', 'onehot'] as const) {
    const whole = wholeDrive(kind, 32, 80, 512, 3);
    const stream = driveStream({ kind, batch: 32, steps: 80, size: 512, seed: 3 });
    const out = new Float64Array(32 * 512);
    // In order, then back within a window, back across windows (a redone interval), and to the end.
    for (const t of [...Array(80).keys(), 75, 66, 20, 21, 0, 79]) {
      stream.readStep(t, out);
      assert.ok(sameBits(out, heldStep(whole, t)), `${kind} step ${t}`);
    }
    // Sequences 10..29 as a thread makes them: the same values as the whole drive's.
    const part = driveStream({ kind, batch: 20, steps: 80, size: 512, seed: 3, first: 10 });
    const partOut = new Float64Array(20 * 512);
    for (const t of [0, 37, 79, 5]) {
      part.readStep(t, partOut);
      assert.ok(sameBits(partOut, heldStep(whole, t).subarray(10 * 512, 30 * 512)), `${kind} part, step ${t}`);
    }
  }
});

test('a spectrum on the drive made step by step has the bits of one on the whole drive, at 1 and 2 threads, with redone intervals', async () => {
  const model = loadRnnModel(join(import.meta.dirname, 'fixtures/torch/lstm_l1_bias_h4.model.safetensors'));
  const drive: RandomDrive = { kind: 'gaussian', batch: 3, steps: 700, size: model.inputSize, seed: 2 };
  const whole = wholeDrive('gaussian', 3, 700, model.inputSize, 2);
  const cases = [
    { steps: 600, transient: 100, threads: 1 },
    { steps: 600, transient: 100, qrEvery: 100, threads: 1 },
    { steps: 600, transient: 100, qrEvery: 100, threads: 2 },
    { steps: 400, transient: 200, compat: 'vogt2020' as const, threads: 1 },
  ];
  for (const options of cases) {
    const made = await modelSpectrumThreaded(model, drive, options);
    const held = await modelSpectrumThreaded(model, whole, options);
    assert.deepEqual(made.perSequence, held.perSequence, JSON.stringify(options));
    assert.deepEqual(made.trace, held.trace);
    assert.equal(made.qrRedone, held.qrRedone);
  }
  const redone = await modelSpectrumThreaded(model, drive, { steps: 600, transient: 100, qrEvery: 100, threads: 1 });
  assert.ok(redone.qrRedone > 0, 'the guard redid intervals, so steps were read again');
});

test('memory estimate: held sequences count, a random drive does not grow with its length', () => {
  const shape = { batch: 8, size: 65, stateDim: 128, k: 128, threads: 2 };
  const held = spectrumMemory({ ...shape, steps: 1_000_100, held: true });
  assert.ok(held.bytes >= 2 * 8 * 8 * 1_000_100 * 65, `${held.bytes}`);
  assert.match(held.parts[0]![0], /input sequences 8 × 1000100 × 65 float64, held twice/);
  const short = spectrumMemory({ ...shape, steps: 1100, held: false });
  const long = spectrumMemory({ ...shape, steps: 1_000_100, held: false });
  assert.equal(long.bytes, short.bytes);
  assert.ok(long.bytes < 2 ** 28, `${long.bytes}`);
});
