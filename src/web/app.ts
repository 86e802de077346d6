/**
 * The page (dist/web/index.html): a model file dropped or picked is read here, in the browser —
 * nothing is uploaded — its spectrum is computed by Web Workers (web-workers.ts) and shown as a
 * table, the report's two plots and the JSON of `spectrum --json`. Every failure is one line in
 * #error; the page's thread only parses the file and draws, so it stays responsive.
 */
import { UserError } from '../errors.js';
import { toJson } from '../io/json.js';
import { listTensors } from '../io/model-source.js';
import type { CellKind } from '../cells/model.js';
import { rnnFileFromTensors, type RnnFile } from '../io/rnn-file.js';
import { parseSafetensors, type SafetensorsContents } from '../io/safetensors.js';
import { spectrumPartRequests } from '../model-spectrum/batch-parts.js';
import { describeModel } from '../model-spectrum/description.js';
import type { ModelSpectrumResult } from '../model-spectrum/model-spectrum.js';
import type { DriveKind } from '../model-spectrum/random-drive.js';
import { spectrumFromJson } from '../report/data/spectrum-data.js';
import { convergencePlot, spectrumPlot } from '../report/plots/spectrum-plots.js';
import { renderSvg } from '../report/plots/svg.js';
import { PageInputError } from './errors.js';
import { pagePlan, type PagePlan, type PageSettings } from './page-plan.js';
import { runInWorkers, type WorkerRun } from './web-workers.js';

/** The worker bundle's source, put in by scripts/build-web.mjs: a blob: worker runs from file:// too. */
declare const SPECTRUM_WORKER_SOURCE: string;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  drop: byId<HTMLElement>('drop'),
  file: byId<HTMLInputElement>('file'),
  cell: byId<HTMLSelectElement>('cell'),
  model: byId<HTMLElement>('model'),
  form: byId<HTMLFormElement>('settings'),
  drive: byId<HTMLSelectElement>('drive'),
  lstmState: byId<HTMLSelectElement>('lstm-state'),
  workers: byId<HTMLInputElement>('workers'),
  run: byId<HTMLButtonElement>('run'),
  cancel: byId<HTMLButtonElement>('cancel'),
  progress: byId<HTMLProgressElement>('progress'),
  status: byId<HTMLElement>('status'),
  error: byId<HTMLElement>('error'),
  results: byId<HTMLElement>('results'),
};

const workerUrl = URL.createObjectURL(new Blob([SPECTRUM_WORKER_SOURCE], { type: 'text/javascript' }));
let read: { contents: SafetensorsContents; name: string } | undefined;
let loaded: RnnFile | undefined;
let running: WorkerRun | undefined;
let download: string | undefined;

