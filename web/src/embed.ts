// The postMessage API of an embedded page (in an <iframe>, or inside <prunelab-playground>).
// The embedding page lists the origins allowed to drive it in the hash: `origins=https://a.edu`.
// Messages from any other origin are ignored (and counted in body[data-ignored-messages]).
//
// In:  { prunelab: 'start' | 'stop' | 'pause' | 'resume' | 'getResults' | 'getState', id? }
//      { prunelab: 'setState', hash }       (a hash fragment such as `p=30&ap=lite`)
// Out: { prunelab: 'ready' | 'state' | 'status' | 'results' | 'done', … } to every allowed origin
//      (replies to `getResults` / `getState` go to the asker, with its `id`).

export interface EmbedHost {
  start(): void;
  stop(): void;
  pause(): void;
  resume(): void;
  setState(hash: string): void;
  state(): string;
  results(): unknown;
}

export interface Embed {
  /** Tell the embedding page something (no-op when not embedded or nobody is allowed). */
  post(message: Record<string, unknown>): void;
}

export function listen(allowed: () => string[], host: EmbedHost): Embed {
  const parent = window.parent !== window ? window.parent : null;
  let ignored = 0;
  window.addEventListener('message', (ev: MessageEvent) => {
    const data = ev.data as { prunelab?: string; id?: unknown; hash?: unknown } | null;
    if (!data || typeof data !== 'object' || typeof data.prunelab !== 'string') return;
    if (!allowed().includes(ev.origin)) {
      ignored += 1;
      document.body.dataset.ignoredMessages = String(ignored);
      console.info(`prunelab: ignored a message from ${ev.origin} (not in origins=)`);
      return;
    }
    const reply = (msg: Record<string, unknown>) => (ev.source as Window | null)?.postMessage({ ...msg, id: data.id }, { targetOrigin: ev.origin });
    switch (data.prunelab) {
      case 'start':
        return host.start();
      case 'stop':
        return host.stop();
      case 'pause':
        return host.pause();
      case 'resume':
        return host.resume();
      case 'setState':
        if (typeof data.hash === 'string') host.setState(data.hash);
        return;
      case 'getState':
        return reply({ prunelab: 'state', hash: host.state() });
      case 'getResults':
        return reply({ prunelab: 'results', results: host.results() });
      default:
        reply({ prunelab: 'error', message: `unknown request ${data.prunelab}` });
    }
  });
  return {
    post(message) {
      if (!parent) return;
      for (const origin of allowed()) parent.postMessage(message, { targetOrigin: origin });
    },
  };
}
