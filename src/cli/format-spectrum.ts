import { listTensors, type ModelSource } from '../io/index.js';
import type { ConvergedSpectrum, FiniteTimeExponents, SpectrumResult } from '../lyapunov/index.js';
import { describeModel, type ModelDescription } from '../model-spectrum/index.js';

/**
 * The human-readable summary of a spectrum: the model and the tensors it was read from (`model`,
 * when known), what drove it (`source`), the leading and trailing exponents and derived figures.
 */
export function formatSpectrum(r: SpectrumResult & { model?: ModelDescription; convergence?: ConvergedSpectrum['convergence'] }, source: string, model?: ModelSource): string {
  const o = r.options;
  const lines: string[] = [];
  if (r.model !== undefined) lines.push(describeModel(r.model));
  if (model !== undefined) lines.push(...sourceLines(model));
  // compat vogt2020's warm-up is not a transient before the averaged steps: it re-feeds their first inputs.
  const before = o.compat === 'vogt2020' ? `a ${o.transient}-step warm-up re-fed from input 0` : `${o.transient} transient`;
  lines.push(`driven by ${source}: ${o.batch} sequence${o.batch > 1 ? 's' : ''} × ${o.steps} steps after ${before} · k = ${o.k} · ${r.units}`);
  lines.push('');
  lines.push('   i        λ_i        std     stderr');
  const shown = o.k <= 12 ? [...Array(o.k).keys()] : [...Array(8).keys(), -1, o.k - 3, o.k - 2, o.k - 1];
  for (const i of shown) {
    if (i < 0) {
      lines.push('   …');
      continue;
    }
    lines.push(`${String(i + 1).padStart(4)} ${fmt(r.exponents[i]!)} ${fmt(r.std[i]!)} ${fmt(r.stderr[i]!)}`);
  }
  lines.push('');
  const mean = r.exponents.reduce((s, l) => s + l, 0) / r.exponents.length;
  lines.push(`mean exponent       ${fmt(mean).trim()}`);
  lines.push(`Kaplan–Yorke dim    ${r.kaplanYorkeIsLowerBound ? '≥ ' : ''}${r.kaplanYorke.toFixed(3)}`);
  lines.push(`entropy rate        ${fmt(r.entropy).trim()} ${r.units}`);
  if (r.sumRuleResidual !== null) lines.push(`sum-rule residual   ${r.sumRuleResidual.toExponential(2)}`);
  const moved = convergence(r);
  lines.push(Number.isFinite(moved)
    ? `convergence         λ1 moved ${moved.toExponential(2)} over the last 10% of steps`
    : 'convergence         λ1 became −∞ over the last 10% of steps (a direction annihilated there)');
  const threads = o.threads === undefined ? '' : ` · ${o.threads} thread${o.threads > 1 ? 's' : ''}`;
  const basis = o.basis === 'reflectors' ? ' · basis kept as reflectors' : '';
  lines.push(`computed with       ${o.backend} kernels${threads} · ${r.qrCount} QRs${basis}`);
  if (o.qrEvery > 1 || r.qrGuardFired > 0) {
    const redone = r.qrRedone > 0 ? `, redoing ${r.qrRedone} interval${r.qrRedone > 1 ? 's' : ''} that ${r.qrRedone > 1 ? 'were' : 'was'} too long` : '';
    lines.push(`${`qr every ${o.qrEvery}`.padEnd(20)}the conditioning guard halved the interval ${r.qrGuardFired}×${redone}; it ended at ${r.finalQrEvery}`);
  }
  if (r.convergence !== undefined) lines.push(convergenceLine(r.convergence));
  if (r.finiteTime !== undefined) lines.push('', ...finiteTimeLines(r.finiteTime, shown, o.batch));
  return lines.join('\n');
}

function convergenceLine(c: ConvergedSpectrum['convergence']): string {
  const worst = c.worstStderr.toExponential(2);
  return c.converged
    ? `converged           after ${c.steps} steps: worst stderr ${worst} < ${c.tolerance}`
    : `NOT converged       after ${c.steps} steps (doubling again would pass the most allowed, ${c.maxSteps}): worst stderr ${worst} ≥ ${c.tolerance}`;
}

/** The finite-time exponents' mean, spread and quantiles, exponent by exponent (the rows `shown`). */
function finiteTimeLines(f: FiniteTimeExponents, shown: number[], batch: number): string[] {
  const at = (level: number) => f.levels.indexOf(level);
  const lines = [
    `finite-time exponents over windows of ${f.window} steps (${batch} sequence${batch > 1 ? 's' : ''} × ${f.windowsPerSequence} windows)`,
    '   i       mean        std         5%        50%        95%',
  ];
  for (const i of shown) {
    if (i < 0) {
      lines.push('   …');
      continue;
    }
    const q = f.quantiles[i]!;
    lines.push(`${String(i + 1).padStart(4)} ${[f.mean[i]!, f.std[i]!, q[at(0.05)]!, q[at(0.5)]!, q[at(0.95)]!].map((x) => fmt(x)).join(' ')}`);
  }
  return lines;
}

function fmt(x: number): string {
  return x.toFixed(5).padStart(10);
}

/** |λ1(T) − λ1(0.9 T)| from the running-mean trace; Infinity when λ1 became −∞ in between. */
function convergence(r: SpectrumResult): number {
  const { steps, exponents } = r.trace;
  const last = steps.length - 1;
  const target = 0.9 * steps[last]!;
  let j = last;
  while (j > 0 && steps[j]! > target) j--;
  const [now, before] = [exponents[last]![0]!, exponents[j]![0]!];
  // −∞ at both points (every direction annihilated from the start) did not move: not NaN.
  return now === before ? 0 : Math.abs(now - before);
}

/** Which file and tensors the model came from, and which of the file's tensors were left aside. */
function sourceLines({ file, prefix, embedding, used, ignored }: ModelSource): string[] {
  const rnn = used.filter((tensor) => tensor.name !== embedding);
  const through = used.find((tensor) => tensor.name === embedding);
  return [
    `from ${file}${prefix === '' ? '' : ` (prefix '${prefix}')`}: ${listTensors(rnn)}`,
    ...(through ? [`embedding ${listTensors([through])} turns token ids into the inputs`] : []),
    ...(ignored.length > 0 ? [`ignored ${listTensors(ignored)}`] : []),
  ];
}
