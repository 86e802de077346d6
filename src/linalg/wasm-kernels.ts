import { checkFormedProducts, checkFormedTerms, checkFormedWeight, checkLayout, checkReflectorSlot, checkReflectorStoreShape, checkRowOrder, packedLayout, type BlockLayout, type CellForwardKernels, type GruForwardOut, type LinalgKernels, type LstmForwardOut, type ReflectorStore, type ScaledRows, type StridedBlockLayout, writeScaledRows } from './kernels.js';
import type { Precision } from './precision.js';
import { type WasmBuffer, WasmFloat32Buffer, WasmFloat64Buffer, WasmHeap } from './wasm-heap.js';
import { instantiateKernels, type KernelExports } from './wasm-module.js';

/**
 * One instantiation (float64 or float32) of the kernels compiled from asm/ (WebAssembly 128-bit
 * SIMD), with its own memory. Two ways in:
 * - the `LinalgKernels` methods take ordinary Float64Arrays and copy them in and out of wasm
 *   memory as the instantiation's elements (rounded to float32 for float32, and read back as
 *   doubles): O(n·k) copies around O(n·k²) work;
 * - the resident methods take buffers of the instantiation's elements allocated from `heap` once
 *   per run, so the step loop moves no data and allocates nothing. Read and write those buffers
 *   through `.array`.
 */
export abstract class WasmKernelsBase<B extends WasmBuffer<Float64Array | Float32Array>> implements LinalgKernels {
  readonly name: string;
  readonly precision: Precision;
  readonly heap: WasmHeap;
  private staging: B;
  private qrWork: B;
  private reflectorWork: B;
  private reflectorSlots: B;
  private reflectorGeneration = 0;
  /** setFormedWeight's copy, its gate count and the store it was set for. */
  private formedWeight: B;
  private formedGates = 0;
  private formedStore: ReflectorStore | null = null;

  protected constructor(private readonly instantiation: Instantiation<B>, wasm: KernelExports) {
    this.name = instantiation.name;
    this.precision = instantiation.precision;
    this.heap = new WasmHeap(wasm.memory, wasm.heapBase());
    this.staging = this.allocate(0);
    this.qrWork = this.staging;
    this.reflectorWork = this.staging;
    this.reflectorSlots = this.staging;
    this.formedWeight = this.staging;
  }

  /** A zero-filled buffer of `length` of this instantiation's elements from `heap`, for the resident methods. */
  allocate(length: number): B {
    return this.instantiation.allocate(this.heap, length);
  }


  /** Copies A, X's span and out's span in (out's only when it is read or not packed), and out's span back. */
  matmulBlock(
    a: Float64Array, m: number, n: number,
    x: Float64Array, k: number,
    out: Float64Array, accumulate = false, layout: BlockLayout = packedLayout(m, n),
  ): void {
    checkMatmulShape('matmulBlock', m, n, k);
    checkLength('matmulBlock', 'a', a.length, m * n, 'm·n');
    checkLayout('matmulBlock', m, n, k, x.length, out.length, layout);
    const { xOffset, ldx, outOffset, ldo } = layout;
    const xSpan = k === 0 ? 0 : (k - 1) * ldx + n;
    const outSpan = k === 0 ? 0 : (k - 1) * ldo + m;
    const stage = this.stage(m * n + xSpan + outSpan);
    const memory = stage.array;
    const xAt = m * n;
    const outAt = xAt + xSpan;
    memory.set(a.subarray(0, m * n), 0);
    memory.set(x.subarray(xOffset, xOffset + xSpan), xAt);
    if (accumulate || ldo !== m) memory.set(out.subarray(outOffset, outOffset + outSpan), outAt);
    const bytes = memory.BYTES_PER_ELEMENT;
    this.instantiation.matmul(
      stage.byteOffset, m, n, stage.byteOffset + xAt * bytes, ldx, k, stage.byteOffset + outAt * bytes, ldo, accumulate ? 1 : 0,
    );
    out.set(memory.subarray(outAt, outAt + outSpan), outOffset);
  }

