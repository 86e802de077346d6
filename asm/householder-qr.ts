// Thin QR with positive diagonal by blocked Householder reflections with the compact WY
// representation (Schreiber & Van Loan 1989; LAPACK's dgeqrf + dorgqr). Q = H₀H₁…H_{k−1}·I[:, :k],
// and a panel of w reflectors is I − V·T·Vᵀ with V unit lower trapezoidal and T w×w upper
// triangular, so both the factorisation and the formation of Q spend almost all their flops in
// the two matrix–matrix kernels. Householder QR gives ‖QᵀQ − I‖ = O(ε) whatever the
// conditioning (no re-orthogonalisation), and costs 8n³/3 flops for a square block where
// Gram–Schmidt twice costs 4n³. Generic over the element type T (f32 or f64, see simd.ts): every
// operation, and so ε, is T's.
import { packedDotProducts, packedLength, packRows } from './packed-dot-products';
import { packLength, subtractProduct } from './subtract-product';
import { scaledNorm, sqrtHugeSquare, hugeSquare, tinySquare } from './scaled-norm';
import { bytes, dot, lanes, lanesSum, mulAdd, mulSub, scale, subtractScaled } from './simd';

/**
 * Reflectors per panel. Narrow panels keep the unblocked panel work (BLAS-2, and O(w³) scalar
 * work for T) and the products by T (w² per column of the trailing matrix) small; wide panels
 * read the trailing matrix fewer times, which starts to matter once it leaves L2. Measured on
 * Node 20 for f64 (ms per square QR, panels 8 / 12 / 16): D = 64: 0.044 / 0.049 / 0.052; D = 256:
 * 2.07 / 2.18 / 2.21; D = 512: 17.9 / 17.3 / 17.1.
 */
function panelWidth(k: i32): i32 {
  return k >= 384 ? 16 : 8;
}

/** Elements of T of a factorisation's reflectors: V of every panel, explicit (n × k, panel p in
 * columns pw…), then −T of every panel (w² each). */
export function reflectorsLength<T>(n: i32, k: i32): i32 {
  const w = panelWidth(k);
  return n * k + ((k + w - 1) / w) * w * w;
}

/**
 * Elements of T of the scratch of factorise, formQ and applyTransposed when the coefficient blocks
 * span `cols` columns: one panel of V packed for packedDotProducts (first: whole 64-byte blocks,
 * so what follows keeps the alignment of the scratch), the τ of every reflector (k), a w² Gram
 * matrix / −Tᵀ, two w × cols coefficient blocks, subtractProduct's packing strip; rounded up to
 * whole 64-byte blocks so that what follows the scratch keeps its alignment too.
 */
export function scratchLength<T>(n: i32, k: i32, cols: i32): i32 {
  const w = panelWidth(k);
  const length = packedLength<T>(w, n) + k + w * w + 2 * w * cols + packLength<T>(w);
  const block = 64 / <i32>sizeof<T>();
  return (length + block - 1) / block * block;
}

/** Elements of T of scratch qrPositive<T> needs for an n×k block: scratch, then the reflectors. */
export function qrWorkLength<T>(n: i32, k: i32): i32 {
  return scratchLength<T>(n, k, k) + reflectorsLength<T>(n, k);
}

/**
 * z (n×k, column-major, byte address, k ≤ n) becomes Q; rDiag[j] = |R_jj|, with the sign of R_jj
 * moved into column j of Q. A zero column gives R_jj = 0 and H_j = I, so column j of Q is still a
 * unit vector orthogonal to all the others. A non-finite entry makes rDiag non-finite from its
 * column on. work: qrWorkLength<T>(n, k) elements.
 */
export function qrPositive<T>(z: usize, n: i32, k: i32, rDiag: usize, work: usize): void {
  const reflectors = work + bytes<T>(<usize>scratchLength<T>(n, k, k));
  factorise<T>(z, n, k, rDiag, reflectors, work);
  formQ<T>(z, n, k, reflectors, work);
  const colBytes = bytes<T>(<usize>n);
  for (let j = 0; j < k; j++) {
    const r = rDiag + bytes<T>(<usize>j);
    const beta = load<T>(r);
    if (beta < 0) {
      scale<T>(z + <usize>j * colBytes, n, -1);
      store<T>(r, -beta);
    }
  }
}

