/**
 * The options that say how a spectrum is taken, shared by `spectrum` and `watch`: declared once,
 * checked once, and turned into the inputs and options of `modelSpectrumThreaded` for a model.
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { CELL_KINDS, type CellKind, type LstmState } from '../cells/model.js';
import { withoutEmbedding, type LoadRnnFileOptions, type ModelSource, type RnnFile } from '../io/index.js';
import { PRECISIONS, type Precision } from '../linalg/index.js';
import { LINALG_BACKENDS, type LinalgBackend } from '../linalg/backends.js';
import { checkFtleWindow, largestFitting, type LogBase } from '../lyapunov/index.js';
import {
  checkMemoryBudget, checkSpectrumInputs, DRIVE_KINDS, memoryBudget, spectrumInputSteps, spectrumMemory, spectrumStateDimension,
  type SpectrumInputs, type SpectrumMemoryShape, type ThreadedSpectrumOptions,
} from '../model-spectrum/index.js';
import { UsageError } from './errors.js';
import { choice, integer, real } from './parse.js';
import { checkInputFlags, planInputs, type InputFlags, type InputsDescription, type RunInputs } from './spectrum-inputs.js';
import { addClosedLoopOptions, checkClosedLoopFlags, closedLoopPlan, type ClosedLoopDescription, type ClosedLoopFlags } from './spectrum-closed-loop.js';

export interface SpectrumFlags extends InputFlags, ClosedLoopFlags {
  cell?: CellKind;
  prefix?: string;
  embedding?: string;
  steps: number;
  transient: number;
  k?: number;
  qrEvery: number;
  logBase?: 'e' | '2' | '10';
  lstmState?: LstmState;
  compat?: 'vogt2020';
  backend: LinalgBackend;
  precision: Precision;
  threads: number;
  memoryBudget?: number;
}

/** The `spectrum` command's own options (not `watch`'s): finite-time exponents, stopping on convergence, Jacobians out and in. */
export interface SpectrumRunFlags {
  ftleWindow?: number;
  untilConverged?: number;
  maxSteps?: number;
  jacobiansOut?: string;
  jacobians?: string;
}

/** --max-steps without a value: this many times --steps. */
export const DEFAULT_MAX_STEPS_FACTOR = 64;

/** Declares the spectrum options on `command`. */
export function addSpectrumOptions(command: Command): Command {
  const declared = command
    .option('--cell <kind>', `cell type: ${CELL_KINDS.join('|')} (default: from the file)`, choice('--cell', CELL_KINDS))
    .option('--prefix <P>', "the RNN's state-dict prefix, such as decoder.rnn. (needed when the file holds several RNNs)")
    .option('--embedding <tensor>', 'the embedding [V, I] that drives the RNN (default: found by name: embed, embedding, encoder or emb .weight)')
    .option('--inputs <file>', "safetensors file with a tensor 'inputs' of shape [B, T, I]")
    .option('--text <file>', 'a text driving the model through its embedding: --batch windows of transient + steps tokens at evenly spaced offsets')
    .option('--vocab <file>', "with --text: JSON list of symbols or string of characters, index = token id (char-level when they are characters)")
    .option('--tokens <file>', "safetensors file with a tensor 'tokens' of integer token ids [B, T], driving the model through its embedding")
    .option('--drive <kind>', 'random input sequences: onehot|gaussian|tokens (uniform ids through the embedding; the default for a model with one, else onehot)', choice('--drive', DRIVE_KINDS))
    .option('--batch <B>', 'number of sequences with --drive or --text', integer('--batch', 1), 8)
    .option('--steps <T>', 'steps averaged', integer('--steps', 1), 1000)
    .option('--transient <W>', 'steps run and discarded first (with --compat vogt2020: a warm-up re-feeding the first W of the averaged inputs, capped at --steps)', integer('--transient', 0), 100)
    .option('--k <K>', 'number of exponents (default: the whole state)', integer('--k', 1))
    .option('--seed <S>', 'seed of the initial basis and of --drive', integer('--seed', 0), 0)
    .option('--qr-every <N>', 're-orthonormalise every N steps (a guard shortens it when needed)', integer('--qr-every', 1), 1)
    .option('--log-base <b>', 'e (nats; default) | 2 (bits; default with --compat) | 10', choice('--log-base', ['e', '2', '10'] as const))
    .option('--lstm-state <s>', 'LSTM state tracked: joint (h, c; default) | h (at fixed c, as in the paper)', choice('--lstm-state', ['joint', 'h'] as const))
    .option('--compat <convention>', "reproduce the authors' code: vogt2020 (identity basis, Jᵀ, h-only LSTM, re-fed warm-up, bits)", choice('--compat', ['vogt2020'] as const))
    .option('--backend <b>', 'linear-algebra kernels: wasm (SIMD) | js (plain reference)', choice('--backend', LINALG_BACKENDS), 'wasm')
    .option('--precision <p>', 'tangent dynamics and QR in float64 (default) | float32 (wasm only; logs summed in float64)', choice('--precision', PRECISIONS), 'float64')
    // More threads than cores cannot run any faster, and each costs a worker's memory: refused.
    .option('--threads <N>', 'worker threads the sequences are split over, at most the cores available (default: all cores)',
      integer('--threads', 1, { max: availableParallelism(), why: 'the cores available' }), availableParallelism())
    .option('--memory-budget <GiB>', 'refuse a run estimated to need more memory than this (default: half of the memory available)', real('--memory-budget', 0, Infinity));
  return addClosedLoopOptions(declared);
}

