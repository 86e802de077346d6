/**
 * The sweep's query index (SQLite, WAL, safe for several processes on one machine; only the
 * machine that runs the sweep writes it, never the workers, since WAL does not work over a
 * network file system): which runs
 * belong to the sweep, their status and attempts, hyperparameters, spectrum features and final
 * metrics. It is a cache of the run directories, which stay the source of truth: `reconcile`
 * rebuilds it from them.
 */
import Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { CorruptIndexError } from '../errors.js';
import type { ResolvedRun } from '../spec/expand.js';

/** 'pruned': stopped on purpose after an early epoch by successive halving (`sweep --prune`): not failed, never retried. */
export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'pruned'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Runs by status; 'pruned' only when some are (a sweep without `--prune` counts as it always did). */
export type StatusCounts = Omit<Record<RunStatus, number>, 'pruned'> & { pruned?: number };

export interface IndexedRun {
  id: string;
  status: RunStatus;
  /** Times training was started on this run (a process found it free and trained it). */
  attempts: number;
  params: Record<string, unknown>;
  config: Record<string, unknown>;
  /** Last failure message, if any. */
  error: string | null;
  /** Spectrum features at the readout epoch (null until done or without a spectrum there). */
  features: Record<string, number> | null;
  /** Summary metrics of the finished run, e.g. final_val_loss. */
  metrics: Record<string, number> | null;
  /** host:pid of the process running it, while running. */
  worker: string | null;
  updatedAt: string;
}

interface Row {
  id: string;
  status: RunStatus;
  attempts: number;
  params: string;
  config: string;
  error: string | null;
  features: string | null;
  metrics: string | null;
  worker: string | null;
  updated_at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'pruned')),
  attempts INTEGER NOT NULL DEFAULT 0,
  params TEXT NOT NULL,
  config TEXT NOT NULL,
  error TEXT,
  features TEXT,
  metrics TEXT,
  worker TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
`;

export class RunIndex {
  private readonly db: Database.Database;

  /** `sweepDir` names the directory in the message for an unreadable index. */
  constructor(file: string, sweepDir = dirname(file)) {
    // The sweep and `sweep status` may open it at once (workers never do): wait for locks.
    this.db = new Database(file, { timeout: 30_000 });
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
      allowPrunedStatus(this.db);
      const check = this.db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new CorruptIndexError(file, sweepDir, String(check));
    } catch (error) {
      this.db.close();
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && /^SQLITE_(NOTADB|CORRUPT)/.test(code)) throw new CorruptIndexError(file, sweepDir, (error as Error).message);
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  /** Adds the runs not yet indexed, as queued, in the sweep's order. */
  addRuns(runs: readonly ResolvedRun[]): void {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO runs (id, position, status, params, config, updated_at) VALUES (?, ?, 'queued', ?, ?, ?)`,
    );
    this.db.transaction(() => runs.forEach((run, i) => insert.run(run.id, i, JSON.stringify(run.params), JSON.stringify(run.config), now())))();
  }

  get(id: string): IndexedRun | undefined {
    const row = this.db.prepare<Row>('SELECT * FROM runs WHERE id = ?').get(id);
    return row && fromRow(row);
  }

  list(status?: RunStatus): IndexedRun[] {
    const rows = status === undefined
      ? this.db.prepare<Row>('SELECT * FROM runs ORDER BY position').all()
      : this.db.prepare<Row>('SELECT * FROM runs WHERE status = ? ORDER BY position').all(status);
    return rows.map(fromRow);
  }

  counts(): StatusCounts {
    const counts: StatusCounts = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const row of this.db.prepare<{ status: RunStatus; n: number }>('SELECT status, COUNT(*) AS n FROM runs GROUP BY status').all()) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  markRunning(id: string, worker = `${hostname()}:${process.pid}`): void {
    this.update(id, `status = 'running', worker = ?`, worker);
  }

  /** Back to the queue (an interrupted or retried attempt); `error` keeps the reason, if any. */
  markQueued(id: string, error: string | null = null): void {
    this.update(id, `status = 'queued', worker = NULL, error = COALESCE(?, error)`, error);
  }

  markDone(id: string, summary: { features: Record<string, number> | null; metrics: Record<string, number> | null }): void {
    this.update(
      id,
      `status = 'done', worker = NULL, error = NULL, features = ?, metrics = ?`,
      summary.features && JSON.stringify(summary.features),
      summary.metrics && JSON.stringify(summary.metrics),
    );
  }

  markFailed(id: string, error: string): void {
    this.update(id, `status = 'failed', worker = NULL, error = ?`, error);
  }

  /** Stopped by successive halving; `reason` says after which epoch and why. */
  markPruned(id: string, reason: string): void {
    this.update(id, `status = 'pruned', worker = NULL, error = ?`, reason);
  }

  setAttempts(id: string, attempts: number): void {
    this.update(id, 'attempts = ?', attempts);
  }

  private update(id: string, assignments: string, ...values: unknown[]): void {
    const result = this.db.prepare(`UPDATE runs SET ${assignments}, updated_at = ? WHERE id = ?`).run(...values, now(), id);
    if (result.changes !== 1) throw new RangeError(`run ${id} is not in the sweep index`);
  }
}

/**
 * An index written before runs could be pruned has a status CHECK without 'pruned', and SQLite
 * cannot alter a CHECK: the table is copied into one with the current schema.
 */
function allowPrunedStatus(db: Database.Database): void {
  const table = db.prepare<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get();
  if (table === undefined || table.sql.includes("'pruned'")) return;
  db.transaction(() => {
    db.exec('ALTER TABLE runs RENAME TO runs_before_pruned');
    db.exec('DROP INDEX IF EXISTS runs_status');
    db.exec(SCHEMA);
    db.exec('INSERT INTO runs SELECT * FROM runs_before_pruned');
    db.exec('DROP TABLE runs_before_pruned');
  })();
}

function fromRow(row: Row): IndexedRun {
  return {
    id: row.id,
    status: row.status,
    attempts: row.attempts,
    params: JSON.parse(row.params),
    config: JSON.parse(row.config),
    error: row.error,
    features: row.features === null ? null : JSON.parse(row.features),
    metrics: row.metrics === null ? null : JSON.parse(row.metrics),
    worker: row.worker,
    updatedAt: row.updated_at,
  };
}

function now(): string {
  return new Date().toISOString();
}
