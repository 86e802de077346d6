import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionError } from '../src/errors.js';
import { loadRnnModel } from '../src/io/index.js';
import { henonMap, lyapunovSpectrum, untilConverged } from '../src/lyapunov/index.js';
import { modelSpectrum, modelSpectrumUntilConverged, randomDrive, SpectrumInputError } from '../src/model-spectrum/index.js';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);

/** The Hénon map's exponents (a = 1.4, b = 0.3): λ1 from the literature (Sprott, Chaos and Time-Series Analysis, 2003), λ1 + λ2 = ln 0.3. */
const HENON = [0.41922, Math.log(0.3) - 0.41922];

test('untilConverged stops once each stderr is below the tolerance; a longer fixed run confirms the exponents', () => {
  for (const batch of [1, 6]) {
    const tolerance = 2e-3;
    const seen: number[] = [];
    const r = untilConverged(henonMap({ batch }), { tolerance, transient: 100, steps: 500, onBlock: (steps) => seen.push(steps) });
    const c = r.convergence;
    assert.equal(c.converged, true, `B = ${batch}: converged`);
    assert.equal(r.stderrMethod, batch > 1 ? 'sequences' : 'batch-means');
    assert.ok(Math.max(...r.stderr) < tolerance, `B = ${batch}: stderr ${r.stderr} below ${tolerance}`);
    // Blocks double from the first; the one before the last had not converged.
    assert.deepEqual(seen, seen.map((_, j) => 500 * 2 ** j));
    assert.equal(c.steps, seen.at(-1));
    assert.equal(r.options.steps, c.steps);
    if (c.blocks.length > 1) assert.ok(c.blocks.at(-2)!.worstStderr >= tolerance, 'it did not run on after converging');
    // The convergence trace spans the whole run, ending at its last step.
    const traced = r.trace.steps;
    assert.ok(traced.every((s, j) => j === 0 || s > traced[j - 1]!) && traced.at(-1) === c.steps, `trace steps ${traced.slice(-3)}`);
    r.exponents.forEach((l, i) => close(r.trace.exponents.at(-1)![i]!, l, 1e-12, `trace's last λ${i + 1}`));
    // The same run as a fixed one of that length, and a 4× longer independent run within 3 stderr of tolerance.
    const fixed = lyapunovSpectrum(henonMap({ batch }), { transient: 100, steps: c.steps });
    fixed.exponents.forEach((l, i) => close(r.exponents[i]!, l, 1e-12, `B = ${batch}: λ${i + 1} against the fixed run`));
    fixed.stderr.forEach((s, i) => close(r.stderr[i]!, s, 1e-12, `B = ${batch}: stderr ${i + 1} against the fixed run`));
    const longer = lyapunovSpectrum(henonMap({ batch, seed: 99 }), { transient: 100, steps: 4 * c.steps });
    longer.exponents.forEach((l, i) => close(r.exponents[i]!, l, 3 * tolerance, `B = ${batch}: λ${i + 1} against a 4× longer run`));
    HENON.forEach((l, i) => close(r.exponents[i]!, l, 3 * tolerance, `B = ${batch}: λ${i + 1} against the literature`));
  }
});

test('untilConverged stops unconverged at maxSteps, and refuses a bad tolerance', () => {
  const r = untilConverged(henonMap(), { tolerance: 1e-6, steps: 1000, maxSteps: 5000 });
  assert.equal(r.convergence.converged, false);
  assert.equal(r.convergence.steps, 4000, 'the last doubling that fits in maxSteps');
  assert.ok(r.convergence.worstStderr >= 1e-6);
  assert.throws(() => untilConverged(henonMap(), { tolerance: 0 }), OptionError);
  assert.throws(() => untilConverged(henonMap(), { tolerance: 1e-3, steps: 2000, maxSteps: 1000 }), OptionError);
});

test('untilConverged keeps the finite-time windows of the whole run', () => {
  const r = untilConverged(henonMap({ batch: 2 }), { tolerance: 5e-3, steps: 400, ftleWindow: 40 });
  assert.equal(r.finiteTime!.count, 2 * (r.convergence.steps / 40));
  r.exponents.forEach((l, i) => close(r.finiteTime!.mean[i]!, l, 1e-10, `mean FTLE ${i + 1}`));
});

test('modelSpectrumUntilConverged goes at most as far as the inputs reach, and refuses a maxSteps beyond them', () => {
  const model = loadRnnModel(new URL('fixtures/torch/lstm_l2_bias_h3.model.safetensors', import.meta.url).pathname);
  const inputs = randomDrive('gaussian', 2, 1100, 3, 1);
  const r = modelSpectrumUntilConverged(model, inputs, { tolerance: 1e-9, transient: 100, steps: 250, k: 2 });
  assert.deepEqual([r.convergence.converged, r.convergence.steps, r.convergence.maxSteps], [false, 1000, 1000]);
  const fixed = modelSpectrum(model, inputs, { transient: 100, steps: 1000, k: 2 });
  fixed.exponents.forEach((l, i) => close(r.exponents[i]!, l, 1e-12, `λ${i + 1} against the fixed run`));
  assert.throws(() => modelSpectrumUntilConverged(model, inputs, { tolerance: 1e-3, transient: 100, maxSteps: 5000 }),
    (e) => e instanceof SpectrumInputError && /1100 steps per sequence, fewer than transient \+ steps = 100 \+ 5000/.test((e as Error).message));
});
