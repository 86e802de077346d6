/**
 * The browser page's path from a file's bytes to its JSON (src/web/page-plan.ts, then the batch
 * split, run and merged as its Web Workers do) run under Node: the JSON is `spectrum --json`'s for
 * the same file and settings, character for character. In Chromium the numbers differ only by
 * what the engines' Math.exp and Math.log do (browser.app.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rnnFileFromTensors } from '../src/io/rnn-file.js';
import { parseSafetensors } from '../src/io/safetensors.js';
import { toJson } from '../src/io/json.js';
import { mergedSpectrum, runSpectrumPart, spectrumPartRequests } from '../src/model-spectrum/batch-parts.js';
import { pagePlan, type PageSettings } from '../src/web/page-plan.js';
import { PageInputError } from '../src/web/errors.js';

const root = new URL('..', import.meta.url).pathname;
const FIXTURES = join(root, 'test/fixtures/torch');

function pageJson(file: string, settings: PageSettings): string {
  const model = rnnFileFromTensors(parseSafetensors(readFileSync(join(FIXTURES, file)), file), file);
  const plan = pagePlan(model, settings);
  const result = mergedSpectrum(spectrumPartRequests(model.model, plan.inputs, plan.options).map((request) => runSpectrumPart(request)));
  return toJson({ ...result, source: plan.source, inputs: plan.description });
}

function cliJson(file: string, args: string[]): string {
  const cli = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'spectrum', file, ...args, '--json'], { cwd: FIXTURES, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  return cli.stdout.trimEnd();
}

const base = { steps: 300, transient: 30, batch: 5, seed: 3, precision: 'float64' } as const;

test('the page\'s plan, split and merge give spectrum --json character for character: an LSTM (h at fixed c) over 2 workers', () => {
  const json = pageJson('lstm_l2_bias_h3.model.safetensors', { ...base, workers: 2, lstmState: 'h' });
  assert.equal(json, cliJson('lstm_l2_bias_h3.model.safetensors', ['--steps', '300', '--transient', '30', '--batch', '5', '--seed', '3', '--threads', '2', '--lstm-state', 'h']));
});

test('the page\'s plan, split and merge give spectrum --json character for character: a GRU, Gaussian drive, k = 4, float32, 1 worker', () => {
  const json = pageJson('gru_l1_bias_h16.model.safetensors', { ...base, workers: 1, k: 4, drive: 'gaussian', precision: 'float32' });
  assert.equal(json, cliJson('gru_l1_bias_h16.model.safetensors', ['--steps', '300', '--transient', '30', '--batch', '5', '--seed', '3', '--threads', '1', '--k', '4', '--drive', 'gaussian', '--precision', 'float32']));
});

test('the page refuses settings that cannot work with one line naming the setting', () => {
  const model = rnnFileFromTensors(parseSafetensors(readFileSync(join(FIXTURES, 'gru_l1_bias_h5.model.safetensors')), 'gru.safetensors'), 'gru.safetensors');
  const settings: PageSettings = { ...base, workers: 1 };
  assert.throws(() => pagePlan(model, { ...settings, k: 6 }), new PageInputError('k must be an integer in [1, 5] (the state dimension), got 6'));
  assert.throws(() => pagePlan(model, { ...settings, steps: Number.NaN }), new PageInputError('steps must be an integer in [1, 1000000], got nothing'));
  assert.throws(() => pagePlan(model, { ...settings, batch: 2000 }), new PageInputError('batch must be an integer in [1, 1024], got 2000'));
  assert.throws(() => pagePlan(model, { ...settings, drive: 'tokens' }), /a tokens drive goes through the model's embedding, but the model has none of width/);
});
