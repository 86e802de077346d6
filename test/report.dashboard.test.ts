import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard } from '../src/report/index.js';
import { createSweep, parseSweepSpec } from '../src/sweep/index.js';
import { parse as parseYaml } from 'yaml';
import { appendEpoch, markRunDone, root as ROOT, writeRun } from './report.helpers.js';

/** GET with the path sent exactly as written (no client-side normalisation of '..'). */
function get(url: string, path: string): Promise<{ status: number; body: string; type: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads server-sent events named `name` from a stream and hands over their data one at a time. */
function events(url: string, path: string, name = 'update') {
  const { hostname, port } = new URL(url);
  type Update = Record<string, unknown>;
  const queue: Update[] = [];
  const waiting: ((value: Update) => void)[] = [];
  let buffer = '';
  const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
    assert.match(String(res.headers['content-type']), /text\/event-stream/);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!block.startsWith(`event: ${name}\n`)) continue;
        const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as Update;
        const next = waiting.shift();
        if (next) next(data);
        else queue.push(data);
      }
    });
  });
  req.end();
  return {
    next: (): Promise<Update> => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise<Update>((resolve) => waiting.push(resolve))),
    close: () => req.destroy(),
  };
}

const SPEC = `
name: tiny
method: grid
parameters:
  lr: { values: [0.003, 0.01] }
  init: { values: ['uniform:0.3', 'uniform:1'] }
spectrum: { every: 1, batch: 2, steps: 60, transient: 10, k: 6 }
readout: { metric: final_val_loss, epoch: 1 }
base:
  task: { name: copy }
  cell: lstm
  hidden: 8
  epochs: 2
`;

test('dashboard: lists runs and sweeps, serves run pages with the latest values, streams new epochs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dash-'));
  const { metrics } = writeRun(join(root, 'alpha'), 2, 4);
  const sweep = createSweep(join(root, 'grid'), parseSweepSpec(parseYaml(SPEC), 'tiny.yaml'));
  const [first, second] = sweep.index.list();
  markRunDone(sweep, first!.id, { features: { lambda1: -0.2, kaplanYorke: 0 }, metrics: { final_val_loss: 1.5 } });
  // The second is complete in its directory only: a worker finished it, and workers do not write the index.
  markRunDone(sweep, second!.id);
  sweep.index.close();
  const server = await startDashboard({ root, pollMs: 50 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(server.url, '/');
    assert.equal(index.status, 200);
    assert.match(index.body, /href="\/runs\/alpha"/);
    assert.match(index.body, /href="\/sweeps\/grid"/);

    const page = await get(server.url, '/runs/alpha');
    assert.equal(page.status, 200);
    assert.match(page.type, /text\/html/);
    const lambda1 = (metrics[1]!['lambda'] as number[])[0]!;
    assert.match(page.body, new RegExp(`data-epoch="1" data-epochs="2" data-lambda1="${String(lambda1).replace(/[.-]/g, '\\$&')}"`));
    assert.equal((page.body.match(/<svg/g) ?? []).length, 2, 'training and spectrum plots');

    const sweepPage = await get(server.url, '/sweeps/grid');
    assert.equal(sweepPage.status, 200);
    assert.match(sweepPage.body, /data-total="4"[^>]*data-done="2"[^>]*data-queued="2"|data-total="4"[^>]*data-queued="2"[^>]*data-done="2"/,
      'the page counts the run a worker finished (the index brought up to date from the run directories)');

    const stream = events(server.url, '/events/alpha');
    const initial = await stream.next();
    assert.equal(initial['epoch'], 1);
    const added = appendEpoch(join(root, 'alpha'), 2, 4);
    const update = await stream.next();
    stream.close();
    assert.equal(update['epoch'], 2);
    assert.equal(update['epochs'], 3);
    assert.equal(update['lambda1'], added.spectrum.exponents[0]);
    assert.equal(update['valLoss'], added.metrics.valLoss);
    assert.match(String((update['svgs'] as Record<string, string>)['spectrum']), /after epoch 2/);
  } finally {
    await server.close();
  }
});

