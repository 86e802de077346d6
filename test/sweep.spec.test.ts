import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, expandSweep, runIdOf, checkRunConfig, loadSweepSpec, parseSweepSpec } from '../src/sweep/index.js';

const base = {
  method: 'random',
  run_cap: 50,
  parameters: { lr: { min: 1e-3, max: 1e-2, distribution: 'log_uniform' } },
  spectrum: { every: 1 },
  readout: { metric: 'final_val_loss', epoch: 1 },
  base: { task: { name: 'copy' }, hidden: 8 },
};

test('spec errors name the field and what was expected', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...base, method: 'grd' }, /field 'method' must be one of grid, random \(got "grd"\)/],
    [{ ...base, extra: 1 }, /unknown field 'extra'/],
    [{ ...base, parameters: { lr: { min: 1, max: 2, distribution: 'loguniform' } } }, /field 'parameters\.lr\.distribution' must be one of uniform, log_uniform, int/],
    [{ ...base, parameters: { lr: { min: 1, max: 2 } } }, /field 'parameters\.lr' needs 'values', or a range .* \(missing 'distribution'\)/],
    [{ ...base, parameters: { lr: { min: 0, max: 2, distribution: 'log_uniform' } } }, /'parameters\.lr' is log_uniform with min 0: expected min > 0/],
    [{ ...base, parameters: { lr: { min: 3, max: 2, distribution: 'uniform' } } }, /'parameters\.lr' has min 3 ≥ max 2/],
    [{ ...base, parameters: { 'a-b': { values: [1] } } }, /parameter named "a-b"/],
    [{ ...base, method: 'grid', parameters: { lr: { min: 1, max: 2, distribution: 'uniform' } } }, /is a range in a grid sweep: give 'count'/],
    [{ ...base, run_cap: undefined }, /field 'run_cap' is required with method 'random'/],
    [{ ...base, readout: { metric: 'val_loss', epoch: 1 } }, /field 'readout\.metric' must be final_<key> or best_<key>/],
    [{ ...base, spectrum: { every: 0 } }, /field 'spectrum\.every' must be >= 1 \(got 0\)/],
    [{ ...base, readout: { epoch: 1 } }, /missing field 'readout\.metric'/],
  ];
  for (const [document, message] of cases) assert.throws(() => parseSweepSpec(document, 'x.yaml'), (e: Error) => e.message.startsWith('x.yaml: ') && message.test(e.message));
});

test('YAML and JSON files load the same spec; broken files name the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-spec-'));
  try {
    writeFileSync(join(dir, 's.json'), JSON.stringify(base));
    writeFileSync(join(dir, 's.yaml'), `method: random\nrun_cap: 50\nparameters:\n  lr: { min: 0.001, max: 0.01, distribution: log_uniform }\nspectrum: { every: 1 }\nreadout: { metric: final_val_loss, epoch: 1 }\nbase: { task: { name: copy }, hidden: 8 }\n`);
    assert.deepEqual(loadSweepSpec(join(dir, 's.yaml')), loadSweepSpec(join(dir, 's.json')));
    writeFileSync(join(dir, 'bad.yaml'), 'method: [unclosed');
    assert.throws(() => loadSweepSpec(join(dir, 'bad.yaml')), /bad\.yaml: not valid YAML/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run ids hash the resolved config, whatever the key order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } }), '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  assert.equal(runIdOf({ lr: 0.01, task: { name: 'copy', length: 5 } }), runIdOf({ task: { length: 5, name: 'copy' }, lr: 0.01 }));
  assert.notEqual(runIdOf({ lr: 0.01 }), runIdOf({ lr: 0.02 }));
  assert.match(runIdOf({ lr: 0.01 }), /^[0-9a-f]{12}$/);
  assert.throws(() => runIdOf({ lr: NaN }), /\$\.lr is NaN: a configuration needs finite numbers/);
});

test('grid: the product of the values and of evenly spaced range points, with the schedule and parameters set in the config', () => {
  const spec = parseSweepSpec({
    ...base,
    method: 'grid',
    run_cap: undefined,
    parameters: {
      'task.length': { values: [5, 10] },
      lr: { min: 1e-3, max: 1e-1, distribution: 'log_uniform', count: 3 },
      hidden: { min: 4, max: 8, distribution: 'int', count: 3 },
    },
  });
  const runs = expandSweep(spec);
  assert.equal(runs.length, 2 * 3 * 3);
  const lrs = [...new Set(runs.map((r) => r.params.lr as number))].sort((a, b) => a - b);
  lrs.forEach((lr, i) => assert.ok(Math.abs(lr - [1e-3, 1e-2, 1e-1][i]) < 1e-15, `lr ${lr}`));
  assert.deepEqual([...new Set(runs.map((r) => r.params.hidden))].sort(), [4, 6, 8]);
  const run = runs.find((r) => r.params['task.length'] === 10 && r.params.hidden === 6)!;
  assert.deepEqual(run.config.task, { name: 'copy', length: 10 });
  assert.deepEqual(run.config.spectrum, { every: 1 });
  assert.equal(run.id, runIdOf(run.config));
  assert.equal(new Set(runs.map((r) => r.id)).size, runs.length);
  assert.throws(() => expandSweep({ ...spec, run_cap: 10 }), /the grid has 18 points but run_cap is 10/);
});

