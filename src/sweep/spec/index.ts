/** The sweep spec: the YAML/JSON file, its expansion into runs, and the canonical JSON that names them. */
export {
  loadSweepSpec, parseSweepSpec, DISTRIBUTIONS,
  type SweepSpec, type ReadoutSpec, type ParameterSpec, type ParameterValue, type Distribution, type SweepSpectrumSchedule,
} from './spec.js';
export { expandSweep, runIdOf, type ResolvedRun } from './expand.js';
export { canonicalJson, contentHash } from './canonical-json.js';
export { checkRunConfig } from './run-config.js';
