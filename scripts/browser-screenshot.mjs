// docs/images/browser.png: the page (dist/web, `npm run build`) opened from file:// in Debian's
// Chromium with the network cut, the trained char-level LSTM of test/fixtures/embedding picked
// and its spectrum computed. `node scripts/browser-screenshot.mjs [OUT.png]`.
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'docs/images/browser.png');
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
  executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'], viewport: { width: 1000, height: 900 },
});
await context.route(/^(?!file:|blob:|data:)/, (route) => route.abort());
const page = await context.newPage();
await page.goto(pathToFileURL(join(root, 'dist/web/index.html')).href);
await page.setInputFiles('#file', join(root, 'test/fixtures/embedding/charlm.safetensors'));
await page.fill('input[name=k]', '10');
await page.fill('input[name=workers]', '2');
await page.click('#run');
await page.locator('#results[data-done]').waitFor({ timeout: 120_000 });
await page.screenshot({ path: out, fullPage: true });
await context.close();
process.stdout.write(`wrote ${out}\n`);
