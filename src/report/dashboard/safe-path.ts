import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export type Resolved = { ok: true; path: string } | { ok: false; status: 403 | 404 };

/**
 * The file a request names under `root`, or why it may not be served. The name is taken
 * after URL decoding: absolute paths, '.' and '..' segments, backslashes and NUL are refused
 * (403); the real path (symbolic links followed) must lie inside the real root (else 403);
 * a name that does not exist is 404.
 */
export function resolveInside(root: string, name: string): Resolved {
  if (name.includes('\0') || name.includes('\\') || isAbsolute(name)) return { ok: false, status: 403 };
  const segments = name.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return { ok: false, status: 403 };
  const realRoot = realpathSync(root);
  const candidate = join(realRoot, ...segments);
  if (!existsSync(candidate)) return { ok: false, status: 404 };
  const real = realpathSync(candidate);
  const rel = relative(realRoot, real);
  if (rel === '' ) return { ok: true, path: real };
  if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return { ok: false, status: 403 };
  return { ok: true, path: real };
}
