import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Rng, gemmNT, F32Arena } from '../src/linalg/index.js';
import { jsDenseOps } from '../src/linalg/gemm/gemm-nt.js';
import { memoryFactory, BpttEngine, type TrainingBatch, createParams, type NetworkSpec, initialiseParams } from '../src/train/index.js';

test('wasm SIMD C = A·Bᵀ matches the float64 product on odd shapes, with accumulation and long shared dimensions', () => {
  const rng = new Rng(4);
  for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [2, 4, 4], [7, 9, 13], [33, 17, 600], [5, 3, 1]] as const) {
    const arena = new F32Arena(F32Arena.sizeFor([m * k + 3, n * k, m * n + 2]));
    const a = arena.allocate(m * k + 3);
    const b = arena.allocate(n * k);
    const c = arena.allocate(m * n + 2);
    for (const x of [a, b, c]) for (let i = 0; i < x.length; i++) x[i] = rng.range(-1, 1);
    const a64 = Float64Array.from(a);
    const b64 = Float64Array.from(b);
    const c64 = Float64Array.from(c);
    for (const accumulate of [false, true]) {
      // A starts at an offset of 3 floats (unaligned rows); C at 2.
      arena.gemmNT(m, n, k, a, 3, b, 0, c, 2, accumulate);
      gemmNT(m, n, k, a64, 3, b64, 0, c64, 2, accumulate);
      for (let i = 0; i < m * n; i++) {
        assert.ok(Math.abs(c[2 + i]! - c64[2 + i]!) <= 1e-5 * Math.sqrt(k) * 2, `${m}×${n}×${k} accumulate=${accumulate} entry ${i}: ${c[2 + i]} vs ${c64[2 + i]}`);
      }
      c64.set(c);
    }
    assert.equal(c[0], Math.fround(c64[0]!), 'entries before the offset are untouched');
  }
  const arena = new F32Arena(16);
  assert.throws(() => arena.gemmNT(1, 1, 1, new Float32Array(1), 0, arena.allocate(1), 0, arena.allocate(1), 0, false), /view of this arena/);
});

test('wasm transpose, column sums and row-vector sums equal the JavaScript ones bit for bit (odd shapes, offsets, tails)', () => {
  const rng = new Rng(6);
  for (const [rows, cols] of [[1, 1], [5, 3], [4, 4], [37, 45], [64, 33], [1, 7], [70, 130]] as const) {
    const n = rows * cols;
    const arena = new F32Arena(F32Arena.sizeFor([n + 3, n + 5, cols + 1]));
    const [a, out, v] = [arena.allocate(n + 3), arena.allocate(n + 5), arena.allocate(cols + 1)];
    for (const x of [a, out, v]) for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const [a32, out32, v32] = [Float32Array.from(a), Float32Array.from(out), Float32Array.from(v)];
    arena.transpose(rows, cols, a, 3, out, 5);
    jsDenseOps.transpose(rows, cols, a32, 3, out32, 5);
    assert.deepEqual(out, out32, `transpose ${rows}×${cols}`);
    arena.addColumnSums(rows, cols, a, 3, v, 1);
    jsDenseOps.addColumnSums(rows, cols, a32, 3, v32, 1);
    assert.deepEqual(v, v32, `column sums ${rows}×${cols}`);
    arena.addRowVector(rows, cols, a, 3, v, 1);
    jsDenseOps.addRowVector(rows, cols, a32, 3, v32, 1);
    assert.deepEqual(a, a32, `row vector ${rows}×${cols}`);
  }
});

test('wasm softmax exponentials e^{z − shift} agree with Math.exp to float32 rounding, their sum to 1e-9 (asm/exp.ts: relative error < 3e-10)', () => {
  const rng = new Rng(7);
  for (const n of [1, 2, 7, 64]) {
    const arena = new F32Arena(F32Arena.sizeFor([n + 1]));
    const a = arena.allocate(n + 1);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal() * 10;
    // Far below the maximum: e^{−100} is a float32 subnormal, e^{−1000} underflows to 0.
    if (n >= 7) [a[3], a[4], a[5]] = [-100, -1000, 1e-30];
    const shift = Math.max(...a.subarray(1));
    const want = Float32Array.from(a);
    const sum = arena.expShifted(n, a, 1, shift);
    const wantSum = jsDenseOps.expShifted(n, want, 1, shift);
    assert.ok(Math.abs(sum - wantSum) <= 1e-9 * wantSum, `n=${n}: sum ${sum} vs ${wantSum}`);
    for (let i = 1; i <= n; i++) {
      assert.ok(Math.abs(a[i]! - want[i]!) <= 2 ** -23 * want[i]! + 2 ** -149, `n=${n} entry ${i}: ${a[i]} vs ${want[i]}`);
    }
    assert.equal(a[0], want[0], 'the entry before the offset is untouched');
  }
});

