import { stateDimension, type InputSequences, type LstmState, type RnnModel } from '../cells/model.js';
import { SpectrumInputError } from './errors.js';

/**
 * The LSTM state a spectrum with these options tracks: `lstmState`, else joint (h, c), or h alone
 * in compat mode (the authors' code); undefined for cells without a cell state.
 */
export function spectrumLstmState(model: Pick<RnnModel, 'cell'>, options: { lstmState?: LstmState; compat?: 'vogt2020' }): LstmState | undefined {
  if (model.cell !== 'lstm') return undefined;
  return options.lstmState ?? (options.compat === 'vogt2020' ? 'h' : 'joint');
}

/** The dimension of the state a spectrum with these options follows: the largest k it can give. */
export function spectrumStateDimension(model: RnnModel, options: { lstmState?: LstmState; compat?: 'vogt2020' }): number {
  return stateDimension(model, spectrumLstmState(model, options));
}

/** The options that decide how many input steps a spectrum reads. */
export interface InputStepOptions {
  steps: number;
  transient?: number;
  compat?: 'vogt2020';
}

/**
 * How many steps of every input sequence a spectrum with these options reads: transient + steps,
 * or in compat mode only `steps` (the authors' warm-up re-feeds the start of the averaged inputs).
 */
export function spectrumInputSteps(options: InputStepOptions): number {
  return options.compat === 'vogt2020' ? options.steps : (options.transient ?? 0) + options.steps;
}

/**
 * Checks that `inputs` can drive `model` for a spectrum with these options; `where` names the
 * inputs in the message (a file, or 'inputs').
 */
export function checkSpectrumInputs(model: RnnModel, inputs: Pick<InputSequences, 'size' | 'steps'>, options: InputStepOptions, where = 'inputs'): void {
  if (inputs.size !== model.inputSize) {
    throw new SpectrumInputError(`${where}: ${inputs.size} features per step, but the model expects input size ${model.inputSize}`);
  }
  const needed = spectrumInputSteps(options);
  if (inputs.steps < needed) {
    const what = options.compat === 'vogt2020' ? `steps = ${options.steps}` : `transient + steps = ${options.transient ?? 0} + ${options.steps} = ${needed}`;
    throw new SpectrumInputError(`${where}: ${inputs.steps} steps per sequence, fewer than ${what}`);
  }
}
