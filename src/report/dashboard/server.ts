import { createReadStream, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { buildReport } from '../pages/report-html.js';
import { isRunDirectory } from '../data/run-data.js';
import { runOverview } from '../data/run-overview.js';
import { finishedRunsKey, isSweepDirectory, sweepIndexData, sweepReadout, withReadout, type SweepReadout } from '../data/sweep-dir-data.js';
import { sweepViews } from '../plots/sweep-views.js';
import { renderSvg } from '../plots/svg.js';
import { discover } from './discover.js';
import { RunWatcher, runSnapshot } from './live-run.js';
import { indexPage, notFoundPage, problemPage, runPage, sweepPage } from './pages.js';
import { problemOf } from './problems.js';
import { resolveInside } from './safe-path.js';
import { defaultWebAppDirectory, readWebAppFile, WEB_APP_FILES, webAppPolicy } from './web-app.js';
import { ReportInputError } from '../errors.js';

export interface DashboardOptions {
  /** The runs directory; nothing outside it is ever read for a request. */
  root: string;
  /** How often a watched run's logs are checked for new lines. Default 500 ms. */
  pollMs?: number;
  /** Keep-alive comment on idle event streams. Default 15 s. */
  heartbeatMs?: number;
  /** Where the browser page served at /app/ was built. Default dist/web under the package root (`npm run build`). */
  webAppDir?: string;
}

/** Pages need nothing from elsewhere: inline styles and scripts, SVG inline, events from this server. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

const FILE_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json; charset=utf-8', '.jsonl': 'application/x-ndjson; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8', '.yaml': 'text/plain; charset=utf-8', '.yml': 'text/plain; charset=utf-8',
};

/** What the first segment of a URL path shows, for a problem page's heading. */
const SUBJECTS: Readonly<Record<string, string>> = { runs: 'Run', sweeps: 'Sweep', report: 'Report of', files: 'File' };

/** A bug (not a damaged file) met while answering: its stack goes to the server's stderr. */
function reportBug(error: unknown): void {
  process.stderr.write(`rnn-lyapunov dashboard: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
}

/** The dashboard as a fastify app (not listening): `app.listen` or `app.inject` it. */
export function createDashboard(options: DashboardOptions): FastifyInstance {
  const root = resolve(options.root);
  if (!statSync(root).isDirectory()) throw new ReportInputError(`${options.root} is not a directory`);
  const pollMs = options.pollMs ?? 500;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const webAppDir = options.webAppDir ?? defaultWebAppDirectory();
  // Closing ends open event streams too, instead of waiting for browsers to hang up.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const watchers = new Map<string, RunWatcher>();
  // The readout takes seconds for a large sweep: computed again only when another run finishes.
  const readouts = new Map<string, { key: string; readout: SweepReadout }>();

  app.addHook('onSend', async (_request, reply) => {
    // The browser page (/app/) sends its own policy.
    if (!reply.hasHeader('Content-Security-Policy')) reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
  });
  app.addHook('onClose', async () => {
    for (const watcher of watchers.values()) watcher.stop();
  });

  /** The directory a wildcard route names, or a 403/404 already sent. */
  const target = (request: FastifyRequest, reply: FastifyReply, accept: (path: string) => boolean, what: string): string | undefined => {
    const name = (request.params as Record<string, string>)['*'] ?? '';
    const found = resolveInside(root, name);
    if (found.ok && accept(found.path)) return found.path;
    const status = found.ok ? 404 : found.status;
    void reply.code(status).type('text/html; charset=utf-8').send(notFoundPage(status === 403 ? `${name}: outside the runs directory` : `${name}: no such ${what}`));
    return undefined;
  };
  const nameOf = (request: FastifyRequest) => ((request.params as Record<string, string>)['*'] ?? '').split('/').filter(Boolean).join('/');

  app.get('/', async (_request, reply) => {
    const listed = discover(root).map((found) => ({ ...found, overview: found.kind === 'run' ? runOverview(join(root, found.name)) : undefined }));
    return reply.type('text/html; charset=utf-8').send(indexPage(root, listed));
  });

  app.get('/runs/*', async (request, reply) => {
    const dir = target(request, reply, isRunDirectory, 'run');
    if (dir) return reply.type('text/html; charset=utf-8').send(runPage(nameOf(request), await runSnapshot(dir)));
    return reply;
  });

  app.get('/events/*', (request, reply) => {
    const dir = target(request, reply, isRunDirectory, 'run');
    if (!dir) return reply;
    let watcher = watchers.get(dir);
    if (!watcher) {
      watcher = new RunWatcher(dir, pollMs, reportBug);
      watchers.set(dir, watcher);
    }
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff',
    });
    stream.write('retry: 2000\n\n');
    const send = (event: string, data: unknown) => stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const unsubscribe = watcher.subscribe({
      update: (snapshot) => send('update', snapshot),
      problem: (problem) => send('problem', { status: problem.status, error: problem.message }),
    });
    const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), heartbeatMs);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
    return reply;
  });

  app.get('/sweeps/*', async (request, reply) => {
    const dir = target(request, reply, isSweepDirectory, 'sweep');
    if (!dir) return reply;
    const index = sweepIndexData(dir);
    const key = finishedRunsKey(index);
    let cached = readouts.get(dir);
    if (cached?.key !== key) readouts.set(dir, (cached = { key, readout: sweepReadout(dir) }));
    const sweep = withReadout(index, cached.readout);
    const plots: string[] = [];
    for (const view of sweepViews(sweep)) if ('spec' in view) plots.push(await renderSvg(view.spec));
    return reply.type('text/html; charset=utf-8').send(sweepPage(nameOf(request), sweep, plots));
  });

  app.get('/report/*', async (request, reply) => {
    const dir = target(request, reply, (path) => isRunDirectory(path) || isSweepDirectory(path), 'run or sweep');
    if (dir) return reply.type('text/html; charset=utf-8').send(await buildReport(dir));
    return reply;
  });

  app.get('/files/*', async (request, reply) => {
    const file = target(request, reply, (path) => statSync(path).isFile(), 'file');
    if (!file) return reply;
    return reply.type(FILE_TYPES[extname(file)] ?? 'application/octet-stream').send(createReadStream(file));
  });

  // The browser page: a model dropped on it is computed in the browser, nothing is sent here.
  app.get('/app', async (_request, reply) => reply.redirect('/app/'));
  app.get('/app/*', async (request, reply) => {
    const served = WEB_APP_FILES[(request.params as Record<string, string>)['*'] ?? ''];
    if (served === undefined) return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage(`${request.url}: no such page`));
    const content = readWebAppFile(webAppDir, served.file);
    if (content === undefined) {
      return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage(`the browser page is not built: ${webAppDir} has no ${served.file} (run \`npm run build\`)`));
    }
    const policy = served.file === 'index.html' ? webAppPolicy(content) : undefined;
    if (policy !== undefined) reply.header('Content-Security-Policy', policy);
    return reply.type(served.type).send(content);
  });

  // A damaged file of one run is that run's page (or event stream) saying so, not a raw 500.
  app.setErrorHandler(async (error, request, reply) => {
    const problem = problemOf(error);
    if (problem.bug) reportBug(error);
    void reply.code(problem.status);
    if (request.url.startsWith('/events/')) return reply.type('application/json; charset=utf-8').send({ status: problem.status, error: problem.message });
    const route = request.url.split('/')[1] ?? '';
    const subject = SUBJECTS[route] === undefined ? 'The list of runs' : `${SUBJECTS[route]} ${nameOf(request)}`;
    return reply.type('text/html; charset=utf-8').send(problemPage(subject, problem));
  });

  app.setNotFoundHandler(async (request, reply) => reply.code(404).type('text/html; charset=utf-8').send(notFoundPage(`${request.url}: no such page`)));
  return app;
}

