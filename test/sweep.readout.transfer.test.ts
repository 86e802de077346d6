/**
 * Transfer across cells and sizes: the size-free spectrum axis puts the same fraction of every
 * network's spectrum side by side, and a relation planted on that axis carries from the sizes a
 * readout was fitted on to a size it never saw, where hyperparameters (drawn independently of it)
 * carry nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/index.js';
import { runTransfer, sizeFreeSpectrum, type ReadoutRow } from '../src/sweep/index.js';

test('the size-free axis: a spectrum that is one curve of i/n reads the same at every state dimension', () => {
  const curve = (x: number) => 0.2 - 3 * x;
  const fraction = 0.125;
  // 4 bins: their middles fall on exponents of n = 32 and between exponents of n = 256.
  const expected = Array.from({ length: 4 }, (_, j) => curve(((j + 0.5) / 4) * fraction));
  for (const n of [32, 64, 256]) {
    const exponents = Array.from({ length: fraction * n }, (_, i) => curve((i + 0.5) / n));
    const resampled = sizeFreeSpectrum(exponents, n, fraction, 4);
    resampled.forEach((v, j) => assert.ok(Math.abs(v - expected[j]) < 1e-12, `n ${n} bin ${j}: ${v} vs ${expected[j]}`));
  }
  // Beyond the exponents at hand the ends are held flat, not extrapolated.
  assert.deepEqual(sizeFreeSpectrum([-1, -2], 4, 0.5, 4), [-1, -1.25, -1.75, -2]);
});

/**
 * Rows of two cells at three sizes (state dimension n = hidden, k = 16 exponents): the spectrum
 * is λ(x) = a − b·x on x = (i + ½)/n with a random offset a, and the final loss is 1 + 0.5·b, so
 * only the slope on the size-free axis tells it; on the index axis the slope is b/n, which
 * differs by size. Learning rate and init scale are drawn independently.
 */
function plantedRows(seed = 7): ReadoutRow[] {
  const rng = new Rng(seed);
  const rows: ReadoutRow[] = [];
  for (const cell of ['lstm', 'gru']) for (const hidden of [32, 64, 128]) for (let r = 0; r < 25; r++) {
    const [a, b] = [0.3 * rng.normal(), rng.range(0.5, 3)];
    const exponents = Array.from({ length: 16 }, (_, i) => a - b * ((i + 0.5) / hidden) + 0.001 * rng.normal());
    rows.push({
      id: `${cell}-${hidden}-${r}`,
      params: { cell, hidden, init: `uniform:${10 ** rng.range(-1.4, 0.5)}`, lr: 10 ** rng.range(-3.3, -2) },
      stateDimension: hidden,
      exponents,
      earlyLoss: rng.range(2, 3),
      finalLoss: 1 + 0.5 * b + 0.02 * rng.normal(),
    });
  }
  return rows;
}

test('transfer: LSTM ↔ GRU and each size from the other two; the planted size-free relation carries, hyperparameters do not', () => {
  const { splits, note } = runTransfer(plantedRows());
  assert.equal(note, undefined);
  assert.deepEqual(splits.map((s) => [s.name, s.across, s.nTrain, s.nTest]), [
    ['gru → lstm', 'cell', 75, 75],
    ['lstm → gru', 'cell', 75, 75],
    ['hidden 64, 128 → 32', 'hidden', 100, 50],
    ['hidden 32, 128 → 64', 'hidden', 100, 50],
    ['hidden 32, 64 → 128', 'hidden', 100, 50],
  ]);
  // Every network has its top 16 of n exponents: the common fraction is 16/128.
  for (const split of splits) assert.equal(split.fraction, 16 / 128);
  for (const split of splits) {
    const score = (name: string) => split.scores.find((s) => s.features === name)!;
    const spectrum = score('spectrum (resampled)');
    assert.ok(spectrum.r2 > 0.8 && spectrum.spearman > 0.9, `${split.name}: the spectrum transfers: ${JSON.stringify(spectrum)}`);
    for (const name of ['hyperparameters', 'hyperparameters quadratic', 'early loss']) {
      assert.ok(score(name).r2 < 0.05, `${split.name}: ${name} has nothing to transfer: ${JSON.stringify(score(name))}`);
    }
  }
});

test('on the raw index axis the same relation does not carry across sizes: the size-free axis is what transfers', () => {
  // Claim each network's state is 128-dimensional: the axis is then the raw index for all.
  const raw = plantedRows().map((row) => ({ ...row, stateDimension: 128 }));
  const toLarge = runTransfer(raw).splits.find((s) => s.name === 'hidden 32, 64 → 128')!;
  const spectrum = toLarge.scores.find((s) => s.features === 'spectrum (resampled)')!;
  assert.ok(spectrum.r2 < 0.5, `without the size-free axis the fit on sizes 32 and 64 misreads size 128: ${JSON.stringify(spectrum)}`);
});

test('no transfer without a cell or size to hold out, or without state dimensions', () => {
  const one = plantedRows().filter((row) => row.params.cell === 'lstm' && row.params.hidden === 64);
  assert.match(runTransfer(one).note!, /varies neither the cell nor the hidden size/);
  const unsized = plantedRows().map(({ stateDimension: _n, ...row }) => row);
  assert.match(runTransfer(unsized).note!, /do not record the dimension of their state/);
});
