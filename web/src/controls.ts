// The experiment's controls: one labelled form field per engine setting, built from CONTROLS.
// The URL hash stays the one source of truth: a change becomes `key=value` appended to the
// canonical hash, which the engine re-parses (parseState) and re-serialises (stateToHash).

import type { State } from './state';

type Option = [value: string, label: string];

export interface Control {
  key: string;
  label: string;
  /** select: fixed choices; number: numeric input; q: number or `auto` */
  kind: 'select' | 'number' | 'q';
  options?: Option[];
  min?: number;
  max?: number;
  step?: number;
  /** in the collapsed "More settings" group */
  advanced?: boolean;
  help?: string;
}

const MODELS: Option[] = [
  ['lenet300', 'LeNet-300-100'],
  ['cnn', 'CNN (small conv net)'],
  ['resnet20', 'ResNet-20'],
  ['resnet56', 'ResNet-56'],
  ['vgg19', 'VGG-19'],
  ['densenet40', 'DenseNet-40'],
  ['mobilenetv2', 'MobileNetV2'],
  ['resnet18', 'ResNet-18'],
  ['resnet50', 'ResNet-50'],
  ['vit-b16', 'ViT-B/16'],
];

export const CONTROLS: Control[] = [
  { key: 'model', label: 'Model', kind: 'select', options: MODELS, help: 'LeNet and the CNN train in seconds; the others are for a real GPU.' },
  { key: 'data', label: 'Data set', kind: 'select', options: [['mnist', 'MNIST (bundled)'], ['cifar10', 'CIFAR-10 (downloaded)']] },
  {
    key: 'method',
    label: 'Base pruning method',
    kind: 'select',
    options: [
      ['gm', 'Global Magnitude'],
      ['taylor', 'Global Taylor'],
      ['lamp', 'LAMP'],
      ['lap', 'LAP'],
      ['imp', 'IMP (layer-wise magnitude)'],
      ['random', 'Random'],
      ['snip', 'SNIP'],
      ['l1-channel', 'L1 channel'],
      ['l2-channel', 'L2 channel'],
      ['density', 'Activation density (resizing)'],
    ],
  },
  {
    key: 'ap',
    label: 'Activate-while-pruning',
    kind: 'select',
    options: [
      ['none', 'off'],
      ['pro', 'AP-Pro (every cycle)'],
      ['lite', 'AP-Lite (last cycle)'],
      ['solo', 'AP-SOLO'],
      ['no-wr', 'AP-NO-WR'],
      ['output', 'AP-output'],
      ['bias', 'AP-bias-k'],
    ],
  },
  { key: 'p', label: 'Pruned per cycle, p (%)', kind: 'number', min: 0.1, max: 99.9, step: 0.1 },
  { key: 'q', label: 'AP rate, q (%)', kind: 'q', min: 0, max: 99.9, step: 0.1, help: 'auto = p / 10 (AP paper §5)' },
  { key: 'cycles', label: 'Pruning cycles', kind: 'number', min: 0, max: 60, step: 1 },
  { key: 'epochs', label: 'Epochs per cycle', kind: 'number', min: 1, max: 500, step: 1 },
  {
    key: 'retrain',
    label: 'Retraining',
    kind: 'select',
    options: [
      ['weight-rewind', 'weight rewinding (to θ0)'],
      ['lr-rewind', 'learning-rate rewinding'],
      ['fine-tune', 'fine-tuning'],
    ],
  },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, step: 1 },
  {
    key: 'schedule',
    label: 'Schedule',
    kind: 'select',
    advanced: true,
    options: [
      ['iterative', 'iterative'],
      ['one-shot', 'one-shot (needs target)'],
      ['gradual', 'gradual (needs target)'],
    ],
  },
  { key: 'target', label: 'Target weights left (%)', kind: 'q', min: 0.01, max: 100, step: 0.01, advanced: true, help: 'none = run every cycle' },
  { key: 'lr', label: 'Learning rate', kind: 'number', min: 0, step: 0.001, advanced: true },
  { key: 'batch', label: 'Batch size', kind: 'number', min: 1, step: 1, advanced: true },
  { key: 'momentum', label: 'Momentum', kind: 'number', min: 0, max: 1, step: 0.01, advanced: true },
  { key: 'weight_decay', label: 'Weight decay', kind: 'number', min: 0, step: 0.0001, advanced: true },
  { key: 'train_size', label: 'Training images (0 = all)', kind: 'number', min: 0, step: 1, advanced: true },
  { key: 'test_size', label: 'Test images (0 = all)', kind: 'number', min: 0, step: 1, advanced: true },
  { key: 'rho_threshold', label: 'Density: ρ threshold (AE change)', kind: 'number', min: 0, max: 1, step: 0.0005, advanced: true, help: 'method = density: resize once the total AE changes by less than this…' },
  { key: 'rho_epochs', label: 'Density: ρ epochs in a row', kind: 'number', min: 1, step: 1, advanced: true, help: '…this many epochs in a row' },
  { key: 'delta_window', label: 'Density: δ window (epochs, 0 = all)', kind: 'number', min: 0, step: 1, advanced: true },
  { key: 'delta_slope', label: 'Density: δ slope limit', help: 'resizing stops once the AE slope is above this', kind: 'number', step: 0.001, advanced: true },
  { key: 'density_nets', label: 'Density: at most this many nets', kind: 'number', min: 1, max: 20, step: 1, advanced: true },
  {
    key: 'density_init',
    label: 'Density: next net starts from',
    kind: 'select',
    advanced: true,
    options: [
      ['fresh', 'fresh weights'],
      ['inherit', 'inherited channels'],
    ],
  },
];

