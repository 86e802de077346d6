import type { LinalgKernels } from '../../linalg/kernels.js';
import { sigmoidSlope, tanhSlope } from '../../cells/activations.js';

/**
 * A float64 matrix on a reverse-mode tape: `rows × cols`, row-major. A row is one trajectory
 * (states, gates: B rows) or one tangent vector (B·k rows, trajectory-major), so every product
 * with a PyTorch-layout weight W [q × p] is X·Wᵀ, one `matmulBlock` call (rows of X are the
 * block's columns). `grad` is allocated when something downstream asks for it.
 */
export class Tensor {
  grad: Float64Array | null = null;
  private transposed: Float64Array | null = null;
  constructor(readonly rows: number, readonly cols: number, readonly value: Float64Array, readonly needsGrad: boolean) {}

  /** valueᵀ, formed once: a value is never written after its op (a weight's serves every step). */
  transpose(): Float64Array {
    this.transposed ??= transpose(this.value, this.rows, this.cols);
    return this.transposed;
  }

  /** The gradient buffer, allocated (zero) on first use. */
  gradient(): Float64Array {
    this.grad ??= new Float64Array(this.value.length);
    return this.grad;
  }
}

/**
 * A reverse-mode tape over the few operations a cell step and its tangent map need. Each op
 * computes its value at once and, when the tape records and an input needs a gradient, keeps a
 * closure that adds the input's share of the output's gradient (the exact derivative of the op:
 * no finite differences, no approximation). `backward` runs the closures in reverse order.
 * A tape that does not record (`record` false) is the plain forward pass of the same code.
 */
export class Tape {
  private readonly closures: (() => void)[] = [];
  /** Doubles held by recorded values (and as many again by their gradients, at most). */
  recordedDoubles = 0;

  constructor(readonly kernels: LinalgKernels, readonly record: boolean) {}

  constant(rows: number, cols: number, value: Float64Array): Tensor {
    return new Tensor(rows, cols, value, false);
  }

  /** A tensor whose gradient is wanted (weights, the state and basis at a segment's start). */
  leaf(rows: number, cols: number, value: Float64Array): Tensor {
    return new Tensor(rows, cols, value, true);
  }

  /** Runs the recorded closures in reverse; the caller has seeded the outputs' gradients. */
  backward(): void {
    for (let i = this.closures.length - 1; i >= 0; i--) this.closures[i]!();
    this.closures.length = 0;
  }

  private node(rows: number, cols: number, inputs: Tensor[], backward: (out: Tensor) => void): Tensor {
    const needsGrad = this.record && inputs.some((t) => t.needsGrad);
    const out = new Tensor(rows, cols, new Float64Array(rows * cols), needsGrad);
    if (needsGrad) {
      this.recordedDoubles += rows * cols;
      this.closures.push(() => {
        if (out.grad !== null) backward(out);
      });
    }
    return out;
  }

  /** X·Wᵀ: X [r × p], W [q × p] → [r × q]. */
  matmulT(x: Tensor, w: Tensor): Tensor {
    checkCols('matmulT', x, w.cols);
    const { kernels } = this;
    const out = this.node(x.rows, w.rows, [x, w], (o) => {
      const g = o.grad!;
      // X̄ += Ȳ·W: row r of X̄ is Wᵀ·(row r of Ȳ).
      if (x.needsGrad) kernels.matmulBlock(w.transpose(), w.cols, w.rows, g, x.rows, x.gradient(), true);
      // W̄ += Ȳᵀ·X: row j of W̄ is Xᵀ·(column j of Ȳ).
      if (w.needsGrad) kernels.matmulBlock(x.transpose(), x.cols, x.rows, transpose(g, o.rows, o.cols), w.rows, w.gradient(), true);
    });
    kernels.matmulBlock(w.value, w.rows, w.cols, x.value, x.rows, out.value);
    return out;
  }

