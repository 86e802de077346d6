import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, createSweep, expandSweep, runIdOf, loadSweepSpec, parseSweepSpec, SWEEP_SPEC_SCHEMA } from '../src/sweep/index.js';
import { DEFAULT_TRAIN_CONFIG } from '../src/train/config.js';
import { contentHash } from '../src/sweep/spec/canonical-json.js';
import { UserError } from '../src/errors.js';

const base = {
  method: 'random',
  runCap: 50,
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
    [{ ...base, runCap: undefined }, /field 'runCap' is required with method 'random'/],
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
    writeFileSync(join(dir, 's.yaml'), `method: random\nrunCap: 50\nparameters:\n  lr: { min: 0.001, max: 0.01, distribution: log_uniform }\nspectrum: { every: 1 }\nreadout: { metric: final_val_loss, epoch: 1 }\nbase: { task: { name: copy }, hidden: 8 }\n`);
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
    runCap: undefined,
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
  assert.throws(() => expandSweep({ ...spec, runCap: 10 }), /field 'runCap' is 10, but the grid has 18 points/);
});

test('random: runCap distinct runs, reproducible from the seed, inside each range', () => {
  const spec = parseSweepSpec({
    ...base,
    seed: 4,
    parameters: {
      lr: { min: 1e-4, max: 1e-1, distribution: 'log_uniform' },
      clip: { min: 0.5, max: 1.5, distribution: 'uniform' },
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
    assert.ok((params.clip as number) >= 0.5 && (params.clip as number) < 1.5);
    assert.ok([0, 1, 2, 3].includes(params.seed as number));
    assert.ok(['lstm', 'gru'].includes(params.cell as string));
  }
  // log-uniform: about half the draws below the geometric midpoint 10^-2.5
  const below = runs.filter((r) => (r.params.lr as number) < 10 ** -2.5).length;
  assert.ok(below > 15 && below < 35, `${below} of 50 below the log midpoint`);
  // every integer, both ends included
  assert.deepEqual([...new Set(runs.map((r) => r.params.seed))].sort(), [0, 1, 2, 3]);
  const small = parseSweepSpec({ ...base, runCap: 9, parameters: { hidden: { values: [4, 5, 6] }, layers: { min: 1, max: 3, distribution: 'int' } } });
  assert.equal(new Set(expandSweep(small).map((r) => r.id)).size, 9, 'all 9 combinations, no duplicate');
  assert.throws(() => parseSweepSpec({ ...small, runCap: 10 }, 'x.yaml'), /x\.yaml: field 'runCap' is 10, but the parameters allow only 9 distinct runs/);
});

test("random with 'each': runCap draws for every combination of the each-values, taken in turns; refused on a grid or a range", () => {
  const spec = parseSweepSpec({
    ...base,
    seed: 3,
    runCap: 7,
    parameters: {
      cell: { values: ['lstm', 'gru'], each: true },
      hidden: { values: [4, 8, 16], each: true },
      lr: { min: 1e-3, max: 1e-2, distribution: 'log_uniform' },
    },
  });
  const runs = expandSweep(spec);
  assert.equal(runs.length, 42);
  assert.equal(new Set(runs.map((r) => r.id)).size, 42);
  const stratum = (r: (typeof runs)[number]) => `${r.config.cell}/${r.config.hidden}`;
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(stratum(run), (counts.get(stratum(run)) ?? 0) + 1);
  assert.deepEqual([...counts.values()], [7, 7, 7, 7, 7, 7]);
  // in turns: any prefix of 6 consecutive runs holds every stratum once
  assert.equal(new Set(runs.slice(12, 18).map(stratum)).size, 6);
  // a discrete parameter with too few values for runCap draws per stratum
  assert.throws(
    () => parseSweepSpec({ ...base, runCap: 3, parameters: { cell: { values: ['lstm', 'gru'], each: true }, hidden: { values: [4, 8] } } }, 'x.yaml'),
    /x\.yaml: field 'runCap' is 3, but the parameters allow only 2 distinct runs for each value of cell/,
  );
  assert.throws(() => parseSweepSpec({ ...base, method: 'grid', parameters: { cell: { values: ['lstm'], each: true } } }, 'x'), /field 'parameters\.cell' has 'each', which only a random sweep uses/);
  assert.throws(() => parseSweepSpec({ ...base, parameters: { lr: { min: 1, max: 2, distribution: 'uniform', each: true } } }, 'x'), /field 'parameters\.lr' has 'each' without 'values'/);
  assert.throws(() => parseSweepSpec({ ...base, runCap: 60_000, parameters: { cell: { values: ['lstm', 'gru'], each: true }, lr: base.parameters.lr } }, 'x'), /the sweep has 120000 runs \(60000 for each of 2 combinations of cell\)/);
});

test('the size sweep (experiments/charlm-sizes.yaml): 45 runs for each cell and hidden size, over the ranges of the reproduction sweep', () => {
  const runs = expandSweep(loadSweepSpec(join(import.meta.dirname, '..', 'experiments', 'charlm-sizes.yaml')));
  assert.equal(runs.length, 270);
  for (const cell of ['lstm', 'gru']) for (const hidden of [32, 64, 128]) {
    const here = runs.filter((r) => r.config.cell === cell && r.config.hidden === hidden);
    assert.equal(here.length, 45, `${cell}-${hidden}`);
    for (const run of here) {
      const p = Number(/^uniform:(.+)$/.exec(run.config.init as string)![1]);
      assert.ok(p >= 0.04 && p < 3 && (run.config.lr as number) >= 5e-4 && (run.config.lr as number) < 1e-2, JSON.stringify(run.params));
    }
  }
});

test("format writes a parameter's value into a string of the config (init 'uniform:p')", () => {
  const spec = parseSweepSpec({ ...base, runCap: 20, parameters: { init: { min: 0.04, max: 3, distribution: 'log_uniform', format: 'uniform:{}' } } });
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
    const p = Number(/^uniform:(.+)$/.exec(run.config.init as string)![1]);
    assert.ok(p >= 0.04 && p < 3 && (run.config.lr as number) >= 5e-4 && (run.config.lr as number) < 1e-2, JSON.stringify(run.params));
    assert.equal(run.config.hidden, 64);
    assert.equal((run.config.spectrum as { every: number }).every, 1);
  }
  const lstm = runs.filter((r) => r.config.cell === 'lstm').length;
  assert.ok(lstm > 40 && lstm < 80, `${lstm} LSTMs of 120`);

});

test('a grid or runCap above MAX_SWEEP_RUNS, and a __proto__ parameter path, are refused before expanding', () => {
  const huge = { ...base, method: 'grid', runCap: undefined, parameters: { lr: { min: 1e-3, max: 1e-1, distribution: 'log_uniform', count: 1000 }, hidden: { min: 4, max: 8000, distribution: 'int', count: 1000 }, 'task.length': { min: 2, max: 2000, distribution: 'int', count: 1000 } } };
  assert.throws(() => parseSweepSpec(huge, 'x.yaml'), /x\.yaml: field 'parameters': the grid has 1000000000 points, more than the 100000 runs/);
  const proto = { ...base, method: 'grid', runCap: undefined, parameters: { '__proto__.x': { values: [1, 2, 3] } } };
  assert.throws(() => parseSweepSpec(proto, 'x.yaml'), /x\.yaml: field 'parameters\.__proto__\.x': '__proto__' is not allowed/);
});

test("every run's training config is checked before the sweep starts; errors name the spec file and the spec field", () => {
  const grid = { ...base, method: 'grid', runCap: undefined, parameters: { lr: { values: [0.01, 0.02] } } };
  const cases: [unknown, RegExp][] = [
    [{ ...grid, base: { task: { name: 'copy', lenght: 5 } } }, /^x\.yaml: field 'base\.task\.lenght': .*unknown option 'lenght' \(known: .*length/],
    [{ ...grid, base: { task: { name: 'cpoy' } } }, /^x\.yaml: field 'base\.task\.name': .*"cpoy", expected one of charlm, smnist, copy, adding, xor/],
    // Ranges checked when the task is built (once per distinct task spec).
    [{ ...grid, base: { task: { name: 'copy', length: 0 } } }, /^x\.yaml: field 'base\.task': copy\.length is 0, expected an integer ≥ 1/],
    [{ ...grid, base: { task: { name: 'copy' }, hiden: 8 } }, /^x\.yaml: field 'base\.hiden': 'hiden' is not a training option/],
    [{ ...grid, base: { task: { name: 'copy' }, cell: 'lstn' } }, /^x\.yaml: field 'base\.cell': cell must be one of/],
    [{ ...grid, parameters: { hidden: { values: [8, 0] } } }, /^x\.yaml: field 'parameters\.hidden' \(0 in one run\): hidden must be an integer/],
    [{ ...grid, parameters: { 'task.length': { values: [5, -1] } } }, /^x\.yaml: field 'base\.task' \(with task\.length = -1 in one run\): copy\.length is -1/],
    [{ ...grid, spectrum: { every: 1, lstmState: 'c' } }, /^x\.yaml: field 'spectrum\.lstmState' must be one of joint, h/],
    [{ ...grid, parameters: { 'spectrum.k': { values: [2, 0] } } }, /^x\.yaml: field 'parameters\.spectrum\.k' \(0 in one run\): spectrum\.k must be an integer/],
    [{ ...grid, readout: { metric: 'final_val_loss', epoch: 11 } }, /^x\.yaml: field 'readout\.epoch' is 11, beyond the 10 epochs each run trains \('base\.epochs'\)/],
    [{ ...grid, parameters: { epochs: { values: [4, 1] } }, readout: { metric: 'final_val_loss', epoch: 2 } }, /^x\.yaml: field 'readout\.epoch' is 2, beyond the 1 epochs each run trains \('parameters\.epochs' \(1 in one run\)\)/],
    [{ ...grid, spectrum: { every: 2 }, readout: { metric: 'final_val_loss', epoch: 3 } }, /^x\.yaml: field 'readout\.epoch' is 3, but spectra are taken every 2 epochs \('spectrum\.every'\)/],
    [{ ...grid, readout: { metric: 'final_val_los', epoch: 1 } }, /^x\.yaml: field 'readout\.metric' is 'final_val_los': expected final_<key> or best_<key> with <key> one of .*train_loss, .*val_loss, val_accuracy/],
  ];
  for (const [document, message] of cases) {
    assert.throws(() => parseSweepSpec(document, 'x.yaml'), (e: Error) => e instanceof UserError && message.test(e.message), message.source);
  }
  // The spellings metrics.jsonl uses, and best_, are accepted.
  for (const metric of ['final_valLoss', 'best_val_accuracy', 'final_train_loss']) parseSweepSpec({ ...grid, readout: { metric, epoch: 1 } });
});

test('spec keys are camelCase; the snake_case run_cap and max_attempts still load, with one deprecation line each', () => {
  const warnings: string[] = [];
  const { runCap: _, ...rest } = base;
  const old = parseSweepSpec({ ...rest, run_cap: 50, max_attempts: 2 }, 'old.yaml', { warn: (line) => warnings.push(line) });
  assert.deepEqual(old, parseSweepSpec({ ...base, maxAttempts: 2 }));
  assert.deepEqual(warnings, [
    "old.yaml: field 'run_cap' is deprecated: write 'runCap' (spec keys are camelCase, like the training config)",
    "old.yaml: field 'max_attempts' is deprecated: write 'maxAttempts' (spec keys are camelCase, like the training config)",
  ]);
  assert.throws(() => parseSweepSpec({ ...base, run_cap: 5 }, 'x.yaml'), /x\.yaml: fields 'run_cap' and 'runCap' are the same setting/);
  for (const file of ['charlm-pilot.yaml', 'charlm-shakespeare.yaml']) {
    loadSweepSpec(join(import.meta.dirname, '..', 'experiments', file), { warn: (line) => assert.fail(`${file}: ${line}`) });
  }
});

test('a sweep directory created with the snake_case spelling opens again with the camelCase spec, under its old key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-spec-'));
  try {
    const spec = parseSweepSpec({ ...base, runCap: 3 });
    const created = createSweep(dir, spec);
    created.index.close();
    // What the previous version wrote: the spec with run_cap/max_attempts, keyed by its hash.
    const { runCap, maxAttempts, ...rest } = spec;
    const oldSpec = { ...rest, run_cap: runCap, max_attempts: maxAttempts };
    const file = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ ...file, key: contentHash(oldSpec), spec: oldSpec }));
    const reopened = createSweep(dir, spec);
    reopened.index.close();
    assert.equal(reopened.key, contentHash(oldSpec));
    assert.deepEqual(reopened.runs.map((r) => r.id), created.runs.map((r) => r.id));
    assert.throws(() => createSweep(dir, parseSweepSpec({ ...base, runCap: 4 })), /holds a different sweep/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docs/sweep-spec.md documents every key of the schema and of the base training config, with the right required flag and default', () => {
  const rows = new Map<string, { required: string; fallback: string }>();
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'sweep-spec.md'), 'utf8');
  for (const [, key, required, fallback] of doc.matchAll(/^\| `([^`]+)` \|([^|]*)\|([^|]*)\|/gm)) rows.set(key!, { required: required!.trim(), fallback: fallback!.trim().replace(/`/g, '') });

  // Every key the schema defines, as a dotted path (<path>: a parameter's name).
  type Node = { properties?: Record<string, Node>; additionalProperties?: Node | boolean; required?: readonly string[] };
  const schemaKeys = new Map<string, boolean>();
  const walk = (node: Node, prefix: string) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      schemaKeys.set(`${prefix}${key}`, node.required?.includes(key) ?? false);
      walk(child, `${prefix}${key}.`);
    }
    if (typeof node.additionalProperties === 'object') {
      schemaKeys.set(`${prefix}<path>`, false);
      walk(node.additionalProperties, `${prefix}<path>.`);
    }
  };
  walk(SWEEP_SPEC_SCHEMA as unknown as Node, '');
  const baseKeys = ['task', ...Object.keys(DEFAULT_TRAIN_CONFIG).filter((k) => k !== 'spectrum')].map((k) => `base.${k}`);
  const schemaAndBase = [...schemaKeys.keys(), ...baseKeys];
  assert.deepEqual(schemaAndBase.filter((k) => !rows.has(k)), [], 'keys not documented');
  assert.deepEqual([...rows.keys()].filter((k) => !schemaAndBase.includes(k)), [], 'documented keys the spec does not have');
  for (const [key, required] of schemaKeys) assert.equal(rows.get(key)!.required === 'yes', required, `${key}: required is '${rows.get(key)!.required}'`);

  // Defaults: the spec's, read from a parsed minimal spec; spectrum and base: the trainer's.
  const parsed = parseSweepSpec(base) as unknown as Record<string, unknown>;
  const trainDefaults = DEFAULT_TRAIN_CONFIG as unknown as Record<string, unknown>;
  const expected: Record<string, unknown> = {
    seed: parsed.seed, maxAttempts: parsed.maxAttempts,
    ...Object.fromEntries(Object.entries(DEFAULT_TRAIN_CONFIG.spectrum).filter(([k]) => k !== 'every').map(([k, v]) => [`spectrum.${k}`, v])),
    ...Object.fromEntries(baseKeys.filter((k) => k !== 'base.task').map((k) => [k, trainDefaults[k.slice(5)]])),
  };
  for (const [key, value] of Object.entries(expected)) assert.equal(rows.get(key)!.fallback, String(value), `default of ${key}`);
});
