/**
 * From a sweep spec to its runs: every run is the base training config with the swept
 * parameters set, and its id is a hash of that resolved config (so the same config always has
 * the same id, in any key order, and a re-started sweep finds its runs again).
 */
import { Rng } from '../../linalg/random.js';
import { contentHash } from './canonical-json.js';
import { SweepError } from '../errors.js';
import type { ParameterSpec, ParameterValue, SweepSpec } from './spec-types.js';

export interface ResolvedRun {
  id: string;
  /** The swept parameters' values, by dotted path. */
  params: Record<string, ParameterValue>;
  /** The full training config: base, parameters set, and the spectrum schedule under `spectrum`. */
  config: Record<string, unknown>;
}

/** Every run of the sweep, in a deterministic order, without duplicates. */
export function expandSweep(spec: SweepSpec): ResolvedRun[] {
  if ('spectrum' in spec.base) {
    throw new SweepError("field 'base.spectrum': give the spectrum schedule in the top-level field 'spectrum'");
  }
  const names = Object.keys(spec.parameters).sort();
  const points = spec.method === 'grid' ? gridPoints(spec, names) : randomPoints(spec, names);
  return points.map((params) => resolve(spec, params));
}

/** The parameter's value as the config gets it: written into its `format` string, if any. */
function formatted(p: ParameterSpec, value: ParameterValue): ParameterValue {
  return p.format === undefined ? value : p.format.replace('{}', String(value));
}

export function runIdOf(config: Record<string, unknown>): string {
  return contentHash(config);
}

function resolve(spec: SweepSpec, params: Record<string, ParameterValue>): ResolvedRun {
  const config = structuredClone(spec.base);
  config.spectrum = structuredClone(spec.spectrum);
  for (const [path, value] of Object.entries(params)) setPath(config, path, value);
  return { id: runIdOf(config), params, config };
}

function setPath(target: Record<string, unknown>, path: string, value: ParameterValue): void {
  const keys = path.split('.');
  const bad = keys.find((key) => key === '__proto__' || key === 'constructor' || key === 'prototype');
  if (bad !== undefined) throw new SweepError(`field 'parameters.${path}': '${bad}' is not allowed in a parameter path`);
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key] ?? (node[key] = {});
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      throw new SweepError(`field 'parameters.${path}': '${key}' in the base config is ${JSON.stringify(next)}, not an object to set a field in`);
    }
    node = next as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/** The most runs one sweep may expand to (grid points or runCap); larger sweeps are refused before expanding. */
export const MAX_SWEEP_RUNS = 100_000;

function gridPoints(spec: SweepSpec, names: string[]): Record<string, ParameterValue>[] {
  const counted = names.reduce((n, name) => {
    const p = spec.parameters[name];
    return n * ('values' in p ? p.values.length : p.count!);
  }, 1);
  if (counted > MAX_SWEEP_RUNS) {
    throw new SweepError(`field 'parameters': the grid has ${counted} points, more than the ${MAX_SWEEP_RUNS} runs a sweep may have: shrink the grid`);
  }
  const axes = names.map((name) => gridValues(spec.parameters[name]).map((v) => formatted(spec.parameters[name], v)));
  const total = axes.reduce((n, axis) => n * axis.length, 1);
  if (spec.runCap !== undefined && total > spec.runCap) {
    throw new SweepError(`field 'runCap' is ${spec.runCap}, but the grid has ${total} points: shrink the grid or raise runCap`);
  }
  const points: Record<string, ParameterValue>[] = [{}];
  names.forEach((name, a) => {
    const expanded = points.flatMap((point) => axes[a].map((value) => ({ ...point, [name]: value })));
    points.splice(0, points.length, ...expanded);
  });
  return dedupe(spec, points);
}

/** Grid values: the listed values, or `count` points evenly spaced on the distribution's scale. */
function gridValues(p: ParameterSpec): ParameterValue[] {
  if ('values' in p) return p.values;
  const count = p.count!;
  if (count === 1) return [p.distribution === 'log_uniform' ? Math.sqrt(p.min * p.max) : p.distribution === 'int' ? Math.round((p.min + p.max) / 2) : (p.min + p.max) / 2];
  const at = (u: number) => (p.distribution === 'log_uniform' ? p.min * (p.max / p.min) ** u : p.min + u * (p.max - p.min));
  const values = Array.from({ length: count }, (_, i) => at(i / (count - 1)));
  return p.distribution === 'int' ? [...new Set(values.map(Math.round))] : values;
}

function randomPoints(spec: SweepSpec, names: string[]): Record<string, ParameterValue>[] {
  const cap = spec.runCap!;
  const each = names.filter((name) => isEach(spec.parameters[name]));
  const drawn = names.filter((name) => !each.includes(name));
  const strata = gridPoints({ ...spec, runCap: undefined }, each);
  const total = cap * strata.length;
  if (total > MAX_SWEEP_RUNS) {
    const why = each.length === 0 ? '' : ` (${cap} for each of ${strata.length} combinations of ${each.join(', ')})`;
    throw new SweepError(`field 'runCap': the sweep has ${total} runs${why}, more than the ${MAX_SWEEP_RUNS} runs a sweep may have`);
  }
  const discrete = drawn.every((name) => 'values' in spec.parameters[name] || spec.parameters[name].distribution === 'int');
  if (discrete) {
    const size = drawn.reduce((n, name) => n * discreteSize(spec.parameters[name]), 1);
    if (size < cap) throw new SweepError(`field 'runCap' is ${cap}, but the parameters allow only ${size} distinct runs${each.length ? ' for each value of ' + each.join(', ') : ''}`);
  }
  const rng = new Rng(spec.seed);
  const seen = new Set<string>();
  const byStratum = strata.map((stratum) => {
    const points: Record<string, ParameterValue>[] = [];
    // Collisions are only possible among discrete choices; the size check above bounds the draws.
    while (points.length < cap) {
      const point = { ...stratum, ...Object.fromEntries(drawn.map((name) => [name, formatted(spec.parameters[name], sample(spec.parameters[name], rng))])) };
      const id = resolve(spec, point).id;
      if (seen.has(id)) continue;
      seen.add(id);
      points.push(point);
    }
    return points;
  });
  // Taken in turns, so a sweep stopped early has about as many runs in every stratum.
  return Array.from({ length: cap }, (_, i) => byStratum.map((points) => points[i])).flat();
}

function isEach(p: ParameterSpec): boolean {
  return 'values' in p && p.each === true;
}

function discreteSize(p: ParameterSpec): number {
  return 'values' in p ? new Set(p.values.map((v) => JSON.stringify(v))).size : p.max - p.min + 1;
}

function sample(p: ParameterSpec, rng: Rng): ParameterValue {
  if ('values' in p) return p.values[rng.int(p.values.length)];
  switch (p.distribution) {
    case 'uniform':
      return rng.range(p.min, p.max);
    case 'log_uniform':
      return Math.exp(rng.range(Math.log(p.min), Math.log(p.max)));
    case 'int':
      return p.min + rng.int(p.max - p.min + 1);
  }
}

function dedupe(spec: SweepSpec, points: Record<string, ParameterValue>[]): Record<string, ParameterValue>[] {
  const seen = new Set<string>();
  return points.filter((point) => {
    const id = resolve(spec, point).id;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
