import { Rng } from '../linalg/random.js';

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

/** The random streams of a run with seed `seed`, one per purpose (see deriveSeed): the one place they are named. */
export function runStreams(seed: number) {
  const stream = (purpose: string, index = 0) => new Rng(deriveSeed(seed, purpose, index));
  return {
    /** The initial weights. */
    init: () => stream('init'),
    /** The order of epoch e's training batches. */
    batches: (epoch: number) => stream('batches', epoch),
    /** Epoch e's dropout masks. */
    dropout: (epoch: number) => stream('dropout', epoch),
    /** The held-out sequences of the epoch spectra. */
    spectrumInputs: () => stream('spectrum-inputs'),
    /** The held-out sequences of the per-step spectrum probe. */
    stepSpectrumInputs: () => stream('step-spectrum-inputs'),
    /** The seed of the spectra's random initial basis. */
    spectrumBasis: deriveSeed(seed, 'spectrum-basis'),
    /** The sequences driving the flossing updates before epoch e's batches. */
    flossInputs: (epoch: number) => stream('floss-inputs', epoch),
    /** The seed of the flossing spectra's random initial basis (one fixed basis, as in the reference code). */
    flossBasis: deriveSeed(seed, 'floss-basis'),
  };
}
