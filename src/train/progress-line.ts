import type { BatchProgress, TrainHooks } from './loop.js';
import type { TrainedEpochMetrics } from '../record/index.js';
import { formatLoss } from './summary-table.js';

export interface ProgressOptions {
  /** Redraw one line with a bar (a terminal), or print a plain line per epoch (logs). */
  tty: boolean;
  write: (text: string) => void;
  epochs: number;
}

const BAR = 24;

/**
 * Training progress for a command line: on a terminal, one redrawn line with a bar
 * (epoch, batches, loss, last λ₁); otherwise a plain line per epoch so logs stay readable.
 */
export function progressHooks(options: ProgressOptions): Pick<TrainHooks, 'onBatch' | 'onEpoch'> {
  const { tty, write, epochs } = options;
  let lastDraw = 0;
  let started = Date.now();
  return {
    onBatch(p: BatchProgress) {
      if (p.batch === 1) started = Date.now();
      const now = Date.now();
      if (!tty || (now - lastDraw < 100 && p.batch < p.batches)) return;
      lastDraw = now;
      const filled = Math.min(BAR, Math.round((BAR * p.batch) / p.batches));
      const bar = `${'█'.repeat(filled)}${'·'.repeat(BAR - filled)}`;
      const l1 = p.lambda1 === null ? '' : `  λ₁ ${p.lambda1.toFixed(3)}`;
      write(`\r\x1b[2Kepoch ${p.epoch}/${epochs} ${bar} ${p.batch}/${p.batches}  loss ${formatLoss(p.loss)}${l1}  ${((now - started) / 1000).toFixed(0)} s`);
    },
    onEpoch(m: TrainedEpochMetrics) {
      write(`${tty ? '\r\x1b[2K' : ''}${formatEpochLine(m, epochs)}\n`);
    },
  };
}

export function formatEpochLine(m: TrainedEpochMetrics, epochs: number): string {
  const parts = [`epoch ${m.epoch}/${epochs}`];
  if (m.trainLoss !== null) parts.push(`train ${formatLoss(m.trainLoss)}`);
  parts.push(`val ${formatLoss(m.valLoss)}`);
  if (m.valAccuracy !== null) parts.push(`acc ${(100 * m.valAccuracy).toFixed(1)}%`);
  if (m.lambda !== null) parts.push(`λ₁ ${m.lambda[0]!.toFixed(4)}`);
  if (m.kaplanYorke !== null) parts.push(`D_KY ${m.kaplanYorke.toFixed(2)}`);
  if (m.flossLoss != null) parts.push(`floss ${m.flossLoss.toPrecision(3)} (λ₁ ${m.flossLambda![0]!.toFixed(4)})`);
  if (m.epoch > 0) parts.push(`${m.seconds.toFixed(1)} s`);
  return parts.join('  ');
}
