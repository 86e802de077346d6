/**
 * End to end, in a real browser: Debian's Chromium (headless, through playwright-core) watches
 * a run that `rnn-lyapunov train` is writing, and opens a `report` file with the network cut.
 * Without /usr/bin/chromium the tests are reported as skipped.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startDashboard, buildReport } from '../src/report/index.js';
import { readMetrics } from '../src/record/index.js';
import { root, writeRun } from './report.helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed';
const ARTIFACTS = join(root, 'test-artifacts');
const EPOCHS = 3;
const K = 6;

/** One browser for both tests (launching takes seconds), with a fresh profile. */
let browser: Promise<BrowserContext> | undefined;
const launch = () => (browser ??= launchChromium());
after(async () => {
  if (browser) await (await browser).close();
});

async function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1000, height: 1100 },
  });
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('live dashboard in Chromium: a training run\'s loss and spectrum update as epochs are logged, values as in metrics.jsonl', { skip, timeout: 60_000 }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'e2e-runs-'));
  const dir = join(runs, 'copy-lstm');
  const context = await launch();
  const server = await startDashboard({ root: runs, pollMs: 100 });
  // A real training run, writing while the page is open.
  const train = spawn(process.execPath, [
    '--import', 'tsx', join(root, 'src/cli/main.ts'), 'train', '--task', 'copy', '--cell', 'lstm', '--hidden', '16',
    '--epochs', String(EPOCHS), '--batch', '32', '--task-opt', 'trainSize=6400', 'evalSize=64', '--k', String(K),
    '--spectrum-steps', '200', '--out', dir,
  ], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  train.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const trained = new Promise<number | null>((resolve) => train.on('close', resolve));
  try {
    await waitFor('the run directory', () => existsSync(join(dir, 'config.json')), 20_000);
    // Training is fast enough to finish while Chromium opens the page, so the trainer is held
    // (SIGSTOP) until the page has loaded: the rest of the run must reach the page by itself.
    train.kill('SIGSTOP');
    const page = await context.newPage();
    await page.goto(`${server.url}runs/copy-lstm`);
    const live = page.locator('#live');
    const epochsAtOpen = Number(await live.getAttribute('data-epochs'));
    train.kill('SIGCONT');
    assert.ok(epochsAtOpen < EPOCHS + 1, `the page opened while training (${epochsAtOpen} epochs logged)`);

    assert.equal(await trained, 0, stderr);
    // Epoch 0 (initialisation) and each trained epoch: the last line must reach the page by itself.
    await live.and(page.locator(`[data-epochs="${EPOCHS + 1}"]`)).waitFor({ timeout: 15_000 });
    assert.ok(Number(await live.getAttribute('data-updates')) >= 1, 'the page changed through server-sent events, without reloading');

    const metrics = readMetrics(dir);
    assert.equal(metrics.length, EPOCHS + 1);
    const last = metrics.at(-1)!;
    const lambda = last['lambda'] as number[];
    assert.equal(await live.getAttribute('data-epoch'), String(EPOCHS));
    assert.equal(Number(await live.getAttribute('data-lambda1')), lambda[0], 'λ₁ shown is the last logged one');
    assert.equal(Number(await live.getAttribute('data-val-loss')), last['valLoss']);

    // The training plot in the page: one point per exponent per epoch, at the logged values.
    const labels = await page.locator('#training path[aria-roledescription="point"]').evaluateAll((paths) =>
      paths.map((p) => p.getAttribute('aria-label') ?? ''));
    const exponentPoints = labels.filter((l) => l.includes('exponent: λ'));
    assert.equal(exponentPoints.length, (EPOCHS + 1) * K);
    for (const label of exponentPoints) {
      const epoch = Number(/epoch: (\d+)/.exec(label)![1]);
      const index = '₁₂₃₄₅₆'.indexOf(/exponent: λ(.)/.exec(label)![1]!);
      const shown = Number(/value: ([^;]+)/.exec(label)![1]!.replace('−', '-'));
      const logged = (metrics[epoch]!['lambda'] as number[])[index]!;
      assert.ok(Math.abs(shown - logged) <= 5e-4 * Math.abs(logged), `epoch ${epoch} λ${index + 1}: shown ${shown}, logged ${logged}`);
    }
    // The spectrum plot is the latest epoch's: K points.
    assert.equal(await page.locator('#spectrum path[aria-roledescription="point"]').count(), K);
    assert.match((await page.locator('#spectrum').textContent()) ?? '', new RegExp(`after epoch ${EPOCHS}`));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-live.png'), fullPage: true });
    await page.close();
  } finally {
    if (train.exitCode === null) train.kill('SIGKILL');
    await server.close();
  }
});

test('the HTML report opens in Chromium with every network request blocked and shows its plots', { skip, timeout: 60_000 }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'e2e-report-'));
  writeRun(join(runs, 'run'), 3, 5);
  const file = join(runs, 'report.html');
  writeFileSync(file, await buildReport(join(runs, 'run')));
  const page = await (await launch()).newPage();
  try {
    const blocked: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(`file://${file}`);
    assert.deepEqual(blocked, [], 'the report asks for nothing outside its file');
    const sizes = await page.locator('figure.plot > svg').evaluateAll((svgs) => svgs.map((s) => {
      const box = s.getBoundingClientRect();
      return [box.width, box.height];
    }));
    assert.equal(sizes.length, 3, 'training, spectrum and convergence plots');
    for (const [w, h] of sizes) assert.ok(w! > 200 && h! > 150, `a plot is drawn at ${w}×${h}`);
    assert.equal(await page.locator('#spectrum path[aria-roledescription="point"]').count(), 5);
    const data = JSON.parse((await page.locator('#report-data').textContent()) ?? 'null');
    assert.equal(data.metrics.length, 3, 'the data travel inside the page');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-offline.png'), fullPage: true });
    assert.ok(readFileSync(join(ARTIFACTS, 'report-offline.png')).length > 10_000);
  } finally {
    await page.close();
  }
});

test('live dashboard in Chromium: a log damaged while the page is open turns the status line into the file and line at fault; the index shows each run\'s columns', { skip, timeout: 60_000 }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'e2e-damaged-'));
  const dir = join(runs, 'run');
  writeRun(dir, 2, 4);
  const server = await startDashboard({ root: runs, pollMs: 50 });
  const page = await (await launch()).newPage();
  try {
    await page.goto(`${server.url}runs/run`);
    const live = page.locator('#live');
    assert.equal(await live.getAttribute('data-epochs'), '2');
    appendFileSync(join(dir, 'metrics.jsonl'), 'garbage{\n');
    await page.locator('#live.problem').waitFor({ timeout: 15_000 });
    assert.match((await live.textContent()) ?? '', /run\/metrics\.jsonl line 3: invalid JSON/);
    assert.equal(await page.locator('#training svg').count(), 1, 'the plots drawn before stay');

    await page.goto(server.url);
    const cells = await page.locator('table.runs tbody tr').first().locator('td').allTextContents();
    assert.deepEqual(cells.slice(0, 7), ['run', 'run', 'lstm', '16', '—/2', '—', '—'], 'the damaged last line blanks epoch, val loss and λ₁');
  } finally {
    await page.close();
    await server.close();
  }
});
