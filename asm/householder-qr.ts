// Thin QR with positive diagonal by blocked Householder reflections with the compact WY
// representation (Schreiber & Van Loan 1989; LAPACK's dgeqrf + dorgqr). Q = H₀H₁…H_{k−1}·I[:, :k],
// and a panel of w reflectors is I − V·T·Vᵀ with V unit lower trapezoidal and T w×w upper
// triangular, so both the factorisation and the formation of Q spend almost all their flops in
// the two matrix–matrix kernels. Householder QR gives ‖QᵀQ − I‖ = O(ε) whatever the
// conditioning (no re-orthogonalisation), and costs 8n³/3 flops for a square block where
// Gram–Schmidt twice costs 4n³. Generic over the element type T (f32 or f64, see simd.ts): every
// operation, and so ε, is T's.
import { dotProducts } from './dot-products';
import { packLength, subtractProduct } from './subtract-product';
import { bytes, dot, scale } from './simd';

/**
 * Reflectors per panel. Narrow panels keep the unblocked panel work (BLAS-2, and O(w³) scalar
 * work for T) small; wide panels read the trailing matrix fewer times, which starts to matter once
 * it leaves L2. Measured on Node 20 for f64 (ms per square QR, panels 8 / 16 / 32): D = 64: 0.054 /
 * 0.065 / 0.094; D = 256: 2.39 / 2.57 / 3.05; D = 512: 19.5 / 18.3 / 21.6.
 */
function panelWidth(k: i32): i32 {
  return k >= 384 ? 16 : 8;
}

// Scratch layout (elements of T): explicit V of the current panel (n × w), the τ of every
// reflector (k), T of every panel (w² each), a w² Gram matrix / transposed T, two w × k coefficient
// blocks, subtractProduct's packing strip.
/** Elements of T of scratch qrPositive<T> needs for an n×k block. */
export function qrWorkLength<T>(n: i32, k: i32): i32 {
  const w = panelWidth(k);
  const panels = (k + w - 1) / w;
  return n * w + k + (panels + 1) * w * w + 2 * w * k + packLength<T>(w);
}

/**
 * z (n×k, column-major, byte address, k ≤ n) becomes Q; rDiag[j] = |R_jj|, with the sign of R_jj
 * moved into column j of Q. A zero column gives R_jj = 0 and H_j = I, so column j of Q is still a
 * unit vector orthogonal to all the others. A non-finite entry makes rDiag non-finite from its
 * column on. work: qrWorkLength<T>(n, k) elements.
 */
export function qrPositive<T>(z: usize, n: i32, k: i32, rDiag: usize, work: usize): void {
  const w = panelWidth(k);
  const panels = (k + w - 1) / w;
  const v = work;
  const taus = v + bytes<T>(<usize>(n * w));
  const ts = taus + bytes<T>(<usize>k);
  const small = ts + bytes<T>(<usize>(panels * w * w));
  const coeffs = small + bytes<T>(<usize>(w * w));
  const coeffs2 = coeffs + bytes<T>(<usize>(w * k));
  const pack = coeffs2 + bytes<T>(<usize>(w * k));
  const colBytes = bytes<T>(<usize>n);

  // Factorisation: R above the diagonal of z (diagonal in rDiag, signed), V below it.
  for (let p = 0; p < panels; p++) {
    const j0 = p * w;
    const width = min(w, k - j0);
    factorPanel<T>(z, n, j0, width, rDiag, taus, coeffs, pack);
    copyReflectors<T>(z, n, j0, width, v);
    const t = ts + bytes<T>(<usize>(p * w * w));
    buildT<T>(v, n, j0, width, taus + bytes<T>(<usize>j0), t, small);
    const rest = k - j0 - width;
    if (rest > 0) {
      // C ← (I − V T Vᵀ)ᵀ C = C − V·(Tᵀ·(Vᵀ·C)), C = rows j0.., columns j0+width.. of z.
      const c = z + <usize>(j0 + width) * colBytes + bytes<T>(<usize>j0);
      const vRows = v + bytes<T>(<usize>j0);
      dotProducts<T>(vRows, n, width, c, n, rest, n - j0, coeffs, width, false);
      dotProducts<T>(t, width, width, coeffs, width, rest, width, coeffs2, width, false);
      subtractProduct<T>(vRows, n, n - j0, width, coeffs2, width, c, n, rest, pack);
    }
  }

  // Q = H₀…H_{k−1}·I[:, :k], panels applied last to first; each panel's columns start as
  // identity columns (which also clears R above them) once its reflectors are copied out.
  for (let p = panels - 1; p >= 0; p--) {
    const j0 = p * w;
    const width = min(w, k - j0);
    copyReflectors<T>(z, n, j0, width, v);
    memory.fill(z + <usize>j0 * colBytes, 0, <usize>width * colBytes);
    for (let i = 0; i < width; i++) store<T>(z + <usize>(j0 + i) * colBytes + bytes<T>(<usize>(j0 + i)), 1);
    // M ← (I − V T Vᵀ) M = M − V·(T·(Vᵀ·M)), M = rows j0.., columns j0.. of z.
    const t = ts + bytes<T>(<usize>(p * w * w));
    transpose<T>(t, width, small);
    const cols = k - j0;
    const m = z + <usize>j0 * colBytes + bytes<T>(<usize>j0);
    const vRows = v + bytes<T>(<usize>j0);
    dotProducts<T>(vRows, n, width, m, n, cols, n - j0, coeffs, width, false);
    dotProducts<T>(small, width, width, coeffs, width, cols, width, coeffs2, width, false);
    subtractProduct<T>(vRows, n, n - j0, width, coeffs2, width, m, n, cols, pack);
  }

  for (let j = 0; j < k; j++) {
    const r = rDiag + bytes<T>(<usize>j);
    const beta = load<T>(r);
    if (beta < 0) {
      scale<T>(z + <usize>j * colBytes, n, -1);
      store<T>(r, -beta);
    }
  }
}

