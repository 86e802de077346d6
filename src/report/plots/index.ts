/** Vega-Lite plots of spectra, training runs and sweeps, and their rendering to SVG and PNG. */
export { loadPlotSource, plotSpec, ftlePlot, trainingPlot, PLOT_KINDS, type PlotKind } from './plot-source.js';
export { spectrumPlot, convergencePlot } from './spectrum-plots.js';
export { svgToPng, renderPlot, plotFormatOf } from './render.js';
export { renderSvg } from './svg.js';
export { sweepHeatmapSpec } from './sweep-heatmap.js';
export { featureScatterSpec } from './sweep-scatter.js';
export { readoutSpec } from './readout-plot.js';
export { projectSpectra, spectraPcaSpec } from './spectra-pca.js';
export { pruneSpec, type PrunePoint, type PrunePlotInput } from './prune-plot.js';