ui.workers.value = String(Math.max(1, navigator.hardwareConcurrency || 1));
ui.file.addEventListener('change', () => void loadFile(ui.file.files?.[0]));
ui.cell.addEventListener('change', () => readModel());
ui.drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  ui.drop.classList.add('over');
});
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.drop.classList.remove('over');
  void loadFile(event.dataTransfer?.files[0]);
});
ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
ui.cancel.addEventListener('click', () => running?.cancel());
window.addEventListener('error', (event) => showError(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showError(event.reason));

async function loadFile(file: File | undefined): Promise<void> {
  if (file === undefined || running !== undefined) return;
  read = undefined;
  ui.model.textContent = `reading ${file.name}…`;
  try {
    if (/\.(pt|pth|bin|ckpt|onnx)$/i.test(file.name)) {
      throw new PageInputError(`${file.name}: the page reads safetensors files; run \`rnn-lyapunov spectrum\` on a torch.save or ONNX file, or save the state dict with safetensors`);
    }
    read = { contents: parseSafetensors(new Uint8Array(await file.arrayBuffer()), file.name), name: file.name };
  } catch (error) {
    readModel();
    showError(error);
    return;
  }
  readModel();
}

/** The model of the file read, with the cell chosen (an nn.RNN's tanh or relu is not in its weights). */
function readModel(): void {
  clearResults();
  loaded = undefined;
  ui.run.disabled = true;
  ui.model.textContent = '';
  if (read === undefined) return;
  try {
    loaded = rnnFileFromTensors(read.contents, read.name, ui.cell.value === '' ? {} : { cell: ui.cell.value as CellKind });
    showModel(loaded);
    ui.run.disabled = false;
  } catch (error) {
    showError(error);
  }
}

function showModel({ model, embedding, source }: RnnFile): void {
  ui.model.replaceChildren(
    line('model', describeModel({ ...model, stateDim: undefined }), 'model-description'),
    line('tensors used', listTensors(source.used)),
    ...(source.ignored.length > 0 ? [line('ignored', listTensors(source.ignored))] : []),
  );
  ui.model.dataset['cell'] = model.cell;
  const tokens = ui.drive.querySelector<HTMLOptionElement>('option[value="tokens"]')!;
  tokens.disabled = embedding === undefined;
  if (embedding === undefined && ui.drive.value === 'tokens') ui.drive.value = '';
  ui.lstmState.disabled = model.cell !== 'lstm';
}

function settingsOf(form: HTMLFormElement): PageSettings {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const integer = (name: string) => (text(name) === '' ? Number.NaN : Number(text(name)));
  return {
    ...(text('k') !== '' ? { k: integer('k') } : {}),
    steps: integer('steps'),
    transient: integer('transient'),
    ...(text('drive') !== '' ? { drive: text('drive') as DriveKind } : {}),
    batch: integer('batch'),
    seed: integer('seed'),
    precision: text('precision') === 'float32' ? 'float32' : 'float64',
    ...(loaded?.model.cell === 'lstm' ? { lstmState: text('lstm-state') === 'h' ? 'h' : 'joint' } : {}),
    workers: integer('workers'),
  };
}

async function run(): Promise<void> {
  if (loaded === undefined || running !== undefined) return;
  clearResults();
  let plan: PagePlan;
  try {
    plan = pagePlan(loaded, settingsOf(ui.form));
  } catch (error) {
    showError(error);
    return;
  }
  const name = loaded.source.file;
  const current = runInWorkers(spectrumPartRequests(loaded.model, plan.inputs, plan.options), workerUrl, (done, total) => {
    ui.progress.max = total;
    ui.progress.value = done;
    ui.status.textContent = `${done} of ${total} steps`;
  });
  running = current;
  setRunning(true, plan.options.threads);
  try {
    await showResult(await current.result, plan, name);
  } catch (error) {
    showError(error);
  } finally {
    running = undefined;
    setRunning(false, 0);
  }
}

function setRunning(on: boolean, workers: number): void {
  ui.run.disabled = on;
  ui.cancel.disabled = !on;
  // Another file or cell mid-run would show this run's result under another model.
  ui.file.disabled = on;
  ui.cell.disabled = on;
  ui.progress.value = 0;
  ui.status.textContent = on ? `running on ${workers} worker${workers > 1 ? 's' : ''}…` : ui.status.textContent;
  document.body.dataset['state'] = on ? 'running' : 'idle';
}

async function showResult(result: ModelSpectrumResult, plan: PagePlan, name: string): Promise<void> {
  const json = toJson({ ...result, source: plan.source, inputs: plan.description });
  ui.status.textContent = `done: ${result.options.batch} sequence${result.options.batch > 1 ? 's' : ''} × ${result.options.steps} steps, driven by ${plan.phrase}`;
  download = URL.createObjectURL(new Blob([`${json}\n`], { type: 'application/json' }));
  const link = Object.assign(document.createElement('a'), { id: 'download', href: download, download: `${name.replace(/\.[^.]*$/, '')}.spectrum.json`, textContent: 'download the JSON (as spectrum --json)' });
  const mean = result.exponents.reduce((sum, l) => sum + l, 0) / result.exponents.length;
  const summary = document.createElement('p');
  summary.id = 'summary';
  summary.textContent = `Kaplan–Yorke dimension ${result.kaplanYorkeIsLowerBound ? '≥ ' : ''}${result.kaplanYorke.toFixed(3)} · entropy rate ${result.entropy.toFixed(5)} ${result.units} · mean exponent ${mean.toFixed(5)} · ${result.qrCount} QRs on ${result.options.threads} worker${result.options.threads! > 1 ? 's' : ''}`;
  const [spectrumPlace, convergencePlace] = [document.createElement('figure'), document.createElement('figure')];
  spectrumPlace.id = 'plot-spectrum';
  convergencePlace.id = 'plot-convergence';
  ui.results.replaceChildren(spectrumTable(result), summary, link, spectrumPlace, convergencePlace);
  // The plots are drawn from the JSON as `rnn-lyapunov plot` draws them from a saved result.
  const data = spectrumFromJson(JSON.parse(json), name);
  spectrumPlace.innerHTML = await renderSvg(spectrumPlot(data));
  convergencePlace.innerHTML = await renderSvg(convergencePlot(data, name));
  ui.results.dataset['done'] = 'true';
}

function spectrumTable(result: ModelSpectrumResult): HTMLTableElement {
  const table = document.createElement('table');
  table.id = 'spectrum';
  const head = table.createTHead().insertRow();
  for (const title of ['i', `λ_i (${result.units})`, 'std', 'stderr']) head.appendChild(document.createElement('th')).textContent = title;
  const body = table.createTBody();
  result.exponents.forEach((lambda, i) => {
    const row = body.insertRow();
    row.insertCell().textContent = String(i + 1);
    for (const value of [lambda, result.std[i]!, result.stderr[i]!]) {
      const cell = row.insertCell();
      cell.textContent = value.toFixed(5);
      // The exact double, for whoever reads the page back (and the tests).
      cell.dataset['value'] = String(value);
      cell.title = String(value);
    }
  });
  return table;
}

function clearResults(): void {
  ui.error.textContent = '';
  ui.error.hidden = true;
  ui.results.replaceChildren();
  delete ui.results.dataset['done'];
  if (download !== undefined) URL.revokeObjectURL(download);
  download = undefined;
}

/** Any failure as one line: a user error's message, or what a bug said (its stack goes to the console). */
function showError(error: unknown): void {
  const message = error instanceof UserError ? error.message
    : `internal error: ${error instanceof Error ? error.message : String(error)} (please report it; the console has the details)`;
  if (!(error instanceof UserError)) console.error(error);
  ui.error.textContent = message.split('\n')[0]!;
  ui.error.hidden = false;
}

function line(label: string, text: string, id?: string): HTMLElement {
  const p = document.createElement('p');
  if (id !== undefined) p.id = id;
  p.append(Object.assign(document.createElement('b'), { textContent: `${label}: ` }), text);
  return p;
}