// Byte addresses of the parts of a scratch area (see scratchLength; no objects: the stub runtime's
// allocator would hand out memory the JavaScript heap owns).
// @ts-ignore: decorator
@inline function tausAt<T>(scratch: usize, n: i32, k: i32): usize {
  return scratch + bytes<T>(<usize>packedLength<T>(panelWidth(k), n));
}
// @ts-ignore: decorator
@inline function smallAt<T>(scratch: usize, n: i32, k: i32): usize {
  return tausAt<T>(scratch, n, k) + bytes<T>(<usize>k);
}
// @ts-ignore: decorator
@inline function coeffsAt<T>(scratch: usize, n: i32, k: i32): usize {
  const w = panelWidth(k);
  return smallAt<T>(scratch, n, k) + bytes<T>(<usize>(w * w));
}
// @ts-ignore: decorator
@inline function coeffs2At<T>(scratch: usize, n: i32, k: i32, cols: i32): usize {
  return coeffsAt<T>(scratch, n, k) + bytes<T>(<usize>(panelWidth(k) * cols));
}
// @ts-ignore: decorator
@inline function packAt<T>(scratch: usize, n: i32, k: i32, cols: i32): usize {
  return coeffs2At<T>(scratch, n, k, cols) + bytes<T>(<usize>(panelWidth(k) * cols));
}

// Byte addresses of one panel's parts in a factorisation's reflectors (see reflectorsLength).
/** V of the panel starting at column j0, from its row j0 (the first reflector's unit entry). */
// @ts-ignore: decorator
@inline function panelV<T>(reflectors: usize, n: i32, j0: i32): usize {
  return reflectors + <usize>j0 * bytes<T>(<usize>n) + bytes<T>(<usize>j0);
}
/** −T (w×w) of panel p. */
// @ts-ignore: decorator
@inline function panelT<T>(reflectors: usize, n: i32, k: i32, p: i32): usize {
  const w = panelWidth(k);
  return reflectors + <usize>k * bytes<T>(<usize>n) + bytes<T>(<usize>(p * w * w));
}

/**
 * The factorisation: R above the diagonal of z (its diagonal, signed, in rDiag), and the
 * reflectors (reflectorsLength) that formQ and applyTransposed use. scratch: scratchLength(n, k, k).
 */
export function factorise<T>(z: usize, n: i32, k: i32, rDiag: usize, reflectors: usize, scratch: usize): void {
  const w = panelWidth(k);
  const panels = (k + w - 1) / w;
  const colBytes = bytes<T>(<usize>n);
  const packed = scratch, taus = tausAt<T>(scratch, n, k), small = smallAt<T>(scratch, n, k);
  const coeffs = coeffsAt<T>(scratch, n, k), coeffs2 = coeffs2At<T>(scratch, n, k, k), pack = packAt<T>(scratch, n, k, k);
  for (let p = 0; p < panels; p++) {
    const j0 = p * w;
    const width = min(w, k - j0);
    factorPanel<T>(z, n, j0, width, rDiag, taus);
    const vRows = panelV<T>(reflectors, n, j0);
    copyReflectors<T>(z, n, j0, width, vRows);
    packRows<T>(vRows, n, width, n - j0, packed);
    const t = panelT<T>(reflectors, n, k, p);
    buildT<T>(packed, vRows, n, n - j0, width, taus + bytes<T>(<usize>j0), t, small);
    const rest = k - j0 - width;
    if (rest > 0) {
      // The panel's transpose applied to rows j0.., columns j0+width.. of z.
      const c = z + <usize>(j0 + width) * colBytes + bytes<T>(<usize>j0);
      reflectTransposed<T>(packed, vRows, n, n - j0, width, t, c, rest, coeffs, coeffs2, small, pack);
    }
  }
}

/**
 * Q = H₀…H_{k−1}·I[:, :k] into z from factorise's reflectors, panels applied last to first:
 * M ← (I − V T Vᵀ) M = M − V·(T·(Vᵀ·M)), M = rows j0.., columns j0.. of z. The panel's own
 * columns of M are identity columns (which also clears R above them), so their Vᵀ·M is V's top
 * w×w block transposed; the later columns are still zero in the panel's w rows (the later
 * reflectors leave them alone). scratch: scratchLength(n, k, k).
 */
