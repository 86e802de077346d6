import type { F32Arena } from '../../linalg/gemm/f32-arena.js';
import type { CellKind } from '../model.js';
import { cellStep } from './index.js';
import type { CellStep } from './step.js';

/**
 * The cell's training step run by the wasm kernels (asm/cell-steps.ts) on views of `arena`: the
 * same formulas as the JavaScript steps beside this file, two units per SIMD instruction in
 * float64 with their own exponential (the results agree with Math.exp's to float32 rounding, not
 * bit for bit). The ReLU RNN has no transcendental to speed up and keeps its JavaScript step.
 */
export function wasmCellStep(cell: CellKind, arena: F32Arena): CellStep {
  const js = cellStep(cell);
  const k = arena.exports;
  const at = (view: Float32Array) => arena.pointer(view);
  switch (cell) {
    case 'rnn_relu':
      return js;
    case 'rnn_tanh':
      return {
        ...js,
        forward: (batch, hidden, v) => k.tanhForwardF32(batch * hidden, at(v.gates as Float32Array), at(v.h as Float32Array)),
      };
    case 'lstm':
      return {
        ...js,
        forward: (batch, hidden, v) => k.lstmForwardF32(
          batch, hidden, at(v.gates as Float32Array), at(v.aux as Float32Array),
          at(v.cPrev as Float32Array), at(v.c as Float32Array), at(v.h as Float32Array), at(v.dPreInput as Float32Array),
        ),
        backward: (batch, hidden, v, dh, dc) => k.lstmBackwardF32(
          batch, hidden, at(v.gates as Float32Array), at(v.aux as Float32Array), at(v.dPreInput as Float32Array),
          at(dh as Float32Array), at(dc as Float32Array),
        ),
      };
    case 'gru':
      return {
        ...js,
        forward: (batch, hidden, v) => k.gruForwardF32(
          batch, hidden, at(v.gates as Float32Array), at(v.hidden as Float32Array),
          at(v.hPrev as Float32Array), at(v.h as Float32Array), at(v.dPreInput as Float32Array),
        ),
        backward: (batch, hidden, v, dh, _dc, dhPrev) => k.gruBackwardF32(
          batch, hidden, at(v.gates as Float32Array), at(v.dPreInput as Float32Array), at(v.dPreHidden as Float32Array),
          at(dh as Float32Array), at(dhPrev as Float32Array),
        ),
      };
  }
}
