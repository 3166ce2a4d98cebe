// Test accuracy vs remaining weights λ, one line per run (AP paper, Fig. 3 style): queue two
// runs (e.g. GM and GM + AP-Pro) and their lines overlay.

import type uPlot from 'uplot';
import type { CycleEntry, RunEvent } from '../state';
import { COLOURS, align, chart, figure, type RunInfo, type View } from './view';

export function lambdaView(): View {
  const { element, body } = figure('view-lambda', 'Accuracy vs weights remaining', 'Test accuracy after each cycle against λ, the percentage of prunable weights left (right = dense); one line per run.');
  let plot: uPlot | null = null;
  const runs = new Map<number, { label: string; points: Array<[number, number]> }>();
  const draw = () => {
    plot?.destroy();
    body.replaceChildren();
    const list = [...runs.values()];
    plot = chart(
      body,
      {
        scales: { x: { time: false, dir: -1, distr: 3 }, y: { range: [0, 100] } },
        axes: [{ label: 'weights remaining λ (%)' }, { label: 'test accuracy (%)' }],
        series: [{ label: 'λ (%)' }, ...list.map((r, i) => ({ label: r.label, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true }, spanGaps: true }))],
      },
      align(list.map((r) => r.points)),
    );
  };
  draw();
  return {
    element,
    clear() {
      runs.clear();
      draw();
    },
    event(run: RunInfo, e: RunEvent) {
      if (e.kind !== 'cycle') return;
      const entry = e.entry as CycleEntry;
      const r = runs.get(run.id) ?? { label: run.label, points: [] };
      r.points.push([entry.remaining * 100, entry.test_accuracy * 100]);
      runs.set(run.id, r);
      draw();
    },
  };
}
