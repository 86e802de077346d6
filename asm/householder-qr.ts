// Thin QR with positive diagonal by blocked Householder reflections with the compact WY
// representation (Schreiber & Van Loan 1989; LAPACK's dgeqrf + dorgqr). Q = H₀H₁…H_{k−1}·I[:, :k],
// and a panel of w reflectors is I − V·T·Vᵀ with V unit lower trapezoidal and T w×w upper
// triangular, so both the factorisation and the formation of Q spend almost all their flops in
// the two matrix–matrix kernels. Householder QR gives ‖QᵀQ − I‖ = O(ε) whatever the
// conditioning (no re-orthogonalisation), and costs 8n³/3 flops for a square block where
// Gram–Schmidt twice costs 4n³.
import { dotProducts } from './dot-products';
import { packLength, subtractProduct } from './subtract-product';
import { dot, scale } from './simd';

/**
 * Reflectors per panel. Narrow panels keep the unblocked panel work (BLAS-2, and O(w³) scalar
 * work for T) small; wide panels read the trailing matrix fewer times, which starts to matter once
 * it leaves L2. Measured on Node 20 (ms per square QR, panels 8 / 16 / 32): D = 64: 0.054 / 0.065 /
 * 0.094; D = 256: 2.39 / 2.57 / 3.05; D = 512: 19.5 / 18.3 / 21.6.
 */
function panelWidth(k: i32): i32 {
  return k >= 384 ? 16 : 8;
}

// Scratch layout (doubles): explicit V of the current panel (n × w), the τ of every reflector (k),
// T of every panel (w² each), a w² Gram matrix / transposed T, two w × k coefficient blocks,
// subtractProduct's packing strip.
/** Doubles of scratch qrPositive needs for an n×k block. */
export function qrWorkLength(n: i32, k: i32): i32 {
  const w = panelWidth(k);
  const panels = (k + w - 1) / w;
  return n * w + k + (panels + 1) * w * w + 2 * w * k + packLength(w);
}

/**
 * z (n×k, column-major, byte address, k ≤ n) becomes Q; rDiag[j] = |R_jj|, with the sign of R_jj
 * moved into column j of Q. A zero column gives R_jj = 0 and H_j = I, so column j of Q is still a
 * unit vector orthogonal to all the others. A non-finite entry makes rDiag non-finite from its
 * column on. work: qrWorkLength(n, k) doubles.
 */
export function qrPositive(z: usize, n: i32, k: i32, rDiag: usize, work: usize): void {
  const w = panelWidth(k);
  const panels = (k + w - 1) / w;
  const v = work;
  const taus = v + ((<usize>(n * w)) << 3);
  const ts = taus + ((<usize>k) << 3);
  const small = ts + ((<usize>(panels * w * w)) << 3);
  const coeffs = small + ((<usize>(w * w)) << 3);
  const coeffs2 = coeffs + ((<usize>(w * k)) << 3);
  const pack = coeffs2 + ((<usize>(w * k)) << 3);
  const colBytes = (<usize>n) << 3;

  // Factorisation: R above the diagonal of z (diagonal in rDiag, signed), V below it.
  for (let p = 0; p < panels; p++) {
    const j0 = p * w;
    const width = min(w, k - j0);
    factorPanel(z, n, j0, width, rDiag, taus, coeffs, pack);
    copyReflectors(z, n, j0, width, v);
    const t = ts + ((<usize>(p * w * w)) << 3);
    buildT(v, n, j0, width, taus + (<usize>j0 << 3), t, small);
    const rest = k - j0 - width;
    if (rest > 0) {
      // C ← (I − V T Vᵀ)ᵀ C = C − V·(Tᵀ·(Vᵀ·C)), C = rows j0.., columns j0+width.. of z.
      const c = z + <usize>(j0 + width) * colBytes + (<usize>j0 << 3);
      const vRows = v + (<usize>j0 << 3);
      dotProducts(vRows, n, width, c, n, rest, n - j0, coeffs, width, false);
      dotProducts(t, width, width, coeffs, width, rest, width, coeffs2, width, false);
      subtractProduct(vRows, n, n - j0, width, coeffs2, width, c, n, rest, pack);
    }
  }

  // Q = H₀…H_{k−1}·I[:, :k], panels applied last to first; each panel's columns start as
  // identity columns (which also clears R above them) once its reflectors are copied out.
  for (let p = panels - 1; p >= 0; p--) {
    const j0 = p * w;
    const width = min(w, k - j0);
    copyReflectors(z, n, j0, width, v);
    memory.fill(z + <usize>j0 * colBytes, 0, <usize>width * colBytes);
    for (let i = 0; i < width; i++) store<f64>(z + <usize>(j0 + i) * colBytes + (<usize>(j0 + i) << 3), 1);
    // M ← (I − V T Vᵀ) M = M − V·(T·(Vᵀ·M)), M = rows j0.., columns j0.. of z.
    const t = ts + ((<usize>(p * w * w)) << 3);
    transpose(t, width, small);
    const cols = k - j0;
    const m = z + <usize>j0 * colBytes + (<usize>j0 << 3);
    const vRows = v + (<usize>j0 << 3);
    dotProducts(vRows, n, width, m, n, cols, n - j0, coeffs, width, false);
    dotProducts(small, width, width, coeffs, width, cols, width, coeffs2, width, false);
    subtractProduct(vRows, n, n - j0, width, coeffs2, width, m, n, cols, pack);
  }

  for (let j = 0; j < k; j++) {
    const r = rDiag + ((<usize>j) << 3);
    const beta = load<f64>(r);
    if (beta < 0) {
      scale(z + <usize>j * colBytes, n, -1);
      store<f64>(r, -beta);
    }
  }
}

