import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/index.js';
import { addingTask, copyTask, createTask, xorTask, type Batch, type Task } from '../src/train/index.js';

function argmax(data: Float64Array, from: number, size: number): number {
  let best = 0;
  for (let i = 1; i < size; i++) if (data[from + i]! > data[from + best]!) best = i;
  return best;
}

function concatEval(task: Task, split: 'validation' | 'test', batchSize: number): { inputs: number[]; targets: number[] } {
  const inputs: number[] = [];
  const targets: number[] = [];
  for (const b of task.evalBatches(split, batchSize)) {
    inputs.push(...b.inputs);
    targets.push(...b.targets);
  }
  return { inputs, targets };
}

test('copy task: one-hot inputs, go marker, mask exactly on the recall phase, targets = the remembered symbols', () => {
  const [symbols, length, delay] = [5, 4, 3];
  const task = copyTask({ symbols, length, delay, trainSize: 9 });
  const T = 2 * length + delay;
  assert.deepEqual([task.inputSize, task.outputSize, task.steps, task.loss], [symbols + 2, symbols, T, 'ce-per-step']);
  assert.ok(Math.abs(task.chanceLoss - Math.log(symbols)) < 1e-15);
  const batches = [...task.batches(4, new Rng(3))];
  assert.deepEqual(batches.map((b) => b.batch), [4, 4, 1]);
  for (const b of batches) {
    assert.equal(b.loss, 'ce-per-step');
    if (b.loss !== 'ce-per-step') continue;
    assert.equal(b.inputs.length, b.batch * T * (symbols + 2));
    assert.equal(b.targets.length, b.batch * T);
    assert.ok(b.mask);
    for (let s = 0; s < b.batch; s++) {
      for (let t = 0; t < T; t++) {
        const row = (s * T + t) * (symbols + 2);
        let sum = 0;
        for (let i = 0; i < symbols + 2; i++) sum += b.inputs[row + i]!;
        assert.equal(sum, 1, `one-hot row sequence ${s} step ${t}`);
        const symbol = argmax(b.inputs, row, symbols + 2);
        assert.equal(b.symbols![s * T + t], symbol, 'symbols = one-hot indices');
        const recall = t >= length + delay;
        assert.equal(b.mask[s * T + t], recall ? 1 : 0, `mask at step ${t}`);
        if (t < length) assert.ok(symbol < symbols, 'a symbol in the presentation phase');
        else assert.equal(symbol, t === length + delay - 1 ? symbols + 1 : symbols, `blank or go at step ${t}`);
        if (recall) {
          const shown = argmax(b.inputs, (s * T + t - length - delay) * (symbols + 2), symbols + 2);
          assert.equal(b.targets[s * T + t], shown, `recall target at step ${t}`);
        }
      }
    }
  }
});

test('adding task: two markers, one per half; target = sum of the marked values; constant 1 scores ≈ 1/6', () => {
  const length = 12;
  const task = addingTask({ length, evalSize: 3000 });
  assert.deepEqual([task.inputSize, task.outputSize, task.loss, task.steps], [2, 1, 'mse', length]);
  let squaredError = 0;
  let count = 0;
  for (const b of task.evalBatches('validation', 500)) {
    assert.equal(b.loss, 'mse');
    if (b.loss !== 'mse') continue;
    assert.equal(b.targets.length, b.batch);
    for (let s = 0; s < b.batch; s++) {
      const marked: number[] = [];
      for (let t = 0; t < length; t++) {
        const [value, marker] = [b.inputs[(s * length + t) * 2]!, b.inputs[(s * length + t) * 2 + 1]!];
        assert.ok(value >= 0 && value < 1, 'value in [0, 1)');
        assert.ok(marker === 0 || marker === 1);
        if (marker === 1) marked.push(t);
      }
      assert.equal(marked.length, 2);
      assert.ok(marked[0]! < length / 2 && marked[1]! >= length / 2, `markers ${marked} one in each half`);
      const sum = marked.reduce((acc: number, t: number): number => acc + b.inputs[(s * length + t) * 2]!, 0);
      assert.equal(b.targets[s], sum);
      squaredError += (b.targets[s]! - 1) ** 2;
      count++;
    }
  }
  assert.equal(count, 3000);
  // (u₁ + u₂ − 1)² has mean 1/6 and standard deviation ≈ 0.197: 3000 samples give σ ≈ 0.0036.
  assert.ok(Math.abs(squaredError / count - 1 / 6) < 0.015, `chance MSE ${squaredError / count}`);
  assert.equal(task.chanceLoss, 1 / 6);
});