export function formQ<T>(z: usize, n: i32, k: i32, reflectors: usize, scratch: usize): void {
  const w = panelWidth(k);
  const panels = (k + w - 1) / w;
  const colBytes = bytes<T>(<usize>n);
  const packed = scratch, small = smallAt<T>(scratch, n, k);
  const coeffs = coeffsAt<T>(scratch, n, k), coeffs2 = coeffs2At<T>(scratch, n, k, k), pack = packAt<T>(scratch, n, k, k);
  for (let p = panels - 1; p >= 0; p--) {
    const j0 = p * w;
    const width = min(w, k - j0);
    const vRows = panelV<T>(reflectors, n, j0);
    memory.fill(z + <usize>j0 * colBytes, 0, <usize>width * colBytes);
    for (let i = 0; i < width; i++) {
      store<T>(z + <usize>(j0 + i) * colBytes + bytes<T>(<usize>(j0 + i)), 1);
      for (let q = 0; q < width; q++) {
        store<T>(coeffs + bytes<T>(<usize>(i * width + q)), load<T>(vRows + <usize>q * colBytes + bytes<T>(<usize>i)));
      }
    }
    const rest = k - j0 - width;
    const m = z + <usize>j0 * colBytes + bytes<T>(<usize>j0);
    if (rest > 0) {
      const skip = bytes<T>(<usize>width);
      packRows<T>(vRows + skip, n, width, n - j0 - width, packed);
      packedDotProducts<T>(packed, width, m + <usize>width * colBytes + skip, n, rest, n - j0 - width,
        coeffs + bytes<T>(<usize>(width * width)), width);
    }
    const t = panelT<T>(reflectors, n, k, p);
    multiplyByT<T>(t, false, width, coeffs, k - j0, coeffs2, small, pack);
    subtractProduct<T>(vRows, n, n - j0, width, coeffs2, width, m, n, k - j0, pack);
  }
}

/**
 * C ← Qᵀ·C for C n×cols (column-major, columns n apart) and Q = H₀…H_{k−1} from factorise's
 * reflectors: panels applied first to last, C ← (I − V T Vᵀ)ᵀ C = C − V·(Tᵀ·(Vᵀ·C)) on rows j0..
 * With C = Mᵀ (M row-major), C becomes (M·Q)ᵀ. scratch: scratchLength(n, k, cols).
 */
export function applyTransposed<T>(c: usize, n: i32, k: i32, cols: i32, reflectors: usize, scratch: usize): void {
  const w = panelWidth(k);
  const panels = (k + w - 1) / w;
  const packed = scratch, small = smallAt<T>(scratch, n, k);
  const coeffs = coeffsAt<T>(scratch, n, k), coeffs2 = coeffs2At<T>(scratch, n, k, cols), pack = packAt<T>(scratch, n, k, cols);
  for (let p = 0; p < panels; p++) {
    const j0 = p * w;
    const width = min(w, k - j0);
    const vRows = panelV<T>(reflectors, n, j0);
    packRows<T>(vRows, n, width, n - j0, packed);
    reflectTransposed<T>(packed, vRows, n, n - j0, width, panelT<T>(reflectors, n, k, p), c + bytes<T>(<usize>j0), cols, coeffs, coeffs2, small, pack);
  }
}

/**
 * C ← (I − V T Vᵀ)ᵀ C = C − V·(Tᵀ·(Vᵀ·C)) for one panel of `width` reflectors: V's `len` rows
 * explicit at vRows (stride n) and packed by packRows at packed, −T at negT, C len × cols
 * (columns n apart). The factorisation's trailing update and applyTransposed's step.
 */
function reflectTransposed<T>(
  packed: usize, vRows: usize, n: i32, len: i32, width: i32, negT: usize, c: usize, cols: i32,
  coeffs: usize, coeffs2: usize, small: usize, pack: usize,
): void {
  packedDotProducts<T>(packed, width, c, n, cols, len, coeffs, width);
  multiplyByT<T>(negT, true, width, coeffs, cols, coeffs2, small, pack);
  subtractProduct<T>(vRows, n, len, width, coeffs2, width, c, n, cols, pack);
}

/**
 * Unblocked Householder on columns j0..j0+width−1, rows j0..n−1 (LAPACK dgeqr2 with dlarfg's
 * sign convention β = −sign(α)·‖x‖, which avoids cancellation in α − β). ‖x‖ is the plain SIMD
 * sum of squares unless that may have under- or overflowed (see scaled-norm.ts), when
 * scaledReflector recomputes the column's reflector from scaled norms.
 */
