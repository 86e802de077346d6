/**
 * Run histories from a results file (`sweep export`, experiments/*.results.jsonl), read and
 * checked by the store's reader: every run is read as planned for the most epochs any run of the
 * file has (a shorter one stopped on its own), and `--cost stateDimension^2` weighs by the state
 * dimension each line records.
 */
import { lineSpectra, readResults } from '../store/results-file.js';
import { epochCostOf, type CostRule, type RunHistory } from './history.js';

export function readResultsFile(file: string, cost?: CostRule): RunHistory[] {
  const lines = readResults(file);
  const planned = Math.max(...lines.map((line) => line.valLoss.length - 1));
  return lines.map((line) => ({
    id: line.id,
    params: line.params,
    losses: line.valLoss,
    spectra: lineSpectra(line),
    plannedEpochs: planned,
    epochCost: epochCostOf(cost, { ...line.params, stateDimension: line.stateDimension }, `${file} run ${line.id}`),
  }));
}
