// prunelab playground: the URL hash is the experiment (TensorFlow-Playground style). The page
// parses it with the engine, shows it in labelled controls (a change rewrites the hash: back and
// forward restore the page), and on Run (or `autorun=1`) trains and prunes in the browser on
// WebGPU — or on the CPU when WebGPU is missing or lost — feeding the live views.
//
// For tests and scripts: body[data-status] is loading | idle | running | paused | done |
// stopped | error; body[data-backend] is webgpu | cpu; body[data-steps] counts training steps;
// body[data-first-step-ms] is the time from navigation to the first training step;
// #results holds the last finished run's results.json; #error shows a failure.
//
// Why no Web Worker: the engine already yields to the page before every training step (the
// pause hook below posts a MessageChannel task, which browsers do not throttle in background
// tabs, unlike timers), WebGPU work is asynchronous anyway, and the views need every event on
// the main thread; a worker would add a second copy of the wasm and a message protocol for the
// same result. The CPU fallback's steps are short on the small models it is meant for.

import init, {
  deadMaps,
  lastCheckpoint,
  parseState,
  resetDevice,
  runExperiment,
  stateKeys,
  stateLabel,
  stateToHash,
  validateState,
} from '../pkg/prunelab_wasm.js';
import { buildControls, writeControls } from './controls';
import { CIFAR_DEFAULT, CIFAR_HELP, cifarFromFiles, cifarMissing, loadCifar, loadMnist, testImage } from './data';
import { listen } from './embed';
import { download, resultsCsv, resultsJson } from './exports';
import { LESSONS, PRESETS, findLesson, lessonHash } from './lessons';
import { StepMeter, plannedSteps } from './progress';
import {
  errorMessage,
  errorName,
  flagsToHash,
  pct,
  reportedDnr,
  splitPageFlags,
  type CycleEntry,
  type DeadMap,
  type Flags,
  type PageData,
  type Parsed,
  type Results,
  type RunEvent,
  type State,
  type StateKey,
} from './state';
import { deadView } from './views/dead';
import { densityView } from './views/density';
import { dnrView } from './views/dnr';
import { epochsView } from './views/epochs';
import { lambdaView } from './views/lambda';
import { masksView } from './views/masks';
import { netsView } from './views/nets';
import type { RunInfo, View } from './views/view';
import './style.css';

type Status = 'loading' | 'idle' | 'running' | 'paused' | 'done' | 'stopped' | 'error';
type Backend = 'webgpu' | 'cpu';

const WEBGPU_MISSING =
  'WebGPU is not available in this browser, so the playground trains on the CPU instead (slower: LeNet-300-100 and ' +
  'the small CNN are practical). For the GPU, use a recent Chrome or Edge and open the page from localhost or over HTTPS.';

// Minimal WebGPU typing (TypeScript's DOM lib does not declare navigator.gpu).
type GpuNavigator = Navigator & { gpu?: { requestAdapter(): Promise<unknown | null> } };

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as T;
}

const ui = {
  notices: el<HTMLUListElement>('notices'),
  backendNotice: el('backend-notice'),
  controls: el('controls'),
  basic: el('controls-basic'),
  advanced: el('controls-advanced'),
  presets: el<HTMLSelectElement>('preset'),
  lessons: el<HTMLUListElement>('lesson-list'),
  lesson: el('lesson'),
  permalink: el<HTMLAnchorElement>('permalink'),
  check: el('check'),
  run: el<HTMLButtonElement>('run'),
  add: el<HTMLButtonElement>('add-run'),
  pause: el<HTMLButtonElement>('pause'),
  stop: el<HTMLButtonElement>('stop'),
  error: el('error'),
  statusLine: el('status-line'),
  stepProgress: el('step-progress'),
  progress: el<HTMLProgressElement>('load-progress'),
  views: el('views'),
  cycles: el<HTMLTableSectionElement>('cycle-rows'),
  results: el<HTMLPreElement>('results'),
  exportJson: el<HTMLButtonElement>('export-json'),
  exportCsv: el<HTMLButtonElement>('export-csv'),
  exportModel: el<HTMLButtonElement>('export-model'),
  drop: el('drop'),
  dropInput: el<HTMLInputElement>('drop-input'),
};