  /**
   * Stages the weight, the coefficients, the diagonals, room for one F, and X's and out's spans
   * over the whole batch (out's copied in unless every entry of the span is written); one call.
   */
  formedProducts(
    weight: Float64Array, gates: number, rows: number, n: number, coef: Float64Array, diagonal: Float64Array | null,
    x: Float64Array, k: number, out: Float64Array, accumulate: boolean, layout: StridedBlockLayout, batch: number,
    start: ScaledRows | null = null,
  ): void {
    checkFormedProducts(weight, gates, rows, n, coef, diagonal, x, k, out, layout, batch, accumulate, start);
    if (batch === 0 || k === 0) return;
    const { xOffset, ldx, xStride, outOffset, ldo, outStride } = layout;
    const xSpan = (batch - 1) * xStride + (k - 1) * ldx + Math.max(n, start === null ? 0 : start.from + Math.min(rows, n));
    const outSpan = (batch - 1) * outStride + (k - 1) * ldo + rows;
    const coefLength = batch * gates * rows;
    const diagonalLength = diagonal === null ? 0 : batch * n;
    // float32 rounds each start entry once, from its float64 product, as the js twin's would be:
    // the product of factors rounded to float32 first cost a joint LSTM's most negative exponent a
    // tenth of its float32 accuracy (1.2e-4 → 1.0e-3 against float64).
    const kernelStart = this.precision === 'float64' ? start : null;
    const scaleLength = kernelStart === null ? 0 : batch * rows;
    const coefAt = gates * n * n, diagonalAt = coefAt + coefLength, scaleAt = diagonalAt + diagonalLength, fAt = scaleAt + scaleLength;
    const xAt = fAt + rows * n, outAt = xAt + xSpan;
    const stage = this.stage(outAt + outSpan);
    const memory = stage.array;
    memory.set(weight, 0);
    memory.set(coef.subarray(0, coefLength), coefAt);
    if (diagonal !== null) memory.set(diagonal.subarray(0, diagonalLength), diagonalAt);
    if (kernelStart !== null) memory.set(kernelStart.scale.subarray(0, scaleLength), scaleAt);
    memory.set(x.subarray(xOffset, xOffset + xSpan), xAt);
    const packed = ldo === rows && outStride === rows * k;
    if (accumulate || !packed) memory.set(out.subarray(outOffset, outOffset + outSpan), outAt);
    if (start !== null && kernelStart === null) writeScaledRows(start, rows, n, x, k, layout, batch, memory, outAt - outOffset);
    const at = (element: number) => stage.byteOffset + element * memory.BYTES_PER_ELEMENT;
    this.instantiation.formedProducts(
      at(0), gates, rows, n, at(coefAt), diagonal === null ? 0 : at(diagonalAt), at(fAt),
      at(xAt), ldx, xStride, k, at(outAt), ldo, outStride, batch, accumulate || (start !== null && kernelStart === null) ? 1 : 0,
      kernelStart === null ? 0 : at(scaleAt), kernelStart === null ? 0 : kernelStart.from,
    );
    out.set(memory.subarray(outAt, outAt + outSpan), outOffset);
  }

  qrPositive(z: Float64Array, n: number, k: number, rDiag: Float64Array): void {
    checkQrShape('qrPositive', n, k);
    checkLength('qrPositive', 'z', z.length, n * k, 'n·k');
    checkLength('qrPositive', 'rDiag', rDiag.length, k, 'k');
    this.reserveQr(n, k);
    const stage = this.stage(n * k + k);
    const memory = stage.array;
    const bytes = memory.BYTES_PER_ELEMENT;
    const rAt = n * k;
    memory.set(z.subarray(0, n * k), 0);
    this.instantiation.qr(stage.byteOffset, n, k, stage.byteOffset + rAt * bytes, this.qrWork.byteOffset);
    z.set(memory.subarray(0, n * k));
    rDiag.set(memory.subarray(rAt, rAt + k));
  }

