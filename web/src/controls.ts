// The experiment's controls: one labelled form field per engine key. Which keys exist, their kind
// (a name, a number, an optional number, a list), the allowed names and the word for "unset" come
// from the engine's key table (`stateKeys()`); this file adds only what the page says about them
// (a label, option labels, bounds, the basic / "More settings" split). A key the page has no row
// for still gets a field in "More settings", labelled by its name and documented by its doc line.
// The URL hash stays the one source of truth: a change becomes `key=value` appended to the
// canonical hash, which the engine re-parses (parseState) and re-serialises (stateToHash).

import type { State, StateKey } from './state';

/** What the page adds to an engine key. */
interface Control {
  key: string;
  label: string;
  /** labels of a named key's values (an unlabelled value shows its name) */
  labels?: Record<string, string>;
  /** the values the page offers, when it can run only some (the data sets it can load) */
  only?: string[];
  min?: number;
  max?: number;
  step?: number;
  /** in the collapsed "More settings" group */
  advanced?: boolean;
  help?: string;
}

const CONTROLS: Control[] = [
  {
    key: 'model',
    label: 'Model',
    labels: {
      lenet300: 'LeNet-300-100',
      cnn: 'CNN (small conv net)',
      resnet20: 'ResNet-20',
      resnet56: 'ResNet-56',
      vgg19: 'VGG-19',
      densenet40: 'DenseNet-40',
      mobilenetv2: 'MobileNetV2',
      resnet18: 'ResNet-18',
      resnet50: 'ResNet-50',
      'vit-b16': 'ViT-B/16',
    },
    help: 'LeNet and the CNN train in seconds; the others are for a real GPU.',
  },
  { key: 'data', label: 'Data set', labels: { mnist: 'MNIST (bundled)', cifar10: 'CIFAR-10 (downloaded)' }, only: ['mnist', 'cifar10'] },
  {
    key: 'method',
    label: 'Base pruning method',
    labels: {
      gm: 'Global Magnitude',
      taylor: 'Global Taylor',
      lamp: 'LAMP',
      lap: 'LAP',
      imp: 'IMP (magnitude)',
      random: 'Random',
      snip: 'SNIP',
      'l1-channel': 'L1 channel',
      'l2-channel': 'L2 channel',
      density: 'Activation density (resizing)',
    },
  },
  {
    key: 'ap',
    label: 'Activate-while-pruning',
    labels: { none: 'off', pro: 'AP-Pro (every cycle)', lite: 'AP-Lite (last cycle)', solo: 'AP-SOLO', 'no-wr': 'AP-NO-WR', output: 'AP-output', bias: 'AP-bias-k' },
  },
  { key: 'p', label: 'Pruned per cycle, p (%)', min: 0.1, max: 99.9, step: 0.1 },
  { key: 'q', label: 'AP rate, q (%)', min: 0, max: 99.9, step: 0.1, help: 'auto = p / 10 (AP paper §5)' },
  { key: 'cycles', label: 'Pruning cycles', min: 0, max: 60, step: 1 },
  { key: 'epochs', label: 'Epochs per cycle', min: 1, max: 500, step: 1 },
  {
    key: 'retrain',
    label: 'Retraining',
    labels: {
      'weight-rewind': 'weight rewinding (to θ0)',
      'lr-rewind': 'learning-rate rewinding',
      'fine-tune': 'fine-tuning',
      reinit: 'fresh initialisation every cycle (AP code)',
    },
  },
  { key: 'seed', label: 'Seed', min: 0, step: 1 },
  {
    key: 'schedule',
    label: 'Schedule',
    advanced: true,
    labels: { 'one-shot': 'one-shot (needs target)', gradual: 'gradual (needs target)' },
  },
  { key: 'target', label: 'Target weights left (%)', min: 0.01, max: 100, step: 0.01, advanced: true, help: 'none = run every cycle' },
  { key: 'lr', label: 'Learning rate', min: 0, step: 0.001, advanced: true },
  { key: 'batch', label: 'Batch size', min: 1, step: 1, advanced: true },
  { key: 'momentum', label: 'Momentum', min: 0, max: 1, step: 0.01, advanced: true },
  { key: 'weight_decay', label: 'Weight decay', min: 0, step: 0.0001, advanced: true },
  { key: 'train_size', label: 'Training images (0 = all)', min: 0, step: 1, advanced: true },
  { key: 'test_size', label: 'Test images (0 = all)', min: 0, step: 1, advanced: true },
  {
    key: 'rho_threshold',
    label: 'Density: ρ threshold (AE change)',
    min: 0,
    max: 1,
    step: 0.0005,
    advanced: true,
    help: 'method = density: resize once the total AE changes by less than this…',
  },
  { key: 'rho_epochs', label: 'Density: ρ epochs in a row', min: 1, step: 1, advanced: true, help: '…this many epochs in a row' },
  { key: 'delta_window', label: 'Density: δ window (epochs, 0 = all)', min: 0, step: 1, advanced: true },
  { key: 'delta_slope', label: 'Density: δ slope limit', help: 'resizing stops once the AE slope is above this', step: 0.001, advanced: true },
  { key: 'density_nets', label: 'Density: at most this many nets', min: 1, max: 20, step: 1, advanced: true },
  { key: 'density_init', label: 'Density: next net starts from', advanced: true, labels: { fresh: 'fresh weights', inherit: 'inherited channels' } },
  { key: 'recipe', label: 'Protocol defaults (recipe)', advanced: true, labels: { custom: 'prunelab quick defaults', 'ap-paper': 'AP paper §3.1 / §4.1' } },
  { key: 'imp_scope', label: 'IMP ranking', advanced: true, labels: { layer: 'layer-wise', global: 'global' } },
  { key: 'lap_scope', label: 'LAP ranking', advanced: true, labels: { layer: 'layer-wise', global: 'global' } },
  { key: 'taylor_batches', label: 'Taylor: gradient batches', min: 1, step: 1, advanced: true },
  { key: 'taylor', label: 'Taylor: score', advanced: true, labels: { sum: '|θ·Σg| (sum)', 'batch-abs': 'mean |θ·g| per batch', 'batch-sq': 'mean (θ·g)² per batch' } },
  { key: 'snip_batches', label: 'SNIP: gradient batches', min: 1, step: 1, advanced: true },
  { key: 'ap_timing', label: 'AP step of SOLO / NO-WR / output / bias', advanced: true, labels: { pro: 'every cycle', lite: 'last cycle only' } },
  { key: 'ap_bias_k', label: 'AP-bias-k: k', step: 0.01, advanced: true },
  { key: 'lite_lambda', label: 'AP-Lite: base rate before its AP step', advanced: true, labels: { literal: 'p − q (Algorithm 2)', baseline: 'p (λ as the baseline)' } },
  { key: 'gradual_start', label: 'Gradual: first pruning epoch', min: 0, step: 1, advanced: true },
  { key: 'gradual_end', label: 'Gradual: last pruning epoch', min: 0, step: 1, advanced: true },
  { key: 'gradual_steps', label: 'Gradual: pruning steps', min: 1, step: 1, advanced: true },
  { key: 'rewind_iteration', label: 'Rewind to optimiser step (0 = θ0)', min: 0, step: 1, advanced: true },
  { key: 'finetune_lr', label: 'Fine-tuning learning rate', min: 0, step: 0.001, advanced: true },
  { key: 'act_reg', label: 'Activation regulariser', advanced: true, labels: { none: 'off', hoyer: 'Hoyer', l1: 'L1' } },
  { key: 'act_reg_weight', label: 'Activation regulariser weight', min: 0, step: 0.0001, advanced: true },
  { key: 'warmup_epochs', label: 'LR warm-up epochs', min: 0, step: 1, advanced: true },
  { key: 'lr_milestones', label: 'LR milestones (epochs)', advanced: true },
  { key: 'lr_gamma', label: 'LR factor at milestones', min: 0, step: 0.01, advanced: true },
  { key: 'val_size', label: 'Validation images (0 = none)', min: 0, step: 1, advanced: true },
  { key: 'dnr_split', label: 'DNR measured on (eq. 1)', advanced: true, labels: { train: 'training images (the paper)', test: 'test images' } },
  { key: 'dnr_unit', label: 'DNR unit', advanced: true, labels: { position: 'channel × position', channel: 'whole channel map' } },
  { key: 'prune_classifier', label: 'Prune the classifier', advanced: true, labels: { true: 'yes (the AP code)', false: 'no (OpenLTH, ShrinkBench)' } },
];

