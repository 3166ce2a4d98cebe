// prunelab playground: the URL hash is the experiment (TensorFlow-Playground style).
// The page parses it with the engine, shows the settings, and on Run (or `autorun=1`) trains and
// prunes in the browser on WebGPU, showing progress and one table row per finished cycle.
//
// For tests and scripts: document.body.dataset.status is loading | idle | running | done | error;
// window.prunelab holds the engine's API once it is loaded;
// #results holds JSON.stringify(results) when done; #error shows the message on failure.

import init, { benchTraining, parseState, runExperiment, stateToHash } from '../pkg/prunelab_wasm.js';
import {
  MNIST_FILES,
  SETTINGS,
  errorMessage,
  formatSetting,
  num,
  pct,
  splitPageFlags,
  type CycleEntry,
  type MnistData,
  type Parsed,
  type Results,
  type RunEvent,
  type State,
} from './state';
import './style.css';

type Status = 'loading' | 'idle' | 'running' | 'done' | 'error';

const WEBGPU_MISSING =
  'WebGPU is not available in this browser, and the playground trains on the GPU through it. ' +
  'Use a recent Chrome or Edge (or a browser with WebGPU enabled) and open the page from ' +
  'localhost or over HTTPS.';

// Minimal WebGPU typing (TypeScript's DOM lib does not declare navigator.gpu).
type GpuNavigator = Navigator & { gpu?: { requestAdapter(): Promise<unknown | null> } };

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as T;
}

const ui = {
  notices: el<HTMLUListElement>('notices'),
  settings: el<HTMLDListElement>('settings'),
  permalink: el<HTMLAnchorElement>('permalink'),
  run: el<HTMLButtonElement>('run'),
  error: el('error'),
  statusLine: el('status-line'),
  epochs: el<HTMLTableSectionElement>('epoch-rows'),
  cycles: el<HTMLTableSectionElement>('cycle-rows'),
  results: el<HTMLPreElement>('results'),
};

let running = false;
let engineReady = false;
let mnist: Promise<MnistData> | null = null;

function setStatus(status: Status): void {
  document.body.dataset.status = status;
}

function showError(message: string): void {
  ui.error.textContent = message;
  ui.error.hidden = false;
  setStatus('error');
}

function clearError(): void {
  ui.error.textContent = '';
  ui.error.hidden = true;
}

function row(cells: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

/** Parse the current hash with the engine and show notices and settings. */
function render(): { stateHash: string; autorun: boolean; parsed: Parsed } {
  const { stateHash, autorun } = splitPageFlags(location.hash);
  const parsed = parseState(stateHash) as Parsed;

  ui.notices.replaceChildren(
    ...parsed.notices.map((n) => {
      const li = document.createElement('li');
      li.textContent = n;
      return li;
    }),
  );
  ui.notices.hidden = parsed.notices.length === 0;

  ui.settings.replaceChildren();
  for (const [key, label] of SETTINGS) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = formatSetting(key, parsed.state);
    dd.dataset.key = key;
    ui.settings.append(dt, dd);
  }

  const canonical = stateToHash(parsed.state as State);
  ui.permalink.href = `#${canonical}`;
  ui.permalink.textContent = `#${canonical}`;
  return { stateHash, autorun, parsed };
}

async function checkWebGpu(): Promise<void> {
  const gpu = (navigator as GpuNavigator).gpu;
  if (!gpu) throw new Error(WEBGPU_MISSING);
  let adapter: unknown = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    throw new Error(`${WEBGPU_MISSING} (requestAdapter failed: ${errorMessage(e)})`);
  }
  if (!adapter) throw new Error(`${WEBGPU_MISSING} (no GPU adapter was found)`);
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const resp = await fetch(url);
  if (!resp.ok) {
    throw new Error(`Could not load ${url} (HTTP ${resp.status}); run \`cargo xtask data\` and rebuild.`);
  }
  return new Uint8Array(await resp.arrayBuffer());
}

