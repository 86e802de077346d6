// `npm run bench [-- --quick]`: the kernels, the spectrum step and training, each with PyTorch in
// the same run where /usr/bin/python3 has torch, then the flossing and CLV timings (full run only). --quick
// (under five minutes on two cores) times the rows the acceptance compares: training at
// H = 64–256 for every cell, the spectrum step on float64 at D ≤ 128 and at k = 32 of D = 512, and
// the kernels at D = 128 (the k = 32 row for the GRU only: each spectrum row costs 30–40 s).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const quick = process.argv.includes('--quick');
const runs: string[][] = quick
  ? [
      ['train.ts', '--quick'],
      ['spectrum.ts', '--quick', '--torch'],
      ['spectrum.ts', '--quick', '--torch', '--k', '32', '--sizes', '512', '--cells', 'gru'],
      ['kernels.ts', '--sizes', '128', '--seconds', '0.5'],
    ]
  : [['kernels.ts'], ['spectrum.ts', '--torch'], ['spectrum.ts', '--torch', '--k', '32', '--sizes', '512'], ['train.ts'], ['floss.ts'], ['clv.ts']];
for (const [file, ...args] of runs) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, file!), ...args], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
