// The mask of every prunable layer after the latest cycle, in three colours: kept, pruned by the
// base method, pruned by AP (AP paper, Algorithm 2). Each kernel is drawn as a matrix
// [outputs, inputs] downsampled by the engine to at most 64×64 cells; a cell mixes the colours
// by the shares of its weights.

import type { LayerMask, RunEvent } from '../state';
import { figure, type RunInfo, type View } from './view';

const KEPT = [210, 222, 235];
const BASE = [230, 140, 30];
const AP = [130, 80, 223];

function picture(m: LayerMask): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = m.cols;
  canvas.height = m.rows;
  canvas.className = 'mask-image';
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const img = ctx.createImageData(m.cols, m.rows);
  for (let i = 0; i < m.rows * m.cols; i += 1) {
    const b = m.base_share[i] / 255;
    const a = m.ap_share[i] / 255;
    const k = Math.max(0, 1 - a - b);
    for (let c = 0; c < 3; c += 1) img.data[4 * i + c] = Math.round(k * KEPT[c] + b * BASE[c] + a * AP[c]);
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

export function masksView(): View {
  const { element, body } = figure(
    'view-masks',
    'Masks per layer',
    'Each layer’s weights as a matrix (rows: output units, columns: inputs), after the latest cycle.',
  );
  const legend = document.createElement('p');
  legend.className = 'legend';
  const swatch = (rgb: number[], text: string) => `<span class="swatch" style="background: rgb(${rgb.join(',')})"></span>${text}`;
  legend.innerHTML = `${swatch(KEPT, 'kept')} ${swatch(BASE, 'pruned by the base method')} ${swatch(AP, 'pruned by AP')}`;
  const grid = document.createElement('div');
  grid.className = 'mask-grid';
  body.append(legend, grid);
  return {
    element,
    clear() {
      grid.replaceChildren();
    },
    event(_run: RunInfo, e: RunEvent) {
      if (e.kind !== 'cycle') return;
      const masks = (e.masks ?? []) as LayerMask[];
      grid.replaceChildren(
        ...masks.map((m) => {
          const fig = document.createElement('div');
          fig.className = 'mask-layer';
          fig.dataset.layer = m.layer;
          const total = m.kept + m.base + m.ap;
          const pct = (n: number) => ((100 * n) / Math.max(total, 1)).toFixed(1);
          const title = document.createElement('div');
          title.className = 'mask-title';
          title.textContent = `${m.layer} [${m.shape.join('×')}]`;
          const counts = document.createElement('div');
          counts.className = 'mask-counts';
          counts.textContent = `kept ${pct(m.kept)} %, base ${pct(m.base)} %, AP ${pct(m.ap)} %`;
          const img = picture(m);
          img.setAttribute('role', 'img');
          img.setAttribute('aria-label', `${m.layer}: ${counts.textContent}`);
          fig.append(title, img, counts);
          return fig;
        }),
      );
    },
  };
}
