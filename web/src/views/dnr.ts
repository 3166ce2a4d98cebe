// Dead-neuron rate (AP paper, eq. 1–2): static and dynamic DNR per cycle for every run (the AP
// paper's Fig. 1), and per layer for the latest finished cycle.

import uPlot from 'uplot';
import { reportedDnr, type CycleEntry, type RunEvent } from '../state';
import { COLOURS, align, chart, figure, type RunInfo, type View } from './view';

export function dnrView(): View {
  const { element, body } = figure(
    'view-dnr',
    'Dead neurons (DNR)',
    'Top: static (every incoming weight pruned) and dynamic (dead although weights remain) DNR per cycle, per run. Bottom: per layer, latest cycle.',
  );
  const top = document.createElement('div');
  const bottom = document.createElement('div');
  body.append(top, bottom);
  let cyclePlot: uPlot | null = null;
  let layerPlot: uPlot | null = null;
  const runs = new Map<number, { label: string; s: Array<[number, number]>; d: Array<[number, number]> }>();
  let layers: CycleEntry['dnr']['per_layer'] = [];

  const draw = () => {
    cyclePlot?.destroy();
    top.replaceChildren();
    const list = [...runs.values()];
    const series: uPlot.Series[] = [{ label: 'cycle' }];
    list.forEach((r, i) => {
      const stroke = COLOURS[i % COLOURS.length];
      series.push({ label: `${r.label}: static`, stroke, width: 2, spanGaps: true });
      series.push({ label: `${r.label}: dynamic`, stroke, width: 2, dash: [6, 4], spanGaps: true });
    });
    cyclePlot = chart(
      top,
      { scales: { x: { time: false } }, axes: [{ label: 'cycle', incrs: [1] }, { label: 'DNR (%)' }], series },
      align(list.flatMap((r) => [r.s, r.d])),
    );
    layerPlot?.destroy();
    bottom.replaceChildren();
    const names = layers.map((l) => l.layer);
    const bars = uPlot.paths.bars!({ size: [0.35, 40], align: 0 });
    layerPlot = chart(
      bottom,
      {
        scales: { x: { time: false, range: [-0.6, Math.max(names.length - 0.4, 0.4)] } },
        axes: [{ label: 'layer', values: (_u, ticks) => ticks.map((t) => names[t] ?? ''), incrs: [1] }, { label: 'DNR of the layer (%)' }],
        series: [
          { label: 'layer', value: (_u, v) => names[v] ?? '' },
          { label: 'static', fill: COLOURS[1], stroke: COLOURS[1], paths: bars, points: { show: false } },
          { label: 'dynamic', fill: COLOURS[5], stroke: COLOURS[5], paths: uPlot.paths.bars!({ size: [0.35, 40], align: 1 }), points: { show: false } },
        ],
      },
      [layers.map((_, i) => i), layers.map((l) => l.static * 100), layers.map((l) => l.dynamic * 100)],
    );
  };
  draw();
  return {
    element,
    clear() {
      runs.clear();
      layers = [];
      draw();
    },
    event(run: RunInfo, e: RunEvent) {
      if (e.kind !== 'cycle') return;
      const entry = e.entry as CycleEntry;
      const r = runs.get(run.id) ?? { label: run.label, s: [], d: [] };
      const dnr = reportedDnr(entry);
      r.s.push([entry.cycle, dnr.static * 100]);
      r.d.push([entry.cycle, dnr.dynamic * 100]);
      runs.set(run.id, r);
      layers = dnr.per_layer;
      draw();
    },
  };
}
