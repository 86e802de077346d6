/**
 * The formed tangent path (see CellLayer): per trajectory and layer, the matrix
 * Σ_g diag(coefficient_g) · (gate g's rows of a weight) is formed once, then multiplies the
 * trajectory's k tangent vectors.
 */

/** Which form of the tangent a CellSystem computes; 'auto' picks the cheaper for each k. */
export type TangentPath = 'auto' | 'structured' | 'formed';

export const TANGENT_PATHS: readonly TangentPath[] = ['auto', 'structured', 'formed'];

/**
 * What one multiply-add of forming costs in flops of the kernels' matrix product: forming is a
 * scalar js loop (≈ 1 ns per multiply-add) and each formed matrix is copied into the kernel,
 * against a SIMD product at ≈ 20 GFLOP/s. Set from the crossover in k measured with the
 * WebAssembly kernels (B = 16, H = 32…128): k ≈ 12 for GRU, 16 for the joint LSTM, 8–12 for
 * the h-only LSTM. The js reference kernels' product is so much slower that formed wins there
 * from k = 2 on (GRU/LSTM, H = 64: up to 2.5× at k = 8); 'auto' ignores that, k = n matters.
 */
const FORMING_COST = 16;

/**
 * True when the formed path costs less for k tangent vectors per trajectory, for a layer of G
 * gates whose formed matrices have R = rowBlocks·H rows. Per trajectory and weight matrix, in
 * units of H² kernel flops: structured 2·G·k, formed FORMING_COST·G (forming) + 2·rowBlocks·k
 * (products).
 */
export function formedIsCheaper(gates: number, rowBlocks: number, k: number): boolean {
  return FORMING_COST * gates + 2 * rowBlocks * k < 2 * gates * k;
}