test('random: run_cap distinct runs, reproducible from the seed, inside each range', () => {
  const spec = parseSweepSpec({
    ...base,
    seed: 4,
    parameters: {
      lr: { min: 1e-4, max: 1e-1, distribution: 'log_uniform' },
      p: { min: 0.5, max: 1.5, distribution: 'uniform' },
      seed: { min: 0, max: 3, distribution: 'int' },
      cell: { values: ['lstm', 'gru'] },
    },
  });
  const runs = expandSweep(spec);
  assert.equal(runs.length, 50);
  assert.deepEqual(expandSweep(spec), runs);
  assert.notDeepEqual(expandSweep({ ...spec, seed: 5 }).map((r) => r.id), runs.map((r) => r.id));
  for (const { params } of runs) {
    assert.ok((params.lr as number) >= 1e-4 && (params.lr as number) < 1e-1);
    assert.ok((params.p as number) >= 0.5 && (params.p as number) < 1.5);
    assert.ok([0, 1, 2, 3].includes(params.seed as number));
    assert.ok(['lstm', 'gru'].includes(params.cell as string));
  }
  // log-uniform: about half the draws below the geometric midpoint 10^-2.5
  const below = runs.filter((r) => (r.params.lr as number) < 10 ** -2.5).length;
  assert.ok(below > 15 && below < 35, `${below} of 50 below the log midpoint`);
  // every integer, both ends included
  assert.deepEqual([...new Set(runs.map((r) => r.params.seed))].sort(), [0, 1, 2, 3]);
  const small = parseSweepSpec({ ...base, run_cap: 9, parameters: { a: { values: [1, 2, 3] }, b: { min: 1, max: 3, distribution: 'int' } } });
  assert.equal(new Set(expandSweep(small).map((r) => r.id)).size, 9, 'all 9 combinations, no duplicate');
  assert.throws(() => expandSweep({ ...small, run_cap: 10 }), /run_cap is 10 but the parameters allow only 9 distinct runs/);
});

test("format writes a parameter's value into a string of the config (init 'uniform:p')", () => {
  const spec = parseSweepSpec({ ...base, run_cap: 20, parameters: { init: { min: 0.04, max: 3, distribution: 'log_uniform', format: 'uniform:{}' } } });
  for (const run of expandSweep(spec)) {
    const match = /^uniform:(.+)$/.exec(run.config.init as string);
    assert.ok(match && Number(match[1]) >= 0.04 && Number(match[1]) < 3, String(run.config.init));
    assert.equal(run.params.init, run.config.init);
  }
  const grid = parseSweepSpec({ ...base, method: 'grid', parameters: { init: { values: [0.5, 1], format: 'uniform:{}' } } });
  assert.deepEqual(expandSweep(grid).map((r) => r.config.init), ['uniform:0.5', 'uniform:1']);
  assert.throws(() => parseSweepSpec({ ...base, parameters: { init: { values: [1], format: 'uniform' } } }, 'x'), /field 'parameters\.init\.format' must contain '\{\}'/);
});

test('the reproduction sweep (experiments/charlm-shakespeare.yaml): 120 valid LSTM/GRU runs over the stated ranges', () => {
  const spec = loadSweepSpec(join(import.meta.dirname, '..', 'experiments', 'charlm-shakespeare.yaml'));
  const runs = expandSweep(spec);
  assert.equal(runs.length, 120);
  for (const run of runs) {
    checkRunConfig(run.id, run.config);
    const p = Number(/^uniform:(.+)$/.exec(run.config.init as string)![1]);
    assert.ok(p >= 0.04 && p < 3 && (run.config.lr as number) >= 5e-4 && (run.config.lr as number) < 1e-2, JSON.stringify(run.params));
    assert.equal(run.config.hidden, 64);
    assert.equal((run.config.spectrum as { every: number }).every, 1);
  }
  const lstm = runs.filter((r) => r.config.cell === 'lstm').length;
  assert.ok(lstm > 40 && lstm < 80, `${lstm} LSTMs of 120`);
  assert.throws(() => checkRunConfig('x', { ...runs[0].config, hiden: 64 }), /run x: 'hiden' is not a training option/);
  assert.throws(() => checkRunConfig('x', { ...runs[0].config, lr: -1 }), /run x: train config: lr must be a positive number/);
});

test('a grid or run_cap above MAX_SWEEP_RUNS, and a __proto__ parameter path, are refused before expanding', () => {
  const huge = parseSweepSpec({ ...base, method: 'grid', run_cap: undefined, parameters: { lr: { min: 1e-3, max: 1e-1, distribution: 'log_uniform', count: 1000 }, hidden: { min: 4, max: 8000, distribution: 'int', count: 1000 }, 'task.length': { min: 2, max: 2000, distribution: 'int', count: 1000 } } });
  assert.throws(() => expandSweep(huge), /the grid has 1000000000 points, more than the 100000 runs/);
  const proto = parseSweepSpec({ ...base, method: 'grid', run_cap: undefined, parameters: { '__proto__.x': { values: [1, 2, 3] } } });
  assert.throws(() => expandSweep(proto), /'__proto__' is not allowed/);
});
