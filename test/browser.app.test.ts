/**
 * The browser page (src/web, built by scripts/build-web.mjs) in Debian's Chromium through
 * playwright-core, opened from file:// with every other request refused: a model file picked on
 * the page gives the spectrum the CLI's `spectrum --json` gives for the same file and options.
 * Without /usr/bin/chromium the browser tests are reported as skipped; the bundle check runs anyway.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startDashboard } from '../src/report/index.js';
import { encodeSafetensors } from '../src/io/index.js';
import { root } from './report.helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed';
const FIXTURES = join(root, 'test/fixtures/torch');
/** The CLI runs through tsx from directories outside the repository too. */
const CLI = ['--import', import.meta.resolve('tsx'), join(root, 'src/cli/main.ts')];
const web = mkdtempSync(join(tmpdir(), 'web-app-'));
const pageUrl = pathToFileURL(join(web, 'index.html')).href;

before(() => {
  execFileSync(process.execPath, [join(root, 'scripts/build-web.mjs'), web], { cwd: root, stdio: 'pipe' });
});

let browser: Promise<BrowserContext> | undefined;
const launch = () => (browser ??= launchChromium());
after(async () => {
  if (browser) await (await browser).close();
});

/** A fresh profile; every request that is not the page's own file, a blob: or data: URL is refused and recorded. */
const refused: string[] = [];
async function launchChromium(): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1000, height: 1100 },
  });
  await context.route(/^(?!file:|blob:|data:)/, (route) => {
    refused.push(route.request().url());
    return route.abort();
  });
  return context;
}

async function openPage(): Promise<Page> {
  const page = await (await launch()).newPage();
  page.on('pageerror', (error) => assert.fail(`the page threw: ${error.message}`));
  await page.goto(pageUrl);
  return page;
}

interface Settings {
  steps: number; transient: number; batch: number; seed: number; workers: number;
  k?: number; drive?: string; precision?: string; lstmState?: string;
}

async function fill(page: Page, s: Settings): Promise<void> {
  await page.fill('input[name=steps]', String(s.steps));
  await page.fill('input[name=transient]', String(s.transient));
  await page.fill('input[name=batch]', String(s.batch));
  await page.fill('input[name=seed]', String(s.seed));
  await page.fill('input[name=workers]', String(s.workers));
  await page.fill('input[name=k]', s.k === undefined ? '' : String(s.k));
  await page.selectOption('select[name=drive]', s.drive ?? '');
  await page.selectOption('select[name=precision]', s.precision ?? 'float64');
  if (s.lstmState !== undefined) await page.selectOption('select[name=lstm-state]', s.lstmState);
}

/** `spectrum --json` run in the fixtures' directory, so that the file is named as the page names it. */
function cliJson(file: string, s: Settings): Record<string, unknown> {
  const flags = [
    '--steps', s.steps, '--transient', s.transient, '--batch', s.batch, '--seed', s.seed, '--threads', s.workers,
    ...(s.k !== undefined ? ['--k', s.k] : []), ...(s.drive ? ['--drive', s.drive] : []),
    ...(s.precision ? ['--precision', s.precision] : []), ...(s.lstmState ? ['--lstm-state', s.lstmState] : []),
  ].map(String);
  const cli = spawnSync(process.execPath, [...CLI, 'spectrum', file, ...flags, '--json'], { cwd: FIXTURES, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  return JSON.parse(cli.stdout) as Record<string, unknown>;
}

/** Drops the file on the page's drop zone, as a file dragged from the desktop. */
async function dropFile(page: Page, path: string, name: string): Promise<void> {
  const base64 = readFileSync(path).toString('base64');
  const dataTransfer = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([Uint8Array.from(atob('${base64}'), (c) => c.charCodeAt(0))], '${name}'));
    return transfer;
  })()`);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
}

const CASES: { file: string; settings: Settings; drop?: boolean }[] = [
  // Two LSTM layers over two workers, h at fixed c, the default (one-hot) drive, every exponent.
  { file: 'lstm_l2_bias_h3.model.safetensors', settings: { steps: 400, transient: 50, batch: 5, seed: 3, workers: 2, lstmState: 'h' } },
  // A GRU dropped on the page, in one worker, a Gaussian drive, 5 of 16 exponents in float32.
  { file: 'gru_l1_bias_h16.model.safetensors', settings: { steps: 300, transient: 20, batch: 3, seed: 7, workers: 1, k: 5, drive: 'gaussian', precision: 'float32' }, drop: true },
];

for (const { file, settings, drop } of CASES) {
  test(`page in Chromium from file://: ${file} gives the λ of spectrum --json, and its JSON download is the CLI's`, { skip, timeout: 120_000 }, async (t) => {
    const page = await openPage();
    if (drop) await dropFile(page, join(FIXTURES, file), file);
    else await page.setInputFiles('#file', join(FIXTURES, file));
    await page.locator('#model-description').waitFor();
    await fill(page, settings);
    await page.click('#run');
    await page.locator('#results[data-done]').waitFor({ timeout: 90_000 });
    assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').innerText());
    const expected = cliJson(file, settings);

    const shown = (await page.locator('#spectrum tbody tr td:nth-child(2)').evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute('data-value')))));
    const lambda = expected['exponents'] as number[];
    assert.equal(shown.length, lambda.length, 'one row per exponent');
    // Equal to the bit, not to a tolerance: the spectrum path computes exp, log, tanh, sin and cos
    // with src/linalg/libm.ts, not the engine's Math.*, whose last bits differ between Chromium
    // and Node (docs/browser.md).
    const differences = shown.map((value, i) => Math.abs(value - lambda[i]!));
    t.diagnostic(`largest |λ page − λ CLI|: ${Math.max(...differences).toExponential(2)}`);
    assert.deepEqual(shown, lambda, 'λ on the page, bit for bit those of spectrum --json');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.deepEqual(JSON.parse(readFileSync((await download.path())!, 'utf8')), expected, 'the download is spectrum --json');
    assert.equal(await page.locator('#plot-spectrum svg').count(), 1, 'the spectrum plot is drawn');
    assert.equal(await page.locator('#plot-convergence svg').count(), 1, 'the convergence plot is drawn');
    assert.deepEqual(refused, [], 'the page asked for nothing outside itself');
    await page.close();
  });
}

