// Shared by the cell tests: every configuration the cells support.
import { type CellKind, type LstmState } from '../src/cells/index.js';

export interface CellConfig { cell: CellKind; layers: number; bias: boolean; lstmState?: LstmState }

/** Cell kind × layers (1, 2) × bias × LSTM state mode. */
export const CELL_CONFIGS: readonly CellConfig[] = (['rnn_tanh', 'rnn_relu', 'gru', 'lstm'] as const).flatMap((cell) =>
  [1, 2].flatMap((layers) => [true, false].flatMap((bias): CellConfig[] =>
    cell === 'lstm'
      ? (['joint', 'h'] as const).map((lstmState) => ({ cell, layers, bias, lstmState }))
      : [{ cell, layers, bias }])));

export const configName = (c: CellConfig) =>
  `${c.cell}${c.lstmState ? `/${c.lstmState}` : ''} L=${c.layers} ${c.bias ? 'bias' : 'nobias'}`;
