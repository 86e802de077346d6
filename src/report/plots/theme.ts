import type { Config } from 'vega-lite';

/** The font every plot names; resvg resolves it from the system (Debian: fonts-dejavu-core). */
export const PLOT_FONT = 'DejaVu Sans';

/** Size of one panel in CSS pixels (PNG output is rendered at a higher zoom). */
export const PANEL = { width: 460, height: 280 } as const;

/**
 * Publication defaults: one readable font, axis titles that carry units, no frame around the
 * view, faint grid lines only on the value axis, a colour-blind-safe categorical palette.
 */
export const plotConfig: Config = {
  font: PLOT_FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  title: { fontSize: 15, fontWeight: 'normal', anchor: 'start', subtitleFontSize: 12, subtitleColor: '#555', offset: 10 },
  axis: {
    labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', titlePadding: 8,
    domainColor: '#333', tickColor: '#333', labelColor: '#222', titleColor: '#111', gridColor: '#e6e6e6',
  },
  axisX: { grid: false },
  axisY: { grid: true },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', orient: 'right', titleLimit: 240, labelLimit: 240 },
  range: { category: { scheme: 'tableau10' } },
  line: { strokeWidth: 2 },
};

/** What every spec starts with: the Vega-Lite schema and the shared configuration. */
export const SPEC_BASE = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: plotConfig } as const;

/** SPEC_BASE for a single panel of the standard size. */
export const PANEL_SPEC = { ...SPEC_BASE, width: PANEL.width, height: PANEL.height } as const;
