import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../plots/render.js';
import { readRunData, runUnits } from '../data/run-data.js';
import { spectrumPlot, trainingPlot } from '../plots/plot-source.js';
import { escapeHtml, formatCell } from '../pages/html.js';

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

export type SnapshotListener = (snapshot: RunSnapshot) => void;

/**
 * Watches one run directory for its subscribers: polls the logs' sizes and times every
 * `pollMs` while anyone listens, renders a snapshot once per change and hands it to all.
 * (Polling rather than fs.watch: it behaves the same on every file system, network ones too.)
 */
export class RunWatcher {
  private readonly listeners = new Set<SnapshotListener>();
  private timer: NodeJS.Timeout | undefined;
  private version = '';
  private busy = false;
  private latest: RunSnapshot | undefined;

  constructor(private readonly dir: string, private readonly pollMs: number, private readonly onError: (error: unknown) => void) {}

  /** Adds a listener, which gets the current snapshot at once; returns the unsubscribe function. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    if (this.latest && this.latest.version === logsVersion(this.dir)) listener(this.latest);
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
    if (version === this.version && this.latest) return;
    this.busy = true;
    try {
      this.latest = await runSnapshot(this.dir);
      this.version = this.latest.version;
      for (const listener of this.listeners) listener(this.latest);
    } catch (error) {
      this.onError(error);
    } finally {
      this.busy = false;
    }
  }
}
