// Per-step progress of a run (“step 120 of ≈ 960 · 41 steps/s · ≈ 0:20 left”), shown next to Run:
// training steps are counted by the engine's pause hook, which runs before every one.

import type { PageData, State } from './state';

/** Training images of loaded data (before `train_size` and the validation split). */
function trainImages(data: PageData): number {
  if (data.kind === 'mnist') return Math.max(0, (data.trainImages.length - 16) / 784);
  return data.train.reduce((n, chunk) => n + chunk.length / 3073, 0);
}

/** The training steps of a run, when they can be known in advance: every cycle of an iterative
 * (or one-shot) schedule trains `epochs` full epochs. `null` for the runs whose length depends on
 * what happens (activation-density nets, a `target` reached early, gradual pruning). */
export function plannedSteps(state: State, data: PageData): number | null {
  if (state.method === 'density' || state.schedule === 'gradual' || (state.schedule === 'iterative' && state.target !== null)) return null;
  const all = trainImages(data);
  const used = Math.max(0, (state.train_size > 0 ? Math.min(state.train_size, all) : all) - Number(state.val_size ?? 0));
  const trainings = state.schedule === 'one-shot' ? 2 : state.cycles + 1;
  return Math.ceil(used / Math.max(1, state.batch)) * state.epochs * trainings;
}

const mmss = (s: number): string => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

/** Counts steps; `tick(now)` returns the line to show, at most every `everyMs`, else `null`. */
export class StepMeter {
  private steps = 0;
  private shown = -Infinity;

  constructor(
    private readonly total: number | null,
    private readonly start: number,
    private readonly everyMs = 250,
  ) {}

  tick(now: number): string | null {
    this.steps += 1;
    if (now - this.shown < this.everyMs) return null;
    this.shown = now;
    const secs = (now - this.start) / 1000;
    const rate = secs > 0 ? this.steps / secs : 0;
    const of = this.total ? ` of ≈ ${this.total.toLocaleString('en-US')}` : '';
    const left = this.total && rate > 0 && this.steps < this.total ? ` · ≈ ${mmss((this.total - this.steps) / rate)} left` : '';
    return `step ${this.steps.toLocaleString('en-US')}${of} · ${rate.toFixed(rate < 10 ? 1 : 0)} steps/s${left}`;
  }
}