function factorPanel<T>(z: usize, n: i32, j0: i32, width: i32, beta: usize, taus: usize): void {
  const colBytes = bytes<T>(<usize>n);
  const e = sizeof<T>();
  const end = j0 + width;
  for (let j = j0; j < end; j++) {
    const col = z + <usize>j * colBytes;
    const diag = col + bytes<T>(<usize>j);
    const below = diag + e;
    const belowLength = n - j - 1;
    const alpha = load<T>(diag);
    const sigma2 = dot<T>(below, below, belowLength);
    let tau: T;
    let b: T;
    if (sigma2 >= tinySquare<T>() && sigma2 <= hugeSquare<T>() && abs<T>(alpha) <= sqrtHugeSquare<T>()) {
      // The common case: no square under- or overflowed, and 1/(α − β) is in range.
      const norm = sqrt<T>(alpha * alpha + sigma2);
      b = alpha >= 0 ? -norm : norm;
      tau = (b - alpha) / b;
      scale<T>(below, belowLength, <T>1 / (alpha - b));
      store<T>(diag, b);
    } else {
      tau = scaledReflector<T>(diag, below, belowLength);
      b = load<T>(diag);
    }
    store<T>(beta + bytes<T>(<usize>j), b);
    store<T>(taus + bytes<T>(<usize>j), tau);
    if (tau == 0) continue;
    // Columns c > j of the panel, two at a time (one pass of v for both, while they are in L1; a
    // panel is too narrow for the matrix kernels to pay off).
    let c = j + 1;
    for (; c + 1 < end; c += 2) {
      const top = z + <usize>c * colBytes + bytes<T>(<usize>j);
      reflectPair<T>(below, belowLength, tau, top, top + colBytes);
    }
    if (c < end) {
      const top = z + <usize>c * colBytes + bytes<T>(<usize>j);
      const s = tau * (load<T>(top) + dot<T>(below, top + e, belowLength));
      store<T>(top, load<T>(top) - s);
      subtractScaled<T>(top + e, below, belowLength, s);
    }
  }
}

/**
 * The reflector of the column whose diagonal entry is at diag and whose len entries below it are
 * at below, when their sum of squares may have under- or overflowed (outside [tinySquare,
 * hugeSquare], non-finite, zero) or α² may overflow: dlarfg's reflector computed from the scaled
 * norms, so a column of any magnitude keeps its direction. Writes β to diag and v to below and
 * returns τ; below all zero gives τ = 0 and H = I (β = α, so a zero column gives R_jj = 0).
 * Non-finite entries give a non-finite β. The rare path: scalar, divisions per element.
 */
function scaledReflector<T>(diag: usize, below: usize, len: i32): T {
  const alpha = load<T>(diag);
  const xNorm = scaledNorm<T>(below, len);
  if (xNorm == 0) return 0;
  // With big = max(|α|, ‖x‖): a = α/big and x = ‖x‖/big are at most 1 and one of them is 1, so
  // r = √(a² + x²) ∈ [1, √2] and β = −sign(α)·big·r overflows only if the norm itself does.
  const big = max<T>(abs<T>(alpha), xNorm);
  const a = alpha / big;
  const x = xNorm / big;
  const r = sqrt<T>(a * a + x * x);
  const b = alpha >= 0 ? -(big * r) : big * r;
  const d = alpha >= 0 ? a + r : a - r; // (α − β)/big, |d| ∈ [1, 1 + √2]
  const invD = <T>1 / d;
  const end = bytes<T>(<usize>len);
  for (let o: usize = 0; o < end; o += sizeof<T>()) store<T>(below + o, load<T>(below + o) / big * invD);
  store<T>(diag, b);
  return <T>1 + abs<T>(a) / r; // (β − α)/β
}

/**
 * Columns x and y (from row j on) ← H·x and H·y, H = I − τ·(1, v)(1, v)ᵀ, v the len elements of
 * the reflector below row j: s = τ·(x[0] + vᵀx[1..]); x −= s·(1, v), and the same for y.
 */
