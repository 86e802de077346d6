/** The sweep spec: the YAML/JSON file, its expansion into runs, and the canonical JSON that names them. */
export { loadSweepSpec, parseSweepSpec, READOUT_METRIC_KEYS, SWEEP_SPEC_SCHEMA, type SweepSpec, type ReadoutSpec } from './spec.js';
export { expandSweep, runIdOf, type ResolvedRun } from './expand.js';
export { canonicalJson } from './canonical-json.js';
export { SWEEP_SPEC_TEMPLATE, writeSweepTemplate } from './template.js';