  add(a: Tensor, b: Tensor): Tensor {
    checkSame('add', a, b);
    const out = this.node(a.rows, a.cols, [a, b], (o) => {
      if (a.needsGrad) addInto(a.gradient(), o.grad!);
      if (b.needsGrad) addInto(b.gradient(), o.grad!);
    });
    for (let i = 0; i < out.value.length; i++) out.value[i] = a.value[i]! + b.value[i]!;
    return out;
  }

  sub(a: Tensor, b: Tensor): Tensor {
    checkSame('sub', a, b);
    const out = this.node(a.rows, a.cols, [a, b], (o) => {
      if (a.needsGrad) addInto(a.gradient(), o.grad!);
      if (b.needsGrad) addInto(b.gradient(), o.grad!, -1);
    });
    for (let i = 0; i < out.value.length; i++) out.value[i] = a.value[i]! - b.value[i]!;
    return out;
  }

  /** a + v with the row vector v [1 × cols] added to every row. */
  addRow(a: Tensor, v: Tensor): Tensor {
    checkCols('addRow', v, a.cols);
    const c = a.cols;
    const out = this.node(a.rows, c, [a, v], (o) => {
      const g = o.grad!;
      if (a.needsGrad) addInto(a.gradient(), g);
      if (v.needsGrad) {
        const gv = v.gradient();
        for (let i = 0; i < g.length; i++) gv[i % c] = gv[i % c]! + g[i]!;
      }
    });
    for (let i = 0; i < out.value.length; i++) out.value[i] = a.value[i]! + v.value[i % c]!;
    return out;
  }

  /** Elementwise a ⊙ b. */
  mul(a: Tensor, b: Tensor): Tensor {
    checkSame('mul', a, b);
    const out = this.node(a.rows, a.cols, [a, b], (o) => {
      const g = o.grad!;
      if (a.needsGrad) {
        const ga = a.gradient();
        for (let i = 0; i < g.length; i++) ga[i] = ga[i]! + g[i]! * b.value[i]!;
      }
      if (b.needsGrad) {
        const gb = b.gradient();
        for (let i = 0; i < g.length; i++) gb[i] = gb[i]! + g[i]! * a.value[i]!;
      }
    });
    for (let i = 0; i < out.value.length; i++) out.value[i] = a.value[i]! * b.value[i]!;
    return out;
  }

  /** 1 − a. */
  oneMinus(a: Tensor): Tensor {
    const out = this.node(a.rows, a.cols, [a], (o) => addInto(a.gradient(), o.grad!, -1));
    for (let i = 0; i < out.value.length; i++) out.value[i] = 1 - a.value[i]!;
    return out;
  }

  /** f(a) elementwise, with f' given the argument and f's value. */
  private unary(a: Tensor, f: (x: number) => number, slope: (x: number, y: number) => number): Tensor {
    const out = this.node(a.rows, a.cols, [a], (o) => {
      const g = o.grad!;
      const ga = a.gradient();
      for (let i = 0; i < g.length; i++) ga[i] = ga[i]! + g[i]! * slope(a.value[i]!, o.value[i]!);
    });
    for (let i = 0; i < out.value.length; i++) out.value[i] = f(a.value[i]!);
    return out;
  }

  tanh(a: Tensor): Tensor {
    return this.unary(a, Math.tanh, (x) => tanhSlope(x));
  }

  sigmoid(a: Tensor): Tensor {
    return this.unary(a, sigmoid, (x) => sigmoidSlope(x));
  }

  /** σ(−a) = 1 − σ(a) without cancellation. */
  sigmoidOfMinus(a: Tensor): Tensor {
    return this.unary(a, (x) => sigmoid(-x), (x) => -sigmoidSlope(x));
  }

  /** tanh'(a) = sech² a; its derivative −2 sech² a · tanh a. */
  tanhSlope(a: Tensor): Tensor {
    return this.unary(a, tanhSlope, (x, y) => -2 * y * Math.tanh(x));
  }