function reflectPair<T>(v: usize, len: i32, tau: T, x: usize, y: usize): void {
  const e = sizeof<T>();
  const xs = x + e, ys = y + e;
  let x0 = v128.splat<T>(0), x1 = v128.splat<T>(0), y0 = v128.splat<T>(0), y1 = v128.splat<T>(0);
  const twoVectors = bytes<T>(<usize>(len & ~(2 * lanes<T>() - 1)));
  let o: usize = 0;
  for (; o < twoVectors; o += 32) {
    const v0 = v128.load(v + o), v1 = v128.load(v + o, 16);
    x0 = mulAdd<T>(x0, v0, v128.load(xs + o)); x1 = mulAdd<T>(x1, v1, v128.load(xs + o, 16));
    y0 = mulAdd<T>(y0, v0, v128.load(ys + o)); y1 = mulAdd<T>(y1, v1, v128.load(ys + o, 16));
  }
  let dx = lanesSum<T>(v128.add<T>(x0, x1));
  let dy = lanesSum<T>(v128.add<T>(y0, y1));
  const end = bytes<T>(<usize>len);
  for (let t = o; t < end; t += e) {
    const vt = load<T>(v + t);
    dx += vt * load<T>(xs + t);
    dy += vt * load<T>(ys + t);
  }
  const sx = tau * (load<T>(x) + dx), sy = tau * (load<T>(y) + dy);
  store<T>(x, load<T>(x) - sx);
  store<T>(y, load<T>(y) - sy);
  const fx = v128.splat<T>(sx), fy = v128.splat<T>(sy);
  o = 0;
  for (; o < twoVectors; o += 32) {
    const v0 = v128.load(v + o), v1 = v128.load(v + o, 16);
    v128.store(xs + o, mulSub<T>(v128.load(xs + o), v0, fx));
    v128.store(xs + o, mulSub<T>(v128.load(xs + o, 16), v1, fx), 16);
    v128.store(ys + o, mulSub<T>(v128.load(ys + o), v0, fy));
    v128.store(ys + o, mulSub<T>(v128.load(ys + o, 16), v1, fy), 16);
  }
  for (; o < end; o += e) {
    const vt = load<T>(v + o);
    store<T>(xs + o, load<T>(xs + o) - vt * sx);
    store<T>(ys + o, load<T>(ys + o) - vt * sy);
  }
}

/**
 * Columns j0..j0+width−1 of V, rows j0..n−1, to vRows (stride n): 0 above the diagonal, 1 on it,
 * z's entries below.
 */
function copyReflectors<T>(z: usize, n: i32, j0: i32, width: i32, vRows: usize): void {
  const colBytes = bytes<T>(<usize>n);
  for (let i = 0; i < width; i++) {
    const j = j0 + i;
    const to = vRows + <usize>i * colBytes;
    memory.fill(to, 0, bytes<T>(<usize>i));
    store<T>(to + bytes<T>(<usize>i), 1);
    memory.copy(to + bytes<T>(<usize>(i + 1)), z + <usize>j * colBytes + bytes<T>(<usize>(j + 1)), bytes<T>(<usize>(n - j - 1)));
  }
}

/**
 * −T (width×width, column-major, upper triangular) with H_{j0}…H_{j0+width−1} = I − V T Vᵀ (LAPACK
 * dlarft), negated for subtractProduct. packed: V's rows j0.. packed by packRows; vRows: the same
 * rows explicit (stride n).
 */
function buildT<T>(packed: usize, vRows: usize, n: i32, rows: i32, width: i32, taus: usize, t: usize, gram: usize): void {
  packedDotProducts<T>(packed, width, vRows, n, width, rows, gram, width); // VᵀV
  const w = <usize>width;
  memory.fill(t, 0, bytes<T>(w * w));
  for (let i = 0; i < width; i++) {
    const tau = load<T>(taus + bytes<T>(<usize>i));
    const ti = t + bytes<T>(<usize>i * w);
    store<T>(ti + bytes<T>(<usize>i), -tau);
    // T[0:i, i] = −τ_i · T[0:i, 0:i] · (VᵀV)[0:i, i], which −T satisfies as well.
    for (let r = 0; r < i; r++) {
      let s: T = 0;
      for (let q = r; q < i; q++) s += load<T>(t + bytes<T>(<usize>q * w + <usize>r)) * load<T>(gram + bytes<T>(<usize>i * w + <usize>q));
      store<T>(ti + bytes<T>(<usize>r), -tau * s);
    }
  }
}

/**
 * out (width × cols) = T·c, or Tᵀ·c if transposed, from −T (buildT): subtractProduct into zeros,
 * whose strip of rows is the whole of a w ≤ 16 column (the dot-form kernel would spend a whole
 * tile's finishing on every 4 × 2 block of a width-long product).
 */
function multiplyByT<T>(negT: usize, transposed: bool, width: i32, c: usize, cols: i32, out: usize, scratch: usize, pack: usize): void {
  let q = negT;
  if (transposed) {
    for (let i = 0; i < width; i++) {
      for (let j = 0; j < width; j++) {
        store<T>(scratch + bytes<T>(<usize>(j * width + i)), load<T>(negT + bytes<T>(<usize>(i * width + j))));
      }
    }
    q = scratch;
  }
  memory.fill(out, 0, bytes<T>(<usize>(width * cols)));
  subtractProduct<T>(q, width, width, width, c, width, out, width, cols, pack);
}
