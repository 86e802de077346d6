import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../plots/svg.js';
import { readRunData, runUnits } from '../data/run-data.js';
import { trainingPlot } from '../plots/plot-source.js';
import { spectrumPlot } from '../plots/spectrum-plots.js';
import { escapeHtml, formatCell } from '../pages/html.js';
import { problemOf, type Problem } from './problems.js';

/** What a run page shows, as of one version of the run's logs. */
export interface RunSnapshot {
  /** Sizes and modification times of metrics.jsonl and spectra.jsonl: changes when a line is added. */
  version: string;
  /** Logged epochs, and the latest one's epoch, λ₁ and validation loss (null before the first). */
  epochs: number;
  epoch: number | null;
  lambda1: number | null;
  valLoss: number | null;
  /** The run wrote its summary.json: training ended. */
  finished: boolean;
  /** One line for people, e.g. 'epoch 3 · λ₁ = −0.07607 nats/step · validation loss 0.9412'. */
  text: string;
  /** Plots as SVG (or a note while there is nothing to plot), by element id. */
  svgs: { training: string; spectrum: string };
}

const LOGS = ['metrics.jsonl', 'spectra.jsonl'];

export function logsVersion(dir: string): string {
  return LOGS.map((name) => {
    const path = join(dir, name);
    if (!existsSync(path)) return '-';
    const stat = statSync(path);
    return `${stat.size}@${stat.mtimeMs}`;
  }).join('|');
}

export async function runSnapshot(dir: string): Promise<RunSnapshot> {
  const version = logsVersion(dir);
  const run = readRunData(dir);
  const last = run.metrics.at(-1);
  const latestSpectrum = run.spectra.at(-1);
  const lambda = last?.['lambda'];
  const lambda1 = Array.isArray(lambda) && typeof lambda[0] === 'number' ? lambda[0] : null;
  const valLoss = typeof last?.['valLoss'] === 'number' ? last['valLoss'] : null;
  const epoch = typeof last?.['epoch'] === 'number' ? last['epoch'] : null;
  const finished = existsSync(join(dir, 'summary.json'));
  const units = runUnits(run);
  const text = epoch === null
    ? 'waiting for the first epoch…'
    : [
        `epoch ${epoch}`,
        lambda1 !== null ? `λ₁ = ${formatCell(lambda1)} ${units}` : undefined,
        valLoss !== null ? `validation loss ${formatCell(valLoss)}` : undefined,
        finished ? 'finished' : undefined,
      ].filter(Boolean).join(' · ');
  return {
    version, epochs: run.metrics.length, epoch, lambda1, valLoss, finished, text,
    svgs: {
      training: run.points.length > 0 ? await renderSvg(trainingPlot(run)) : note('No epoch logged yet.'),
      spectrum: latestSpectrum ? await renderSvg(spectrumPlot(latestSpectrum.spectrum, latestSpectrum.epoch)) : note('No spectrum recorded yet.'),
    },
  };
}

function note(text: string): string {
  return `<p class="note">${escapeHtml(text)}</p>`;
}

/** A subscriber of a run's watcher: each new snapshot, or why none could be made. */
export interface RunListener {
  update(snapshot: RunSnapshot): void;
  problem(problem: Problem): void;
}

type Current = { version: string; snapshot: RunSnapshot } | { version: string; problem: Problem };

function tell(listener: RunListener, current: Current): void {
  if ('snapshot' in current) listener.update(current.snapshot);
  else listener.problem(current.problem);
}

/**
 * Watches one run directory for its subscribers: polls the logs' sizes and times every
 * `pollMs` while anyone listens, renders a snapshot once per change and hands it to all —
 * or, where a log is damaged, the problem, once per change too.
 * (Polling rather than fs.watch: it behaves the same on every file system, network ones too.)
 */
export class RunWatcher {
  private readonly listeners = new Set<RunListener>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private current: Current | undefined;

  /** `onBug` gets errors that are not a damaged file (see `problemOf`), for the server's stderr. */
  constructor(private readonly dir: string, private readonly pollMs: number, private readonly onBug: (error: unknown) => void) {}

  /** Adds a listener, which gets the current snapshot (or problem) at once; returns the unsubscribe function. */
  subscribe(listener: RunListener): () => void {
    this.listeners.add(listener);
    if (this.current && this.current.version === logsVersion(this.dir)) tell(listener, this.current);
    else void this.poll();
    this.timer ??= setInterval(() => void this.poll(), this.pollMs);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    const version = logsVersion(this.dir);
    if (version === this.current?.version) return;
    this.busy = true;
    try {
      const snapshot = await runSnapshot(this.dir);
      this.current = { version: snapshot.version, snapshot };
    } catch (error) {
      const problem = problemOf(error);
      if (problem.bug) this.onBug(error);
      this.current = { version, problem };
    } finally {
      this.busy = false;
    }
    for (const listener of this.listeners) tell(listener, this.current);
  }
}
