import { TrainConfigError } from '../errors.js';

/**
 * Gradient flossing during training (Engelken 2023): updates that push the first k Lyapunov
 * exponents toward `target`, taken by an Adam of their own (as the reference code's optFlossing)
 * on the recurrent weights, `pre` of them before the first epoch's batches and `updates` of them
 * before the batches of every `every`-th epoch.
 */
export interface FlossConfig {
  /** Exponents flossed, λ₁ … λ_k (at most the state dimension; default 4, or the state dimension when smaller). */
  k: number;
  /** Their target, nats/step. */
  target: number;
  /** The flossing loss's factor: its gradient is weight · ∇Σ(λ_i − target)² (Adam makes the scale matter little). */
  weight: number;
  /** Steps averaged by each flossing update's exponents, after `transient` steps. */
  steps: number;
  transient: number;
  /** Task sequences per flossing update (trajectories averaged). */
  batch: number;
  /** Flossing updates before epoch 1's batches (pre-flossing). */
  pre: number;
  /** Flossing updates before the batches of every `every`-th epoch (epochs every, 2·every, …); 0: none after pre-flossing. */
  every: number;
  updates: number;
  /** Learning rate of the flossing Adam; null: the training lr. */
  lr: number | null;
}

export const DEFAULT_FLOSS_CONFIG: FlossConfig = {
  k: 4, target: 0, weight: 1, steps: 100, transient: 10, batch: 1, pre: 0, every: 1, updates: 1, lr: null,
};

const INTEGER_KEYS = ['k', 'steps', 'transient', 'batch', 'pre', 'every', 'updates'] as const;
const NUMBER_KEYS = ['target', 'weight', 'lr'] as const;
export const FLOSS_KEYS: readonly (keyof FlossConfig)[] = [...INTEGER_KEYS, ...NUMBER_KEYS];

/**
 * `k=4,target=0,weight=1,steps=100,every=1,pre=50` (the CLI's --floss, or a config's floss given
 * as text) as a partial config; keys left out take their defaults in `resolveFlossConfig`.
 */
export function parseFlossSpec(text: string): Partial<FlossConfig> {
  const out: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^(\w+)=(.+)$/.exec(part);
    if (match === null) throw new TrainConfigError(`floss '${text}': '${part}' is not key=value (keys: ${FLOSS_KEYS.join(', ')})`, 'floss');
    const [, key, value] = match as unknown as [string, string, string];
    if (!(FLOSS_KEYS as readonly string[]).includes(key)) throw new TrainConfigError(`floss '${text}': unknown key '${key}', expected one of ${FLOSS_KEYS.join(', ')}`, `floss.${key}`);
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new TrainConfigError(`floss '${text}': ${key} must be a number, got '${value}'`, `floss.${key}`);
    out[key] = n;
  }
  return out as Partial<FlossConfig>;
}

/** Defaults filled in and every field checked against the state dimension `dim`; errors name floss.<field>. */
export function resolveFlossConfig(input: Partial<FlossConfig>, dim: number): FlossConfig {
  if (input === null || typeof input !== 'object') throw new TrainConfigError('train config: floss must be an object or null', 'floss');
  const unknown = Object.keys(input).filter((key) => !(FLOSS_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) throw new TrainConfigError(`train config: floss has unknown field(s) ${unknown.join(', ')}; expected ${FLOSS_KEYS.join(', ')}`, `floss.${unknown[0]}`);
  const config: FlossConfig = { ...DEFAULT_FLOSS_CONFIG, k: Math.min(DEFAULT_FLOSS_CONFIG.k, dim), ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  const bounds: Record<(typeof INTEGER_KEYS)[number], [number, number, string?]> = {
    k: [1, dim, 'the state dimension'], steps: [1, 100_000], transient: [0, 100_000], batch: [1, 4096],
    pre: [0, 1_000_000], every: [0, 1_000_000], updates: [1, 1_000_000],
  };
  for (const key of INTEGER_KEYS) {
    const [min, max, why] = bounds[key];
    const v = config[key];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new TrainConfigError(`train config: floss.${key} must be an integer in [${min}, ${max}]${why ? ` (${why})` : ''}, got ${String(v)}`, `floss.${key}`);
    }
  }
  if (typeof config.target !== 'number' || !Number.isFinite(config.target)) throw new TrainConfigError(`train config: floss.target must be a finite number (nats/step), got ${String(config.target)}`, 'floss.target');
  if (typeof config.weight !== 'number' || !(config.weight > 0) || !Number.isFinite(config.weight)) throw new TrainConfigError(`train config: floss.weight must be a positive number, got ${String(config.weight)}`, 'floss.weight');
  if (config.lr !== null && (typeof config.lr !== 'number' || !(config.lr > 0) || !Number.isFinite(config.lr))) throw new TrainConfigError(`train config: floss.lr must be a positive number or null (the training lr), got ${String(config.lr)}`, 'floss.lr');
  if (config.pre === 0 && config.every === 0) throw new TrainConfigError('train config: floss has pre = 0 and every = 0, so it would never floss: give pre, every or both', 'floss.every');
  return config;
}

/** Flossing updates taken before epoch `epoch`'s batches. */
export function flossUpdatesAt(config: FlossConfig, epoch: number): number {
  return (epoch === 1 ? config.pre : 0) + (config.every > 0 && epoch % config.every === 0 ? config.updates : 0);
}
