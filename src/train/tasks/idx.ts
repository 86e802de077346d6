/**
 * Reading slices of IDX files (the MNIST format): a big-endian header — two zero bytes, a
 * type byte (0x08 = unsigned byte), the number of dimensions, then each dimension as a u32 —
 * followed by the items. Only the requested items are read, through a file handle.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { TaskDataError } from '../errors.js';

export interface IdxSlice {
  /** All dimensions of the file, the item count first. */
  dims: number[];
  /** Items [start, start + count), each the product of dims[1..] bytes. */
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

function readExactly(fd: number, length: number, position: number, path: string): Uint8Array {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new TaskDataError(`${path}: file ends after ${position + done} bytes, expected at least ${position + length}`);
    done += n;
  }
  return buffer;
}

export function readIdxSlice(path: string, start: number, count: number): IdxSlice {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new TaskDataError(`cannot open IDX file ${path}: ${(error as Error).message}`);
  }
  try {
    const magic = readExactly(fd, 4, 0, path);
    if (magic[0] !== 0 || magic[1] !== 0 || magic[2] !== UNSIGNED_BYTE || magic[3]! < 1) {
      throw new TypeError(`${path}: not an IDX file of unsigned bytes (magic ${Buffer.from(magic).toString('hex')})`);
    }
    const header = readExactly(fd, 4 * magic[3]!, 4, path);
    const view = new DataView(header.buffer);
    const dims = Array.from({ length: magic[3]! }, (_, i) => view.getUint32(4 * i, false));
    if (start < 0 || count < 0 || start + count > dims[0]!) {
      throw new TaskDataError(`${path}: items [${start}, ${start + count}) requested, the file holds ${dims[0]}`);
    }
    const itemBytes = dims.slice(1).reduce((a, b) => a * b, 1);
    return { dims, data: readExactly(fd, count * itemBytes, 4 + header.length + start * itemBytes, path) };
  } finally {
    closeSync(fd);
  }
}
