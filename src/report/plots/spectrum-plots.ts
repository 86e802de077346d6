/**
 * The plots of one spectrum result: the spectrum and its convergence, as the report, `plot` and
 * the browser page (src/web) draw them. No file system here, so the browser bundle takes them.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ReportInputError } from '../errors.js';
import { describeModel } from '../../model-spectrum/description.js';
import type { SpectrumData } from '../data/spectrum-data.js';
import { spectrumSpec } from './spectrum-plot.js';
import { convergenceSpec } from './convergence-plot.js';

export function spectrumPlot(spectrum: SpectrumData, epoch?: number): TopLevelSpec {
  return spectrumSpec({
    exponents: spectrum.exponents, units: spectrum.units,
    ...(spectrum.std ? { std: spectrum.std } : {}),
    ...(spectrum.batch !== undefined ? { batch: spectrum.batch } : {}),
    ...(spectrum.model ? { note: describeSpectrumModel(spectrum.model) } : {}),
    ...(epoch !== undefined ? { title: `Lyapunov spectrum after epoch ${epoch}` } : {}),
  });
}

/** The model of a spectrum in one line, parts joined by ', ' (the CLI's table joins them by ' · '). */
export function describeSpectrumModel(model: Record<string, unknown>): string {
  return describeModel(model, ', ');
}

export function convergencePlot(spectrum: SpectrumData, where: string, epoch?: number): TopLevelSpec {
  if (!spectrum.trace || spectrum.trace.steps.length === 0) throw new ReportInputError(`${where}: the spectrum has no convergence trace`);
  return convergenceSpec({
    trace: spectrum.trace, units: spectrum.units,
    ...(epoch !== undefined ? { title: `Convergence of the leading exponents, epoch ${epoch}` } : {}),
  });
}
