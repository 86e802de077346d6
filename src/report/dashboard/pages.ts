import { escapeHtml, figure, page } from '../pages/html.js';
import { readoutTable } from '../pages/report-html.js';
import { statusCounts, type SweepData } from '../data/sweep-data.js';
import type { Found } from './discover.js';
import type { RunSnapshot } from './live-run.js';

/** A URL path for a name relative to the runs directory, each segment encoded. */
export function routeOf(prefix: string, name: string): string {
  return `${prefix}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

function link(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

export function indexPage(root: string, found: readonly Found[]): string {
  const rows = found.map((f) => `<tr><td>${f.kind}</td><td>${link(routeOf(f.kind === 'run' ? '/runs' : '/sweeps', f.name), f.name)}</td>`
    + `<td>${f.modified ? escapeHtml(new Date(f.modified).toISOString().replace('T', ' ').slice(0, 19)) : '—'}</td></tr>`);
  const body = found.length === 0
    ? `<p class="note">No runs or sweeps yet in ${escapeHtml(root)}.</p>`
    : `<table class="runs"><thead><tr><th>kind</th><th>name</th><th>last change (UTC)</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
  return page('rnn-lyapunov runs', `<h1>Runs and sweeps</h1><p class="note">${escapeHtml(root)}</p>\n${body}`);
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

export function notFoundPage(what: string): string {
  return page('Not found', `<h1>Not found</h1><p>${escapeHtml(what)}</p><p>${link('/', '← all runs')}</p>`);
}
