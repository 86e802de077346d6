/**
 * Reading a safetensors file by ranges (safetensors.ts parses and checks what is read): a file of
 * any size is read without holding it whole, and a bogus one is refused before its data is read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SafetensorsError } from './errors.js';
import { readSafetensorsHeaderRanges, readSafetensorsRanges, type ReadRange, type SafetensorsContents, type SafetensorsHeader } from './safetensors.js';

export function readSafetensors(path: string): SafetensorsContents {
  return withFile(path, (read) => readSafetensorsRanges(read, path));
}

/** The header alone, checked as readSafetensors checks it: what reading the tensors would give, before reading them. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  return withFile(path, (read) => readSafetensorsHeaderRanges(read, path));
}

function withFile<T>(path: string, use: (read: ReadRange) => T): T {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    return use(Object.assign((position: number, length: number) => readRange(fd, path, position, length, fileBytes), { fileBytes }));
  } finally {
    closeSync(fd);
  }
}

/** `length` bytes from `position`, refusing a file that ends sooner (one changed while read). */
function readRange(fd: number, path: string, position: number, length: number, fileBytes: number): Uint8Array {
  const bytes = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, bytes, done, length - done, position + done);
    if (got === 0) throw new SafetensorsError(path, `file ended at byte ${position + done}, though it was ${fileBytes} bytes long when opened`);
    done += got;
  }
  return bytes;
}