  triangularSolve(r: Float64Array, k: number, c: Float64Array, norms: Float64Array): void {
    checkQrShape('triangularSolve', k, k);
    const packed = (k * (k + 1)) / 2;
    checkLength('triangularSolve', 'r', r.length, packed, 'k(k+1)/2');
    checkLength('triangularSolve', 'c', c.length, k * k, 'k·k');
    checkLength('triangularSolve', 'norms', norms.length, k, 'k');
    const stage = this.stage(k * k + packed + k);
    const memory = stage.array;
    const bytes = memory.BYTES_PER_ELEMENT;
    const [rAt, normsAt] = [k * k, k * k + packed];
    memory.set(c.subarray(0, k * k), 0);
    memory.set(r.subarray(0, packed), rAt);
    this.instantiation.triangularSolve(stage.byteOffset + rAt * bytes, k, stage.byteOffset, stage.byteOffset + normsAt * bytes);
    c.set(memory.subarray(0, k * k));
    norms.set(memory.subarray(normsAt, normsAt + k));
  }

  /**
   * The slots live in this instance's heap, so the step loop copies only M in and rDiag
   * out. The heap never frees, so the instance keeps one store's memory and reuses it: creating a
   * store invalidates the one before (using that one then throws).
   */
  createReflectorStore(n: number, k: number, count: number): ReflectorStore {
    checkReflectorStoreShape(n, k, count);
    const slotLength = this.instantiation.reflectorSlotLength(n, k);
    const workLength = this.instantiation.reflectorWorkLength(n, k);
    if (this.reflectorWork.length < workLength) this.reflectorWork = this.allocate(workLength);
    if (this.reflectorSlots.length < count * slotLength) this.reflectorSlots = this.allocate(count * slotLength);
    this.reflectorGeneration++;
    const store: WasmReflectorStore = { n, k, count, owner: this, generation: this.reflectorGeneration, slotLength };
    return store;
  }

  qrReflectors(z: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array): void {
    this.runReflectorKernel('qrReflectors', this.instantiation.qrReflectors, z, 'z', 'n·k', store, index, rDiag);
  }

  reflectorStep(m: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array): void {
    this.runReflectorKernel('reflectorStep', this.instantiation.reflectorStep, m, 'm', 'n·n', store, index, rDiag);
  }

  sortedReflectorStep(m: Float64Array, store: ReflectorStore, index: number, rDiag: Float64Array, order: Int32Array): number {
    return this.runSortedStep('sortedReflectorStep', m, null, null, store, index, rDiag, order);
  }

  /** The weight lives in this instance's heap (one at a time, for the store it was set for). */
  setFormedWeight(store: ReflectorStore, weight: Float64Array, gates: number): void {
    this.ownStore('setFormedWeight', store, 0);
    checkFormedWeight(store, weight, gates);
    if (this.formedWeight.length < weight.length) this.formedWeight = this.allocate(weight.length);
    this.formedWeight.array.set(weight);
    this.formedGates = gates;
    this.formedStore = store;
  }

  formedReflectorStep(
    coef: Float64Array, diagonal: Float64Array | null, store: ReflectorStore, index: number, rDiag: Float64Array, order: Int32Array,
  ): number {
    if (this.formedStore !== store) throw new RangeError('formedReflectorStep: no weight set for this store (call setFormedWeight first)');
    checkFormedTerms(coef, diagonal, this.formedGates, store.n);
    return this.runSortedStep('formedReflectorStep', null, coef, diagonal, store, index, rDiag, order);
  }

  /**
   * The reflector kernels' common path: the input (z, n×k, or M, n×n) staged with room for
   * rDiag behind it, the kernel run on the store's slot, rDiag copied out.
   */
  private runReflectorKernel(
    method: string, kernel: KernelExports['qrReflectors'], input: Float64Array, name: string, shape: 'n·k' | 'n·n',
    store: ReflectorStore, index: number, rDiag: Float64Array,
  ): void {
    const { n, k, slotLength } = this.ownStore(method, store, index);
    const inputLength = shape === 'n·k' ? n * k : n * n;
    checkLength(method, name, input.length, inputLength, shape);
    checkLength(method, 'rDiag', rDiag.length, k, 'k');
    const stage = this.stage(inputLength + k);
    const memory = stage.array;
    const bytes = memory.BYTES_PER_ELEMENT;
    memory.set(input.subarray(0, inputLength), 0);
    const rAt = inputLength;
    kernel(
      stage.byteOffset, n, k, stage.byteOffset + rAt * bytes,
      this.reflectorSlots.byteOffset + index * slotLength * bytes, this.reflectorWork.byteOffset,
    );
    rDiag.set(memory.subarray(rAt, rAt + k));
  }

