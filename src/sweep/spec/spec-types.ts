/** The sweep spec's shape, as `parseSweepSpec` returns it (docs/sweep-spec.md: every key). */
import type { SpectrumSchedule } from '../../train/config.js';

export const DISTRIBUTIONS = ['uniform', 'log_uniform', 'int'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

export type ParameterValue = string | number | boolean | null;

/**
 * A parameter takes one of listed values, or a value from a range; with `format`, the value is
 * written into a string at '{}' (e.g. format 'uniform:{}' makes the init scale p the training
 * config's init 'uniform:p').
 */
export type ParameterSpec = (
  | {
      values: ParameterValue[];
      /**
       * Random only: every value gets its own runCap draws of the other parameters (a stratified
       * sweep: the same number of runs at each cell or size), instead of one draw among them.
       */
      each?: boolean;
    }
  | {
      min: number;
      max: number;
      distribution: Distribution;
      /** Grid only: number of points, evenly spaced on the distribution's scale. */
      count?: number;
    }
) & { format?: string };

/** When the spectrum is taken during training (every `every` epochs and at initialisation), and on what; defaults from training. */
export type SweepSpectrumSchedule = Partial<SpectrumSchedule> & { every: number };

export interface ReadoutSpec {
  /** `final_<key>` (value at the last epoch) or `best_<key>` (minimum over epochs) of a metrics.jsonl key. */
  metric: string;
  /** The early epoch whose spectrum and loss are the predictors. */
  epoch: number;
}

export interface SweepSpec {
  name?: string;
  method: 'grid' | 'random';
  /** Seed of the random search (the training seed is a parameter or part of `base`). */
  seed: number;
  /** Number of runs (random: required; grid: an upper bound the grid must respect). */
  runCap?: number;
  /** Attempts per run before it is marked failed. */
  maxAttempts: number;
  /** Dotted paths into the training config → their values. */
  parameters: Record<string, ParameterSpec>;
  spectrum: SweepSpectrumSchedule;
  readout: ReadoutSpec;
  /** The training config every run starts from. */
  base: Record<string, unknown>;
}
