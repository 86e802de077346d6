import { TrainConfigError } from '../errors.js';
/**
 * Learning-rate schedules, stepped once per epoch like torch's StepLR and ExponentialLR:
 * - constant;
 * - step:N:γ  lr · γ^⌊epoch / N⌋;
 * - exp:γ     lr · γ^epoch.
 * `epoch` counts completed epochs (0 during the first).
 */
export type Schedule =
  | { kind: 'constant' }
  | { kind: 'step'; every: number; gamma: number }
  | { kind: 'exp'; gamma: number };

const FORMS = 'constant, step:N:GAMMA (N ≥ 1 epochs, GAMMA > 0), exp:GAMMA (GAMMA > 0)';

export function parseSchedule(text: string): Schedule {
  const parts = text.trim().split(':');
  const positive = (value: string | undefined, what: string, integer = false) => {
    const x = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) {
      throw new TrainConfigError(`schedule "${text}": ${what} must be ${integer ? 'an integer ≥ 1' : 'a positive number'}; forms: ${FORMS}`);
    }
    return x;
  };
  switch (parts[0]) {
    case 'constant':
      if (parts.length === 1) return { kind: 'constant' };
      break;
    case 'step':
      if (parts.length === 3) return { kind: 'step', every: positive(parts[1], 'N', true), gamma: positive(parts[2], 'GAMMA') };
      break;
    case 'exp':
      if (parts.length === 2) return { kind: 'exp', gamma: positive(parts[1], 'GAMMA') };
      break;
  }
  throw new TrainConfigError(`schedule "${text}" is not one of ${FORMS}`);
}

export function formatSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'constant':
      return 'constant';
    case 'step':
      return `step:${schedule.every}:${schedule.gamma}`;
    case 'exp':
      return `exp:${schedule.gamma}`;
  }
}

export function learningRate(schedule: Schedule, baseLr: number, epoch: number): number {
  switch (schedule.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * schedule.gamma ** Math.floor(epoch / schedule.every);
    case 'exp':
      return baseLr * schedule.gamma ** epoch;
  }
}
