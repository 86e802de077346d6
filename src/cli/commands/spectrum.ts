import type { Command } from 'commander';
import { CELL_KINDS, type CellKind, type LstmState } from '../../cells/model.js';
import { inputSequencesShape, loadInputSequences, loadRnnModel } from '../../io/index.js';
import {
  checkSpectrumInputs, defaultMemoryBudget, DRIVE_KINDS, formatGiB, modelSpectrumThreaded, spectrumInputSteps, spectrumMemory,
  spectrumStateDimension, type DriveKind, type SpectrumInputs, type SpectrumMemoryShape,
} from '../../model-spectrum/index.js';
import type { LogBase } from '../../lyapunov/spectrum.js';
import { formatSpectrum } from '../format-spectrum.js';
import { progressReporter } from '../progress.js';
import { choice, integer, real } from '../parse.js';
import { UsageError } from '../errors.js';
import { statSync } from 'node:fs';
import { runModel } from '../../train/run-model.js';
import { toJson } from '../json.js';
import { LINALG_BACKENDS, type LinalgBackend } from '../../linalg/backends.js';
import { PRECISIONS, type Precision } from '../../linalg/index.js';
import { availableParallelism } from 'node:os';

interface SpectrumFlags {
  cell?: CellKind;
  checkpoint?: number;
  inputs?: string;
  drive?: DriveKind;
  batch: number;
  steps: number;
  transient: number;
  k?: number;
  seed: number;
  qrEvery: number;
  logBase?: 'e' | '2' | '10';
  lstmState?: LstmState;
  compat?: 'vogt2020';
  backend: LinalgBackend;
  precision: Precision;
  threads: number;
  memoryBudget?: number;
  json?: boolean;
}

export function registerSpectrum(program: Command): void {
  program
    .command('spectrum')
    .description('Lyapunov spectrum of a PyTorch RNN/LSTM/GRU saved as safetensors or with torch.save, or of a training run')
    .argument('<model>', 'safetensors or torch.save file (.pt, .pth, .bin, .ckpt) holding a PyTorch state dict (weight_ih_l0, weight_hh_l0, …) or a checkpoint dict with one, or a run directory of `train`')
    .option('--checkpoint <epoch>', 'with a run directory: the checkpoint of this epoch (default: the latest)', integer('--checkpoint', 0))
    .option('--cell <kind>', `cell type: ${CELL_KINDS.join('|')} (default: from the file)`, choice('--cell', CELL_KINDS))
    .option('--inputs <file>', "safetensors file with a tensor 'inputs' of shape [B, T, I]")
    .option('--drive <kind>', 'random input sequences instead of --inputs: onehot|gaussian', choice('--drive', DRIVE_KINDS))
    .option('--batch <B>', 'number of random sequences with --drive', integer('--batch', 1), 8)
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
    .option('--memory-budget <GiB>', 'refuse a run estimated to need more memory than this (default: half of the memory available)', real('--memory-budget', 0, Infinity))
    .option('--json', 'print a JSON document instead of the table')
    .action(async (modelPath: string, flags: SpectrumFlags) => {
      if (flags.precision === 'float32' && flags.backend !== 'wasm') throw new UsageError('--precision float32 needs --backend wasm');
      if (flags.inputs && flags.drive) throw new UsageError('give either --inputs or --drive, not both');
      const needed = spectrumInputSteps(flags);
      const fromRun = statSync(modelPath, { throwIfNoEntry: false })?.isDirectory() === true;
      if (!fromRun && flags.checkpoint !== undefined) throw new UsageError('--checkpoint needs a run directory');
      const run = fromRun ? runModel(modelPath, flags.checkpoint !== undefined ? { epoch: flags.checkpoint } : {}) : undefined;
      const model = run?.model ?? loadRnnModel(modelPath, flags.cell ? { cell: flags.cell } : {});
      // A run is driven by held-out sequences of its own task unless inputs are given.
      const fromRunData = run !== undefined && flags.inputs === undefined && flags.drive === undefined;
      const shape = flags.inputs
        ? inputSequencesShape(flags.inputs)
        : { batch: flags.batch, steps: needed, size: model.inputSize };
      checkSpectrumInputs(model, shape, flags, flags.inputs ?? 'inputs');
      const dim = spectrumStateDimension(model, flags);
      if (flags.k !== undefined && flags.k > dim) throw new UsageError(`--k must be an integer in [1, ${dim}] (the state dimension), got ${flags.k}`);
      checkMemory({
        ...shape, held: flags.inputs !== undefined || fromRunData, stateDim: dim, k: flags.k ?? dim, threads: Math.min(flags.threads, shape.batch),
      }, flags.memoryBudget);
      const inputs: SpectrumInputs = flags.inputs
        ? loadInputSequences(flags.inputs)
        : fromRunData
          ? run.heldOutInputs(flags.batch, needed, flags.seed)
          : { kind: flags.drive ?? 'onehot', ...shape, seed: flags.seed };
      const result = await modelSpectrumThreaded(model, inputs, {
        steps: flags.steps,
        transient: flags.transient,
        ...(flags.k !== undefined ? { k: flags.k } : {}),
        seed: flags.seed,
        qrEvery: flags.qrEvery,
        ...(flags.logBase !== undefined ? { logBase: (flags.logBase === 'e' ? 'e' : Number(flags.logBase)) as LogBase } : {}),
        ...(flags.lstmState ? { lstmState: flags.lstmState } : {}),
        ...(flags.compat ? { compat: flags.compat } : {}),
        backend: flags.backend,
        precision: flags.precision,
        threads: flags.threads,
        onProgress: progressReporter('spectrum'),
      });
      const source = flags.inputs
        ?? (fromRunData ? `held-out data of ${modelPath} (epoch ${run.checkpoint.epoch} checkpoint, seed ${flags.seed})` : `random ${flags.drive ?? 'onehot'} inputs (seed ${flags.seed})`);
      process.stdout.write(flags.json ? `${toJson(result)}\n` : `${formatSpectrum(result, source)}\n`);
      for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    });
}

/** Refuses, before anything large is allocated, a run estimated to need more than the budget (GiB). */
function checkMemory(shape: SpectrumMemoryShape, budgetGiB: number | undefined): void {
  const budget = budgetGiB === undefined ? defaultMemoryBudget() : { bytes: budgetGiB * 2 ** 30, why: '--memory-budget' };
  const { bytes, parts } = spectrumMemory(shape);
  if (bytes <= budget.bytes) return;
  const largest = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  throw new UsageError(
    `this spectrum needs ≈ ${formatGiB(bytes)} (${largest[0]}: ${formatGiB(largest[1])}), over the memory budget of ` +
      `${formatGiB(budget.bytes)} (${budget.why}); lower --batch, --steps, --transient or --threads, or set --memory-budget`,
  );
}
