/**
 * The browser page (`npm run build` writes it to dist/web, scripts/build-web.mjs), served by the
 * dashboard at /app/: the same files a user opens from file://, with the page's own policy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../linalg/package-root.js';

/** The page's files by URL name under /app/ ('' is the page), with their types. */
export const WEB_APP_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};

export function defaultWebAppDirectory(): string {
  return join(packageRoot(), 'dist', 'web');
}

/** A file of the page built in `dir`, or undefined when the page was not built. */
export function readWebAppFile(dir: string, file: string): Buffer | undefined {
  const path = join(dir, file);
  return existsSync(path) ? readFileSync(path) : undefined;
}

/** The Content-Security-Policy the page declares in its meta tag: sent as the header too, so that the dashboard's own does not narrow it. */
export function webAppPolicy(page: Buffer): string | undefined {
  return /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page.toString('utf8'))?.[1];
}
