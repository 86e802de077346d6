/**
 * A run's whole history as pruning sees it: what was known after every epoch (validation loss,
 * spectrum) and what it cost. The replay reads these from a sweep directory or a results file;
 * live pruning reads the same shape from the runs trained so far.
 */
import { PruneError } from './errors.js';

export interface RunHistory {
  id: string;
  /** Swept hyperparameters (booleans as strings). */
  params: Record<string, number | string>;
  /** Validation loss after each epoch, index 0 at initialisation; a run that stopped on its own (diverged) has fewer. Non-finite: NaN. */
  losses: number[];
  /** Epoch → λ₁ ≥ λ₂ ≥ … of the spectrum taken after it (epochs without one are absent). */
  spectra: ReadonlyMap<number, readonly number[]>;
  /** Epochs the run was set to train. */
  plannedEpochs: number;
  /** What one epoch of this run costs, relative to the others (1 unless weighed, e.g. by hidden²). */
  epochCost: number;
}

/** The run's loss after its last planned epoch; Infinity when it never got there with a finite loss (it diverged). */
export function finalLoss(run: RunHistory): number {
  const loss = run.losses[run.plannedEpochs];
  return loss !== undefined && Number.isFinite(loss) ? loss : Infinity;
}

/** Epochs the run can be trained for: its plan, or fewer when it stopped on its own. */
export function trainableEpochs(run: RunHistory): number {
  return Math.min(run.plannedEpochs, run.losses.length - 1);
}

/** How an epoch's cost is weighed: by a numeric setting raised to a power (hidden² for a recurrent layer's matrix products). */
export interface CostRule {
  setting: string;
  power: number;
}

/** 'hidden^2', 'hidden' (power 1): the rule `--cost` names. */
export function parseCostRule(text: string): CostRule | undefined {
  const match = /^([A-Za-z_][A-Za-z0-9_.]*)(?:\^([0-9]+(?:\.[0-9]+)?))?$/.exec(text.trim());
  return match === null ? undefined : { setting: match[1]!, power: match[2] === undefined ? 1 : Number(match[2]) };
}

/** The cost of one epoch of a run under `rule` (1 without one), read from its settings; `where` names the run in a message. */
export function epochCostOf(rule: CostRule | undefined, settings: Record<string, unknown>, where: string): number {
  if (rule === undefined) return 1;
  const value = settings[rule.setting];
  if (typeof value !== 'number' || !(value > 0)) {
    throw new PruneError(`${where}: --cost ${rule.setting}^${rule.power} needs a positive number '${rule.setting}', got ${JSON.stringify(value) ?? 'none'}`);
  }
  return value ** rule.power;
}