  /**
   * sortedReflectorStep (M given) or formedReflectorStep (coef given; M formed in the stage).
   * Staged: M (n²), rDiag (k), the order (n elements, which hold its n int32s), then the
   * coefficients (G·n) and the diagonal (n); the order and rDiag are copied out.
   */
  private runSortedStep(
    method: string, m: Float64Array | null, coef: Float64Array | null, diagonal: Float64Array | null,
    store: ReflectorStore, index: number, rDiag: Float64Array, order: Int32Array,
  ): number {
    const { n, k, slotLength } = this.ownStore(method, store, index);
    if (m !== null) checkLength(method, 'm', m.length, n * n, 'n·n');
    checkLength(method, 'rDiag', rDiag.length, k, 'k');
    checkRowOrder(method, order, n);
    const coefLength = coef === null ? 0 : this.formedGates * n;
    const rAt = n * n, orderAt = rAt + k, coefAt = orderAt + n, diagonalAt = coefAt + coefLength;
    const stage = this.stage(diagonalAt + (diagonal === null ? 0 : n));
    const memory = stage.array;
    const bytes = memory.BYTES_PER_ELEMENT;
    if (m !== null) memory.set(m.subarray(0, n * n), 0);
    if (coef !== null) memory.set(coef.subarray(0, coefLength), coefAt);
    if (diagonal !== null) memory.set(diagonal.subarray(0, n), diagonalAt);
    const ints = this.heap.int32;
    const first = (stage.byteOffset + orderAt * bytes) / 4;
    for (let i = 0; i < n; i++) ints[first + i] = order[i]!;
    const at = (element: number) => stage.byteOffset + element * bytes;
    const slot = this.reflectorSlots.byteOffset + index * slotLength * bytes;
    const work = this.reflectorWork.byteOffset;
    const zero = coef === null
      ? this.instantiation.sortedReflectorStep(at(0), n, k, at(rAt), slot, work, at(orderAt))
      : this.instantiation.formedReflectorStep(
        this.formedWeight.byteOffset, this.formedGates, at(coefAt), diagonal === null ? 0 : at(diagonalAt),
        at(0), n, k, at(rAt), slot, work, at(orderAt),
      );
    for (let i = 0; i < n; i++) order[i] = ints[first + i]!;
    rDiag.set(memory.subarray(rAt, rAt + k));
    return zero;
  }

  private ownStore(method: string, store: ReflectorStore, index: number): WasmReflectorStore {
    const own = store as Partial<WasmReflectorStore>;
    if (own.owner !== this) {
      throw new RangeError(`${method}: the reflector store was created by other kernels (create it with these kernels' createReflectorStore)`);
    }
    if (own.generation !== this.reflectorGeneration) {
      throw new Error(`${method}: the reflector store was replaced by a later createReflectorStore on the same kernels`);
    }
    checkReflectorSlot(method, store, index);
    return store as WasmReflectorStore;
  }

  /** matmulBlock on operands resident in this instance's heap; `out` must not overlap `x` or `a`. */
  matmulResident(a: B, m: number, n: number, x: B, k: number, out: B, accumulate = false): void {
    checkMatmulShape('matmulResident', m, n, k);
    checkLength('matmulResident', 'a', a.length, m * n, 'm·n');
    checkLength('matmulResident', 'x', x.length, n * k, 'n·k');
    checkLength('matmulResident', 'out', out.length, m * k, 'm·k');
    if (out.overlaps(x) || out.overlaps(a)) throw new RangeError('matmulResident: out overlaps an input');
    this.instantiation.matmul(a.byteOffset, m, n, x.byteOffset, n, k, out.byteOffset, m, accumulate ? 1 : 0);
  }

  /**
   * qrPositive on a block resident in this instance's heap. Call `reserveQr(n, k)` before the step
   * loop: the first call for a larger block allocates scratch, which may grow (and detach) memory.
   */
  qrResident(z: B, n: number, k: number, rDiag: B): void {
    checkQrShape('qrResident', n, k);
    checkLength('qrResident', 'z', z.length, n * k, 'n·k');
    checkLength('qrResident', 'rDiag', rDiag.length, k, 'k');
    if (z.overlaps(rDiag)) throw new RangeError('qrResident: rDiag overlaps z');
    this.reserveQr(n, k);
    this.instantiation.qr(z.byteOffset, n, k, rDiag.byteOffset, this.qrWork.byteOffset);
  }

