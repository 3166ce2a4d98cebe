// Types of the wasm engine's JS API (web/pkg/prunelab_wasm.js) and small pure helpers for the page.
// The URL hash IS the experiment state; the engine's `parseState` is the one parser of it.

export type Model = 'lenet300' | 'cnn' | 'resnet20' | 'resnet56' | 'vgg19' | 'densenet40' | 'mobilenetv2' | 'resnet18' | 'resnet50' | 'vit-b16';
export type Dataset = 'mnist' | 'cifar10' | 'cifar100' | 'tinyimagenet' | 'imagenet';
export type Ap = 'none' | 'lite' | 'pro' | 'solo' | 'no-wr' | 'output' | 'bias';
export type Method = 'gm' | 'taylor' | 'lamp' | 'lap' | 'imp' | 'random' | 'snip' | 'l1-channel' | 'l2-channel';

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
}

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
  dnr: { static: number; dynamic: number; per_layer: LayerDnr[] };
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
    }
  | { kind: 'cycle'; entry: CycleEntry };

/** The four raw MNIST IDX files. */
export interface MnistData {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** IDX file names under `data/mnist/`, keyed by the field runExperiment expects. */
export const MNIST_FILES: Record<keyof MnistData, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Page flags live in the hash beside the state but are not part of it. */
export const PAGE_FLAGS = ['autorun'] as const;

/**
 * Split the page's own flags off a location hash.
 * `#model=cnn&autorun=1` -> `{ stateHash: 'model=cnn', autorun: true }`.
 */
export function splitPageFlags(hash: string): { stateHash: string; autorun: boolean } {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  let autorun = false;
  const kept: string[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (key === 'autorun') {
      autorun = value === '' || value === '1' || value === 'true';
    } else {
      kept.push(part);
    }
  }
  return { stateHash: kept.join('&'), autorun };
}

/** Settings shown on the page, in order, with human labels. */
export const SETTINGS: ReadonlyArray<[keyof State, string]> = [
  ['model', 'Model'],
  ['data', 'Data set'],
  ['method', 'Base pruning method'],
  ['ap', 'Activate-while-pruning'],
  ['p', 'Pruned per cycle, p (%)'],
  ['q', 'AP rate, q (%)'],
  ['cycles', 'Pruning cycles'],
  ['epochs', 'Epochs per cycle'],
  ['seed', 'Seed'],
  ['lr', 'Learning rate'],
  ['batch', 'Batch size'],
  ['momentum', 'Momentum'],
  ['weight_decay', 'Weight decay'],
  ['train_size', 'Training images'],
  ['test_size', 'Test images'],
];

const MODEL_NAMES: Record<string, string> = {
  lenet300: 'LeNet-300-100',
  cnn: 'CNN',
  resnet20: 'ResNet-20',
  resnet56: 'ResNet-56',
  vgg19: 'VGG-19',
  densenet40: 'DenseNet-40',
  mobilenetv2: 'MobileNetV2',
  resnet18: 'ResNet-18',
  resnet50: 'ResNet-50',
  'vit-b16': 'ViT-B/16',
};

const AP_NAMES: Record<string, string> = { none: 'off', lite: 'AP-Lite', pro: 'AP-Pro' };

export function formatSetting(key: keyof State, state: State): string {
  const v = state[key];
  switch (key) {
    case 'model':
      return MODEL_NAMES[String(v)] ?? String(v);
    case 'data':
      return ({ mnist: 'MNIST', cifar10: 'CIFAR-10', cifar100: 'CIFAR-100', tinyimagenet: 'TinyImageNet', imagenet: 'ImageNet' } as Record<string, string>)[String(v)] ?? String(v);
    case 'method':
      return v === 'gm' ? 'global magnitude (gm)' : String(v);
    case 'q':
      return v === null ? `auto (${(state.p / 10).toString()})` : String(v);
    case 'ap':
      return AP_NAMES[String(v)] ?? String(v);
    case 'train_size':
    case 'test_size':
      return v === 0 ? 'whole split' : String(v);
    default:
      return String(v);
  }
}

/** 0.8123 -> "81.23" */
export function pct(fraction: number, digits = 2): string {
  return Number.isFinite(fraction) ? (fraction * 100).toFixed(digits) : '–';
}

export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return '–';
  return Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(digits);
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
