// The backward pass of covariant Lyapunov vectors (Ginelli et al. 2007): C ← R⁻¹·C with every
// column then normalised, R and C upper triangular. Column j of C has j + 1 rows that can be
// non-zero and R⁻¹ keeps it so; back substitution by columns of R (an axpy per row eliminated)
// reads R contiguously from its packed storage. Generic over T (f32 or f64, see simd.ts).
import { dot, scale, subtractScaled, bytes } from './simd';
import { hugeSquare, scaledNorm, tinySquare } from './scaled-norm';

/**
 * r: R packed by columns (column l's rows 0..l at l(l+1)/2), c: C (k×k, column-major), both byte
 * addresses; entries of C below the diagonal are neither read nor written. norms[j] = ‖R⁻¹c_j‖,
 * by which column j is divided; a column whose norm is 0 or not finite is left undivided.
 */
export function triangularSolve<T>(r: usize, k: i32, c: usize, norms: usize): void {
  for (let j = 0; j < k; j++) {
    const col = c + bytes<T>(<usize>(j * k));
    for (let l = j; l >= 0; l--) {
      const rl = r + bytes<T>(<usize>((l * (l + 1)) / 2));
      const x = load<T>(col + bytes<T>(<usize>l)) / load<T>(rl + bytes<T>(<usize>l));
      store<T>(col + bytes<T>(<usize>l), x);
      subtractScaled<T>(col, rl, l, x);
    }
    let norm = sqrt<T>(dot<T>(col, col, j + 1));
    const squares = norm * norm;
    if (!(squares >= tinySquare<T>() && squares <= hugeSquare<T>())) norm = scaledNorm<T>(col, j + 1);
    store<T>(norms + bytes<T>(<usize>j), norm);
    if (norm > 0 && isFinite<T>(norm)) scale<T>(col, j + 1, <T>1 / norm);
  }
}
