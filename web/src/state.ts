// Types of the wasm engine's JS API (web/pkg/prunelab_wasm.js) and small pure helpers for the page.
// The URL hash IS the experiment state; the engine's `parseState` is the one parser of it.

export type Model = 'lenet300' | 'cnn' | 'resnet20' | 'resnet56' | 'vgg19' | 'densenet40' | 'mobilenetv2' | 'resnet18' | 'resnet50' | 'vit-b16';
export type Dataset = 'mnist' | 'cifar10' | 'cifar100' | 'tinyimagenet' | 'imagenet';
export type Ap = 'none' | 'lite' | 'pro' | 'solo' | 'no-wr' | 'output' | 'bias';
export type Method = 'gm' | 'taylor' | 'lamp' | 'lap' | 'imp' | 'random' | 'snip' | 'l1-channel' | 'l2-channel' | 'density';

/** The engine's experiment state (prunelab_core::state::Experiment); the keys shown here are the
 * ones the page displays, the rest pass through unchanged. */
export interface State {
  recipe: 'custom' | 'ap-paper';
  model: Model;
  data: Dataset;
  method: Method;
  ap: Ap;
  p: number;
  /** null = auto (0.1·p) */
  q: number | null;
  cycles: number;
  epochs: number;
  seed: number;
  lr: number;
  batch: number;
  momentum: number;
  weight_decay: number;
  /** 0 = the whole split */
  train_size: number;
  /** 0 = the whole split */
  test_size: number;
  retrain: 'weight-rewind' | 'lr-rewind' | 'fine-tune';
  schedule: 'iterative' | 'one-shot' | 'gradual';
  target: number | null;
  [key: string]: unknown;
}

/** One experiment key of the engine's table (wasm `stateKeys()`, prunelab_core::state::TABLE). */
export interface StateKey {
  name: string;
  kind: 'name' | 'number' | 'optional' | 'list';
  /** the allowed names (kind `name`) */
  values?: string[];
  /** the word for "unset" (kind `optional`): `auto`, `none`, `epoch` */
  word?: string;
  /** the value of the `custom` recipe, as text (null = unset) */
  default: string | null;
  /** the key's doc line */
  doc: string;
}

/** CIFAR-10 binary records (3073 bytes each): training chunks and the test set. */
export interface CifarData {
  kind: 'cifar10';
  train: Uint8Array[];
  test: Uint8Array;
}

export type PageData = MnistData | CifarData;

export interface Parsed {
  state: State;
  notices: string[];
}

export interface LayerDnr {
  layer: string;
  units: number;
  static: number;
  dynamic: number;
}

/** One training cycle; the same schema as the CLI's results.json. */
export interface CycleEntry {
  cycle: number;
  /** fraction λ of prunable weights alive while this cycle trained */
  remaining: number;
  remaining_after: number;
  /** 0..1 */
  test_accuracy: number;
  train_loss: number;
  /** test accuracy at the epoch of best validation accuracy (= test_accuracy without a validation split) */
  early_stop_accuracy: number;
  val_accuracy: number | null;
  best_epoch: number;
  pruned: { base: number; ap: number; boosted: number };
  /** one unit per channel × position */
  dnr: Dnr;
  /** one unit per channel, dead on a sample when its whole map is 0 (null in older files) */
  dnr_channel?: Dnr | null;
  /** which of the two tables and plots show */
  dnr_unit?: 'position' | 'channel';
  /** the images `dnr` averages over (eq. 1: the training split) */
  dnr_split: 'train' | 'test';
}

/** A whole-net DNR with its per-layer breakdown (fractions). */
export interface Dnr {
  static: number;
  dynamic: number;
  per_layer: LayerDnr[];
}

/** The DNR in the run's `dnr_unit`, as the engine's `CycleEntry::reported_dnr`. */
export function reportedDnr(c: CycleEntry): Dnr {
  return c.dnr_unit === 'channel' && c.dnr_channel ? c.dnr_channel : c.dnr;
}

/** One run, the schema of the CLI's results.json. */
export interface Results {
  label: string;
  seed: number;
  /** the run's state as a URL hash */
  experiment: string;
  cycles: CycleEntry[];
  /** false while the run is still going (or was killed, to be resumed) */
  complete: boolean;
}

export type RunEvent =
  | { kind: 'status'; message: string }
  | {
      kind: 'epoch';
      cycle: number;
      epoch: number;
      loss: number;
      train_accuracy: number;
      remaining: number;
      /** DNR of the epoch's own training pass; AE of a layer = 1 − static − dynamic */
      dnr: { static: number; dynamic: number; per_layer: LayerDnr[] };
    }
  | { kind: 'cycle'; entry: CycleEntry; masks: LayerMask[] }
  /** other kinds (e.g. `net` from density resizing) go to the views that know them */
  | { kind: string; [key: string]: unknown };