function loadMnist(): Promise<MnistData> {
  mnist ??= (async () => {
    const keys = Object.keys(MNIST_FILES) as (keyof MnistData)[];
    const bytes = await Promise.all(keys.map((k) => fetchBytes(`data/mnist/${MNIST_FILES[k]}`)));
    return Object.fromEntries(keys.map((k, i) => [k, bytes[i]])) as unknown as MnistData;
  })();
  mnist.catch(() => (mnist = null)); // retry on the next run
  return mnist;
}

function onEvent(e: RunEvent): void {
  switch (e.kind) {
    case 'status':
      ui.statusLine.textContent = e.message;
      break;
    case 'epoch':
      ui.epochs.append(
        row([String(e.cycle), String(e.epoch), pct(e.remaining, 1), num(e.loss), pct(e.train_accuracy)]),
      );
      ui.statusLine.textContent =
        `Cycle ${e.cycle}, epoch ${e.epoch}: loss ${num(e.loss)}, ` +
        `train accuracy ${pct(e.train_accuracy)} %`;
      break;
    case 'cycle':
      ui.cycles.append(cycleRow(e.entry));
      break;
  }
}

function cycleRow(c: CycleEntry): HTMLTableRowElement {
  return row([
    String(c.cycle),
    pct(c.remaining, 1),
    pct(c.test_accuracy),
    pct(c.dnr.static),
    pct(c.dnr.dynamic),
    num(c.pruned.base),
    num(c.pruned.ap),
  ]);
}

async function run(): Promise<void> {
  if (running || !engineReady) return;
  running = true;
  ui.run.disabled = true;
  clearError();
  ui.epochs.replaceChildren();
  ui.cycles.replaceChildren();
  ui.results.textContent = '';
  setStatus('running');
  const started = performance.now();
  try {
    const { stateHash, parsed } = render();
    ui.statusLine.textContent = 'Checking WebGPU…';
    await checkWebGpu();
    if (parsed.state.data !== 'mnist') {
      throw new Error(
        `The browser playground bundles MNIST only (data=${parsed.state.data}); use the native CLI for it.`,
      );
    }
    ui.statusLine.textContent = 'Loading MNIST…';
    const data = await loadMnist();
    ui.statusLine.textContent = 'Starting…';
    const results = (await runExperiment(stateHash, data, onEvent)) as Results;
    // The returned results are authoritative: rebuild the table from them.
    ui.cycles.replaceChildren(...results.cycles.map(cycleRow));
    ui.results.textContent = JSON.stringify(results);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    ui.statusLine.textContent = `Done: ${results.label}, ${results.cycles.length} cycles in ${secs} s.`;
    setStatus('done');
  } catch (e) {
    ui.statusLine.textContent = 'Failed (see the message above).';
    showError(errorMessage(e));
  } finally {
    running = false;
    ui.run.disabled = false;
  }
}

async function start(): Promise<void> {
  setStatus('loading');
  ui.run.disabled = true;
  ui.statusLine.textContent = 'Loading the engine…';
  try {
    await init();
  } catch (e) {
    ui.statusLine.textContent = 'Failed (see the message above).';
    showError(`Could not load the prunelab engine (wasm): ${errorMessage(e)}`);
    return;
  }
  engineReady = true;
  // For scripts and benchmarks (tests/browser/bench.mjs): the engine's API, once loaded.
  (window as Window & { prunelab?: object }).prunelab = { parseState, stateToHash, runExperiment, benchTraining };
  ui.run.disabled = false;
  ui.run.addEventListener('click', () => void run());
  window.addEventListener('hashchange', () => {
    if (running) return;
    const { autorun } = render();
    if (autorun) void run();
  });

  const { autorun } = render();
  ui.statusLine.textContent = 'Ready. Press Run to train and prune.';
  setStatus('idle');
  if (!(navigator as GpuNavigator).gpu) {
    // Say so right away rather than only after Run is pressed.
    ui.statusLine.textContent = 'WebGPU unavailable.';
    showError(WEBGPU_MISSING);
  }
  if (autorun) await run();
}

void start();
