/**
 * The zip container of torch.save, read with every offset and length checked against the
 * file: its central directory (names, sizes, where each entry starts) and the bytes of chosen
 * entries. torch.save stores entries uncompressed, so only stored entries are read. (fflate's
 * unzipSync was tried first: a single flipped bit in a central directory sent it into an
 * allocation loop that ended the process.) Zip64 records are followed for sizes and offsets.
 */
import type { Fail } from '../tensor-checks.js';

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const END_BYTES = 22;
const MAX_COMMENT = 0xffff;
const DIRECTORY_ENTRY_BYTES = 46;
const LOCAL_HEADER_BYTES = 30;
const ZIP64_EXTRA = 0x0001;
const U32_MAX = 0xffffffff;
const STORED = 0;

/** Where an entry's bytes lie in the file, and how it is compressed. */
export interface ZipEntry {
  name: string;
  compression: number;
  size: number;
  localHeader: number;
}

/** The entries of the zip held in `bytes`, by name, from its central directory. */
export function readZipDirectory(bytes: Uint8Array, fail: Fail): Map<string, ZipEntry> {
  const read = reader(bytes, fail);
  let end = -1;
  for (let at = bytes.length - END_BYTES; at >= Math.max(0, bytes.length - END_BYTES - MAX_COMMENT); at--) {
    if (read.u32(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) fail('not a readable zip archive (no end-of-directory record); the file may be truncated');
  let count = read.u16(end + 10);
  let offset = read.u32(end + 16);
  // A zip64 record, where a writer left one, holds the full count and offset (the end record's may be capped).
  if (end >= 20 && read.u32(end - 20) === ZIP64_LOCATOR) {
    const zip64End = read.u64(end - 12);
    if (read.u32(zip64End) !== ZIP64_END_OF_DIRECTORY) fail('not a readable zip archive (its zip64 locator points at no zip64 record)');
    count = read.u64(zip64End + 32);
    offset = read.u64(zip64End + 48);
  }
  if (count > (bytes.length - offset) / DIRECTORY_ENTRY_BYTES) {
    fail(`not a readable zip archive (its directory of ${count} entries at byte ${offset} does not fit in the file); the file may be truncated or corrupt`);
  }
  const entries = new Map<string, ZipEntry>();
  for (let i = 0; i < count; i++) {
    if (read.u32(offset) !== DIRECTORY_ENTRY) fail(`not a readable zip archive (directory entry ${i} at byte ${offset} has no signature)`);
    const nameLength = read.u16(offset + 28);
    const extraLength = read.u16(offset + 30);
    const commentLength = read.u16(offset + 32);
    const nameStart = offset + DIRECTORY_ENTRY_BYTES;
    const name = new TextDecoder().decode(read.bytes(nameStart, nameLength));
    const entry: ZipEntry = { name, compression: read.u16(offset + 10), size: read.u32(offset + 20), localHeader: read.u32(offset + 42) };
    if (entry.size === U32_MAX || entry.localHeader === U32_MAX) {
      readZip64Extra(read, nameStart + nameLength, extraLength, read.u32(offset + 24) === U32_MAX, entry);
    }
    entries.set(name, entry);
    offset = nameStart + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of a stored entry (a view into `bytes`). */
export function zipEntryBytes(bytes: Uint8Array, entry: ZipEntry, fail: Fail): Uint8Array {
  if (entry.compression !== STORED) {
    fail(`zip entry '${entry.name}' is compressed (method ${entry.compression}); torch.save stores entries uncompressed, and only those are read`);
  }
  const read = reader(bytes, fail);
  if (read.u32(entry.localHeader) !== LOCAL_HEADER) fail(`not a readable zip archive (entry '${entry.name}' has no local header at byte ${entry.localHeader})`);
  const start = entry.localHeader + LOCAL_HEADER_BYTES + read.u16(entry.localHeader + 26) + read.u16(entry.localHeader + 28);
  return read.bytes(start, entry.size);
}

/** The zip64 extra field's 8-byte values, present for the 4-byte fields that hold 0xffffffff, in order. */
function readZip64Extra(read: Reader, start: number, length: number, originalIsWide: boolean, entry: ZipEntry): void {
  for (let at = start; at + 4 <= start + length; at += 4 + read.u16(at + 2)) {
    if (read.u16(at) !== ZIP64_EXTRA) continue;
    let field = at + 4;
    if (originalIsWide) field += 8;
    if (entry.size === U32_MAX) {
      entry.size = read.u64(field);
      field += 8;
    }
    if (entry.localHeader === U32_MAX) entry.localHeader = read.u64(field);
    return;
  }
}

interface Reader {
  u16(at: number): number;
  u32(at: number): number;
  u64(at: number): number;
  bytes(at: number, length: number): Uint8Array;
}

/** Little-endian reads that fail, naming the position, instead of reading past the file. */
function reader(bytes: Uint8Array, fail: Fail): Reader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const check = (at: number, length: number) => {
    if (!(Number.isSafeInteger(at) && at >= 0 && length >= 0 && at + length <= bytes.length)) {
      fail(`not a readable zip archive (a record at byte ${at} reaches past the end of the file, ${bytes.length} bytes); the file may be truncated or corrupt`);
    }
  };
  return {
    u16: (at) => (check(at, 2), view.getUint16(at, true)),
    u32: (at) => (check(at, 4), view.getUint32(at, true)),
    u64: (at) => (check(at, 8), Number(view.getBigUint64(at, true))),
    bytes: (at, length) => (check(at, length), bytes.subarray(at, at + length)),
  };
}