test('dashboard serves files inside the runs directory only: .., %2e%2e, absolute paths and symlinks out are refused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dash-'));
  const outside = mkdtempSync(join(tmpdir(), 'outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'SECRET');
  mkdirSync(join(root, 'run'));
  writeFileSync(join(root, 'run', 'notes.txt'), 'inside');
  symlinkSync(outside, join(root, 'escape'));
  symlinkSync(join(outside, 'secret.txt'), join(root, 'run', 'link.txt'));
  const server = await startDashboard({ root });
  try {
    const ok = await get(server.url, '/files/run/notes.txt');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'inside');
    const attempts = [
      `/files/../${outside.split('/').pop()}/secret.txt`,
      '/files/run/../../etc/passwd',
      '/files/%2e%2e/%2e%2e/etc/passwd',
      '/files/run%2f..%2f..%2fetc%2fpasswd',
      '/files/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      `/files/${outside}/secret.txt`,
      `/files/${encodeURIComponent(join(outside, 'secret.txt'))}`,
      '/files/escape/secret.txt',
      '/files/run/link.txt',
      '/files/run/notes.txt%00.json',
      '/runs/..%2f..',
      '/events/%2e%2e',
      '/report/..',
    ];
    for (const path of attempts) {
      const res = await get(server.url, path);
      assert.ok(res.status === 403 || res.status === 404, `${path}: got ${res.status}`);
      assert.ok(!res.body.includes('SECRET') && !res.body.includes('root:'), `${path}: nothing from outside in the body`);
    }
    assert.equal((await get(server.url, '/files/run/missing.txt')).status, 404);
    assert.equal((await get(server.url, '/files/escape/secret.txt')).status, 403);
  } finally {
    await server.close();
  }
});

/** Starts `serve ROOT ARGS…`; resolves once it printed its URL, with what it wrote on stderr by then. */
function startServe(root: string, ...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', root, '--port', '0', ...args], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const started = new Promise<{ url: string; stderr: () => string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /rnn-lyapunov dashboard: (http:\/\/\S+\/)\n/.exec(out);
      if (m) resolve({ url: m[1]!, stderr: () => stderr });
    });
    child.on('close', (code) => reject(new Error(`serve exited with ${code} before printing its URL: ${stderr}`)));
  });
  const stop = async () => {
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    return exited;
  };
  return { started, stop };
}

test('serve prints its URL on 127.0.0.1 (with no warning), serves the runs directory and stops on SIGTERM', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dash-'));
  writeRun(join(root, 'beta'), 1, 3);
  const serve = startServe(root);
  try {
    const { url, stderr } = await serve.started;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(url, '/');
    assert.equal(index.status, 200);
    assert.match(index.body, /href="\/runs\/beta"/);
    assert.equal(stderr(), '', 'no warning on the loopback address');
  } finally {
    assert.equal(await serve.stop(), 0);
  }
});

test('serve --host 0.0.0.0 warns on stderr that anyone who can connect reads every run (no authentication)', async () => {
  const serve = startServe(mkdtempSync(join(tmpdir(), 'dash-')), '--host', '0.0.0.0');
  try {
    const { url, stderr } = await serve.started;
    assert.match(url, /^http:\/\/0\.0\.0\.0:\d+\/$/);
    assert.match(stderr(), /^warning: --host 0\.0\.0\.0 is reachable from other machines and the dashboard has no authentication: anyone who can connect reads every run\n$/);
  } finally {
    assert.equal(await serve.stop(), 0);
  }
});

test('the dashboard refuses a foreign Host header (DNS rebinding) with 421 and serves localhost and 127.0.0.1 with the port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-host-'));
  const { url, close } = await startDashboard({ root: dir, port: 0 });
  const { port } = new URL(url);
  const withHost = (host: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', headers: { Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
  try {
    const evil = await withHost(`evil.example:${port}`);
    assert.equal(evil.status, 421);
    assert.match(evil.body, /Host evil\.example:\d+ is not this dashboard's address/);
    assert.doesNotMatch(evil.body, /<table|Runs and sweeps/);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const ok = await withHost(host);
      assert.equal(ok.status, 200, host);
      assert.match(ok.body, /Runs and sweeps/);
    }
  } finally {
    await close();
  }
});

