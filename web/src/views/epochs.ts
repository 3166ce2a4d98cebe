// Loss and training accuracy per epoch of the run in progress.

import type uPlot from 'uplot';
import type { RunEvent } from '../state';
import { COLOURS, chart, figure, type RunInfo, type View } from './view';

export function epochsView(): View {
  const { element, body } = figure('view-epochs', 'Training, per epoch', 'Loss (left axis) and training accuracy (right axis) of the latest run, epochs counted across its cycles.');
  let plot: uPlot | null = null;
  let rows: Array<[number, number, number]> = [];
  let current = -1;
  const draw = () => {
    const data: uPlot.AlignedData = [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
    if (!plot) {
      plot = chart(
        body,
        {
          scales: { x: { time: false }, acc: { range: [0, 100] } },
          axes: [{ label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] }, { label: 'loss' }, { scale: 'acc', side: 1, label: 'train accuracy (%)', grid: { show: false } }],
          series: [{ label: 'epoch' }, { label: 'loss', stroke: COLOURS[0], width: 2 }, { label: 'train acc (%)', scale: 'acc', stroke: COLOURS[2], width: 2 }],
        },
        data,
      );
    } else plot.setData(data);
  };
  return {
    element,
    clear() {
      rows = [];
      current = -1;
      draw();
    },
    event(run: RunInfo, e: RunEvent) {
      if (e.kind !== 'epoch') return;
      if (run.id !== current) {
        current = run.id;
        rows = [];
      }
      const ev = e as Extract<RunEvent, { kind: 'epoch' }>;
      rows.push([rows.length + 1, ev.loss, ev.train_accuracy * 100]);
      draw();
    },
  };
}
