/**
 * The zip archive `torch.save` writes (PyTorch ≥ 1.6): `NAME/data.pkl` (the pickled object, whose
 * tensors refer to their storages by key) and `NAME/data/KEY` (each storage's raw little-endian
 * bytes), where NAME is any one folder (the file's stem when it was saved). Storages are decoded
 * only when asked for, so an optimizer's state is left alone when the model is all we need.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import type { Fail } from '../tensor-checks.js';
import { readZipDirectory, zipEntryBytes } from './zip.js';

/** Node reads a file into one buffer up to this size. */
const MAX_ARCHIVE_BYTES = 2 ** 31 - 1;
/** Local file header signature 'PK\x03\x04'. */
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** A pickle (PROTO n) whose first object is the LONG1 of torch's legacy magic number 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const PICKLE_PROTO = 0x80;

export interface TorchArchive {
  /** The bytes of `NAME/data.pkl`. */
  pickle: Uint8Array;
  /** The bytes of each storage `NAME/data/KEY` asked for, by key (an absent key fails). */
  storages(keys: readonly string[]): Map<string, Uint8Array>;
}

/** The first bytes of the file at `path` (fewer when it is shorter; none when it cannot be read). */
export function leadingBytes(path: string, count: number): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const bytes = Buffer.alloc(count);
    return bytes.subarray(0, readSync(fd, bytes, 0, count, 0));
  } catch {
    return new Uint8Array(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((byte, i) => bytes[i] === byte);
}

export function isLegacyTorchFile(bytes: Uint8Array): boolean {
  return bytes[0] === PICKLE_PROTO && LEGACY_MAGIC.every((byte, i) => bytes[2 + i] === byte);
}

/** Enough leading bytes to tell the zip and legacy formats apart. */
export const MAGIC_BYTES = 2 + LEGACY_MAGIC.length;

export function openTorchArchive(path: string, fail: Fail): TorchArchive {
  const bytes = readArchiveBytes(path, fail);
  if (isLegacyTorchFile(bytes)) {
    fail(
      "written in PyTorch's legacy format (before 1.6, or _use_new_zipfile_serialization=False), which is not read here; " +
        `re-save it with PyTorch ≥ 1.6: torch.save(torch.load('${path}'), '${path}')`,
    );
  }
  if (!isZip(bytes)) {
    fail(`not a PyTorch file: torch.save writes a zip archive, starting with 'PK\\x03\\x04', but this file starts with ${hex(bytes.subarray(0, 4))}`);
  }
  const entries = readZipDirectory(bytes, fail);
  const names = [...entries.keys()];
  const pickles = names.filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    fail(`a torch.save archive holds one NAME/data.pkl, but this zip holds ${pickles.length} (${names.slice(0, 5).join(', ') || 'no entries'})`);
  }
  const folder = pickles[0].slice(0, -'data.pkl'.length);
  const entry = (name: string) => {
    const found = entries.get(name);
    return found ? zipEntryBytes(bytes, found, fail) : fail(`data.pkl refers to '${name}', which the archive does not hold`);
  };
  const byteOrder = entries.has(`${folder}byteorder`) ? new TextDecoder().decode(entry(`${folder}byteorder`).subarray(0, 16)) : 'little';
  if (byteOrder !== 'little') fail(`${folder}byteorder says '${byteOrder}'; only little-endian files are read`);
  return {
    pickle: entry(pickles[0]),
    storages: (keys) => new Map(keys.map((key) => [key, entry(`${folder}data/${key}`)])),
  };
}

function readArchiveBytes(path: string, fail: Fail): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > MAX_ARCHIVE_BYTES) {
      fail(`file is ${size} bytes; PyTorch files above 2 GiB are not read here: save the RNN alone, torch.save(model.rnn.state_dict(), 'rnn.pt')`);
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ') || 'nothing (it is empty)';
}
