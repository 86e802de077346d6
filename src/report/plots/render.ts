import type { TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { PLOT_FONT } from './theme.js';

/**
 * Vega and Vega-Lite load on the first render, not with the plots index: they take most of the
 * CLI's start-up time, and the commands that import the index to name the plot kinds draw nothing.
 */
async function loadVega() {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  // A loader that refuses every URL: plots carry their data inline and never reach out.
  const offlineLoader = vega.loader();
  offlineLoader.load = (uri: string) => Promise.reject(new Error(`plots load no external data (asked for ${uri})`));
  return { vega, compile, offlineLoader };
}

let vegaLoading: ReturnType<typeof loadVega> | undefined;

/** A Vega-Lite specification rendered headless to an SVG document (no browser, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile, offlineLoader } = await (vegaLoading ??= loadVega());
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', loader: offlineLoader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

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
