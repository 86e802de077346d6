import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The floors of src/, lowest first (docs/architecture.md): a file may import only from its own
 * floor and those before it, so data flows data → cell → tangent → spectrum → record → report.
 */
const FLOORS = ['errors.ts', 'linalg', 'lyapunov', 'cells', 'io', 'model-spectrum', 'record', 'train', 'sweep', 'report', 'cli', 'web', 'index.ts'];
const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The relative modules a file imports or re-exports (static and dynamic), as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)]
    .map((m) => m[1] ?? m[2]!)
    .filter((s) => s.startsWith('.'));
  return specifiers.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

function floorOf(file: string): number {
  const top = relative(src, file).split('/')[0]!;
  const floor = FLOORS.indexOf(top);
  assert.notEqual(floor, -1, `${relative(src, file)}: src/ holds only the floors ${FLOORS.join(', ')}`);
  return floor;
}

const files = sourceFiles(src);

test('src/ holds only index.ts and errors.ts at its root, and the floors as folders', () => {
  const root = readdirSync(src, { withFileTypes: true });
  assert.deepEqual(root.filter((e) => e.isFile()).map((e) => e.name).sort(), ['errors.ts', 'index.ts']);
  for (const entry of root.filter((e) => e.isDirectory())) assert.ok(FLOORS.includes(entry.name), `unexpected folder src/${entry.name}`);
});

test('no file imports from a floor above its own', () => {
  const upward: string[] = [];
  for (const file of files) {
    for (const target of importsOf(file)) {
      if (floorOf(target) > floorOf(file)) upward.push(`${relative(src, file)} → ${relative(src, target)}`);
    }
  }
  assert.deepEqual(upward, []);
});

test('no import circle, inside a floor or across floors', () => {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => files.includes(t))]));
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(src, f)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const target of graph.get(file)!) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(circles, []);
});

test('the walker sees imports: a known upward import would be caught', () => {
  // Guard against a walker that finds nothing: the CLI imports the record and the reports.
  const cli = files.filter((f) => relative(src, f).startsWith('cli/'));
  const floors = new Set(cli.flatMap(importsOf).map(floorOf));
  assert.ok(floors.has(FLOORS.indexOf('record')) && floors.has(FLOORS.indexOf('report')), 'the CLI imports record and report');
});

test('every floor with an index is a subpath export of the package, pointing at its built index', () => {
  const pkg = JSON.parse(readFileSync(join(src, '..', 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
  // The CLI and the browser page (web) are applications on top of the library, not subpaths of it.
  const floors = FLOORS.filter((f) => !f.endsWith('.ts') && f !== 'cli' && f !== 'web');
  for (const floor of floors) {
    assert.equal(pkg.exports[`./${floor}`]?.default, `./dist/${floor}/index.js`, `rnn-lyapunov/${floor}`);
    assert.ok(files.includes(join(src, floor, 'index.ts')), `src/${floor}/index.ts exists`);
  }
});
