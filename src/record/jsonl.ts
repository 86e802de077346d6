/**
 * JSON Lines for run logs. One record per line, written with a single append; a crash can
 * leave a torn last line (no final newline), which readers ignore and resuming removes.
 * Non-finite numbers (a diverged loss) are kept as the strings "NaN", "Infinity",
 * "-Infinity" — JSON has no such numbers and JSON.stringify would silently write null — and
 * read back as numbers; typed arrays are written as arrays.
 */
import { RunFileError } from './errors.js';
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync } from 'node:fs';

const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value;
}

/** `value` as JSON (see the module comment for non-finite numbers and typed arrays). */
export function encodeJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, replacer, indent);
  if (text === undefined) throw new TypeError(`cannot encode ${typeof value} as JSON`);
  return text;
}

export function decodeJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text, reviver);
  } catch (error) {
    throw new RunFileError(`${where}: invalid JSON (${(error as Error).message})`);
  }
}

/** One line: the record's JSON and a newline. */
export function jsonLine(record: object): string {
  if (record === null || typeof record !== 'object') throw new TypeError(`a log record must be an object, got ${String(record)}`);
  return `${encodeJson(record)}\n`;
}

export interface JsonlLines {
  /** The complete (newline-terminated) lines, without their newlines. */
  lines: string[];
  /** Byte length of the complete lines; anything after is a torn line. */
  completeBytes: number;
  totalBytes: number;
}

export function readJsonlLines(path: string): JsonlLines {
  const bytes = readFileSync(path);
  const end = bytes.lastIndexOf(0x0a) + 1;
  const text = bytes.subarray(0, end).toString('utf8');
  return { lines: end === 0 ? [] : text.slice(0, -1).split('\n'), completeBytes: end, totalBytes: bytes.length };
}

/** The records of the complete lines of a JSON Lines file. */
export function readJsonl(path: string): unknown[] {
  return readJsonlLines(path).lines.map((line, i) => decodeJson(line, `${path} line ${i + 1}`));
}

/** Cuts the file after its first `count` lines (removing any later or torn line); returns the bytes removed. */
export function truncateJsonl(path: string, count: number): number {
  const { lines, totalBytes } = readJsonlLines(path);
  if (lines.length < count) {
    throw new RunFileError(`${path} has ${lines.length} complete lines, fewer than the ${count} its checkpoint recorded`);
  }
  const keep = lines.slice(0, count).reduce((bytes, line) => bytes + Buffer.byteLength(line) + 1, 0);
  if (keep < totalBytes) {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, keep);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return totalBytes - keep;
}
