import { vogt2020Sums } from './compat-vogt2020.js';
import { DiscreteQr } from './discrete-qr.js';
import { BENETTIN_DEFAULTS, resolveSpectrumOptions, type SpectrumOptions } from './spectrum-options.js';
import type { SpectrumSums } from './spectrum-sums.js';
import { spectrumFromSums, type SpectrumResult } from './spectrum-statistics.js';
import type { TangentSystem } from './system.js';

export { BASIS_FORMS, type BasisForm, type LogBase, type SpectrumOptions, type SpectrumRunRecord } from './spectrum-options.js';
export { mergeSpectrumSums, type SpectrumSums } from './spectrum-sums.js';
export { spectrumFromSums, type SpectrumResult } from './spectrum-statistics.js';

/**
 *     lyapunovSpectrum(system: TangentSystem, options: SpectrumOptions): SpectrumResult
 *
 * The k largest Lyapunov exponents of each of the system's B trajectories, λ_1 ≥ … ≥ λ_k, by
 * evolving an orthonormal basis of k deviation vectors with the tangent map and
 * re-orthonormalising it by QR decompositions; averaged over the batch, with errors and
 * derived quantities (SpectrumResult).
 *
 * Options (SpectrumOptions):
 * - `steps` (required): steps averaged, T.
 * - `k = n`: number of exponents, 1 ≤ k ≤ n = system.dim.
 * - `transient = 0`: steps run first (state and basis evolved, QR'd at the end) and not averaged.
 * - `qrEvery = 1`: steps between QRs; a conditioning guard halves it when R's diagonal spreads
 *   beyond 1e8 and, for systems that can rewind (RewindableSystem: cells, the test maps), redoes
 *   that interval from its start (result.qrGuardFired, qrRedone, finalQrEvery).
 * - `seed = 0`, `initialBasis = 'random'`: Q_0 Haar-random from the seed, or the first k identity columns.
 * - `logBase = 'e'`: exponents in nats (2: bits, 10) per time unit (per step divided by system.dt).
 * - `sumRule = (k = n ≤ 64)`: also average log|det J_t| (an LU per step) to check Σλ_i against it.
 * - `tracePoints = 200`: points of the convergence trace (running means).
 * - `kernels = referenceKernels`: the linear algebra (createKernels: 'wasm' SIMD, float32).
 * - `basis = 'auto'`: carry Q explicitly or as Householder reflectors multiplying the dense
 *   Jacobian (same exponents to rounding; see SpectrumOptions.basis).
 * - `compat = none`: 'vogt2020' reproduces the code of Vogt et al. (see below).
 * - `firstTrajectory = 0`: index of trajectory 0 in a batch split over threads (its random basis).
 * - `ftleWindow`: also the finite-time exponents over consecutive windows of this many averaged
 *   steps (result.finiteTime: mean = the spectrum, std, quantiles, histogram); it divides `steps`.
 * - `onJacobian`: called after every step with each trajectory's Jacobian (for writing them out).
 * - `onProgress`: called with (steps done, transient + steps) at most every 250 ms.
 *
 * Method. The discrete QR method of Benettin et al. (1980), in the form "H2" of Geist et al.
 * (1990): Z_t = J_t Q_{t−1} (through system.tangent, never forming J unless it is cheap),
 * Z_t = Q_t R_t with R_ii > 0, and λ_i = (1/T) Σ_t log R_t,ii over the averaged steps. With
 * qrEvery = m the QR covers the product of m Jacobians (columns rescaled by powers of two on the
 * way). λ_i = −∞ only for a direction the Jacobian annihilates: of an image with d exactly zero
 * rows, the last k − (n − d) columns (Orthonormalisation). A result.warnings entry flags a
 * sum-rule residual above 1e-11·(1 + Σ|λ_i|) (1e-4 in float32). The standard error is
 * std/√B over trajectories, or from 10 batch means in time when B = 1.
 * `compat: 'vogt2020'` runs instead the conventions of the code of Vogt et al. (2020, 2022;
 * docs/compat-vogt2020.md): J_tᵀ, an identity basis, a re-fed warm-up with one QR, bits.
 *
 * - G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, Meccanica 15, 9–20 and 21–30 (1980).
 * - K. Geist, U. Parlitz, W. Lauterborn, Prog. Theor. Phys. 83, 875–893 (1990).
 * - R. Vogt, M. Puelma Touzel, E. Shlizerman, G. Lajoie, On Lyapunov exponents for RNNs:
 *   understanding information propagation using dynamical systems tools, arXiv 2006.14123
 *   (2020); Frontiers in Applied Mathematics and Statistics 8 (2022).
 *
 * Example (the Hénon map, a = 1.4, b = 0.3: λ ≈ 0.419, −1.623 nats/step):
 *
 *     import { henonMap, lyapunovSpectrum } from 'rnn-lyapunov';
 *     const r = lyapunovSpectrum(henonMap({ batch: 4 }), { steps: 100_000, transient: 1000 });
 *     console.log(r.exponents, r.stderr, r.sumRuleResidual); // [0.419…, −1.623…], …, ≈ 0
 */
export function lyapunovSpectrum(system: TangentSystem, options: SpectrumOptions): SpectrumResult {
  return spectrumFromSums(spectrumSums(system, options));
}

/** The QR iteration of `lyapunovSpectrum`, up to (not including) the statistics. */
export function spectrumSums(system: TangentSystem, options: SpectrumOptions): SpectrumSums {
  return options.compat === 'vogt2020' ? vogt2020Sums(system, options) : discreteQrSums(system, options);
}

/** The method (Benettin et al. 1980; Geist et al. 1990): see `lyapunovSpectrum`. */
function discreteQrSums(system: TangentSystem, options: SpectrumOptions): SpectrumSums {
  return new DiscreteQr(system, resolveSpectrumOptions(system, options, BENETTIN_DEFAULTS)).finish();
}