/** One field's id in the page. */
export const controlId = (key: string): string => `ctl-${key}`;

/** The page's row for an engine key; a key without one is an advanced field named after itself. */
function pageRow(key: StateKey): Control {
  return CONTROLS.find((c) => c.key === key.name) ?? { key: key.name, label: key.name, advanced: true };
}

function input(key: StateKey, c: Control): HTMLInputElement | HTMLSelectElement {
  if (key.kind === 'name') {
    const select = document.createElement('select');
    for (const value of key.values ?? []) {
      if (!c.only || c.only.includes(value)) select.append(new Option(c.labels?.[value] ?? value, value));
    }
    return select;
  }
  const field = document.createElement('input');
  if (key.kind === 'list') {
    field.type = 'text';
    field.placeholder = 'e.g. 55,70';
  } else {
    field.type = 'number';
    if (c.min !== undefined) field.min = String(c.min);
    if (c.max !== undefined) field.max = String(c.max);
    if (c.step !== undefined) field.step = String(c.step);
    field.inputMode = 'decimal';
  }
  return field;
}

function field(key: StateKey, c: Control, onChange: (key: string, value: string) => void): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'control';
  wrap.dataset.key = key.name;
  const label = document.createElement('label');
  label.htmlFor = controlId(key.name);
  label.textContent = c.label;
  label.title = key.doc.replaceAll('`', '');
  const box = input(key, c);
  box.id = controlId(key.name);
  box.name = key.name;
  wrap.append(label, box);
  const word = key.word;
  if (word === undefined) {
    box.addEventListener('change', () => onChange(key.name, box.value));
  } else {
    const unset = document.createElement('input');
    unset.type = 'checkbox';
    unset.id = `${controlId(key.name)}-unset`;
    const unsetLabel = document.createElement('label');
    unsetLabel.className = 'unset';
    unsetLabel.htmlFor = unset.id;
    unsetLabel.append(unset, ` ${word}`);
    box.addEventListener('change', () => onChange(key.name, unset.checked ? word : box.value));
    unset.addEventListener('change', () => {
      box.disabled = unset.checked;
      onChange(key.name, unset.checked ? word : box.value || String(c.min ?? 0));
    });
    wrap.append(unsetLabel);
  }
  // an advanced field the page says nothing about is explained by the engine's doc line
  const help = c.help ?? (c.advanced ? key.doc.replaceAll('`', '') : undefined);
  if (help) {
    const small = document.createElement('small');
    small.textContent = help;
    wrap.append(small);
  }
  return wrap;
}