  /** Allocate the QR scratch for n×k blocks now rather than inside the step loop. */
  reserveQr(n: number, k: number): void {
    const length = this.instantiation.qrWorkLength(n, k);
    if (this.qrWork.length < length) this.qrWork = this.allocate(length);
  }

  /** Copy area for the Float64Array methods; grows geometrically so repeated calls settle. */
  protected stage(length: number): B {
    if (this.staging.length < length) this.staging = this.allocate(Math.max(length, Math.ceil(this.staging.length * 1.5)));
    return this.staging;
  }
}

/** A reflector store of wasm kernels: `count` slots of `slotLength` elements in the owner's heap. */
interface WasmReflectorStore extends ReflectorStore {
  owner: object;
  /** Which of the owner's createReflectorStore calls made it (only the latest is valid). */
  generation: number;
  slotLength: number;
}

/** What distinguishes the float64 and float32 instantiations: names, element buffers, entry points. */
interface Instantiation<B> {
  name: string;
  precision: Precision;
  allocate(heap: WasmHeap, length: number): B;
  /** The module's exports: pointers are byte addresses, lengths count elements. */
  matmul: KernelExports['matmulBlock'];
  formedProducts: KernelExports['formedProducts'];
  qr: KernelExports['qrPositive'];
  qrWorkLength: KernelExports['qrWorkLength'];
  reflectorSlotLength: KernelExports['reflectorSlotLength'];
  reflectorWorkLength: KernelExports['reflectorWorkLength'];
  qrReflectors: KernelExports['qrReflectors'];
  reflectorStep: KernelExports['reflectorStep'];
  sortedReflectorStep: KernelExports['sortedReflectorStep'];
  formedReflectorStep: KernelExports['formedReflectorStep'];
  triangularSolve: KernelExports['triangularSolve'];
}

/** The float64 kernels; resident operands are `WasmFloat64Buffer`s (`heap.allocate`). */
export class WasmKernels extends WasmKernelsBase<WasmFloat64Buffer> {
  readonly cellForward: CellForwardKernels;

  constructor(wasm: KernelExports = instantiateKernels()) {
    super({ name: 'wasm', precision: 'float64', allocate: (heap, length) => heap.allocate(length), ...entryPoints(wasm, '') }, wasm);
    this.cellForward = {
      lstm: (batch, hidden, pre, bias, cOld, out) => {
        checkCellForward('lstm', batch, hidden, 4, [['pre', pre, 4], ['cOld', cOld, 1]], bias, null, out);
        const { fromI, fromF, fromG, fromO, a, f, cNew, hNew } = out;
        this.stagedCall([pre, bias, cOld], [fromI, fromF, fromG, fromO, a, f, cNew, hNew], (p) =>
          wasm.lstmLayerForward(batch, hidden, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!));
      },
      gru: (batch, hidden, x, fromHidden, biasIh, biasHh, hOld, out) => {
        checkCellForward('gru', batch, hidden, 3, [['x', x, 3], ['fromHidden', fromHidden, 3], ['hOld', hOld, 1]], biasIh, biasHh, out);
        const { a, rFromHidden, zFromOld, r, z, hNew } = out;
        this.stagedCall([x, fromHidden, biasIh, biasHh, hOld], [a, rFromHidden, zFromOld, r, z, hNew], (p) =>
          wasm.gruLayerForward(batch, hidden, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!));
      },
    };
  }

  /** Stages `inputs` and room for `outputs` (whole arrays, in order), calls `run` with their byte addresses, copies the outputs back. */
  private stagedCall(inputs: Float64Array[], outputs: Float64Array[], run: (pointers: number[]) => void): void {
    const arrays = [...inputs, ...outputs];
    const stage = this.stage(arrays.reduce((sum, a) => sum + a.length, 0));
    const memory = stage.array;
    const pointers: number[] = [];
    let element = 0;
    for (const [i, array] of arrays.entries()) {
      if (i < inputs.length) memory.set(array, element);
      pointers.push(stage.byteOffset + element * 8);
      element += array.length;
    }
    run(pointers);
    element = inputs.reduce((sum, a) => sum + a.length, 0);
    for (const array of outputs) {
      array.set(memory.subarray(element, element + array.length));
      element += array.length;
    }
  }
}

