/** Shared by the report tests: structural checks of SVG and PNG files and a small real run directory. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadRnnModel } from '../src/io/index.js';
import { modelSpectrum, type ModelSpectrumResult, randomDrive } from '../src/model-spectrum/index.js';
import { openRun, RUN_FILES, jsonLine } from '../src/record/index.js';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import type { OpenSweep, RunSummary } from '../src/sweep/index.js';
import { spawn } from 'node:child_process';

export const root = new URL('..', import.meta.url).pathname;

/** Runs the CLI (`rnn-lyapunov ARGS…`) in a child process; resolves to its exit code and output. */
export function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export const fixture = (name: string) => join(root, 'test/fixtures/torch', `${name}.model.safetensors`);

/**
 * Checks that `svg` is well-formed XML as far as its tags go (every element closed in order,
 * one <svg> root, attributes quoted) and returns the element names in document order.
 */
export function svgElements(svg: string): string[] {
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '').trim();
  assert.ok(body.startsWith('<svg'), 'the document starts with an <svg> element');
  const stack: string[] = [];
  const names: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  let end = 0;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    assert.ok(!/[<>]/.test(body.slice(end, m.index)), `no stray '<' or '>' between tags near offset ${end}`);
    end = m.index + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      assert.equal(stack.pop(), name, `</${name}> closes the element that is open`);
      continue;
    }
    if (stack.length === 0) roots++;
    names.push(name!);
    if (!selfClosing) stack.push(name!);
  }
  assert.equal(body.slice(end).trim(), '', 'nothing after the root element');
  assert.deepEqual(stack, [], 'every element is closed');
  assert.equal(roots, 1, 'one root element');
  assert.equal(names[0], 'svg');
  return names;
}

/** The aria labels of the marks with this role description ('point', 'line mark', 'rect mark'…). */
export function markLabels(svg: string, role: string): string[] {
  const labels: string[] = [];
  for (const m of svg.matchAll(/<path\b([^>]*)>/g)) {
    if (!m[1]!.includes(`aria-roledescription="${role}"`)) continue;
    labels.push(/aria-label="([^"]*)"/.exec(m[1]!)?.[1] ?? '');
  }
  return labels;
}

/** A field of a mark's aria label ("i: 3; lambda: −0.25"), as a number (vega writes U+2212 minus). */
export function labelValue(label: string, field: string): number {
  const m = new RegExp(`(?:^|; )${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ([^;]+)`).exec(label);
  assert.ok(m, `label '${label}' has a field '${field}'`);
  return Number(m[1]!.replace('−', '-').replace(/,/g, ''));
}

/** Width and height of a PNG from its IHDR chunk, after checking the signature. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(new TextDecoder().decode(bytes.subarray(12, 16)), 'IHDR', 'IHDR is the first chunk');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

export function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg.trim());
  assert.ok(m, 'the <svg> root has a width and a height');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** A real spectrum: an LSTM fixture (hidden 16, state dim 32) with its recurrent weights scaled. */
export function lstmSpectrum(recurrentScale: number, k = 8): ModelSpectrumResult {
  const model = loadRnnModel(fixture('lstm_l1_bias_h16'));
  for (const layer of model.layers) for (let i = 0; i < layer.weightHh.length; i++) layer.weightHh[i]! *= recurrentScale;
  return modelSpectrum(model, randomDrive('gaussian', 4, 260, model.inputSize, 1), { steps: 200, transient: 60, k, tracePoints: 40 });
}

/**
 * A run directory in the training loop's format (src/record: run directory and log schema): one line
 * per epoch in metrics.jsonl with losses and λ₁…λ_k, and each epoch's full spectrum in
 * spectra.jsonl — real spectra of a network whose recurrent weights grow epoch by epoch.
 */
export function writeRun(dir: string, epochs: number, k = 8): { metrics: Record<string, unknown>[]; spectra: ModelSpectrumResult[] } {
  openRun(dir, { config: { task: { name: 'copy' }, cell: 'lstm', hidden: 16, layers: 1, init: 'default', lr: 0.002, epochs } });
  const metrics: Record<string, unknown>[] = [];
  const spectra: ModelSpectrumResult[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const line = appendEpoch(dir, epoch, k);
    metrics.push(line.metrics);
    spectra.push(line.spectrum);
  }
  return { metrics, spectra };
}

/** Appends one epoch's metrics and spectrum lines to a run directory, as the training loop does (one whole line per append). */
export function appendEpoch(dir: string, epoch: number, k = 8) {
  const spectrum = lstmSpectrum(1 + 0.4 * epoch, k);
  const metrics = {
    epoch, step: epoch * 10, lr: 0.002, trainLoss: epoch === 0 ? null : 3 / (1 + epoch), gradNorm: null, gradNormMax: null,
    clippedFraction: null, valLoss: 3.2 / (1 + 0.8 * epoch), valAccuracy: null, lambda: spectrum.exponents,
    kaplanYorke: spectrum.kaplanYorke, entropy: spectrum.entropy, seconds: 0.5,
  };
  appendFileSync(join(dir, RUN_FILES.metrics), jsonLine(metrics));
  appendFileSync(join(dir, RUN_FILES.spectra), jsonLine({ scope: 'epoch', epoch, step: epoch * 10, spectrum }));
  return { metrics, spectrum };
}

/**
 * Marks a sweep's run done in its index and complete in its run directory (the done marker a
 * finished run leaves), as a sweep would: the reports bring the index in line with the run
 * directories first, so an index entry alone would be queued again.
 */
export function markRunDone(sweep: OpenSweep, id: string, summary?: RunSummary): void {
  if (summary !== undefined) sweep.index.markDone(id, summary);
  mkdirSync(sweep.layout.runDir(id), { recursive: true });
  writeFileSync(sweep.layout.doneMarker(id), JSON.stringify({ id, completedAt: new Date().toISOString(), host: 'test', pid: 0 }));
}