let backend: Backend = 'webgpu';
/** The WebGPU device failed once: the rest of this page's runs use the CPU. */
let gpuLost = false;
let engineReady = false;
let running = false;
let paused = false;
let stopRequested = false;
let waiting: Array<(goOn: boolean) => void> = [];
let lastYield = 0;
/** Training steps started in this page (body[data-steps], every 8th: tests watch a pause). */
let steps = 0;
/** The running run's per-step progress next to Run. */
let meter: StepMeter | null = null;
let runCounter = 0;
let finished: Results[] = [];
let loadedData: PageData | null = null;
let droppedCifar: PageData | null = null;
let current: { stateHash: string; flags: Flags; parsed: Parsed } | null = null;

const views: View[] = [epochsView(), lambdaView(), dnrView(), densityView(), netsView(), masksView()];
const dead = deadView({
  image: (i) => testImage(loadedData, i),
  maps: async (pixels) => (await deadMaps(pixels)) as DeadMap[],
});
ui.views.append(...views.map((v) => v.element), dead.element);

function setStatus(status: Status): void {
  const focused = document.activeElement;
  document.body.dataset.status = status;
  embed.post({ prunelab: 'status', status });
  const busy = status === 'running' || status === 'paused';
  ui.run.disabled = !engineReady || busy;
  ui.add.disabled = !engineReady || busy;
  ui.pause.disabled = !busy;
  ui.stop.disabled = !busy;
  ui.pause.textContent = status === 'paused' ? 'Resume' : 'Pause';
  ui.pause.setAttribute('aria-pressed', String(status === 'paused'));
  const has = finished.length > 0;
  ui.exportJson.disabled = !has;
  ui.exportCsv.disabled = !has;
  ui.exportModel.disabled = busy || !has;
  dead.enable(!busy && has);
  if (current) writeControls(ui.controls, current.parsed.state, current.flags.hide, busy);
  // a focused button or field that has just been disabled (Run, once pressed) would drop the
  // keyboard focus to <body>: it moves to the button that now matters instead
  if ((focused instanceof HTMLButtonElement || focused instanceof HTMLInputElement || focused instanceof HTMLSelectElement) && focused.disabled) {
    (busy ? ui.stop : ui.run).focus();
  }
}