test('float32 training on the wasm kernel gives the float64 gradients to float32 accuracy', () => {
  for (const cell of ['lstm', 'gru', 'rnn_tanh'] as const) {
    const spec: NetworkSpec = { cell, inputSize: 10, hiddenSize: 19, numLayers: 2, bias: true, outputSize: 7 };
    const rng = new Rng(8);
    const p64 = createParams(spec, 'float64');
    initialiseParams(p64, 'uniform:0.4', rng);
    const p32 = Float32Array.from(p64.values);
    p64.values.set(p32); // the same (float32-representable) weights in both
    const batch: TrainingBatch = {
      batch: 6, steps: 9,
      inputs: { kind: 'dense', data: rng.fillNormal(new Float64Array(6 * 9 * 10)) },
      targets: { loss: 'cross-entropy', at: 'every-step', classes: Int32Array.from({ length: 54 }, () => rng.int(7)) },
    };
    const g64 = new Float64Array(p32.length);
    const g32 = new Float32Array(p32.length);
    const r64 = new BpttEngine(spec, 'float64', 'js').gradient(p64.values, g64, batch);
    const r32 = new BpttEngine(spec, 'float32', 'wasm').gradient(p32, g32, batch);
    assert.ok(Math.abs(r32.loss - r64.loss) < 1e-5 * r64.loss, `${cell} loss ${r32.loss} vs ${r64.loss}`);
    const norm = Math.hypot(...g64);
    let err = 0;
    for (let i = 0; i < g64.length; i++) err = Math.max(err, Math.abs(g32[i]! - g64[i]!));
    assert.ok(err < 1e-5 * norm, `${cell}: largest gradient difference ${err}, gradient norm ${norm}`);
  }
});

test('an arena larger than a WebAssembly memory can hold is refused with advice', () => {
  assert.throws(() => new F32Arena(2 ** 30), /need 4\.0 GiB, more than one WebAssembly memory holds \(4 GiB\): use a smaller batch/);
});

test('training products: wasm by default in float32, js in float64; a wasm float64 request is refused', () => {
  const f32 = memoryFactory('float32')([8]);
  const f64 = memoryFactory('float64')([8]);
  assert.notEqual(f32.gemm, gemmNT, 'float32 runs the wasm kernel');
  assert.equal(f64.gemm, gemmNT);
  assert.ok(f64.allocate(3) instanceof Float64Array);
  assert.throws(() => memoryFactory('float64', 'wasm'), /runs float32 only/);
  assert.throws(() => memoryFactory('float32', 'gpu' as never), /must be one of js, wasm, got gpu/);
});

test('without build/kernels.wasm, float32 training runs the js products (and the arena says what is missing)', async () => {
  // src/linalg, src/lyapunov, src/cells, src/errors.ts and the memory factory in a package of their own that was never built.
  const root = mkdtempSync(join(tmpdir(), 'train-unbuilt-'));
  try {
    const src = join(import.meta.dirname, '..', 'src');
    writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
    for (const floor of ['linalg', 'lyapunov', 'cells']) cpSync(join(src, floor), join(root, 'src', floor), { recursive: true });
    cpSync(join(src, 'errors.ts'), join(root, 'src', 'errors.ts'));
    const memoryFile = join(root, 'src', 'train', 'bptt', 'memory.ts');
    mkdirSync(dirname(memoryFile), { recursive: true });
    cpSync(join(src, 'train', 'bptt', 'memory.ts'), memoryFile);
    const unbuilt = await import(pathToFileURL(memoryFile).href) as typeof import('../src/train/bptt/memory.js');
    const memory = unbuilt.memoryFactory('float32', 'wasm')([4, 4, 4]);
    const [a, b, c] = [memory.allocate(4), memory.allocate(4), memory.allocate(4)];
    assert.ok(a instanceof Float32Array);
    a.set([1, 2, 3, 4]);
    b.set([5, 6, 7, 8]);
    memory.gemm(2, 2, 2, a, 0, b, 0, c, 0, false);
    assert.deepEqual([...c], [17, 23, 39, 53], '[[1,2],[3,4]]·[[5,6],[7,8]]ᵀ');
    const arena = await import(pathToFileURL(join(root, 'src', 'linalg', 'gemm', 'f32-arena.ts')).href) as typeof import('../src/linalg/gemm/f32-arena.js');
    assert.throws(() => new arena.F32Arena(16), /build[/\\]kernels\.wasm is missing \(build it with `node scripts\/build-wasm\.mjs`/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
