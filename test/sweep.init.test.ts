import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, loadSweepSpec } from '../src/sweep/index.js';
import { runCli } from './sweep.helpers.js';

test('sweep init writes a commented template that loads and expands as is, and refuses to overwrite a file without --force', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-init-'));
  try {
    const file = join(dir, 'my.yaml');
    const first = runCli(['sweep', 'init', file]);
    assert.equal(first.status, 0, first.stderr);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.split('\n').filter((line) => line.startsWith('#')).length >= 10, 'commented');
    const spec = loadSweepSpec(file, { warn: (line) => assert.fail(line) });
    assert.equal(expandSweep(spec).length, 9, 'a 3 × 3 grid');

    writeFileSync(file, 'my own spec\n');
    const again = runCli(['sweep', 'init', file]);
    assert.equal(again.status, 2);
    assert.equal(again.stderr, `rnn-lyapunov: ${file} exists: choose another file, or give --force to overwrite it\n`);
    assert.equal(readFileSync(file, 'utf8'), 'my own spec\n', 'left as it was');

    assert.equal(runCli(['sweep', 'init', file, '--force']).status, 0);
    assert.equal(readFileSync(file, 'utf8'), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