/** Declares the `spectrum` command's own options on `command`. */
export function addSpectrumRunOptions(command: Command): Command {
  return command
    .option('--ftle-window <W>', 'also the finite-time exponents over consecutive windows of W averaged steps of each sequence: their mean (= the spectrum), std, quantiles and histogram; W must divide --steps', integer('--ftle-window', 1))
    .option('--until-converged <TOL>', 'run until the standard error of each exponent is below TOL: --steps steps first, then the same sequences go on, doubling the steps, until converged or --max-steps; one thread; progress on stderr shows the worst standard error', real('--until-converged', 0, Infinity))
    .option('--max-steps <N>', `with --until-converged: never average more steps than this (the inputs must hold --transient + N steps; default: ${DEFAULT_MAX_STEPS_FACTOR} × --steps; with --jacobians, the file's T − --transient)`, integer('--max-steps', 1))
    .option('--jacobians-out <file>', 'also write every step\'s Jacobian (the transient included) to this safetensors file: tensor jacobians [B, transient + steps, n, n], float64 (float32 with --precision float32); counted in the memory budget')
    .option('--jacobians <file>', 'the spectrum of stored Jacobians (a safetensors tensor [B, T, n, n], as --jacobians-out writes) instead of a model: any system whose Jacobians you computed elsewhere; --steps defaults to T − --transient; one thread');
}

/** Refuses combinations of the `spectrum` command's own options that cannot work, before any file is read. */
export function checkSpectrumRunFlags(flags: SpectrumFlags & SpectrumRunFlags): void {
  if (flags.maxSteps !== undefined && flags.untilConverged === undefined) throw new UsageError('--max-steps goes with --until-converged TOL');
  if (flags.compat !== undefined) {
    const ours = (['untilConverged', 'jacobiansOut', 'jacobians'] as const).find((name) => flags[name] !== undefined);
    if (ours !== undefined) throw new UsageError(`${optionName(ours)} runs the discrete QR method, not --compat vogt2020's re-fed warm-up: drop one of them`);
  }
  if (flags.jacobiansOut !== undefined && flags.untilConverged !== undefined) {
    throw new UsageError('--jacobians-out needs the number of steps before the run: give --steps instead of --until-converged');
  }
  if (flags.untilConverged !== undefined && flags.maxSteps !== undefined && flags.maxSteps < flags.steps) {
    throw new UsageError(`--max-steps ${flags.maxSteps} is below --steps ${flags.steps}, the first block of --until-converged`);
  }
  // With --jacobians, --steps may come from the file: checked there.
  if (flags.ftleWindow !== undefined && flags.jacobians === undefined) checkFtleWindowFlag(flags.ftleWindow, flags.steps);
}