/**
 * Unblocked Householder on columns j0..j0+width−1, rows j0..n−1 (LAPACK dgeqr2 with dlarfg's
 * sign convention β = −sign(α)·‖x‖, which avoids cancellation in α − β).
 */
function factorPanel<T>(z: usize, n: i32, j0: i32, width: i32, beta: usize, taus: usize, sums: usize, pack: usize): void {
  const colBytes = bytes<T>(<usize>n);
  const e = sizeof<T>();
  for (let j = j0; j < j0 + width; j++) {
    const col = z + <usize>j * colBytes;
    const diag = col + bytes<T>(<usize>j);
    const below = diag + e;
    const belowLength = n - j - 1;
    const alpha = load<T>(diag);
    const sigma2 = dot<T>(below, below, belowLength);
    let tau: T = 0;
    let b = alpha;
    if (sigma2 > 0 || !isFinite<T>(sigma2)) {
      const norm = sqrt<T>(alpha * alpha + sigma2);
      b = alpha >= 0 ? -norm : norm;
      tau = (b - alpha) / b;
      scale<T>(below, belowLength, <T>1 / (alpha - b));
      store<T>(diag, b);
    }
    store<T>(beta + bytes<T>(<usize>j), b);
    store<T>(taus + bytes<T>(<usize>j), tau);
    const rest = j0 + width - j - 1;
    if (tau == 0 || rest == 0) continue;
    // Columns c > j of the panel: s_c = τ·(z[j, c] + v·z[j+1.., c]); z[j.., c] −= s_c·(1, v).
    const next = col + colBytes;
    dotProducts<T>(below, 0, 1, next + bytes<T>(<usize>(j + 1)), n, rest, belowLength, sums, 1, false);
    for (let c = 0; c < rest; c++) {
      const s = sums + bytes<T>(<usize>c);
      const top = next + <usize>c * colBytes + bytes<T>(<usize>j);
      const value = tau * (load<T>(s) + load<T>(top));
      store<T>(s, value);
      store<T>(top, load<T>(top) - value);
    }
    subtractProduct<T>(below, n, belowLength, 1, sums, 1, next + bytes<T>(<usize>(j + 1)), n, rest, pack);
  }
}

/** Columns j0.. of V as explicit n-row columns: 0 above the diagonal, 1 on it, z's entries below. */
function copyReflectors<T>(z: usize, n: i32, j0: i32, width: i32, v: usize): void {
  const colBytes = bytes<T>(<usize>n);
  for (let i = 0; i < width; i++) {
    const j = j0 + i;
    const to = v + <usize>i * colBytes;
    memory.fill(to, 0, bytes<T>(<usize>j));
    store<T>(to + bytes<T>(<usize>j), 1);
    memory.copy(to + bytes<T>(<usize>(j + 1)), z + <usize>j * colBytes + bytes<T>(<usize>(j + 1)), bytes<T>(<usize>(n - j - 1)));
  }
}

/** T (width×width, column-major, upper triangular) with H_{j0}…H_{j0+width−1} = I − V T Vᵀ (LAPACK dlarft). */
function buildT<T>(v: usize, n: i32, j0: i32, width: i32, taus: usize, t: usize, gram: usize): void {
  const vRows = v + bytes<T>(<usize>j0);
  dotProducts<T>(vRows, n, width, vRows, n, width, n - j0, gram, width, false); // VᵀV
  const w = <usize>width;
  memory.fill(t, 0, bytes<T>(w * w));
  for (let i = 0; i < width; i++) {
    const tau = load<T>(taus + bytes<T>(<usize>i));
    const ti = t + bytes<T>(<usize>i * w);
    store<T>(ti + bytes<T>(<usize>i), tau);
    // T[0:i, i] = −τ_i · T[0:i, 0:i] · (VᵀV)[0:i, i]
    for (let r = 0; r < i; r++) {
      let s: T = 0;
      for (let q = r; q < i; q++) s += load<T>(t + bytes<T>(<usize>q * w + <usize>r)) * load<T>(gram + bytes<T>(<usize>i * w + <usize>q));
      store<T>(ti + bytes<T>(<usize>r), -tau * s);
    }
  }
}

function transpose<T>(a: usize, width: i32, out: usize): void {
  for (let i = 0; i < width; i++) {
    for (let j = 0; j < width; j++) {
      store<T>(out + bytes<T>(<usize>(j * width + i)), load<T>(a + bytes<T>(<usize>(i * width + j))));
    }
  }
}
