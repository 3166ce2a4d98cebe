// Guided lessons: a URL (state + page flags) and a short text an instructor can link to.

export interface Lesson {
  id: string;
  title: string;
  /** the lesson's hash, without `lesson=` (added by lessonHash) */
  hash: string;
  text: string;
}

export const LESSONS: Lesson[] = [
  {
    id: 'dead-neuron',
    title: 'What is a dead neuron?',
    hash: 'model=lenet300&data=mnist&method=gm&ap=none&p=50&q=auto&cycles=3&epochs=1&seed=1&train_size=2048&test_size=512',
    text:
      'A ReLU unit is dead on an image when its output is exactly 0. Prune half the weights three times and watch the DNR chart: ' +
      'static dead units have lost every incoming weight and can never fire again; dynamic ones still have weights but ' +
      'receive only negative input. After the run, pick a test image under “Dead units for one image” to see which units stay dark.',
  },
  {
    id: 'gm-vs-ap-pro',
    title: 'Global Magnitude vs AP-Pro at 5 % weights',
    hash: 'model=lenet300&data=mnist&method=gm&ap=pro&p=50&q=5&cycles=4&epochs=1&seed=1&train_size=4096&test_size=1024&compare=ap:none',
    text:
      'Four cycles of 50 % pruning leave about 6 % of the weights. The page runs GM + AP-Pro and then plain GM and overlays ' +
      'their accuracy against λ. AP-Pro spends q % of each cycle on negative weights that barely moved from θ0 — the ones ' +
      'that keep neurons dead — and so keeps more units alive at high sparsity: compare the dynamic DNR lines (static DNR stays ' +
      'near 0 here: a LeNet unit rarely loses all of its 784 or 300 inputs).',
  },
  {
    id: 'rewind-vs-finetune',
    title: 'Weight rewinding vs fine-tuning',
    hash: 'model=lenet300&data=mnist&method=gm&ap=none&p=40&q=auto&cycles=3&epochs=1&retrain=weight-rewind&finetune_lr=0.01&seed=1&train_size=4096&test_size=1024&compare=retrain:fine-tune',
    text:
      'After each pruning, weight rewinding restarts the survivors from θ0 and retrains with the full schedule (lottery-ticket ' +
      'style); fine-tuning keeps the trained weights θ* and continues at a small learning rate (finetune_lr = 0.01, a fifth of lr). The two lines on the accuracy ' +
      'chart show what each costs or gains as λ falls.',
  },
  {
    id: 'activation-density',
    title: 'Activation density: a physically smaller net',
    hash: 'model=lenet300&data=mnist&method=density&epochs=6&rho_threshold=0.005&rho_epochs=2&density_nets=3&lr=0.05&seed=1&train_size=4096&test_size=1024',
    text:
      'Instead of masking weights, activation-density pruning shrinks each layer: once the fraction of units that fire (AE) stops ' +
      'changing (ρ), every hidden layer is rebuilt with AE × its width and trained again, until the AE curve turns upward (δ). ' +
      'Watch the density chart and the table: the widths, parameters and MACs fall net by net, and the smaller nets run faster.',
  },
];

export function lessonHash(l: Lesson): string {
  return `${l.hash}&lesson=${l.id}`;
}

export function findLesson(id: string | null): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}

/** Presets: starting points without a lesson text. */
export const PRESETS: Array<[label: string, hash: string]> = [
  ['Quick demo: LeNet on MNIST, GM + AP-Pro', 'model=lenet300&data=mnist&method=gm&ap=pro&p=20&q=2&cycles=3&epochs=1&seed=1&train_size=4096&test_size=1024'],
  ['Small CNN on MNIST, LAMP + AP-Lite', 'model=cnn&data=mnist&method=lamp&ap=lite&p=30&q=auto&cycles=3&epochs=1&seed=1&train_size=2048&test_size=512'],
  ['CNN on CIFAR-10, GM + AP-Pro', 'model=cnn&data=cifar10&method=gm&ap=pro&p=20&q=2&cycles=3&epochs=2&seed=1&train_size=10000&test_size=2000'],
  ['AP paper protocol (LeNet, full MNIST, slow)', 'recipe=ap-paper&model=lenet300&data=mnist&method=gm&ap=pro&p=20&q=2&cycles=10&epochs=20&seed=1'],
];
