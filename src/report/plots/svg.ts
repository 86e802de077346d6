import type { TopLevelSpec } from 'vega-lite';

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
