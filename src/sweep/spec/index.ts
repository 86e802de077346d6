/** The sweep spec: the YAML/JSON file, its expansion into runs, and the canonical JSON that names them. */
export { loadSweepSpec, parseSweepSpec, type SweepSpec, type ReadoutSpec } from './spec.js';
export { expandSweep, runIdOf, type ResolvedRun } from './expand.js';
export { canonicalJson } from './canonical-json.js';
export { checkRunConfig } from './run-config.js';
