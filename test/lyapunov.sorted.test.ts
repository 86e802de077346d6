import { test } from 'node:test';
import assert from 'node:assert/strict';
import { henonMap, lorenz63, spectrumFromSums, spectrumSums, type SpectrumSums } from '../src/lyapunov/index.js';

/** The same sums with the QR columns of every trajectory (and every trace point and segment) reversed. */
function reversedColumns(sums: SpectrumSums): SpectrumSums {
  const { batch, k } = sums.options;
  const reverse = (a: Float64Array, rows: number) => {
    const out = new Float64Array(a.length);
    for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) out[r * k + i] = a[r * k + (k - 1 - i)]!;
    return out;
  };
  return {
    ...sums,
    logSums: reverse(sums.logSums, batch),
    segmentSums: reverse(sums.segmentSums, sums.segmentSums.length / k),
    trace: { steps: sums.trace.steps, logSums: sums.trace.logSums.map((row) => reverse(row, batch)) },
  };
}

test('exponents come out sorted, and each carries its own spread, per-sequence values and trace', () => {
  const sums = spectrumSums(lorenz63({ dt: 0.01, batch: 3 }), { transient: 500, steps: 3000, tracePoints: 5 });
  const inOrder = spectrumFromSums(sums);
  assert.deepEqual(inOrder.columnOrder, [0, 1, 2]);
  const fromReversed = spectrumFromSums(reversedColumns(sums));
  assert.deepEqual(fromReversed.columnOrder, [2, 1, 0]);
  for (let i = 1; i < 3; i++) assert.ok(fromReversed.exponents[i - 1]! >= fromReversed.exponents[i]!, `λ${i} ≥ λ${i + 1}`);
  assert.deepEqual(fromReversed.exponents, inOrder.exponents);
  assert.deepEqual(fromReversed.std, inOrder.std);
  assert.deepEqual(fromReversed.stderr, inOrder.stderr);
  assert.deepEqual(fromReversed.perSequence, inOrder.perSequence);
  assert.deepEqual(fromReversed.trace, inOrder.trace);
  assert.equal(fromReversed.kaplanYorke, inOrder.kaplanYorke);
  assert.ok(fromReversed.kaplanYorke > 2 && fromReversed.kaplanYorke < 2.1, `Lorenz D_KY ≈ 2.06: ${fromReversed.kaplanYorke}`);
});

test('one trajectory (batch means for the stderr) sorts its segment statistics with its exponents', () => {
  const sums = spectrumSums(henonMap({ batch: 1 }), { transient: 100, steps: 4000 });
  const inOrder = spectrumFromSums(sums);
  const fromReversed = spectrumFromSums(reversedColumns(sums));
  assert.equal(fromReversed.stderrMethod, 'batch-means');
  assert.deepEqual(fromReversed.exponents, inOrder.exponents);
  assert.deepEqual(fromReversed.stderr, inOrder.stderr);
});

test('compat mode keeps the column order of the authors\' code', () => {
  const sums = spectrumSums(henonMap({ batch: 2 }), { transient: 100, steps: 2000, compat: 'vogt2020' });
  const reversed = spectrumFromSums(reversedColumns(sums));
  assert.deepEqual(reversed.columnOrder, [0, 1]);
  assert.ok(reversed.exponents[0]! < reversed.exponents[1]!, 'left as the columns came');
});