/** The word an optional number's control shows for "unset". */
const UNSET: Record<string, string> = { q: 'auto', target: 'none' };

/** One field's id in the page. */
export const controlId = (key: string): string => `ctl-${key}`;

function field(c: Control, onChange: (key: string, value: string) => void): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'control';
  wrap.dataset.key = c.key;
  const label = document.createElement('label');
  label.htmlFor = controlId(c.key);
  label.textContent = c.label;
  wrap.append(label);
  let input: HTMLInputElement | HTMLSelectElement;
  if (c.kind === 'select') {
    const select = document.createElement('select');
    for (const [value, text] of c.options ?? []) select.append(new Option(text, value));
    input = select;
  } else {
    const number = document.createElement('input');
    number.type = 'number';
    if (c.min !== undefined) number.min = String(c.min);
    if (c.max !== undefined) number.max = String(c.max);
    if (c.step !== undefined) number.step = String(c.step);
    number.inputMode = 'decimal';
    input = number;
  }
  input.id = controlId(c.key);
  input.name = c.key;
  input.addEventListener('change', () => {
    const unset = wrap.querySelector<HTMLInputElement>('input[type=checkbox]');
    onChange(c.key, unset?.checked ? UNSET[c.key] : input.value);
  });
  wrap.append(input);
  if (c.kind === 'q') {
    const auto = document.createElement('input');
    auto.type = 'checkbox';
    auto.id = `${controlId(c.key)}-unset`;
    const autoLabel = document.createElement('label');
    autoLabel.className = 'unset';
    autoLabel.htmlFor = auto.id;
    autoLabel.append(auto, ` ${UNSET[c.key]}`);
    auto.addEventListener('change', () => {
      input.disabled = auto.checked;
      onChange(c.key, auto.checked ? UNSET[c.key] : input.value || String(c.min ?? 0));
    });
    wrap.append(autoLabel);
  }
  if (c.help) {
    const help = document.createElement('small');
    help.textContent = c.help;
    wrap.append(help);
  }
  return wrap;
}

/** Build the controls into `basic` and `advanced`; `onChange(key, value)` on every edit. */
export function buildControls(basic: HTMLElement, advanced: HTMLElement, onChange: (key: string, value: string) => void): void {
  basic.replaceChildren(...CONTROLS.filter((c) => !c.advanced).map((c) => field(c, onChange)));
  advanced.replaceChildren(...CONTROLS.filter((c) => c.advanced).map((c) => field(c, onChange)));
}

/** Show `state` in the controls; hide the keys in `hide`; disable everything while `locked`. */
export function writeControls(root: HTMLElement, state: State, hide: string[], locked: boolean): void {
  for (const c of CONTROLS) {
    const wrap = root.querySelector<HTMLElement>(`.control[data-key="${c.key}"]`);
    if (!wrap) continue;
    wrap.hidden = hide.includes(c.key);
    const input = wrap.querySelector<HTMLInputElement | HTMLSelectElement>(`#${controlId(c.key)}`)!;
    const value = state[c.key];
    const unset = wrap.querySelector<HTMLInputElement>('input[type=checkbox]');
    if (unset) {
      unset.checked = value === null || value === undefined;
      unset.disabled = locked;
      input.disabled = locked || unset.checked;
      input.value = unset.checked ? '' : String(value);
      if (c.key === 'q' && unset.checked) (input as HTMLInputElement).placeholder = String(Number(state.p) / 10);
    } else {
      input.value = String(value);
      input.disabled = locked;
    }
  }
}