/** One kernel in the mask view: counts and a grid of shares (0..255) pruned by base / AP. */
export interface LayerMask {
  layer: string;
  shape: number[];
  kept: number;
  base: number;
  ap: number;
  rows: number;
  cols: number;
  base_share: number[];
  ap_share: number[];
}

/** One counted ReLU layer's dead units on one image (wasm `deadMaps`). */
export interface DeadMap {
  layer: string;
  channels: number;
  positions: number;
  dead: number[];
  static: boolean[];
}

/** The four raw MNIST IDX files. */
export interface MnistData {
  kind: 'mnist';
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** IDX file names under `data/mnist/`, keyed by the field runExperiment expects. */
export const MNIST_FILES: Record<Exclude<keyof MnistData, 'kind'>, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Page flags live in the hash beside the state but are not part of it (the engine skips them). */
export const PAGE_FLAGS = ['autorun', 'hide', 'lesson', 'compare', 'origins', 'backend', 'cifar'] as const;
export type PageFlag = (typeof PAGE_FLAGS)[number];

/** The page's own flags of a hash. */
export interface Flags {
  /** start a run on load */
  autorun: boolean;
  /** control keys to hide (`hide=method,p`) */
  hide: string[];
  /** a lesson's id (see lessons.ts) */
  lesson: string | null;
  /** overrides of a second run to overlay (`compare=ap:none`), as a hash fragment `ap=none` */
  compare: string | null;
  /** origins allowed to drive an embedded page by postMessage */
  origins: string[];
  /** `cpu` forces the CPU fallback */
  backend: 'webgpu' | 'cpu' | null;
  /** URL of the CIFAR-10 web export's manifest.json */
  cifar: string | null;
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

/**
 * Split the page's own flags off a location hash.
 * `#model=cnn&autorun=1&hide=p` -> `{ stateHash: 'model=cnn', flags: { autorun: true, hide: ['p'], … } }`.
 */
export function splitPageFlags(hash: string): { stateHash: string; flags: Flags; autorun: boolean } {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const flags: Flags = { autorun: false, hide: [], lesson: null, compare: null, origins: [], backend: null, cifar: null };
  const kept: string[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      kept.push(part); // malformed escapes: the engine reports them
      continue;
    }
    switch (key as PageFlag) {
      case 'autorun':
        flags.autorun = value === '' || value === '1' || value === 'true';
        break;
      case 'hide':
        flags.hide = list(value);
        break;
      case 'lesson':
        flags.lesson = value || null;
        break;
      case 'compare':
        flags.compare = list(value).map((kv) => kv.replace(':', '=')).join('&') || null;
        break;
      case 'origins':
        flags.origins = list(value);
        break;
      case 'backend':
        flags.backend = value === 'cpu' ? 'cpu' : value === 'webgpu' ? 'webgpu' : null;
        break;
      case 'cifar':
        flags.cifar = value || null;
        break;
      default:
        kept.push(part);
    }
  }
  return { stateHash: kept.join('&'), flags, autorun: flags.autorun };
}

/** The flags as hash parts (`hide=method,p`), in PAGE_FLAGS order; `autorun` only if asked. */
export function flagsToHash(flags: Flags, withAutorun: boolean): string {
  const parts: string[] = [];
  if (withAutorun && flags.autorun) parts.push('autorun=1');
  if (flags.hide.length) parts.push(`hide=${flags.hide.map(encodeURIComponent).join(',')}`);
  if (flags.lesson) parts.push(`lesson=${encodeURIComponent(flags.lesson)}`);
  if (flags.compare) parts.push(`compare=${flags.compare.split('&').map((kv) => encodeURIComponent(kv.replace('=', ':')).replace(/%3A/gi, ':')).join(',')}`);
  if (flags.origins.length) parts.push(`origins=${flags.origins.map(encodeURIComponent).join(',')}`);
  if (flags.backend) parts.push(`backend=${flags.backend}`);
  if (flags.cifar) parts.push(`cifar=${encodeURIComponent(flags.cifar)}`);
  return parts.join('&');
}

/** 0.8123 -> "81.23" */
export function pct(fraction: number, digits = 2): string {
  return Number.isFinite(fraction) ? (fraction * 100).toFixed(digits) : '–';
}

export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return '–';
  return Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(digits);
}

/** The kind of a failure: the engine's errors are named by what failed (`CancelledError`,
 * `DeviceError`, `ExperimentError`, `DivergedError`, …: prunelab_engine::EngineError::kind). */
export function errorName(e: unknown): string | null {
  return e instanceof Error ? e.name : null;
}

/** A one-line message from whatever a promise rejected with (Error, string, JsValue). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
