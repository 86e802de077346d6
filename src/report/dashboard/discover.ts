import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isRunDirectory } from '../data/run-data.js';
import { isSweepDirectory } from '../data/sweep-dir-data.js';

export interface Found {
  /** Path relative to the runs directory, with '/' separators. */
  name: string;
  kind: 'run' | 'sweep';
  /** Last change of the directory's logs, for ordering (newest first). */
  modified: number;
}

/**
 * Runs and sweeps under `root`, newest first: directories with a run's config.json or a
 * sweep's sweep.json, looked for `depth` levels down (a sweep's runs sit at sweep/runs/<id>;
 * they are listed on the sweep's page, not here). Symbolic links are not followed.
 */
export function discover(root: string, depth = 3): Found[] {
  const found: Found[] = [];
  const visit = (dir: string, level: number) => {
    const name = relative(root, dir).split('\\').join('/');
    if (name !== '' && isRunDirectory(dir)) {
      found.push({ name, kind: 'run', modified: newest(dir, ['metrics.jsonl', 'spectra.jsonl', 'config.json']) });
      return;
    }
    if (name !== '' && isSweepDirectory(dir)) {
      found.push({ name, kind: 'sweep', modified: newest(dir, ['index.sqlite-wal', 'index.sqlite', 'sweep.json']) });
      return;
    }
    if (level >= depth) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) visit(join(dir, entry.name), level + 1);
    }
  };
  visit(root, 0);
  return found.sort((a, b) => b.modified - a.modified || a.name.localeCompare(b.name));
}

function newest(dir: string, files: string[]): number {
  let latest = 0;
  for (const file of files) {
    try {
      latest = Math.max(latest, statSync(join(dir, file)).mtimeMs);
    } catch {
      // absent: does not count
    }
  }
  return latest;
}