test('xor task: markers on the first two steps, target = their XOR, classes balanced', () => {
  const delay = 5;
  const task = xorTask({ delay, evalSize: 2000 });
  const T = delay + 2;
  assert.deepEqual([task.inputSize, task.outputSize, task.loss, task.steps], [2, 2, 'ce-last', T]);
  let ones = 0;
  for (const b of task.evalBatches('test', 256)) {
    assert.equal(b.loss, 'ce-last');
    assert.equal(b.targets.length, b.batch);
    for (let s = 0; s < b.batch; s++) {
      const bit = (t: number): number => b.inputs[(s * T + t) * 2]!;
      const marker = (t: number): number => b.inputs[(s * T + t) * 2 + 1]!;
      for (let t = 0; t < T; t++) {
        assert.ok(bit(t) === 0 || bit(t) === 1);
        assert.equal(marker(t), t < 2 ? 1 : 0);
      }
      assert.equal(b.targets[s], bit(0) === bit(1) ? 0 : 1);
      ones += b.targets[s]!;
    }
  }
  assert.ok(Math.abs(ones / 2000 - 0.5) < 0.05, `share of class 1: ${ones / 2000}`);
});

test('synthetic tasks: seeded epochs reproduce; eval sets fixed, independent of batch size, validation ≠ test', () => {
  for (const task of [copyTask({ trainSize: 50, evalSize: 40 }), addingTask({ trainSize: 50, evalSize: 40 }), xorTask({ trainSize: 50, evalSize: 40 })]) {
    const epoch = (seed: number) => [...task.batches(16, new Rng(seed))].flatMap((b: Batch) => [...b.inputs, ...b.targets]);
    assert.deepEqual(epoch(11), epoch(11), `${task.name}: same seed, same epoch`);
    assert.notDeepEqual(epoch(11), epoch(12), `${task.name}: another seed, another epoch`);
    const validation = concatEval(task, 'validation', 7);
    assert.deepEqual(concatEval(task, 'validation', 40), validation, `${task.name}: validation set independent of batch size`);
    assert.notDeepEqual(concatEval(task, 'test', 7).inputs, validation.inputs, `${task.name}: test differs from validation`);
    const otherSeed = createTask({ ...task.describe().spec, seed: 1 });
    assert.notDeepEqual(concatEval(otherSeed, 'validation', 40).inputs, validation.inputs, `${task.name}: seed option changes the eval set`);
  }
});

test('synthetic spectrum inputs: requested shape, episodes joined end to end', () => {
  const task = copyTask({ symbols: 3, length: 2, delay: 2 });
  const steps = 15; // 2.5 episodes of 6 steps
  const inputs = task.spectrumInputs(3, steps, new Rng(5));
  assert.deepEqual([inputs.batch, inputs.steps, inputs.size, inputs.data.length], [3, steps, 5, 3 * steps * 5]);
  for (let s = 0; s < 3; s++) {
    for (let t = 0; t < steps; t++) {
      const symbol = argmax(inputs.data, (s * steps + t) * 5, 5);
      const phase = t % task.steps;
      assert.ok(phase < 2 ? symbol < 3 : symbol === (phase === 3 ? 4 : 3), `step ${t} of sequence ${s}`);
    }
  }
});

test('createTask rebuilds a synthetic task from its description and rejects bad specs by name', () => {
  const task = copyTask({ symbols: 6, length: 3, delay: 9, trainSize: 100, seed: 4 });
  const again = createTask(JSON.parse(JSON.stringify(task.describe().spec)));
  assert.deepEqual(again.describe(), task.describe());
  assert.deepEqual(concatEval(again, 'validation', 10), concatEval(task, 'validation', 10));
  assert.throws(() => createTask({ name: 'copy', lenght: 3 }), /unknown option 'lenght'/);
  assert.throws(() => createTask({ name: 'adding', length: 2.5 }), /option 'length' is 2.5, expected integer/);
  assert.throws(() => createTask({ name: 'sort' }), /field 'name' is "sort"/);
  assert.throws(() => copyTask({ delay: 0 }), /copy.delay is 0, expected an integer ≥ 1/);
  assert.throws(() => [...addingTask().batches(0, new Rng(1))], /batch size is 0/);
});
