// What every live view implements. Views are independent modules: main.ts hands each the runs'
// events; a view ignores the kinds it does not know (so a density view can take `net` events).

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RunEvent } from '../state';

export interface RunInfo {
  id: number;
  /** e.g. `GM + AP-Pro (seed 1)` */
  label: string;
  hash: string;
}

export interface View {
  readonly element: HTMLElement;
  /** Forget every run (a new comparison starts). */
  clear(): void;
  event(run: RunInfo, e: RunEvent): void;
}

/** A titled figure with a caption, holding the view's chart or picture. */
export function figure(id: string, title: string, caption: string): { element: HTMLElement; body: HTMLElement } {
  const element = document.createElement('figure');
  element.id = id;
  element.className = 'view';
  const h = document.createElement('h3');
  h.textContent = title;
  const body = document.createElement('div');
  body.className = 'view-body';
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  element.append(h, body, cap);
  return { element, body };
}

/** Line colours of runs 0, 1, …, and of a chart's series. */
export const COLOURS = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#57606a'];

/** Black or white, whichever reads better on the HSL colour (h in degrees, s and l in %): the
 * better of the two is always above WCAG's 4.5:1. */
export function textOn(h: number, s: number, l: number): string {
  const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(8) + 0.0722 * channel(4);
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000' : '#fff';
}

/** Axis text and grid in the page's colours (uPlot draws them on a canvas, which ignores CSS). */
function themed(axes: uPlot.Axis[] | undefined): uPlot.Axis[] | undefined {
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg').trim() || '#1b1f24';
  const line = css.getPropertyValue('--line').trim() || '#d0d7de';
  return axes?.map((a) => ({ stroke: fg, ...a, grid: { stroke: line, width: 1, ...a.grid }, ticks: { stroke: line, width: 1, ...a.ticks } }));
}

/** A uPlot chart that follows its container's width (phones included). */
export function chart(body: HTMLElement, opts: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData): uPlot {
  const width = () => Math.max(240, Math.min(body.clientWidth || 600, 900));
  const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
  const hooks = { ...opts.hooks, destroy: [...(opts.hooks?.destroy ?? []), () => resize.disconnect()] };
  const plot = new uPlot({ ...opts, axes: themed(opts.axes), hooks, width: width(), height: 220 }, data, body);
  resize.observe(body);
  return plot;
}

/** Align series given as separate (x, y) lists on the union of their x values (gaps = null). */
export function align(series: Array<Array<[number, number]>>): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.map(([x]) => x)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = xs.map(() => null);
    for (const [x, v] of s) y[at.get(x)!] = v;
    return y;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}
