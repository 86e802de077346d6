import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceKernels, Rng, createKernels, WasmKernels } from '../src/linalg/index.js';

function maxDifference(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

test('createKernels gives the wasm kernels by default and the reference for js', () => {
  assert.ok(createKernels() instanceof WasmKernels, 'build/kernels.wasm must be built (node scripts/build-wasm.mjs)');
  assert.equal(createKernels('js'), referenceKernels);
  assert.throws(() => createKernels('gpu' as never), /backend must be one of js, wasm, got gpu/);
});

test('wasm matmulBlock agrees with js to 1e-10 on shapes 1..70 and on D = 512', () => {
  const rng = new Rng(31);
  const wasm = new WasmKernels();
  const shapes: [number, number, number][] = [[512, 512, 48], [256, 512, 33]];
  for (let t = 0; t < 80; t++) shapes.push([1 + rng.int(70), 1 + rng.int(70), 1 + rng.int(70)]);
  for (const [m, n, k] of shapes) {
    const a = rng.fillNormal(new Float64Array(m * n));
    const x = rng.fillNormal(new Float64Array(n * k));
    const want = new Float64Array(m * k);
    const got = new Float64Array(m * k);
    referenceKernels.matmulBlock(a, m, n, x, k, want);
    wasm.matmulBlock(a, m, n, x, k, got);
    assert.ok(maxDifference(got, want) <= 1e-10, `${m}×${n}·${n}×${k}: differs by ${maxDifference(got, want)}`);
  }
});

test('wasm qrPositive agrees with js to 1e-10 on shapes 1..70 and on n = 512', () => {
  const rng = new Rng(32);
  const wasm = new WasmKernels();
  const shapes: [number, number][] = [[512, 512], [512, 37], [300, 299]];
  for (let n = 1; n <= 70; n += 1 + rng.int(3)) shapes.push([n, 1 + rng.int(n)], [n, n]);
  for (const [n, k] of shapes) {
    const z = rng.fillNormal(new Float64Array(n * k));
    const [qJs, qWasm] = [z.slice(), z.slice()];
    const [rJs, rWasm] = [new Float64Array(k), new Float64Array(k)];
    referenceKernels.qrPositive(qJs, n, k, rJs);
    wasm.qrPositive(qWasm, n, k, rWasm);
    assert.ok(maxDifference(qWasm, qJs) <= 1e-10, `${n}×${k}: Q differs by ${maxDifference(qWasm, qJs)}`);
    assert.ok(maxDifference(rWasm, rJs) <= 1e-10, `${n}×${k}: diag R differs by ${maxDifference(rWasm, rJs)}`);
  }
});

test('resident buffers: the same results as the copying methods, without copies', () => {
  const rng = new Rng(33);
  const wasm = new WasmKernels();
  const [m, n, k] = [24, 20, 20];
  const a = wasm.heap.allocate(m * n);
  const x = wasm.heap.allocate(n * k);
  const out = wasm.heap.allocate(m * k);
  const rDiag = wasm.heap.allocate(k);
  rng.fillNormal(a.array);
  rng.fillNormal(x.array);
  const want = new Float64Array(m * k);
  wasm.matmulBlock(a.array.slice(), m, n, x.array.slice(), k, want);
  wasm.matmulResident(a, m, n, x, k, out);
  assert.deepEqual(out.array, want);

  const qWant = x.array.slice();
  const rWant = new Float64Array(k);
  wasm.qrPositive(qWant, n, k, rWant);
  wasm.reserveQr(n, k);
  wasm.qrResident(x, n, k, rDiag);
  assert.deepEqual(x.array, qWant);
  assert.deepEqual(rDiag.array, rWant);

  // A batch lives in one buffer; slices address each trajectory's block in place.
  const batch = wasm.heap.allocate(3 * n * k);
  rng.fillNormal(batch.array);
  const second = batch.array.slice(n * k, 2 * n * k);
  wasm.qrPositive(second, n, k, rWant);
  wasm.qrResident(batch.slice(n * k, n * k), n, k, rDiag);
  assert.deepEqual(batch.array.subarray(n * k, 2 * n * k), second);
});

test('heap growth detaches raw views but buffers re-derive theirs', () => {
  const wasm = new WasmKernels();
  const small = wasm.heap.allocate(10);
  small.array.set([1, 2, 3]);
  const raw = small.array;
  const big = wasm.heap.allocate(1 << 20); // 8 MiB: the memory must grow
  assert.equal(raw.length, 0, 'a Float64Array taken before the growth is detached');
  assert.deepEqual(Array.from(small.array.subarray(0, 3)), [1, 2, 3]);
  assert.equal(big.array.length, 1 << 20);
  assert.ok(big.byteOffset % 64 === 0 && small.byteOffset % 64 === 0, 'buffers are cache-line aligned');
  assert.ok(!small.overlaps(big));
  assert.throws(() => small.slice(8, 3), /\[8, 11\) is outside a buffer of 10 doubles/);

  // reserve() grows once up front, so views taken afterwards survive the allocations it covered.
  wasm.heap.reserve(1 << 20, 1 << 20);
  const view = big.array;
  wasm.heap.allocate(1 << 20);
  wasm.heap.allocate(1 << 20);
  assert.equal(view.length, 1 << 20, 'no growth after reserve');
});

test('wasm kernels reject bad shapes and overlapping operands with named errors', () => {
  const wasm = new WasmKernels();
  assert.throws(() => wasm.matmulBlock(new Float64Array(5), 2, 3, new Float64Array(6), 2, new Float64Array(4)),
    /matmulBlock: a holds 5 doubles, expected at least m·n = 6/);
  assert.throws(() => wasm.matmulBlock(new Float64Array(6), 2, 3, new Float64Array(6), 2, new Float64Array(3)),
    /matmulBlock: out holds 3 doubles, expected at least outOffset \+ \(k−1\)·ldo \+ m = 4/);
  assert.throws(() => wasm.matmulBlock(new Float64Array(6), 2.5, 3, new Float64Array(6), 2, new Float64Array(4)),
    /matmulBlock: m must be a non-negative integer, got 2.5/);
  assert.throws(() => wasm.qrPositive(new Float64Array(6), 3, 2, new Float64Array(1)),
    /qrPositive: rDiag holds 1 doubles, expected at least k = 2/);
  const block = wasm.heap.allocate(12);
  assert.throws(() => wasm.matmulResident(block, 2, 2, block.slice(0, 4), 2, block.slice(2, 4)),
    /matmulResident: out overlaps an input/);
  assert.throws(() => wasm.qrResident(block.slice(0, 9), 3, 3, block.slice(8, 3)), /qrResident: rDiag overlaps z/);
});