/** The text of the cells of the index row that links to run `name`, after the kind and name cells. */
function indexRow(body: string, name: string): string[] {
  const row = new RegExp(`<tr><td>run</td><td><a href="/runs/${name}">${name}</a></td>(.*?)</tr>`).exec(body);
  assert.ok(row, `the index lists ${name}`);
  return [...row[1]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!);
}

test('damaged run files: each run page names the file and line in HTML (not a raw 500), the event stream says so, the index lists every run with "—" for what it cannot read', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dash-damaged-'));
  const { metrics } = writeRun(join(root, 'good'), 2, 4);
  for (const name of ['bad-metrics', 'bad-config', 'bad-spectra', 'bad-summary']) cpSync(join(root, 'good'), join(root, name), { recursive: true });
  appendFileSync(join(root, 'good', 'metrics.jsonl'), '{"epoch":2,"valLoss":0.5'); // torn by a crash: not a line yet
  appendFileSync(join(root, 'bad-metrics', 'metrics.jsonl'), 'garbage{\n');
  writeFileSync(join(root, 'bad-config', 'config.json'), '{not json');
  appendFileSync(join(root, 'bad-spectra', 'spectra.jsonl'), 'xx\n');
  writeFileSync(join(root, 'bad-summary', 'summary.json'), 'nope');
  const server = await startDashboard({ root, pollMs: 50 });
  try {
    const index = await get(server.url, '/');
    assert.equal(index.status, 200);
    const lambda1 = ((metrics[1]!['lambda'] as number[])[0]!).toPrecision(4).replace('-', '−');
    const good = ['lstm', '16', '1/2', '1.778', lambda1]; // epoch 1 of 2; val loss 3.2 / 1.8
    assert.deepEqual(indexRow(index.body, 'good').slice(0, 5), good);
    assert.deepEqual(indexRow(index.body, 'bad-spectra').slice(0, 5), good);
    assert.deepEqual(indexRow(index.body, 'bad-summary').slice(0, 5), good);
    assert.deepEqual(indexRow(index.body, 'bad-metrics').slice(0, 5), ['lstm', '16', '—/2', '—', '—']);
    assert.deepEqual(indexRow(index.body, 'bad-config').slice(0, 5), ['—', '—', '1/—', '1.778', lambda1]);

    const damaged: [string, RegExp][] = [
      ['/runs/bad-metrics', /bad-metrics\/metrics\.jsonl line 3: invalid JSON/],
      ['/runs/bad-config', /bad-config\/config\.json: invalid JSON/],
      ['/runs/bad-spectra', /bad-spectra\/spectra\.jsonl line 3: invalid JSON/],
      ['/report/bad-metrics', /bad-metrics\/metrics\.jsonl line 3: invalid JSON/],
    ];
    for (const [path, message] of damaged) {
      const res = await get(server.url, path);
      assert.equal(res.status, 422, path);
      assert.match(res.type, /^text\/html/, path);
      assert.match(res.body, /^<!DOCTYPE html>/, path);
      assert.match(res.body, message, path);
      assert.match(res.body, /<a href="\/">← all runs<\/a>/, path);
      assert.doesNotMatch(res.body, /"statusCode"/, path);
    }
    const summaryOnly = await get(server.url, '/runs/bad-summary');
    assert.equal(summaryOnly.status, 200, 'a damaged summary.json does not stop the run page');

    const stream = events(server.url, '/events/bad-spectra', 'problem');
    const problem = await stream.next();
    stream.close();
    assert.equal(problem['status'], 422);
    assert.match(String(problem['error']), /bad-spectra\/spectra\.jsonl line 3: invalid JSON/);
  } finally {
    await server.close();
  }
});
