import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionError } from '../src/errors.js';
import { henonMap, lorenz63, lyapunovSpectrum } from '../src/lyapunov/index.js';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);

test('the mean of the finite-time exponents is the spectrum of the same run, to 1e-10', () => {
  for (const [name, run] of [
    ['Hénon, B = 3', () => lyapunovSpectrum(henonMap({ batch: 3 }), { transient: 100, steps: 20_000, ftleWindow: 50 })],
    ['Hénon, B = 1, bits', () => lyapunovSpectrum(henonMap(), { transient: 100, steps: 9000, ftleWindow: 300, logBase: 2 })],
    ['Lorenz-63, k = 2, per time unit', () => lyapunovSpectrum(lorenz63({ dt: 0.01, batch: 2 }), { transient: 500, steps: 10_000, k: 2, ftleWindow: 200 })],
  ] as const) {
    const r = run();
    const ftle = r.finiteTime!;
    assert.equal(ftle.count, r.options.batch * (r.options.steps / ftle.window), `${name}: every window counted`);
    r.exponents.forEach((l, i) => close(ftle.mean[i]!, l, 1e-10, `${name}: mean FTLE ${i + 1}`));
    // The quantiles are ordered and bracket the mean; the histogram holds every window.
    for (let i = 0; i < r.exponents.length; i++) {
      const q = ftle.quantiles[i]!;
      for (let j = 1; j < q.length; j++) assert.ok(q[j]! >= q[j - 1]!, `${name}: quantiles ordered`);
      assert.ok(q[0]! <= ftle.mean[i]! && ftle.mean[i]! <= q.at(-1)!, `${name}: the mean within the 1–99% quantiles`);
      assert.equal(ftle.histogram[i]!.counts.reduce((a, b) => a + b, 0) + ftle.infinite[i]!, ftle.count, `${name}: histogram counts`);
    }
  }
});

test('Hénon: the spread of the finite-time exponents shrinks like 1/√W', () => {
  // Central limit theorem for the sums of log R_11 over W steps of a mixing map: std ∝ W^(−1/2).
  const spread = (window: number) =>
    lyapunovSpectrum(henonMap({ batch: 4 }), { transient: 100, steps: 64_000, ftleWindow: window }).finiteTime!.std[0]!;
  const [s50, s200, s800] = [spread(50), spread(200), spread(800)];
  close(s50 / s200, 2, 0.2, 'std(W = 50) / std(W = 200)');
  close(s200 / s800, 2, 0.2, 'std(W = 200) / std(W = 800)');
});

test('with qrEvery > 1 a QR closes every window: the windows are those of a QR every step', () => {
  // log R summed over a window is the log-growth of the k-volume over it, whatever QRs happen
  // inside; an interval running across a window's end would move growth between windows.
  const every1 = lyapunovSpectrum(henonMap({ batch: 2 }), { transient: 99, steps: 3000, ftleWindow: 10 }).finiteTime!;
  const every3 = lyapunovSpectrum(henonMap({ batch: 2 }), { transient: 99, steps: 3000, ftleWindow: 10, qrEvery: 3 }).finiteTime!;
  for (let i = 0; i < 2; i++) {
    close(every3.std[i]!, every1.std[i]!, 1e-10, `std ${i + 1}`);
    every1.quantiles[i]!.forEach((q, j) => close(every3.quantiles[i]![j]!, q, 1e-10, `quantile ${every1.levels[j]} of ${i + 1}`));
  }
});

test('a window that does not divide the steps is refused, naming steps that fit', () => {
  assert.throws(
    () => lyapunovSpectrum(henonMap(), { steps: 1000, ftleWindow: 300 }),
    (e: Error) => e instanceof OptionError && /ftleWindow 300 does not divide steps 1000: give steps 900 or 1200/.test(e.message),
  );
  assert.throws(() => lyapunovSpectrum(henonMap(), { steps: 1000, ftleWindow: 0 }), OptionError);
  assert.equal(lyapunovSpectrum(henonMap(), { steps: 1000 }).finiteTime, undefined, 'none unless asked for');
});

test('a million windows: the statistics hold them all (no spread of the values into a call)', () => {
  const r = lyapunovSpectrum(henonMap({ batch: 2 }), { steps: 500_000, ftleWindow: 1, k: 1 });
  const ftle = r.finiteTime!;
  assert.equal(ftle.count, 1_000_000);
  assert.equal(ftle.histogram[0]!.counts.length, 40);
  assert.equal(ftle.histogram[0]!.counts.reduce((a, b) => a + b, 0), 1_000_000);
  close(ftle.mean[0]!, r.exponents[0]!, 1e-10, 'mean');
});

test('compat vogt2020 has finite-time exponents too: their mean is its spectrum', () => {
  const r = lyapunovSpectrum(henonMap(), { steps: 2000, transient: 50, ftleWindow: 100, compat: 'vogt2020' });
  r.exponents.forEach((l, i) => close(r.finiteTime!.mean[i]!, l, 1e-10, `mean FTLE ${i + 1}`));
});
