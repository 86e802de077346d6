import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from './svg.js';
import { Resvg } from '@resvg/resvg-js';
import { PLOT_FONT } from './theme.js';

export interface PngOptions {
  /** Pixels per SVG unit. Default 2 (a sharp image on high-density screens and in print). */
  scale?: number;
}

/** An SVG document rasterised to PNG bytes with the system's fonts (DejaVu Sans by default). */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) throw new RangeError(`PNG scale must be in (0, 16], got ${scale}`);
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: PLOT_FONT, sansSerifFamily: PLOT_FONT },
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
  });
  return resvg.render().asPng();
}

export type PlotFormat = 'svg' | 'png';

/** The output format a file name asks for, from its extension; undefined for any other. */
export function plotFormatOf(path: string): PlotFormat | undefined {
  const match = /\.(svg|png)$/i.exec(path);
  return match ? (match[1]!.toLowerCase() as PlotFormat) : undefined;
}

/** A plot as the bytes of an SVG or PNG file. */
export async function renderPlot(spec: TopLevelSpec, format: PlotFormat, options: PngOptions = {}): Promise<Uint8Array> {
  const svg = await renderSvg(spec);
  return format === 'svg' ? new TextEncoder().encode(svg) : svgToPng(svg, options);
}
