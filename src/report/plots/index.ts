/** Vega-Lite plots of spectra, training runs and sweeps, and their rendering to SVG and PNG. */
export {
  loadPlotSource, plotSpec, spectrumPlot, convergencePlot, trainingPlot, PLOT_KINDS, RUN_PLOT_KINDS,
  type PlotKind, type PlotSource,
} from './plot-source.js';
export { renderSvg, svgToPng, renderPlot, plotFormatOf, type PlotFormat, type PngOptions } from './render.js';
export { sweepViews, sweepPlotSpec, SWEEP_PLOT_KINDS, type SweepView, type SweepPlotKind } from './sweep-views.js';
export { sweepHeatmapSpec, type SweepHeatmapInput } from './sweep-heatmap.js';
export { featureScatterSpec, type FeatureScatterInput } from './sweep-scatter.js';
export { readoutSpec, type ReadoutPlotInput } from './readout-plot.js';
export { projectSpectra, spectraPcaSpec, type SpectraProjection } from './spectra-pca.js';
export { spectrumSpec, type SpectrumPlotInput } from './spectrum-plot.js';
export { convergenceSpec, type ConvergencePlotInput } from './convergence-plot.js';
export { trainingSpec, type TrainingPlotInput, type TrainingPoint } from './training-plot.js';
