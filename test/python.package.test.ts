/**
 * The Python package (python/): installed with pip into a fresh virtual environment, offline,
 * then its unittest suite run there, against this checkout's CLI (RNN_LYAPUNOV_CLI: the sources
 * through tsx, since dist/ may not be built). The run directory its LyapunovCallback test writes
 * is then read back with this repository's own readers.
 *
 * Needs Debian's python3 with python3-pip, python3-setuptools, python3-wheel and python3-numpy
 * (the environment sees them through --system-site-packages); python3-torch for the tests that
 * take torch modules, which skip themselves without it. Reported as skipped where a requirement
 * is missing, never passed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listCheckpoints, readMetrics, readSpectra } from '../src/record/index.js';
import { summarizeRun } from '../src/sweep/index.js';

const ROOT = join(import.meta.dirname, '..');
const PYTHON = '/usr/bin/python3';
/** Tests of the suite that need no torch: fewer ran means the suite did not run as it should. */
const TESTS_WITHOUT_TORCH = 17;

/** Why the package cannot be tested here, or undefined when it can. */
function missingRequirement(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing (Debian package python3)`;
  const modules = spawnSync(PYTHON, ['-c', 'import setuptools, wheel, pip, numpy, venv'], { encoding: 'utf8' });
  if (modules.status !== 0) {
    const missing = /No module named '([^']+)'/.exec(modules.stderr)?.[1] ?? modules.stderr.trim().split('\n').at(-1);
    return `${PYTHON} lacks ${missing} (Debian packages python3-pip, python3-setuptools, python3-wheel, python3-numpy)`;
  }
  return undefined;
}

function hasTorch(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

const missing = missingRequirement();

test('pip install ./python into a fresh virtual environment, offline, and its unittest suite passes there', { skip: missing ?? false, timeout: 240_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-python-'));
  try {
    const venv = join(root, 'venv');
    const run = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) => {
      const done = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env });
      assert.equal(done.status, 0, `${command} ${args.join(' ')} failed:\n${done.stdout}${done.stderr}`);
      return done;
    };
    // The system's pip (through --system-site-packages) installs into the environment: no ensurepip, no download.
    run(PYTHON, ['-m', 'venv', '--without-pip', '--system-site-packages', venv]);
    const python = join(venv, 'bin', 'python');
    // pip builds ./python in place; a build/ left by an earlier version could bring back modules since removed.
    rmSync(join(ROOT, 'python', 'build'), { recursive: true, force: true });
    run(python, ['-m', 'pip', 'install', '--no-build-isolation', '--no-index', '--no-deps', '--quiet', './python'], {
      ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1',
    });

    const runs = join(root, 'runs');
    const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const suite = run(python, ['-m', 'unittest', 'discover', '-v', '-s', 'python/tests', '-t', 'python/tests'], {
      ...process.env,
      RNN_LYAPUNOV_CLI: `${process.execPath} --import ${tsx} ${join(ROOT, 'src', 'cli', 'main.ts')}`,
      RNN_LYAPUNOV_TEST_RUNS: runs,
      RNN_LYAPUNOV_EXPECT_INSTALLED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    });
    const ran = Number(/^Ran (\d+) tests? in/m.exec(suite.stderr)?.[1] ?? NaN);
    const skipped = Number(/\(skipped=(\d+)\)/.exec(suite.stderr)?.[1] ?? 0);
    const torch = hasTorch();
    assert.ok(ran - skipped >= TESTS_WITHOUT_TORCH, `only ${ran - skipped} of the package's tests ran:\n${suite.stderr}`);
    if (torch) assert.doesNotMatch(suite.stderr, /skipped 'torch is not installed'/, 'torch is installed, yet its tests were skipped');

    await t.test('the LyapunovCallback run directory reads back with readMetrics, readSpectra, listCheckpoints and the readout\'s run summary', { skip: !torch && 'torch is not installed for /usr/bin/python3 (python3-torch)' }, () => {
      const dir = join(runs, 'python-run');
      const metrics = readMetrics(dir);
      assert.deepEqual(metrics.map((m) => [m.epoch, m.step, m.trainLoss === null, m.lambda === null]), [
        [0, 0, true, false], [1, 4, false, true], [2, 8, false, false], [3, 12, false, true],
      ]);
      const spectra = readSpectra(dir);
      assert.deepEqual(spectra.map((s) => [s.epoch, s.step, s.spectrum?.exponents.length]), [[0, 0, 4], [2, 8, 4]]);
      assert.deepEqual(metrics[2]!.lambda, spectra[1]!.spectrum!.exponents);
      const checkpoints = listCheckpoints(dir);
      assert.deepEqual(checkpoints.map((c) => [c.epoch, c.lines.metrics, c.lines.spectra]), [[0, 1, 1], [1, 2, 1], [2, 3, 2], [3, 4, 2]]);
      // What analyze reads of each run of a sweep: the features at the early epoch and the final metric.
      const summary = summarizeRun(dir, { metric: 'final_val_loss', epoch: 2 });
      assert.equal(typeof summary.features?.lambda1, 'number');
      assert.equal(summary.features?.lambda1, spectra[1]!.spectrum!.exponents[0]);
      assert.equal(typeof summary.metrics?.final_val_loss, 'number');
      assert.equal(summary.metrics?.final_val_loss, metrics[3]!.valLoss);
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