function showError(message: string): void {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function clearError(): void {
  ui.error.textContent = '';
  ui.error.hidden = true;
}

function notices(list: string[]): void {
  ui.notices.replaceChildren(
    ...list.map((n) => {
      const li = document.createElement('li');
      li.textContent = n;
      return li;
    }),
  );
  ui.notices.hidden = list.length === 0;
}

/** The canonical hash of a state plus the page's flags. */
function fullHash(state: State, flags: Flags, withAutorun: boolean): string {
  const f = flagsToHash(flags, withAutorun);
  return stateToHash(state) + (f ? `&${f}` : '');
}

/** Why CIFAR-10 cannot be loaded from each web-export URL asked about (`null`: it can; absent
 * while the page is still asking). */
const cifarMissingAt = new Map<string, string | null>();

/** The reason CIFAR-10 is unavailable to the current state (`null` when it is, or while unknown). */
function cifarProblem(flags: Flags): string | null {
  if (droppedCifar) return null;
  const url = flags.cifar ?? CIFAR_DEFAULT;
  if (!cifarMissingAt.has(url)) {
    cifarMissingAt.set(url, null);
    void cifarMissing(url).then((reason) => {
      cifarMissingAt.set(url, reason);
      showCheck();
    });
  }
  return cifarMissingAt.get(url) ?? null;
}

/** The live check under the controls (an experiment that cannot run, a slow CPU choice, missing
 * CIFAR-10), and the presets whose data is missing, disabled with the reason. */
function showCheck(): void {
  if (!current) return;
  const { stateHash, flags, parsed } = current;
  const invalid = validateState(stateHash);
  const slow = backend === 'cpu' && !['lenet300', 'cnn'].includes(parsed.state.model);
  const cifar = cifarProblem(flags);
  ui.check.textContent = invalid
    ? `This experiment cannot run: ${invalid}.`
    : parsed.state.data === 'cifar10' && cifar
      ? `${cifar} ${CIFAR_HELP}`
      : slow
        ? `${parsed.state.model} on the CPU is very slow: LeNet-300-100 and the CNN are the models for it.`
        : '';
  ui.check.hidden = ui.check.textContent === '';
  for (const option of ui.presets.options) {
    const needs = option.value.includes('data=cifar10') && cifar !== null;
    option.disabled = needs;
    option.textContent = (option.dataset.label ?? option.textContent) + (needs ? ' — needs CIFAR-10 (drop it below)' : '');
  }
}

/** Parse the location hash with the engine; show notices, controls, lesson and permalink. */
function render(): { stateHash: string; flags: Flags; parsed: Parsed } {
  const { stateHash, flags } = splitPageFlags(location.hash);
  const parsed = parseState(stateHash) as Parsed;
  const extra: string[] = [];
  if (flags.lesson && !findLesson(flags.lesson)) extra.push(`ignored lesson=${flags.lesson}: no such lesson`);
  notices([...parsed.notices, ...extra]);
  current = { stateHash, flags, parsed };
  showCheck();
  writeControls(ui.controls, parsed.state, flags.hide, running);
  ui.presets.closest<HTMLElement>('.control')!.hidden = flags.hide.includes('preset');
  const lesson = findLesson(flags.lesson);
  const opened = lesson !== undefined && (ui.lesson.hidden || ui.lesson.dataset.id !== lesson.id);
  ui.lesson.hidden = !lesson;
  ui.lesson.dataset.id = lesson?.id ?? '';
  if (lesson) {
    ui.lesson.querySelector('h2')!.textContent = lesson.title;
    ui.lesson.querySelector('p')!.textContent = lesson.text;
  }
  // a lesson just opened (from the list at the top, or a link): bring its text into view
  if (opened && engineReady) {
    ui.lesson.scrollIntoView({ block: 'start' });
    ui.lesson.querySelector<HTMLElement>('h2')!.focus({ preventScroll: true });
  }
  for (const a of ui.lessons.querySelectorAll('a')) {
    if (a.dataset.id === lesson?.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const link = `#${fullHash(parsed.state, flags, false)}`;
  ui.permalink.href = link;
  ui.permalink.textContent = link;
  embed.post({ prunelab: 'state', hash: link.slice(1) });
  return current;
}

/** Go to a new hash as a new history entry (back / forward come back here). */
function navigate(hash: string): void {
  if (`#${hash}` === location.hash) return;
  history.pushState(null, '', `#${hash}`);
  render();
}

/** A control changed: `key=value` on top of the current state, re-serialised by the engine. */
function onControl(key: string, value: string): void {
  if (!current) return;
  const parsed = parseState(`${stateToHash(current.parsed.state)}&${encodeURIComponent(key)}=${encodeURIComponent(value)}`) as Parsed;
  navigate(fullHash(parsed.state, current.flags, false));
}

// ---- running -------------------------------------------------------------------------------

/** A macrotask boundary that background tabs do not throttle (unlike setTimeout). */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

/** The engine's hook before every training step: wait while paused, `false` stops the run. */
function pauseHook(): Promise<boolean> | undefined {
  steps += 1;
  const line = meter?.tick(performance.now());
  if (line) ui.stepProgress.textContent = line;
  if (steps === 1) document.body.dataset.firstStepMs = performance.now().toFixed(0);
  if (steps % 8 === 0) document.body.dataset.steps = String(steps);
  if (stopRequested) return Promise.resolve(false);
  if (paused) return new Promise((resolve) => waiting.push(resolve));
  const now = performance.now();
  if (now - lastYield < 40) return undefined;
  lastYield = now;
  return yieldToPage().then(() => !stopRequested);
}

function release(goOn: boolean): void {
  const list = waiting;
  waiting = [];
  for (const w of list) w(goOn);
}

function pause(): void {
  if (!running || paused) return;
  paused = true;
  ui.statusLine.textContent = `${ui.statusLine.textContent ?? ''} — paused`;
  setStatus('paused');
}

function resume(): void {
  if (!running || !paused) return;
  paused = false;
  release(true);
  setStatus('running');
}

function stop(): void {
  if (!running) return;
  stopRequested = true;
  paused = false;
  ui.statusLine.textContent = 'Stopping…';
  ui.stepProgress.textContent += ' — stopping…';
  release(false);
}

async function chooseBackend(flags: Flags): Promise<Backend> {
  const say = (text: string) => {
    ui.backendNotice.textContent = text;
    ui.backendNotice.hidden = false;
  };
  ui.backendNotice.hidden = true;
  if (flags.backend === 'cpu') {
    say('Training on the CPU (backend=cpu in the URL).');
    return 'cpu';
  }
  const gpu = (navigator as GpuNavigator).gpu;
  if (!gpu) {
    say(WEBGPU_MISSING);
    return 'cpu';
  }
  try {
    if (!(await gpu.requestAdapter())) {
      say(`${WEBGPU_MISSING} (No GPU adapter was found.)`);
      return 'cpu';
    }
  } catch (e) {
    say(`${WEBGPU_MISSING} (requestAdapter failed: ${errorMessage(e)})`);
    return 'cpu';
  }
  return 'webgpu';
}

async function loadData(state: State, flags: Flags): Promise<PageData> {
  if (state.data === 'mnist') {
    ui.statusLine.textContent = 'Loading MNIST…';
    return loadMnist();
  }
  if (state.data === 'cifar10') {
    if (droppedCifar) return droppedCifar;
    const url = flags.cifar ?? CIFAR_DEFAULT;
    ui.statusLine.textContent = `Loading CIFAR-10 from ${url}…`;
    ui.progress.hidden = false;
    try {
      return await loadCifar(url, (loaded, total) => {
        ui.progress.max = total;
        ui.progress.value = loaded;
        ui.statusLine.textContent = `Loading CIFAR-10: ${((100 * loaded) / total).toFixed(0)} %`;
      });
    } catch (e) {
      throw new Error(`${errorMessage(e)} ${CIFAR_HELP}`);
    } finally {
      ui.progress.hidden = true;
    }
  }
  throw new Error(`The browser playground runs MNIST and CIFAR-10; data=${state.data} needs the native CLI.`);
}

function cycleRow(label: string, c: CycleEntry): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const text of [label, String(c.cycle), pct(c.remaining, 1), pct(c.test_accuracy), pct(reportedDnr(c).static), pct(reportedDnr(c).dynamic), String(c.pruned.base), String(c.pruned.ap)]) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

/** One run of `stateHash` on the chosen device, its events to every view. */
async function runOne(stateHash: string, label: string, flags: Flags): Promise<Results> {
  const parsed = parseState(stateHash) as Parsed;
  const invalid = validateState(stateHash);
  if (invalid) throw new Error(`invalid experiment: ${invalid}`);
  const data = await loadData(parsed.state, flags);
  loadedData = data;
  meter = new StepMeter(plannedSteps(parsed.state, data), performance.now());
  ui.stepProgress.textContent = '';
  const run: RunInfo = { id: ++runCounter, label, hash: stateHash };
  const onEvent = (e: RunEvent) => {
    if (e.kind === 'status') ui.statusLine.textContent = String(e.message);
    if (e.kind === 'epoch') {
      const ev = e as Extract<RunEvent, { kind: 'epoch' }>;
      ui.statusLine.textContent = `${label} — cycle ${ev.cycle}, epoch ${ev.epoch + 1}: loss ${ev.loss.toFixed(4)}, train accuracy ${pct(ev.train_accuracy)} % (${backend === 'cpu' ? 'CPU' : 'WebGPU'})`;
      if (paused) ui.statusLine.textContent += ' — paused';
    }
    if (e.kind === 'cycle') ui.cycles.append(cycleRow(label, e.entry as CycleEntry));
    for (const v of views) v.event(run, e);
  };
  const go = (b: Backend) => runExperiment(stateHash, data, onEvent, { backend: b, pause: pauseHook }) as Promise<Results>;
  try {
    return await go(backend);
  } catch (e) {
    const msg = errorMessage(e);
    if (backend === 'webgpu' && errorName(e) === 'DeviceError' && !stopRequested) {
      resetDevice();
      gpuLost = true;
      backend = 'cpu';
      document.body.dataset.backend = backend;
      ui.backendNotice.textContent = `The WebGPU device failed (${msg}); the run starts again on the CPU.`;
      ui.backendNotice.hidden = false;
      return go(backend);
    }
    throw e;
  }
}

/** Run the current state (and the `compare` run after it); `keep` overlays earlier runs. */
async function runAll(keep: boolean): Promise<void> {
  if (running || !engineReady || !current) return;
  running = true;
  paused = false;
  stopRequested = false;
  clearError();
  if (!keep) {
    finished = [];
    ui.cycles.replaceChildren();
    for (const v of views) v.clear();
  }
  ui.results.textContent = '';
  ui.views.hidden = false;
  setStatus('running');
  const started = performance.now();
  try {
    const { stateHash, flags } = render();
    if (!gpuLost) backend = await chooseBackend(flags);
    document.body.dataset.backend = backend;
    const queue = [stateHash];
    if (flags.compare && !keep) queue.push(stateToHash((parseState(`${stateHash}&${flags.compare}`) as Parsed).state));
    for (const hash of queue) {
      const state = (parseState(hash) as Parsed).state;
      const label = `${stateLabel(hash)} (seed ${state.seed})`;
      const results = await runOne(hash, label, flags);
      finished.push(results);
      ui.results.textContent = JSON.stringify(results);
      embed.post({ prunelab: 'done', results });
    }
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    ui.statusLine.textContent = `Done: ${finished.map((r) => r.label).join(' vs ')} in ${secs} s.`;
    setStatus('done');
  } catch (e) {
    const msg = errorMessage(e);
    if (stopRequested && errorName(e) === 'CancelledError') {
      ui.statusLine.textContent = 'Stopped.';
      setStatus('stopped');
    } else {
      ui.statusLine.textContent = 'Failed (see the message above).';
      showError(msg);
      setStatus('error');
    }
  } finally {
    running = false;
    paused = false;
    if (document.body.dataset.status === 'running') setStatus('done');
    else setStatus(document.body.dataset.status as Status);
  }
}

// ---- page set-up ---------------------------------------------------------------------------

const embed = listen(() => current?.flags.origins ?? [], {
  start: () => void runAll(false),
  stop,
  pause,
  resume,
  setState: (hash) => navigate(hash.replace(/^#/, '')),
  state: () => location.hash.slice(1),
  results: () => finished,
});

function setUpPage(): void {
  for (const [label, hash] of PRESETS) {
    const option = new Option(label, hash);
    option.dataset.label = label;
    ui.presets.append(option);
  }
  ui.presets.addEventListener('change', () => {
    if (ui.presets.value) navigate(ui.presets.value);
    ui.presets.value = '';
  });
  ui.lessons.replaceChildren(
    ...LESSONS.map((l) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `#${lessonHash(l)}`;
      a.dataset.id = l.id;
      a.textContent = l.title;
      li.append(a);
      return li;
    }),
  );
  ui.run.addEventListener('click', () => void runAll(false));
  ui.add.addEventListener('click', () => void runAll(true));
  ui.pause.addEventListener('click', () => (paused ? resume() : pause()));
  ui.stop.addEventListener('click', stop);
  ui.exportJson.addEventListener('click', () => {
    if (finished.length > 0) download('results.json', resultsJson(finished), 'application/json');
  });
  ui.exportCsv.addEventListener('click', () => download('results.csv', resultsCsv(finished), 'text/csv'));
  ui.exportModel.addEventListener('click', () => {
    const bytes = lastCheckpoint();
    const last = finished[finished.length - 1];
    if (bytes && last) download(`cycle-${String(last.cycles.length - 1).padStart(2, '0')}.safetensors`, bytes as Uint8Array<ArrayBuffer>, 'application/octet-stream');
  });
  const takeFiles = async (files: File[]) => {
    try {
      clearError();
      droppedCifar = await cifarFromFiles(files);
      ui.drop.dataset.loaded = 'true';
      ui.drop.querySelector('p')!.textContent = `Using your CIFAR-10 file(s): ${files.map((f) => f.name).join(', ')}.`;
      if (current && current.parsed.state.data !== 'cifar10') onControl('data', 'cifar10');
      showCheck();
    } catch (e) {
      showError(errorMessage(e));
    }
  };
  ui.drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    ui.drop.classList.add('over');
  });
  ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
  ui.drop.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.drop.classList.remove('over');
    void takeFiles([...(e.dataTransfer?.files ?? [])]);
  });
  ui.dropInput.addEventListener('change', () => void takeFiles([...(ui.dropInput.files ?? [])]));
  window.addEventListener('popstate', () => render());
  window.addEventListener('hashchange', () => {
    const { flags } = render();
    if (flags.autorun && !running) void runAll(false);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && running) stop();
  });
}

async function start(): Promise<void> {
  setUpPage();
  setStatus('loading');
  ui.statusLine.textContent = 'Loading the engine…';
  try {
    await init();
    // the controls come from the engine's key table, readable once the wasm is instantiated
    buildControls(stateKeys() as StateKey[], ui.basic, ui.advanced, onControl);
  } catch (e) {
    ui.statusLine.textContent = 'Failed (see the message above).';
    showError(`Could not load the prunelab engine (wasm): ${errorMessage(e)}`);
    setStatus('error');
    return;
  }
  engineReady = true;
  const { flags } = render();
  backend = await chooseBackend(flags);
  document.body.dataset.backend = backend;
  render();
  ui.statusLine.textContent = 'Ready. Press Run to train and prune.';
  setStatus('idle');
  embed.post({ prunelab: 'ready', hash: location.hash.slice(1) });
  if (flags.autorun) await runAll(false);
}

void start();