export interface StartOptions extends DashboardOptions {
  port?: number;
  /** Interface to listen on. Default 127.0.0.1: only this machine can connect. */
  host?: string;
  /** Answer requests whatever their Host header (only asked for with a non-loopback --host). Default false. */
  allowAnyHost?: boolean;
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** Starts the dashboard; resolves to its URL and a function that stops it. */
export async function startDashboard(options: StartOptions): Promise<{ url: string; app: FastifyInstance; close: () => Promise<void> }> {
  const app = createDashboard(options);
  const host = options.host ?? '127.0.0.1';
  const shown = host.includes(':') ? `[${host}]` : host;
  // Against DNS rebinding: a page from elsewhere reaches this server under its own name, so only
  // the bound address and the loopback names (with the port) are answered.
  let allowed = new Set<string>();
  app.addHook('onRequest', async (request, reply) => {
    if (options.allowAnyHost) return;
    const given = String(request.headers.host ?? '').toLowerCase();
    if (!allowed.has(given)) {
      return reply.code(421).type('text/plain; charset=utf-8').send(`Host ${given || '(none)'} is not this dashboard's address; use ${[...allowed][0] ?? shown}\n`);
    }
  });
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  allowed = new Set([shown.toLowerCase(), ...LOOPBACK].map((h) => `${h}:${port}`));
  return { url: `http://${shown}:${port}/`, app, close: () => app.close() };
}
