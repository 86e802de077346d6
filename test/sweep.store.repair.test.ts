/**
 * A damaged sweep directory: a corrupt index.sqlite or sweep.json is one line naming the file and
 * what to do, and `sweep status --rebuild` recreates a corrupt index from the run directories.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLocalSweep, parseSweepSpec } from '../src/sweep/index.js';
import { runCli } from './sweep.helpers.js';

test('a corrupt index is a one-line error pointing at --rebuild, which repairs it; a corrupt sweep.json is a one-line error', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-repair-'));
  try {
    const text = join(root, 'text.txt');
    writeFileSync(text, 'the quick brown fox jumps over the lazy dog. '.repeat(100));
    // One run trains, one fails (its text file is there when the spec is checked, and gone when the run trains): the rebuilt index must tell them apart.
    const missing = join(root, 'missing.txt');
    writeFileSync(missing, 'to be or not to be, that is the question. '.repeat(200));
    const spec = parseSweepSpec({
      method: 'grid',
      maxAttempts: 1,
      parameters: { 'task.text': { values: [text, join(root, 'missing.txt')] } },
      spectrum: { every: 1, batch: 1, steps: 10, transient: 0, k: 2 },
      readout: { metric: 'final_val_loss', epoch: 1 },
      base: { task: { name: 'charlm', seq: 20 }, hidden: 4, epochs: 1 },
    });
    rmSync(missing);
    const out = join(root, 'sweep');
    assert.deepEqual(await runLocalSweep(spec, out, { jobs: 2 }), { queued: 0, running: 0, done: 1, failed: 1 });

    const index = join(out, 'index.sqlite');
    writeFileSync(index, randomBytes(4096));
    const status = runCli(['sweep', 'status', out]);
    assert.equal(status.status, 2, status.stderr);
    assert.equal(status.stderr,
      `rnn-lyapunov: ${index} is corrupt (file is not a database); it is rebuilt from the run directories by: npx rnn-lyapunov sweep status ${out} --rebuild\n`);
    const rebuilt = runCli(['sweep', 'status', out, '--rebuild']);
    assert.equal(rebuilt.status, 0, rebuilt.stderr);
    assert.match(rebuilt.stdout, /: 1\/2 runs done — running 0, failed 1, queued 0\n {2}\w+ {2}failed, 1 attempt: .*missing\.txt/);
    assert.equal(runCli(['sweep', 'status', out]).status, 0, 'the repaired index opens');

    const sweepFile = join(out, 'sweep.json');
    writeFileSync(sweepFile, '{"format": "rnn-lyapunov.sweep", "vers');
    for (const args of [['sweep', 'status', out], ['sweep', 'status', out, '--rebuild'], ['worker', '--claim', out]]) {
      const result = runCli(args);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`^rnn-lyapunov: ${sweepFile} is corrupt \\(.*\\); it holds the sweep's spec: remove it and start the sweep again .*$`, 'm'));
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