/** Build one field per engine key into `basic` and `advanced`; `onChange(key, value)` on every edit. */
export function buildControls(keys: StateKey[], basic: HTMLElement, advanced: HTMLElement, onChange: (key: string, value: string) => void): void {
  const unknown = CONTROLS.filter((c) => !keys.some((k) => k.name === c.key)).map((c) => c.key);
  if (unknown.length) throw new Error(`the page has controls for keys the engine does not know: ${unknown.join(', ')}`);
  // the page's rows first, in their order, then every other key in the engine's order
  const ordered = [...CONTROLS.map((c) => keys.find((k) => k.name === c.key)!), ...keys.filter((k) => !CONTROLS.some((c) => c.key === k.name))];
  const fields = ordered.map((k) => ({ row: pageRow(k), element: field(k, pageRow(k), onChange) }));
  basic.replaceChildren(...fields.filter((f) => !f.row.advanced).map((f) => f.element));
  advanced.replaceChildren(...fields.filter((f) => f.row.advanced).map((f) => f.element));
}

/** Show `state` in the controls; hide the keys in `hide`; disable everything while `locked`. */
export function writeControls(root: HTMLElement, state: State, hide: string[], locked: boolean): void {
  for (const wrap of root.querySelectorAll<HTMLElement>('.control[data-key]')) {
    const key = wrap.dataset.key!;
    const box = wrap.querySelector<HTMLInputElement | HTMLSelectElement>(`#${controlId(key)}`);
    if (!box) continue;
    wrap.hidden = hide.includes(key);
    const value = state[key];
    const unset = wrap.querySelector<HTMLInputElement>('input[type=checkbox]');
    if (unset) {
      unset.checked = value === null || value === undefined;
      unset.disabled = locked;
      box.disabled = locked || unset.checked;
      box.value = unset.checked ? '' : String(value);
      if (key === 'q' && unset.checked) (box as HTMLInputElement).placeholder = String(Number(state.p) / 10);
    } else {
      box.value = Array.isArray(value) ? value.join(',') : String(value);
      box.disabled = locked;
    }
  }
}
