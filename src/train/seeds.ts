/**
 * Independent, reproducible random streams of a run, derived from its one seed: each purpose
 * (initialisation, the batch order of epoch e, the dropout masks of epoch e, the spectrum's
 * held-out sequences) gets its own seed. Nothing random is carried from one epoch to the next,
 * so a run resumed at an epoch boundary draws exactly what an uninterrupted run draws.
 */
export function deriveSeed(seed: number, purpose: string, index = 0): number {
  // FNV-1a over the text, then a murmur3 finaliser for avalanche.
  let h = 0x811c9dc5;
  for (const ch of `${seed >>> 0}/${purpose}/${index}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