test('page in Chromium: the progress bar moves, the page\'s thread never stalls 200 ms during a run, and cancel stops the workers', { skip, timeout: 180_000 }, async (t) => {
  const page = await openPage();
  await page.setInputFiles('#file', join(FIXTURES, 'lstm_l1_bias_h16.model.safetensors'));
  await page.locator('#model-description').waitFor();
  await fill(page, { steps: 1500, transient: 0, batch: 2, seed: 0, workers: 1 });
  // A requestAnimationFrame probe: the gaps between frames, and the progress values seen, until the result is drawn.
  // (A string, not a function: tsx would name the function's inner functions with a helper the page lacks.)
  await page.evaluate(`(() => {
    const probe = window.probe = { gaps: [], progress: [], max: 0 };
    const bar = document.getElementById('progress');
    let last = performance.now();
    const frame = (now) => {
      probe.gaps.push(now - last);
      last = now;
      probe.progress.push(bar.value);
      probe.max = bar.max;
      if (document.getElementById('results').dataset.done === undefined) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  })()`);
  await page.click('#run');
  await page.locator('#results[data-done]').waitFor({ timeout: 150_000 });
  const probe = await page.evaluate<{ gaps: number[]; progress: number[]; max: number }>('window.probe');
  const moving = new Set(probe.progress.filter((value) => value > 0 && value < probe.max));
  assert.ok(moving.size >= 2, `the bar showed ${moving.size} values between 0 and ${probe.max} steps`);
  const longest = Math.max(...probe.gaps);
  t.diagnostic(`${probe.gaps.length} frames over ${(probe.gaps.reduce((sum, gap) => sum + gap, 0) / 1000).toFixed(1)} s, the longest gap ${longest.toFixed(0)} ms`);
  assert.ok(longest < 200, `the longest gap between frames was ${longest.toFixed(0)} ms`);

  // Cancel a run far longer than the test: its workers go, the page says so in one line.
  await fill(page, { steps: 1_000_000, transient: 0, batch: 2, seed: 0, workers: 2 });
  await page.click('#run');
  await page.waitForFunction("document.getElementById('progress').value > 0", undefined, { timeout: 60_000 });
  assert.equal(page.workers().length, 2, 'two workers run');
  await page.click('#cancel');
  await page.locator('#error').filter({ hasText: 'cancelled' }).waitFor({ timeout: 10_000 });
  const deadline = Date.now() + 10_000;
  while (page.workers().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(page.workers().length, 0, 'no worker left running after cancel');
  assert.equal(await page.locator('#run').isEnabled(), true, 'another run can start');
  await page.close();
});

test('page in Chromium: a malformed file, a format the page does not read, a diverging network: one line each, as the CLI words them', { skip, timeout: 60_000 }, async () => {
  const page = await openPage();
  const broken = Buffer.from('this is not a safetensors file');
  await page.setInputFiles('#file', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: broken });
  const error = page.locator('#error');
  await error.waitFor();
  const line = await error.innerText();
  const dir = mkdtempSync(join(tmpdir(), 'broken-'));
  writeFileSync(join(dir, 'broken.safetensors'), broken);
  const cli = spawnSync(process.execPath, [...CLI, 'spectrum', 'broken.safetensors'], { cwd: dir, encoding: 'utf8' });
  assert.equal(cli.status, 2, 'the CLI calls it a user error');
  assert.equal(line, cli.stderr.trim().replace(/^rnn-lyapunov: /, ''), 'the page words it as the CLI');
  assert.doesNotMatch(line, /\n/);
  assert.equal(await page.locator('#run').isDisabled(), true, 'nothing to run');

  await page.setInputFiles('#file', { name: 'model.pt', mimeType: 'application/octet-stream', buffer: Buffer.from('PK') });
  await error.filter({ hasText: 'model.pt' }).waitFor();
  assert.match(await error.innerText(), /^model\.pt: the page reads safetensors files/);

  // An nn.RNN state dict (no metadata: tanh or relu is not in the weights) whose recurrent weights
  // are 10·I: as a relu RNN its state grows tenfold a step and overflows.
  const n = 3;
  const eye = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 10 : 0));
  const diverging = encodeSafetensors({ weight_ih_l0: { shape: [n, 2], data: new Array(2 * n).fill(1) }, weight_hh_l0: { shape: [n, n], data: eye } });
  await page.setInputFiles('#file', { name: 'diverging.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(diverging) });
  await error.filter({ hasText: 'diverging.safetensors' }).waitFor();
  assert.match(await error.innerText(), /weights do not tell; pass --cell rnn_tanh or --cell rnn_relu/);
  assert.equal(await page.locator('#run').isDisabled(), true, 'nothing to run without a cell');
  await page.selectOption('#cell', 'rnn_relu');
  await page.locator('#model-description').filter({ hasText: 'rnn_relu' }).waitFor();
  assert.equal(await error.isHidden(), true, 'the cell chosen, the error is gone');
  await fill(page, { steps: 1000, transient: 0, batch: 2, seed: 0, workers: 2 });
  await page.click('#run');
  await error.filter({ hasText: 'state diverged' }).waitFor({ timeout: 30_000 });
  assert.match(await error.innerText(), /^state diverged: component \d of trajectory [01] is Infinity after step \d+; the network or map is unstable/);
  assert.equal(await page.locator('#results').innerHTML(), '', 'no half result');
  await page.close();
});

