import type { Command } from 'commander';
import { registerSpectrum } from './spectrum.js';
import { registerClv } from './clv.js';
import { registerPlot } from './plot.js';
import { registerReport } from './report.js';
import { registerServe } from './serve.js';
import { registerTrain } from './train.js';
import { registerDemo } from './demo.js';
import { registerSweep } from './sweep.js';
import { registerWorker } from './worker.js';
import { registerAnalyze } from './analyze.js';
import { registerWatch } from './watch.js';
import { registerPruneReplay } from './prune-replay.js';

/** Every subcommand registers itself here; each lives in its own file and stays thin. */
export function registerCommands(program: Command): void {
  registerSpectrum(program);
  registerClv(program);
  registerPlot(program);
  registerReport(program);
  registerServe(program);
  registerTrain(program);
  registerDemo(program);
  registerSweep(program);
  registerWorker(program);
  registerAnalyze(program);
  registerWatch(program);
  registerPruneReplay(program);
}
