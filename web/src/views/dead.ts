// Dead-unit maps for one chosen test image: after a run, one forward pass of the last cycle's
// pruned network (wasm `deadMaps`) tells, per layer and channel, which units output 0 (dead) and
// which can never fire again (static: every incoming weight pruned).

import type { DeadMap } from '../state';
import { figure } from './view';

export interface DeadSource {
  /** uint8 CHW pixels of test image `i` and its shape, or null if none is loaded */
  image(i: number): { pixels: Uint8Array; shape: [number, number, number] } | null;
  maps(pixels: Uint8Array): Promise<DeadMap[]>;
}

function drawImage(pixels: Uint8Array, [c, h, w]: [number, number, number]): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.className = 'dead-input';
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i += 1) {
    for (let k = 0; k < 3; k += 1) img.data[4 * i + k] = pixels[(c === 3 ? k : 0) * h * w + i];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

export function deadView(source: DeadSource): { element: HTMLElement; enable(on: boolean): void } {
  const { element, body } = figure('view-dead', 'Dead units for one image', 'Each square is a unit (a channel, for conv layers): white fires, dark is dead on this image (shade = share of its positions), red-outlined is static-dead.');
  const form = document.createElement('form');
  form.className = 'dead-form';
  form.innerHTML = '<label for="dead-index">Test image #</label> <input id="dead-index" type="number" min="0" value="0" step="1"> <button type="submit">Show dead units</button>';
  const out = document.createElement('div');
  out.className = 'dead-maps';
  out.setAttribute('aria-live', 'polite');
  body.append(form, out);
  const button = form.querySelector('button')!;
  button.disabled = true;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const i = Number((form.querySelector('#dead-index') as HTMLInputElement).value) || 0;
    const image = source.image(i);
    if (!image) {
      out.textContent = 'No test image with that number is loaded.';
      return;
    }
    try {
      const maps = await source.maps(image.pixels);
      const parts: HTMLElement[] = [drawImage(image.pixels, image.shape)];
      for (const m of maps) {
        const layer = document.createElement('div');
        layer.className = 'dead-layer';
        layer.dataset.layer = m.layer;
        const dead = m.dead.filter((d) => d >= 1).length;
        const title = document.createElement('div');
        title.textContent = `${m.layer}: ${dead} of ${m.channels} ${m.positions > 1 ? 'channels all-dead' : 'units dead'}, ${m.static.filter(Boolean).length} static`;
        const cells = document.createElement('div');
        cells.className = 'dead-cells';
        m.dead.forEach((d, c) => {
          const cell = document.createElement('span');
          cell.style.background = `hsl(220 15% ${Math.round(95 - 80 * d)}%)`;
          if (m.static[c]) cell.className = 'static';
          cell.title = `${m.layer} unit ${c}: ${(d * 100).toFixed(0)} % dead${m.static[c] ? ', static' : ''}`;
          cells.append(cell);
        });
        layer.append(title, cells);
        parts.push(layer);
      }
      out.replaceChildren(...parts);
    } catch (e) {
      out.textContent = `Could not compute the dead units: ${e instanceof Error ? e.message : String(e)}`;
    }
  });
  return {
    element,
    enable(on: boolean) {
      button.disabled = !on;
    },
  };
}
