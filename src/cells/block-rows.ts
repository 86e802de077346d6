/**
 * Moves rows between a block of `stride`-long columns (a state or tangent block, where one
 * layer owns a range of rows) and a compact block holding only those rows, so that a whole
 * layer's matrix product over all columns is a single kernel call. Plain loops: no views are
 * allocated in the hot path.
 */
export function gatherRows(
  src: Float64Array, stride: number, offset: number,
  rows: number, cols: number, dst: Float64Array,
): void {
  for (let c = 0; c < cols; c++) {
    const from = c * stride + offset;
    const to = c * rows;
    for (let i = 0; i < rows; i++) dst[to + i] = src[from + i]!;
  }
}

export function scatterRows(
  src: Float64Array, rows: number, cols: number,
  dst: Float64Array, stride: number, offset: number,
): void {
  for (let c = 0; c < cols; c++) {
    const from = c * rows;
    const to = c * stride + offset;
    for (let i = 0; i < rows; i++) dst[to + i] = src[from + i]!;
  }
}
