import { describe, expect, it } from 'vitest';
import { queueMessages, watchQueue } from '../../src/bra/live';

class FakeSocket {
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  send(m: string) {
    this.sent.push(m);
  }
  close() {
    this.closed = true;
    this.onclose?.();
  }
}

describe('watching the BRÅ queue live', () => {
  it('splits a WebSocket message into its protocol messages', () => {
    expect(queueMessages('{"type":"a"}\n{"type":"b"}').map((m) => m.type)).toEqual(['a', 'b']);
    expect(queueMessages('')).toEqual([]);
  });

  it('asks to watch once open, hands on each queue_item, and stops for good', () => {
    const sockets: FakeSocket[] = [];
    const items: string[] = [];
    const states: boolean[] = [];
    const stop = watchQueue({
      onItem: (i) => items.push(i.id),
      onState: (w) => states.push(w),
      url: 'ws://test/ws',
      createSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s as unknown as WebSocket;
      },
    });
    sockets[0].onopen?.();
    expect(sockets[0].sent).toEqual(['{"type":"watch_queue"}']);
    sockets[0].onmessage?.({ data: '{"type":"queue_watching","groups":["g"]}\n{"type":"queue_item","item":{"id":"m.t.d1"}}' });
    sockets[0].onmessage?.({ data: '{"type":"queue_item","item":{"id":"m.t.d2"}}' });
    expect(items).toEqual(['m.t.d1', 'm.t.d2']);
    expect(states).toEqual([true]);
    stop();
    expect(sockets[0].closed).toBe(true);
    expect(sockets.length).toBe(1);
  });
});
