/**
 * Opening a sweep directory: the spec it was started with (sweep.json), its runs, and its
 * index. Starting a sweep again with the same spec finds everything where it was left; a
 * different spec in the same directory is refused.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { contentHash } from '../spec/canonical-json.js';
import { SweepError } from '../errors.js';
import { expandSweep, type ResolvedRun } from '../spec/expand.js';
import { sweepLayout, type SweepLayout } from './layout.js';
import { RunIndex } from './run-index.js';
import { parseSweepSpec, type SweepSpec } from '../spec/spec.js';

interface SweepFile {
  format: 'rnn-lyapunov.sweep';
  version: 1;
  key: string;
  createdAt: string;
  spec: SweepSpec;
}

/** A sweep directory without its index: what workers need, who write only the run directories. */
export interface SweepFiles {
  layout: SweepLayout;
  spec: SweepSpec;
  /** Hash of the spec. */
  key: string;
  runs: ResolvedRun[];
}

/** A sweep directory with its index, opened by the one process that writes the index (the sweep, or `sweep status`). */
export interface OpenSweep extends SweepFiles {
  index: RunIndex;
}

/** Creates the sweep directory for `spec` (checked, with every run's config, by `parseSweepSpec`), or opens it when it was created with the same spec. */
export function createSweep(dir: string, spec: SweepSpec): OpenSweep {
  const layout = sweepLayout(dir);
  let key = contentHash(spec);
  if (existsSync(layout.specFile)) {
    const stored = readSweepFile(layout);
    // Compared as parsed, so a spec stored with deprecated key spellings (run_cap) is the same sweep; the directory keeps its key.
    if (contentHash(stored.spec) !== key) {
      throw new SweepError(`${layout.root} holds a different sweep (spec ${stored.key}, this one ${key}): use a new --out directory`);
    }
    key = stored.key;
  } else {
    if (existsSync(layout.root) && !existsSync(layout.indexFile) && readdirNonEmpty(layout.root)) {
      throw new SweepError(`${layout.root} exists and is not a sweep directory: use a new --out directory`);
    }
    mkdirSync(layout.root, { recursive: true });
    const file: SweepFile = { format: 'rnn-lyapunov.sweep', version: 1, key, createdAt: new Date().toISOString(), spec };
    writeFileAtomic(layout.specFile, Buffer.from(`${JSON.stringify(file, null, 2)}\n`));
  }
  const files = { layout, spec, key, runs: expandSweep(spec) };
  return { ...files, index: openIndex(files) };
}

/** Opens an existing sweep directory and its index. */
export function openSweep(dir: string): OpenSweep {
  const files = readSweep(dir);
  return { ...files, index: openIndex(files) };
}

/** Reads an existing sweep directory's spec and runs, without touching its index. */
export function readSweep(dir: string): SweepFiles {
  const layout = sweepLayout(dir);
  if (!existsSync(layout.specFile)) throw new SweepError(`${layout.root} is not a sweep directory (no sweep.json)`);
  const stored = readSweepFile(layout);
  return { layout, spec: stored.spec, key: stored.key, runs: expandSweep(stored.spec) };
}

/** The sweep's index, with every run of the sweep in it. */
export function openIndex(sweep: SweepFiles): RunIndex {
  const index = new RunIndex(sweep.layout.indexFile, sweep.layout.root);
  index.addRuns(sweep.runs);
  return index;
}

function readSweepFile(layout: SweepLayout): SweepFile {
  let file: SweepFile;
  try {
    file = JSON.parse(readFileSync(layout.specFile, 'utf8')) as SweepFile;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new SweepError(`${layout.specFile} is corrupt (${error.message}); it holds the sweep's spec: remove it and start the sweep ` +
      `again with the spec it was started with (npx rnn-lyapunov sweep SPEC --out ${layout.root}); the run directories are kept`);
  }
  if (file?.format !== 'rnn-lyapunov.sweep' || file.version !== 1) throw new SweepError(`${layout.specFile}: not a sweep file of this version`);
  return { ...file, spec: parseSweepSpec(file.spec, layout.specFile, { structureOnly: true }) };
}

function readdirNonEmpty(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
