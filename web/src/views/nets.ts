// Activation-density pruning (activation-density paper, Algorithm 1) as it runs: the total AE of
// each net_i per epoch (eq. 1: AE = nonzero / all activations = 1 − DNR) with its ρ marker (AE
// saturated: the net is resized) and δ marker (AE curve turned upward: resizing stops), and the
// configuration list of every net_i as it shrinks (Table I: widths, parameters, MACs, reductions).

import type uPlot from 'uplot';
import type { RunEvent } from '../state';
import { COLOURS, align, chart, figure, type RunInfo, type View } from './view';

/** The `net` event: one trained net_i (the engine's `NetEntry`). */
interface NetEvent {
  net: number;
  widths: number[];
  parameters: number;
  macs: number;
  parameters_reduction: number;
  ops_reduction: number;
  test_accuracy: number;
  epochs: number;
  epochs_to_rho: number | null;
  ae: number[];
  slope: number;
  rising: boolean;
}

type Epoch = Extract<RunEvent, { kind: 'epoch' }>;

const num = (n: number) => n.toLocaleString('en-US');

function tableHead(): HTMLTableSectionElement {
  const thead = document.createElement('thead');
  thead.innerHTML =
    '<tr><th scope="col">net</th><th scope="col">widths</th><th scope="col">parameters</th><th scope="col">params ÷</th>' +
    '<th scope="col">MACs</th><th scope="col">OPS ÷</th><th scope="col">accuracy</th><th scope="col">epochs to ρ</th><th scope="col">AE slope</th></tr>';
  return thead;
}

function netRow(n: NetEvent): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const cells = [
    `net${n.net}${n.rising ? ' (δ)' : ''}`,
    `[${n.widths.join(', ')}]`,
    num(n.parameters),
    `${n.parameters_reduction.toFixed(2)}×`,
    num(n.macs),
    `${n.ops_reduction.toFixed(2)}×`,
    `${(n.test_accuracy * 100).toFixed(2)} %`,
    n.epochs_to_rho === null ? `— (${n.epochs}-epoch cap)` : String(n.epochs_to_rho),
    n.slope.toExponential(2),
  ];
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

export function netsView(): View {
  const { element, body } = figure(
    'view-nets',
    'Activation-density resizing (net₀ → net₁ → …)',
    'Total AE per epoch of each net (latest density run); ● ρ: AE saturated, the net is resized to AE × width per layer; ▲ δ: the AE curve turned upward, resizing stops. The table lists each net’s configuration as it shrinks.',
  );
  element.hidden = true;
  const plotBox = document.createElement('div');
  const table = document.createElement('table');
  table.className = 'nets';
  const tbody = document.createElement('tbody');
  table.append(tableHead(), tbody);
  body.append(plotBox, table);
  let plot: uPlot | null = null;
  let current = -1;
  /** Total AE per net: [global epoch, AE]. */
  let curves: Array<Array<[number, number]>> = [];
  let rho: Array<[number, number]> = [];
  let delta: Array<[number, number]> = [];
  let epoch = 0;
  /** Nets the chart has series for (uPlot's series are fixed: a new net rebuilds the chart). */
  let plotted = -1;
  const draw = () => {
    const data = align([...curves, rho, delta]);
    if (plot && plotted === curves.length) {
      plot.setData(data);
      return;
    }
    plot?.destroy();
    plotBox.replaceChildren();
    plotted = curves.length;
    plot = chart(
      plotBox,
      {
        scales: { x: { time: false }, y: { range: [0, 1] } },
        axes: [{ label: 'epoch' }, { label: 'total AE' }],
        series: [
          { label: 'epoch' },
          ...curves.map((_, i) => ({ label: `net${i}`, stroke: COLOURS[i % COLOURS.length], width: 2 })),
          { label: 'ρ', stroke: '#1a7f37', width: 0, points: { show: true, size: 10, fill: '#1a7f37' } },
          { label: 'δ', stroke: '#cf222e', width: 0, points: { show: true, size: 12, fill: '#cf222e' } },
        ],
      },
      data,
    );
  };
  const reset = () => {
    curves = [];
    rho = [];
    delta = [];
    epoch = 0;
    tbody.replaceChildren();
  };
  return {
    element,
    clear() {
      current = -1;
      reset();
      element.hidden = true;
    },
    event(run: RunInfo, e: RunEvent) {
      if (e.kind !== 'epoch' && e.kind !== 'net') return;
      if (e.kind === 'epoch' && !/(^|&)method=density(&|$)/.test(run.hash)) return;
      if (run.id !== current) {
        current = run.id;
        reset();
      }
      element.hidden = false;
      if (e.kind === 'epoch') {
        const ev = e as Epoch;
        epoch += 1;
        (curves[ev.cycle] ??= []).push([epoch, 1 - ev.dnr.static - ev.dnr.dynamic]);
      } else {
        const n = e as unknown as NetEvent;
        const curve = curves[n.net] ?? [];
        if (n.epochs_to_rho !== null) {
          const at = curve[n.epochs_to_rho - 1];
          if (at) rho.push(at);
        }
        if (n.rising && curve.length > 0) delta.push(curve[curve.length - 1]);
        tbody.append(netRow(n));
      }
      draw();
    },
  };
}
