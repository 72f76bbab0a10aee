// The BRÅ queue, live (docs/protocol.md, "Watching the queue live"): a WebSocket that sends `watch_queue` instead of
// a join and hands every `queue_item` it receives to `onItem`. Reconnects after a drop (backing off to 30 s), and
// says so through `onState`, so the page can read the list again: changes made while it was away are not replayed.
import type { BraItem } from './queue';

export interface QueueWatchOptions {
  onItem: (item: BraItem) => void;
  /** true once the server confirms the watch (after every reconnect), false when the connection drops. */
  onState?: (watching: boolean) => void;
  createSocket?: (url: string) => WebSocket;
  /** Where to connect; the server that served the page by default. */
  url?: string;
}

export function queueWatchUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws`;
}

/** Protocol messages of one WebSocket message (the server joins several with line feeds). */
export function queueMessages(text: string): { type?: string; item?: BraItem }[] {
  const out: { type?: string; item?: BraItem }[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as { type?: string; item?: BraItem });
    } catch {
      // Not ours to show: a server always sends JSON.
    }
  }
  return out;
}

/** Starts watching; the returned function stops it for good. */
export function watchQueue(options: QueueWatchOptions): () => void {
  const create = options.createSocket ?? ((u: string) => new WebSocket(u));
  let socket: WebSocket | null = null;
  let stopped = false;
  let delay = 500;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    const ws = create(options.url ?? queueWatchUrl());
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'watch_queue' }));
    ws.onmessage = (ev: MessageEvent) => {
      for (const m of queueMessages(String(ev.data))) {
        if (m.type === 'queue_watching') {
          delay = 500;
          options.onState?.(true);
        } else if (m.type === 'queue_item' && m.item) options.onItem(m.item);
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      options.onState?.(false);
      if (stopped) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30_000);
    };
  };
  connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const ws = socket;
    socket = null;
    ws?.close();
  };
}