/** --ftle-window must divide the averaged steps. */
export function checkFtleWindowFlag(window: number, steps: number): void {
  try {
    checkFtleWindow(window, steps, { window: '--ftle-window', steps: '--steps' });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** --log-base as the library takes it. */
export function logBaseOf(flags: Pick<SpectrumFlags, 'logBase'>): { logBase?: LogBase } {
  return flags.logBase === undefined ? {} : { logBase: (flags.logBase === 'e' ? 'e' : Number(flags.logBase)) as LogBase };
}

/** The averaged steps whose inputs a run reads: --steps, or --max-steps with --until-converged. */
export function stepsRead(flags: SpectrumFlags & SpectrumRunFlags): number {
  return flags.untilConverged === undefined ? flags.steps : flags.maxSteps ?? DEFAULT_MAX_STEPS_FACTOR * flags.steps;
}

/** A flags field as its option: ftleWindow → --ftle-window. */
export function optionName(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}


/** Refuses combinations of spectrum options that cannot work, before any model is read. */
export function checkSpectrumFlags(flags: SpectrumFlags): void {
  if (flags.precision === 'float32' && flags.backend !== 'wasm') throw new UsageError('--precision float32 needs --backend wasm');
  checkInputFlags(flags);
  checkClosedLoopFlags(flags);
}

/** How the flags ask a model file to be read: its cell, prefix and embedding. */
export function loadOptionsOf(flags: SpectrumFlags): LoadRnnFileOptions {
  return {
    ...(flags.cell ? { cell: flags.cell } : {}),
    ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
    ...(flags.embedding !== undefined ? { embedding: flags.embedding } : {}),
    ...(flags.closedLoop ? { readout: flags.readout ?? true } : {}),
  };
}

/** What `modelSpectrumThreaded` needs for one model, once the flags were checked against it, and how to describe it. */
export interface SpectrumPlan {
  inputs: SpectrumInputs;
  options: ThreadedSpectrumOptions;
  /** The tensors used and ignored (the embedding among the ignored when the inputs do not go through it). */
  source: ModelSource;
  /** The JSON's `inputs` record, and the table's "driven by …" phrase. */
  description: InputsDescription | ClosedLoopDescription;
  phrase: string;
  warnings: string[];
  /** The state dimension the spectrum follows. */
  dim: number;
  /** The most averaged steps the inputs were planned for: --steps, or with --until-converged --max-steps (or what an inputs file holds). */
  maxSteps: number;
}

/**
 * The inputs and options of the spectrum of `file`'s model the flags ask for, after checking that
 * they fit the model and the memory budget. `run` gives a run's own held-out sequences, used
 * unless the flags name other inputs.
 */
export function spectrumPlan(
  file: RnnFile, flags: SpectrumFlags & SpectrumRunFlags, modelPath: string, run?: RunInputs, clv?: SpectrumMemoryShape['clv'],
): SpectrumPlan {
  const { model, embedding } = file;
  const closed = flags.closedLoop ? closedLoopPlan(file, flags, modelPath, run) : undefined;
  const plan = closed?.inputs ?? planInputs(flags, model, embedding, run, spectrumInputSteps({ ...flags, steps: stepsRead(flags) }), modelPath);
  const { shape } = plan;
  // Without --max-steps, a run to convergence goes at most as far as an inputs file reaches.
  const fileSteps = shape.steps - flags.transient;
  const steps = flags.untilConverged !== undefined && flags.maxSteps === undefined && fileSteps >= flags.steps
    ? Math.min(stepsRead(flags), fileSteps) : stepsRead(flags);
  if (closed === undefined) checkSpectrumInputs(model, shape, { ...flags, steps }, flags.inputs ?? flags.tokens ?? 'inputs');
  const dim = spectrumStateDimension(model, flags);
  if (flags.k !== undefined && flags.k > dim) throw new UsageError(`--k must be an integer in [1, ${dim}] (the state dimension), got ${flags.k}`);
  const k = flags.k ?? dim;
  const threads = flags.untilConverged === undefined ? Math.min(flags.threads, shape.batch) : 1;
  checkMemory({
    ...shape, stateDim: dim, k, threads,
    ...(clv ? { clv } : {}),
    ...(flags.jacobiansOut !== undefined ? { jacobianBytes: flags.precision === 'float32' ? 4 : 8 } : {}),
    ...(flags.ftleWindow !== undefined ? { ftleWindows: Math.floor(steps / flags.ftleWindow) } : {}),
  }, flags.memoryBudget);
  const warnings = embedding !== undefined && flags.drive === 'onehot'
    ? [`${modelPath} has an embedding '${embedding.name}'; --drive onehot feeds one-hot vectors over the RNN's ${model.inputSize} inputs, which the network never sees: drop --drive for random tokens through the embedding, or give --text`]
    : [];
  const options: ThreadedSpectrumOptions = {
    steps: flags.steps,
    transient: flags.transient,
    ...(flags.k !== undefined ? { k: flags.k } : {}),
    seed: flags.seed,
    qrEvery: flags.qrEvery,
    ...logBaseOf(flags),
    ...(flags.lstmState ? { lstmState: flags.lstmState } : {}),
    ...(flags.compat ? { compat: flags.compat } : {}),
    ...(flags.ftleWindow !== undefined ? { ftleWindow: flags.ftleWindow } : {}),
    backend: flags.backend,
    precision: flags.precision,
    threads,
    ...(closed ? { closedLoop: closed.closedLoop } : {}),
  };
  return {
    inputs: plan.make(), options, source: plan.throughEmbedding ? file.source : withoutEmbedding(file.source),
    description: plan.description, phrase: plan.phrase, warnings, dim, maxSteps: steps,
  };
}

/** Refuses, before anything large is allocated, a run estimated to need more than the budget (GiB). */
function checkMemory(shape: SpectrumMemoryShape, budgetGiB: number | undefined): void {
  const budget = memoryBudget(budgetGiB);
  checkMemoryBudget(shape.clv ? 'these covariant Lyapunov vectors need' : 'this spectrum needs', spectrumMemory(shape), budget,
    `${shape.clv ? clvAdvice(shape, budget.bytes) : 'lower --batch, --steps, --transient or --threads'}, or set --memory-budget`);
}

/** A --window that fits the budget (the inputs' steps shrink with it), and the other settings that lower the storage. */
function clvAdvice(shape: SpectrumMemoryShape, budget: number): string {
  const clv = shape.clv!;
  const withWindow = (window: number) => ({ ...shape, steps: shape.steps - clv.window + window, clv: { ...clv, window, every: Math.min(clv.every, window) } });
  const fits = largestFitting(clv.window, (window) => window > 0 && spectrumMemory(withWindow(window)).bytes <= budget);
  return `${fits > 0 ? `--window ${fits} --every ${Math.min(clv.every, fits)} fits; or ` : ''}lower --batch, --k or --backward-transient, raise --every`;
}
