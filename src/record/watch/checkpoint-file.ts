/**
 * The checkpoint files of a watched directory: which there are, in which order they were saved,
 * and what a file says about its training (epoch, step, losses) besides its weights.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isTemporaryName } from '../../io/atomic-write.js';

/** A checkpoint file as seen by one look at the directory. */
export interface CheckpointFile {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** The files of `dir` whose names `matches` accepts (plain files; temporary files of atomic writers left out). */
export function listCheckpointFiles(dir: string, matches: (name: string) => boolean): CheckpointFile[] {
  const files: CheckpointFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!matches(entry.name) || isTemporaryName(entry.name)) continue;
    const path = join(dir, entry.name);
    const stat = statSync(path, { throwIfNoEntry: false }); // gone since the listing: not a checkpoint any more
    if (stat?.isFile()) files.push({ name: entry.name, path, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return files;
}

/**
 * The number a checkpoint's name gives it: the one after 'epoch' (epoch_0003.pt, epoch=3-step=120.ckpt),
 * else the last number in the name without its extension (ckpt-12.safetensors); undefined when there is none.
 */
export function numberInName(name: string): number | undefined {
  const stem = name.replace(/\.[^.]*$/, '');
  const digits = /epoch[^0-9a-z]?(\d+)/i.exec(stem)?.[1] ?? /(\d+)\D*$/.exec(stem)?.[1];
  const n = digits === undefined ? NaN : Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The order checkpoints were saved in: numbered names by their number, before names without one,
 * which go by modification time; the name breaks ties.
 */
export function checkpointOrder(a: CheckpointFile, b: CheckpointFile): number {
  const na = numberInName(a.name);
  const nb = numberInName(b.name);
  if (na !== undefined && nb !== undefined && na !== nb) return na - nb;
  if ((na === undefined) !== (nb === undefined)) return na === undefined ? 1 : -1;
  if (na === undefined && a.mtimeMs !== b.mtimeMs) return a.mtimeMs - b.mtimeMs;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** What a checkpoint stores about its training, where it stores it. */
export interface CheckpointScalars {
  epoch?: number;
  step?: number;
  trainLoss?: number;
  valLoss?: number;
  lr?: number;
}

/** The metadata keys each scalar is read from, first found wins (PyTorch users' spellings, then ours). */
const SCALAR_KEYS: Readonly<Record<keyof CheckpointScalars, readonly string[]>> = {
  epoch: ['epoch'],
  step: ['step', 'global_step'],
  trainLoss: ['train_loss', 'trainLoss', 'loss'],
  valLoss: ['val_loss', 'valLoss'],
  lr: ['lr', 'learning_rate'],
};
const COUNTS: ReadonlySet<keyof CheckpointScalars> = new Set(['epoch', 'step']);

/**
 * The scalars in a checkpoint's metadata (safetensors `__metadata__` holds strings; other
 * formats may give numbers). A value that is not a number (or, for epoch and step, not a whole
 * number ≥ 0) is not one of these scalars and is left out; 'nan' and 'inf' losses are kept.
 */
export function checkpointScalars(metadata: Readonly<Record<string, unknown>>): CheckpointScalars {
  const scalars: CheckpointScalars = {};
  for (const [field, keys] of Object.entries(SCALAR_KEYS) as [keyof CheckpointScalars, readonly string[]][]) {
    for (const key of keys) {
      const value = numberOf(metadata[key]);
      if (value === undefined || (COUNTS.has(field) && !(Number.isSafeInteger(value) && value >= 0))) continue;
      scalars[field] = value;
      break;
    }
  }
  return scalars;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^[+-]?(nan|inf|infinity)$/i.test(text)) return /nan/i.test(text) ? NaN : text.startsWith('-') ? -Infinity : Infinity;
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : undefined;
}