  /** σ'(a) = σ(a)σ(−a); its derivative σ'(a)(1 − 2σ(a)) = −σ'(a)·tanh(a/2). */
  sigmoidSlope(a: Tensor): Tensor {
    return this.unary(a, sigmoidSlope, (x, y) => -y * Math.tanh(x / 2));
  }

  relu(a: Tensor): Tensor {
    return this.unary(a, (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0));
  }

  /** relu'(a): 1 where a > 0, else 0 (a step: its derivative is 0 wherever it has one). */
  reluSlope(a: Tensor): Tensor {
    return this.unary(a, (x) => (x > 0 ? 1 : 0), () => 0);
  }

  /** Each row of a [B × c] repeated k times: [B·k × c], the per-trajectory factor of each tangent vector. */
  repeatRows(a: Tensor, k: number): Tensor {
    const c = a.cols;
    const out = this.node(a.rows * k, c, [a], (o) => {
      const g = o.grad!;
      const ga = a.gradient();
      for (let r = 0; r < o.rows; r++) {
        const from = r * c, to = Math.floor(r / k) * c;
        for (let j = 0; j < c; j++) ga[to + j] = ga[to + j]! + g[from + j]!;
      }
    });
    for (let r = 0; r < out.rows; r++) out.value.set(a.value.subarray(Math.floor(r / k) * c, (Math.floor(r / k) + 1) * c), r * c);
    return out;
  }

  /** Columns [start, start + width) of a. */
  columns(a: Tensor, start: number, width: number): Tensor {
    const c = a.cols;
    const out = this.node(a.rows, width, [a], (o) => {
      const g = o.grad!;
      const ga = a.gradient();
      for (let r = 0; r < a.rows; r++) for (let j = 0; j < width; j++) ga[r * c + start + j] = ga[r * c + start + j]! + g[r * width + j]!;
    });
    for (let r = 0; r < a.rows; r++) out.value.set(a.value.subarray(r * c + start, r * c + start + width), r * width);
    return out;
  }

  /** The parts side by side: [r × Σ cols]. */
  concatColumns(parts: Tensor[]): Tensor {
    const rows = parts[0]!.rows;
    const width = parts.reduce((s, p) => s + p.cols, 0);
    const out = this.node(rows, width, parts, (o) => {
      const g = o.grad!;
      let start = 0;
      for (const p of parts) {
        if (p.needsGrad) {
          const gp = p.gradient();
          for (let r = 0; r < rows; r++) for (let j = 0; j < p.cols; j++) gp[r * p.cols + j] = gp[r * p.cols + j]! + g[r * width + start + j]!;
        }
        start += p.cols;
      }
    });
    let start = 0;
    for (const p of parts) {
      if (p.rows !== rows) throw new RangeError(`concatColumns: parts have ${rows} and ${p.rows} rows`);
      for (let r = 0; r < rows; r++) out.value.set(p.value.subarray(r * p.cols, (r + 1) * p.cols), r * width + start);
      start += p.cols;
    }
    return out;
  }

  /** A node computed by `forward` into its value, with `backward(out)` adding the inputs' gradients (ops kept elsewhere: the QR). */
  custom(rows: number, cols: number, inputs: Tensor[], forward: (value: Float64Array) => void, backward: (out: Tensor) => void): Tensor {
    const out = this.node(rows, cols, inputs, backward);
    forward(out.value);
    return out;
  }
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function addInto(into: Float64Array, from: Float64Array, scale = 1): void {
  for (let i = 0; i < from.length; i++) into[i] = into[i]! + scale * from[i]!;
}

/** aᵀ of a row-major [rows × cols] matrix. */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

function checkSame(op: string, a: Tensor, b: Tensor): void {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError(`${op}: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols} differ`);
}

function checkCols(op: string, a: Tensor, cols: number): void {
  if (a.cols !== cols) throw new RangeError(`${op}: ${a.rows}×${a.cols} where ${cols} columns were expected`);
}
