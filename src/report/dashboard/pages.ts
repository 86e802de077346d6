import { escapeHtml, figure, formatCell, page } from '../pages/html.js';
import { readoutTable } from '../pages/report-html.js';
import { statusCounts, type SweepData } from '../data/sweep-data.js';
import type { Found } from './discover.js';
import type { RunOverview } from '../data/run-overview.js';
import type { RunSnapshot } from './live-run.js';
import type { Problem } from './problems.js';

/** A URL path for a name relative to the runs directory, each segment encoded. */
export function routeOf(prefix: string, name: string): string {
  return `${prefix}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

function link(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

/** A found run or sweep, with a run's overview (undefined for a sweep). */
export interface Listed extends Found {
  overview: RunOverview | undefined;
}

const INDEX_HEADERS = ['kind', 'name', 'cell', 'hidden', 'epoch', 'val loss', 'λ₁', 'last change (UTC)'];

export function indexPage(root: string, listed: readonly Listed[]): string {
  const rows = listed.map((f) => `<tr><td>${f.kind}</td><td>${link(routeOf(f.kind === 'run' ? '/runs' : '/sweeps', f.name), f.name)}</td>`
    + `${f.overview ? overviewCells(f.overview) : '<td colspan="5"></td>'}`
    + `<td>${f.modified ? escapeHtml(new Date(f.modified).toISOString().replace('T', ' ').slice(0, 19)) : '—'}</td></tr>`);
  const body = listed.length === 0
    ? `<p class="note">No runs or sweeps yet in ${escapeHtml(root)}.</p>`
    : `<table class="runs"><thead><tr>${INDEX_HEADERS.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
  return page('rnn-lyapunov runs', `<h1>Runs and sweeps</h1><p class="note">${escapeHtml(root)}</p>\n${body}`);
}

/** cell, hidden, epoch done/configured, val loss, λ₁: '—' for what is missing or damaged. */
function overviewCells(o: RunOverview): string {
  const cells: [string, boolean][] = [
    [formatCell(o.cell), false],
    [formatCell(o.hidden), true],
    [`${formatCell(o.epoch)}/${formatCell(o.epochs)}`, true],
    [formatCell(o.valLoss), true],
    [formatCell(o.lambda1), true],
  ];
  return cells.map(([text, numeric]) => `<td${numeric ? ' class="num"' : ''}>${escapeHtml(text)}</td>`).join('');
}

/** The run page: the snapshot rendered now, then replaced by each server-sent `update` event. */
export function runPage(name: string, snapshot: RunSnapshot): string {
  const body = [
    `<p>${link('/', '← all runs')}</p>`,
    `<h1>Run ${escapeHtml(name)}</h1>`,
    `<p id="live" class="status" ${liveAttributes(snapshot)} data-events="${escapeHtml(routeOf('/events', name))}">${escapeHtml(snapshot.text)}</p>`,
    `<p class="note">${link(routeOf('/report', name), 'self-contained report')} · ${link(routeOf('/files', `${name}/metrics.jsonl`), 'metrics.jsonl')} · ${link(routeOf('/files', `${name}/config.json`), 'config.json')}</p>`,
    figure(snapshot.svgs.training, 'training'),
    figure(snapshot.svgs.spectrum, 'spectrum'),
  ].join('\n');
  return page(`Run ${name}`, body, `<script>${LIVE_SCRIPT}</script>`);
}

/** The latest values as data attributes, which the browser test reads; data-updates counts changes seen live. */
function liveAttributes(s: RunSnapshot): string {
  const attr = (v: number | null) => (v === null ? '' : String(v));
  return `data-epoch="${attr(s.epoch)}" data-epochs="${s.epochs}" data-lambda1="${attr(s.lambda1)}" data-val-loss="${attr(s.valLoss)}" `
    + `data-finished="${s.finished}" data-version="${escapeHtml(s.version)}" data-updates="0"`;
}

/** Browser side of the live view: plain DOM, no library. */
const LIVE_SCRIPT = `
(() => {
  const live = document.getElementById('live');
  const source = new EventSource(live.dataset.events);
  const value = (v) => (v === null ? '' : String(v));
  source.addEventListener('update', (event) => {
    const s = JSON.parse(event.data);
    live.classList.remove('problem');
    // The stream starts with the current state, which may be what the page already shows.
    if (s.version === live.dataset.version) return;
    for (const id of Object.keys(s.svgs)) document.getElementById(id).innerHTML = s.svgs[id];
    live.textContent = s.text;
    live.dataset.epoch = value(s.epoch);
    live.dataset.epochs = String(s.epochs);
    live.dataset.lambda1 = value(s.lambda1);
    live.dataset.valLoss = value(s.valLoss);
    live.dataset.finished = String(s.finished);
    live.dataset.version = s.version;
    live.dataset.updates = String(Number(live.dataset.updates) + 1);
    live.classList.remove('disconnected');
  });
  // A log damaged while the page is open: say which file and line, keep the plots drawn so far.
  source.addEventListener('problem', (event) => {
    live.textContent = JSON.parse(event.data).error;
    live.classList.add('problem');
  });
  source.addEventListener('error', () => live.classList.add('disconnected'));
})();`;

/** A sweep: run status, the readout table, plots, and links to every run's page; reloads itself. */
export function sweepPage(name: string, sweep: SweepData, plots: readonly string[]): string {
  const counts = statusCounts(sweep.rows);
  const runs = sweep.rows.map((r) => `<tr><td>${r.id ? link(routeOf('/runs', `${name}/runs/${r.id}`), r.id) : '—'}</td><td>${escapeHtml(r.status ?? '')}</td>`
    + `<td class="num">${r.finalLoss === undefined ? '—' : escapeHtml(r.finalLoss.toPrecision(4))}</td>`
    + `<td>${escapeHtml(Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(', '))}</td></tr>`);
  const body = [
    `<p>${link('/', '← all runs')}</p>`,
    `<h1>Sweep ${escapeHtml(sweep.name)}</h1>`,
    `<p id="sweep-status" class="status" data-total="${sweep.rows.length}" ${Object.entries(counts).map(([s, n]) => `data-${escapeHtml(s)}="${n}"`).join(' ')}>`
      + `${escapeHtml(`${sweep.rows.length} runs: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}`)}</p>`,
    `<p class="note">${link(routeOf('/report', name), 'self-contained report')} · this page reloads every 10 s</p>`,
    sweep.readout && sweep.readout.length > 0
      ? `<h2>Readout: ${escapeHtml(sweep.target ?? 'final loss')} from epoch ${sweep.featureEpoch ?? '?'}</h2>${readoutTable(sweep)}`
      : `<p class="note">No readout yet${sweep.readoutNote ? `: ${escapeHtml(sweep.readoutNote)}` : ''}.</p>`,
    ...plots.map((svg) => figure(svg)),
    `<h2>Runs</h2><table class="runs"><thead><tr><th>run</th><th>status</th><th>${escapeHtml(sweep.target ?? 'final loss')}</th><th>parameters</th></tr></thead><tbody>${runs.join('\n')}</tbody></table>`,
  ].join('\n');
  return page(`Sweep ${sweep.name}`, body).replace('<head>', '<head>\n<meta http-equiv="refresh" content="10">');
}

/** Why the page of `subject` ('Run a', 'Sweep grid') could not be made; the message names the file (and line) at fault where the error does. */
export function problemPage(subject: string, problem: Problem): string {
  const advice = problem.bug
    ? 'The dashboard printed the details on its standard error; please report them.'
    : 'Repair or move that file, then reload this page. The other runs are not affected.';
  const title = `${subject}: ${problem.kind}`;
  return page(title, `<p>${link('/', '← all runs')}</p><h1>${escapeHtml(title)}</h1>`
    + `<p class="problem">${escapeHtml(problem.message)}</p><p class="note">${escapeHtml(advice)}</p>`);
}

export function notFoundPage(what: string): string {
  return page('Not found', `<h1>Not found</h1><p>${escapeHtml(what)}</p><p>${link('/', '← all runs')}</p>`);
}
