// The formed matrix of a cell layer, row by row: the js forming the formed tangent path
// (src/cells/system.ts) uses, and the js twin of the WebAssembly forming inside
// formedReflectorStep (asm/formed-rows.ts), which computes each entry the same way.

/** One row's gates in use while forming: their weight-row starts and coefficients (G ≤ 4). */
const usedStart = new Int32Array(4);
const usedCoef = new Float64Array(4);

/**
 * out (R×H row-major) with row r = Σ_g coef[g·R + r] · (row g·H + r mod H of `weight`, G·H×H
 * row-major), R = `rows`. A zero coefficient skips that row: gates a row does not use cost
 * nothing. Each output row is written in one pass over all its terms (one case per term count):
 * a pass per gate, reading and writing the row again each time, measured 2–3× slower.
 */
export function formRows(
  weight: Float64Array, gates: number, h: number,
  rows: number, coef: Float64Array, out: Float64Array,
): void {
  if (gates > usedStart.length) throw new RangeError(`formRows: ${gates} gates, at most ${usedStart.length} supported`);
  for (let r = 0; r < rows; r++) {
    const unit = r % h;
    let used = 0;
    for (let g = 0; g < gates; g++) {
      const c = coef[g * rows + r]!;
      if (c === 0) continue;
      usedStart[used] = (g * h + unit) * h;
      usedCoef[used++] = c;
    }
    const row = r * h;
    const w0 = usedStart[0]!, w1 = usedStart[1]!, w2 = usedStart[2]!, w3 = usedStart[3]!;
    const c0 = usedCoef[0]!, c1 = usedCoef[1]!, c2 = usedCoef[2]!, c3 = usedCoef[3]!;
    // Two entries per pass: measured 1.1× (H = 64) to 1.35× (H = 128) faster than one.
    const h2 = h - (h % 2);
    let j = 0;
    switch (used) {
      case 0:
        out.fill(0, row, row + h);
        break;
      case 1:
        for (; j < h2; j += 2) {
          const a = c0 * weight[w0 + j]!;
          const b = c0 * weight[w0 + j + 1]!;
          out[row + j] = a;
          out[row + j + 1] = b;
        }
        for (; j < h; j++) out[row + j] = c0 * weight[w0 + j]!;
        break;
      case 2:
        for (; j < h2; j += 2) {
          const a = c0 * weight[w0 + j]! + c1 * weight[w1 + j]!;
          const b = c0 * weight[w0 + j + 1]! + c1 * weight[w1 + j + 1]!;
          out[row + j] = a;
          out[row + j + 1] = b;
        }
        for (; j < h; j++) out[row + j] = c0 * weight[w0 + j]! + c1 * weight[w1 + j]!;
        break;
      case 3:
        for (; j < h2; j += 2) {
          const a = c0 * weight[w0 + j]! + c1 * weight[w1 + j]! + c2 * weight[w2 + j]!;
          const b = c0 * weight[w0 + j + 1]! + c1 * weight[w1 + j + 1]! + c2 * weight[w2 + j + 1]!;
          out[row + j] = a;
          out[row + j + 1] = b;
        }
        for (; j < h; j++) out[row + j] = c0 * weight[w0 + j]! + c1 * weight[w1 + j]! + c2 * weight[w2 + j]!;
        break;
      default:
        for (; j < h2; j += 2) {
          const a = c0 * weight[w0 + j]! + c1 * weight[w1 + j]! + c2 * weight[w2 + j]! + c3 * weight[w3 + j]!;
          const b = c0 * weight[w0 + j + 1]! + c1 * weight[w1 + j + 1]! + c2 * weight[w2 + j + 1]! + c3 * weight[w3 + j + 1]!;
          out[row + j] = a;
          out[row + j + 1] = b;
        }
        for (; j < h; j++) {
          out[row + j] = c0 * weight[w0 + j]! + c1 * weight[w1 + j]! + c2 * weight[w2 + j]! + c3 * weight[w3 + j]!;
        }
    }
  }
}
