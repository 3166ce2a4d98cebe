// <prunelab-playground>: the playground as a web component for course pages. It wraps the page
// in an <iframe> (its own origin, its own WebGPU device) and mirrors its attributes into the
// page's URL hash, so `<prunelab-playground model="cnn" p="30" hide="method" autorun>` is
// `#model=cnn&p=30&hide=method&autorun=1`: every attribute but HTML's own and the element's
// (`src`, `height`, `autorun`) is passed on, so the page in the frame, which parses the hash with
// the engine, is the one judge of the keys (an unknown one gets its notice there). The embedding page's origin is allowed to drive it:
// element.start() / stop() / pause() / resume() / getResults(), and `prunelab-state`,
// `prunelab-status`, `prunelab-done` events. Commands sent before the page is ready wait for its
// `ready` message. A course page opened from a file (origin "null") cannot be answered: the element
// says so and its requests reject. Children of the element (a fallback text for hosts whose script
// fails to load) are replaced by the frame. See docs/embedding.md.

/** Attributes that are not experiment keys or page flags: HTML's global ones and the element's own. */
const NOT_PASSED = new Set([
  'src', 'height', 'autorun', 'origins',
  'id', 'class', 'style', 'title', 'lang', 'dir', 'hidden', 'tabindex', 'slot', 'role', 'part', 'is', 'accesskey',
  'autofocus', 'contenteditable', 'draggable', 'enterkeyhint', 'inert', 'inputmode', 'nonce', 'popover', 'spellcheck', 'translate',
]);
const passed = (name: string): boolean => !NOT_PASSED.has(name) && !/^(aria-|data-|on)/.test(name);

/** A page opened from disk has an opaque origin ("null" in Firefox, "file://" in Chromium): the frame can
 * neither allow nor answer it. */
const FROM_FILE = location.protocol === 'file:' || location.origin === 'null';
const FILE_MESSAGE =
  'this course page is opened from a file (file://), so it cannot drive the playground (start(), getState(), events): ' +
  'serve its folder over http, e.g. `python3 -m http.server`, and open http://localhost:8000/. The playground itself works.';

function fileNotice(): HTMLElement {
  const p = document.createElement('p');
  p.setAttribute('role', 'note');
  p.className = 'prunelab-file-notice';
  p.style.cssText = 'margin:0 0 .5em;padding:.5em;border:1px solid #b35c00;color:#6b3700;background:#fff4e5';
  p.textContent = `prunelab: ${FILE_MESSAGE}`;
  return p;
}

class PrunelabPlayground extends HTMLElement {
  private frame = document.createElement('iframe');
  private pending = new Map<number, (v: unknown) => void>();
  private nextId = 1;
  /** Whether the page in the frame has said `ready` since it was last (re)loaded. */
  private ready = false;
  private queue: Record<string, unknown>[] = [];
  /** Any attribute change re-derives the frame's URL (keys are not listed here: see `passed`). */
  private watcher = new MutationObserver(() => this.update());

  connectedCallback(): void {
    if (!this.frame.isConnected) {
      this.frame.title = this.getAttribute('title') ?? 'prunelab pruning playground';
      this.frame.style.cssText = 'width:100%;border:0;display:block';
      this.frame.allow = 'webgpu';
      this.replaceChildren(...(FROM_FILE ? [fileNotice()] : []), this.frame);
    }
    window.addEventListener('message', this.onMessage);
    this.watcher.observe(this, { attributes: true });
    this.update();
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.onMessage);
    this.watcher.disconnect();
  }

  /** The playground's base URL: `src`, else where this script was loaded from. */
  private base(): URL {
    return new URL(this.getAttribute('src') ?? './', this.getAttribute('src') ? location.href : import.meta.url);
  }

  private hash(): string {
    const parts: string[] = [];
    for (const k of this.getAttributeNames().filter(passed)) {
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(this.getAttribute(k) ?? '')}`);
    }
    if (this.hasAttribute('autorun')) parts.push('autorun=1');
    parts.push(`origins=${encodeURIComponent(location.origin)}`);
    return parts.join('&');
  }

  private update(): void {
    this.frame.style.height = this.getAttribute('height') ?? '900px';
    const url = this.base();
    url.hash = this.hash();
    if (this.frame.src !== url.href) {
      // Only a new document says `ready` again; a changed hash navigates within the same one.
      if (this.frame.src.split('#')[0] !== url.href.split('#')[0]) this.ready = false;
      this.frame.src = url.href;
    }
  }

  private onMessage = (ev: MessageEvent): void => {
    if (ev.source !== this.frame.contentWindow || ev.origin !== this.base().origin) return;
    const msg = ev.data as { prunelab?: string; id?: number; results?: unknown; hash?: string; status?: string };
    if (!msg || typeof msg.prunelab !== 'string') return;
    if (msg.prunelab === 'ready') {
      this.ready = true;
      for (const queued of this.queue.splice(0)) this.send(queued);
    }
    if (msg.id !== undefined && this.pending.has(msg.id)) {
      this.pending.get(msg.id)!(msg.prunelab === 'results' ? msg.results : msg.hash);
      this.pending.delete(msg.id);
      return;
    }
    this.dispatchEvent(new CustomEvent(`prunelab-${msg.prunelab}`, { detail: msg }));
  };

  private send(message: Record<string, unknown>): void {
    if (FROM_FILE) console.warn(`prunelab-playground: ${FILE_MESSAGE}`);
    else if (!this.ready) this.queue.push(message);
    else this.frame.contentWindow?.postMessage(message, this.base().origin);
  }

  private ask(what: string): Promise<unknown> {
    if (FROM_FILE) return Promise.reject(new Error(FILE_MESSAGE));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ prunelab: what, id });
    });
  }

  start(): void {
    this.send({ prunelab: 'start' });
  }
  stop(): void {
    this.send({ prunelab: 'stop' });
  }
  pause(): void {
    this.send({ prunelab: 'pause' });
  }
  resume(): void {
    this.send({ prunelab: 'resume' });
  }
  /** The runs' results (the CLI's results.json objects). */
  getResults(): Promise<unknown> {
    return this.ask('getResults');
  }
  /** The page's current hash (state and flags). */
  getState(): Promise<unknown> {
    return this.ask('getState');
  }
}

if (!customElements.get('prunelab-playground')) customElements.define('prunelab-playground', PrunelabPlayground);