/**
 * Unblocked Householder on columns j0..j0+width−1, rows j0..n−1 (LAPACK dgeqr2 with dlarfg's
 * sign convention β = −sign(α)·‖x‖, which avoids cancellation in α − β).
 */
function factorPanel(z: usize, n: i32, j0: i32, width: i32, beta: usize, taus: usize, sums: usize, pack: usize): void {
  const colBytes = (<usize>n) << 3;
  for (let j = j0; j < j0 + width; j++) {
    const col = z + <usize>j * colBytes;
    const diag = col + ((<usize>j) << 3);
    const below = diag + 8;
    const belowLength = n - j - 1;
    const alpha = load<f64>(diag);
    const sigma2 = dot(below, below, belowLength);
    let tau: f64 = 0;
    let b = alpha;
    if (sigma2 > 0 || !isFinite(sigma2)) {
      const norm = Math.sqrt(alpha * alpha + sigma2);
      b = alpha >= 0 ? -norm : norm;
      tau = (b - alpha) / b;
      scale(below, belowLength, 1 / (alpha - b));
      store<f64>(diag, b);
    }
    store<f64>(beta + ((<usize>j) << 3), b);
    store<f64>(taus + ((<usize>j) << 3), tau);
    const rest = j0 + width - j - 1;
    if (tau == 0 || rest == 0) continue;
    // Columns c > j of the panel: s_c = τ·(z[j, c] + v·z[j+1.., c]); z[j.., c] −= s_c·(1, v).
    const next = col + colBytes;
    dotProducts(below, 0, 1, next + ((<usize>(j + 1)) << 3), n, rest, belowLength, sums, 1, false);
    for (let c = 0; c < rest; c++) {
      const s = sums + ((<usize>c) << 3);
      const top = next + <usize>c * colBytes + ((<usize>j) << 3);
      const value = tau * (load<f64>(s) + load<f64>(top));
      store<f64>(s, value);
      store<f64>(top, load<f64>(top) - value);
    }
    subtractProduct(below, n, belowLength, 1, sums, 1, next + ((<usize>(j + 1)) << 3), n, rest, pack);
  }
}

/** Columns j0.. of V as explicit n-row columns: 0 above the diagonal, 1 on it, z's entries below. */
function copyReflectors(z: usize, n: i32, j0: i32, width: i32, v: usize): void {
  const colBytes = (<usize>n) << 3;
  for (let i = 0; i < width; i++) {
    const j = j0 + i;
    const to = v + <usize>i * colBytes;
    memory.fill(to, 0, (<usize>j) << 3);
    store<f64>(to + ((<usize>j) << 3), 1);
    memory.copy(to + ((<usize>(j + 1)) << 3), z + <usize>j * colBytes + ((<usize>(j + 1)) << 3), (<usize>(n - j - 1)) << 3);
  }
}

/** T (width×width, column-major, upper triangular) with H_{j0}…H_{j0+width−1} = I − V T Vᵀ (LAPACK dlarft). */
function buildT(v: usize, n: i32, j0: i32, width: i32, taus: usize, t: usize, gram: usize): void {
  const vRows = v + (<usize>j0 << 3);
  dotProducts(vRows, n, width, vRows, n, width, n - j0, gram, width, false); // VᵀV
  const w = <usize>width;
  memory.fill(t, 0, (w * w) << 3);
  for (let i = 0; i < width; i++) {
    const tau = load<f64>(taus + ((<usize>i) << 3));
    const ti = t + ((<usize>i * w) << 3);
    store<f64>(ti + ((<usize>i) << 3), tau);
    // T[0:i, i] = −τ_i · T[0:i, 0:i] · (VᵀV)[0:i, i]
    for (let r = 0; r < i; r++) {
      let s: f64 = 0;
      for (let q = r; q < i; q++) s += load<f64>(t + ((<usize>q * w + <usize>r) << 3)) * load<f64>(gram + ((<usize>i * w + <usize>q) << 3));
      store<f64>(ti + ((<usize>r) << 3), -tau * s);
    }
  }
}

function transpose(a: usize, width: i32, out: usize): void {
  for (let i = 0; i < width; i++) {
    for (let j = 0; j < width; j++) {
      store<f64>(out + ((<usize>(j * width + i)) << 3), load<f64>(a + ((<usize>(i * width + j)) << 3)));
    }
  }
}