test('the browser bundles (the page, rnn-lyapunov/browser) import no node: module and require no Node built-in; they carry the kernels', () => {
  for (const file of ['app.js', 'rnn-lyapunov.js']) {
    const bundle = readFileSync(join(web, file), 'utf8');
    assert.doesNotMatch(bundle, /["'`]node:[a-z_/]+["'`]/, file);
    assert.doesNotMatch(bundle, /\brequire\(\s*["'`](?:fs|path|os|url|worker_threads|child_process|crypto|module|process)["'`]\s*\)/, file);
    assert.match(bundle, /AGFzbQ/, `${file}: the kernels (\\0asm in base64) are inlined`);
  }
  assert.match(readFileSync(join(web, 'app.js'), 'utf8'), /onmessage/, 'the worker bundle is inlined in the page\'s');
  assert.match(readFileSync(join(web, 'index.html'), 'utf8'), /<meta http-equiv="Content-Security-Policy" content="default-src 'none';[^"]*connect-src 'none'/);
});

test('rnn-lyapunov/browser (dist/web/rnn-lyapunov.js) computes from bytes the spectrum of spectrum --json --threads 1, to the bit under Node', async () => {
  const lib = await import(pathToFileURL(join(web, 'rnn-lyapunov.js')).href) as typeof import('../src/web/library.js');
  const file = 'gru_l1_bias_h5.model.safetensors';
  const model = lib.rnnFileFromTensors(lib.parseSafetensors(readFileSync(join(FIXTURES, file)), file), file);
  const drive = lib.drivePlan('onehot', model.model, undefined, 3, 250, 4);
  const result = lib.modelSpectrum(model.model, drive.make(), { steps: 200, transient: 50, seed: 4 });
  const expected = cliJson(file, { steps: 200, transient: 50, batch: 3, seed: 4, workers: 1 });
  assert.deepEqual(result.exponents, expected['exponents']);
  assert.deepEqual(result.model, expected['model']);
  assert.throws(() => lib.parseSafetensors(new Uint8Array(4), 'four.safetensors'), (error: Error) => error instanceof lib.UserError && /^four\.safetensors: file is 4 bytes long/.test(error.message));
});

test('rnn-lyapunov serve answers /app/ with the page and its script, under the page\'s own policy', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'serve-app-'));
  const { url, close } = await startDashboard({ root: runs, webAppDir: web });
  const missing = await startDashboard({ root: runs, webAppDir: join(runs, 'not-built') });
  try {
    const redirect = await fetch(`${url}app`, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), '/app/');
    const page = await fetch(`${url}app/`);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.equal(html, readFileSync(join(web, 'index.html'), 'utf8'));
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    assert.equal(page.headers.get('content-security-policy'), meta);
    const script = await fetch(`${url}app/app.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(await script.text(), readFileSync(join(web, 'app.js'), 'utf8'));
    assert.equal((await fetch(`${url}app/other.js`)).status, 404);
    const unbuilt = await fetch(`${missing.url}app/`);
    assert.equal(unbuilt.status, 404);
    assert.match(await unbuilt.text(), /the browser page is not built/);
  } finally {
    await close();
    await missing.close();
  }
});
