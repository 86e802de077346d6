/**
 * File-name patterns as a shell writes them (Node 20 has no glob matcher): `*` any run of
 * characters, `?` one character, `[abc]` / `[a-z]` / `[!abc]` one of a set, `{pt,pth}` one of
 * the alternatives. A pattern names files of one directory: it holds no `/`.
 */
import { WatchError } from '../errors.js';

/** A test of file names against `pattern`, or a WatchError naming what is wrong with it. */
export function fileNameMatcher(pattern: string): (name: string) => boolean {
  const fail = (detail: string): never => {
    throw new WatchError(`--pattern '${pattern}': ${detail}`);
  };
  if (pattern === '') fail('empty; expected a file-name pattern such as *.safetensors');
  if (pattern.includes('/')) fail('a pattern names files of the watched directory, so it holds no /');
  let source = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) fail(`the [ at character ${i + 1} is not closed`);
      const set = pattern.slice(i + 1, end);
      source += set.startsWith('!') ? `[^${escapeSet(set.slice(1))}]` : `[${escapeSet(set)}]`;
      i = end;
    } else if (c === '{') {
      braces += 1;
      source += '(?:';
    } else if (c === '}' && braces > 0) {
      braces -= 1;
      source += ')';
    } else if (c === ',' && braces > 0) source += '|';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  if (braces > 0) fail('a { is not closed');
  const regex = new RegExp(`^${source}$`, 'u');
  return (name) => regex.test(name);
}

/** The inside of a [set], with the characters special there escaped (a range's '-' kept). */
function escapeSet(set: string): string {
  return set.replace(/[\\\]^]/g, '\\$&');
}