/** Checks a cellForward call: every per-trajectory array B×H (inputs B×G·H as named), the biases G·H. */
function checkCellForward(
  cell: string, batch: number, hidden: number, gates: number, inputs: [string, Float64Array, number][],
  bias: Float64Array, biasHh: Float64Array | null, out: LstmForwardOut | GruForwardOut,
): void {
  for (const [name, value] of [['batch', batch], ['hidden', hidden]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`cellForward.${cell}: ${name} must be a non-negative integer, got ${value}`);
  }
  const arrays: [string, Float64Array, number][] = [
    ...inputs.map(([name, array, width]): [string, Float64Array, number] => [name, array, batch * width * hidden]),
    [biasHh === null ? 'bias' : 'biasIh', bias, gates * hidden],
    ...(biasHh === null ? [] : [['biasHh', biasHh, gates * hidden] as [string, Float64Array, number]]),
    ...(Object.entries(out) as [string, Float64Array][]).map(([name, array]): [string, Float64Array, number] => [`out.${name}`, array, batch * hidden]),
  ];
  for (const [name, array, length] of arrays) {
    if (array.length !== length) throw new RangeError(`cellForward.${cell}: ${name} holds ${array.length} doubles, expected ${length}`);
  }
}

/**
 * The same kernels in float32 (f32x4: twice the elements per SIMD instruction, half the memory
 * traffic); resident operands are `WasmFloat32Buffer`s (`heap.allocateFloat32`). Through the
 * `LinalgKernels` methods, operands are rounded to float32 on the way in, every product, sum and
 * reflection is float32, and results come back as doubles (exactly the float32 values). Expect
 * relative errors of float32's ε = 1.2e-7 times √n (matmul) or n (QR) rather than float64's.
 */
export class WasmFloat32Kernels extends WasmKernelsBase<WasmFloat32Buffer> {
  constructor(wasm: KernelExports = instantiateKernels()) {
    super({ name: 'wasm-f32', precision: 'float32', allocate: (heap, length) => heap.allocateFloat32(length), ...entryPoints(wasm, 'F32') }, wasm);
  }
}

/** The module's entry points for one element type: the plain names (float64) or the F32 ones (float32). */
function entryPoints(wasm: KernelExports, suffix: '' | 'F32'): Omit<Instantiation<unknown>, 'name' | 'precision' | 'allocate'> {
  return {
    matmul: wasm[`matmulBlock${suffix}`], formedProducts: wasm[`formedProducts${suffix}`], qr: wasm[`qrPositive${suffix}`], qrWorkLength: wasm[`qrWorkLength${suffix}`],
    reflectorSlotLength: wasm[`reflectorSlotLength${suffix}`], reflectorWorkLength: wasm[`reflectorWorkLength${suffix}`],
    qrReflectors: wasm[`qrReflectors${suffix}`], reflectorStep: wasm[`reflectorStep${suffix}`],
    sortedReflectorStep: wasm[`sortedReflectorStep${suffix}`], formedReflectorStep: wasm[`formedReflectorStep${suffix}`],
    triangularSolve: wasm[`triangularSolve${suffix}`],
  };
}

function checkMatmulShape(method: string, m: number, n: number, k: number): void {
  for (const [name, value] of [['m', m], ['n', n], ['k', k]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`${method}: ${name} must be a non-negative integer, got ${value}`);
    }
  }
}

function checkQrShape(method: string, n: number, k: number): void {
  for (const [name, value] of [['n', n], ['k', k]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`${method}: ${name} must be a non-negative integer, got ${value}`);
    }
  }
  if (k > n) throw new RangeError(`${method}: k=${k} exceeds n=${n}`);
}

function checkLength(method: string, name: string, have: number, need: number, formula: string): void {
  if (have < need) {
    throw new RangeError(`${method}: ${name} holds ${have} doubles, expected at least ${formula} = ${need}`);
  }
}
