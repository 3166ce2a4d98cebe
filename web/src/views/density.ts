// Activation density per layer over epochs (activation-density paper, Fig. 2): AE of a layer =
// nonzero / all activations = 1 − its static − dynamic DNR, from every epoch's training pass.
// A heat-map table (one row per layer, one column per epoch): readable by screen readers too.

import type { RunEvent } from '../state';
import { figure, textOn, type RunInfo, type View } from './view';

/** Light (dense activity) to dark (mostly dead), as HSL. */
function colour(ae: number): [number, number, number] {
  const t = Math.max(0, Math.min(1, ae));
  return [Math.round(200 * t + 20), 70, Math.round(25 + 50 * t)];
}

export function densityView(): View {
  const { element, body } = figure('view-density', 'Activation density per layer', 'AE = fraction of a layer’s units that fire (1 − its DNR) in each epoch’s training pass, latest run; darker = more dead units.');
  const table = document.createElement('table');
  table.className = 'heatmap';
  body.append(table);
  let current = -1;
  let columns: string[] = [];
  const rows = new Map<string, number[]>();
  const draw = () => {
    const head = `<thead><tr><th scope="col">layer</th>${columns.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead>`;
    table.innerHTML = head;
    const tbody = document.createElement('tbody');
    for (const [layer, values] of rows) {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = layer;
      tr.append(th);
      for (const ae of values) {
        const td = document.createElement('td');
        const [h, sat, l] = colour(ae);
        td.style.background = `hsl(${h} ${sat}% ${l}%)`;
        td.style.color = textOn(h, sat, l);
        td.title = `${layer}: AE ${(ae * 100).toFixed(1)} %`;
        td.textContent = (ae * 100).toFixed(0);
        tr.append(td);
      }
      tbody.append(tr);
    }
    table.append(tbody);
  };
  return {
    element,
    clear() {
      current = -1;
      columns = [];
      rows.clear();
      draw();
    },
    event(run: RunInfo, e: RunEvent) {
      if (e.kind !== 'epoch') return;
      if (run.id !== current) {
        current = run.id;
        columns = [];
        rows.clear();
      }
      const ev = e as Extract<RunEvent, { kind: 'epoch' }>;
      columns.push(`c${ev.cycle}e${ev.epoch + 1}`);
      for (const l of ev.dnr.per_layer) {
        const list = rows.get(l.layer) ?? [];
        list.push(1 - l.static - l.dynamic);
        rows.set(l.layer, list);
      }
      draw();
    },
  };
}
