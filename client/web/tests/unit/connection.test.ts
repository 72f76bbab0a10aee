import { describe, expect, it } from 'vitest';
import { Connection, type SocketLike } from '../../src/sync/connection';

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  fail(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

/** A manual clock with timers. */
function clock() {
  let now = 0;
  let id = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      timers.set(++id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (t: unknown) => void timers.delete(t as number),
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > until) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = until;
    },
    pending: () => [...timers.values()].map((t) => t.at - now),
  };
}

function setup(opts: { rate?: number; burst?: number } = {}) {
  const c = clock();
  const sockets: FakeSocket[] = [];
  const events: string[] = [];
  const conn = new Connection(
    'ws://x/ws',
    {
      open: () => events.push('open'),
      message: (d) => events.push(`msg:${d}`),
      closed: (i) => events.push(`closed:${i.code}:${i.wasOpen}`),
    },
    {
      createSocket: (u) => {
        const s = new FakeSocket(u);
        sockets.push(s);
        return s;
      },
      backoff: [100, 1000, 5000],
      rate: opts.rate ?? 1000,
      burst: opts.burst ?? 1000,
      now: c.now,
      setTimer: c.setTimer,
      clearTimer: c.clearTimer,
    },
  );
  return { c, sockets, events, conn };
}

describe('Connection', () => {
  it('splits a WebSocket message carrying several protocol messages, one per line', () => {
    const { sockets, events, conn } = setup();
    conn.start();
    sockets[0].open();
    sockets[0].onmessage!({ data: '{"a":1}\n{"b":"x\\ny"}\n{"c":3}' });
    expect(events).toEqual(['open', 'msg:{"a":1}', 'msg:{"b":"x\\ny"}', 'msg:{"c":3}']);
  });

  it('stops handling the lines of a message once the connection was dropped by one of them', () => {
    const events: string[] = [];
    const sockets: FakeSocket[] = [];
    const conn: Connection = new Connection(
      'ws://x/ws',
      {
        open: () => events.push('open'),
        message: (d) => {
          events.push(`msg:${d}`);
          if (d === 'resync') conn.drop('resync');
        },
        closed: (i) => events.push(`closed:${i.code}`),
      },
      {
        createSocket: (u) => {
          const s = new FakeSocket(u);
          sockets.push(s);
          return s;
        },
        setTimer: () => 0,
        clearTimer: () => undefined,
      },
    );
    conn.start();
    sockets[0].open();
    sockets[0].onmessage!({ data: 'one\nresync\nthree' });
    expect(events).toEqual(['open', 'msg:one', 'msg:resync', 'closed:4000']);
  });

  it('connects, passes messages and reconnects with growing delays after drops', () => {
    const { c, sockets, events, conn } = setup();
    conn.start();
    expect(sockets).toHaveLength(1);
    sockets[0].open();
    sockets[0].onmessage!({ data: 'hej' });
    expect(events).toEqual(['open', 'msg:hej']);
    sockets[0].fail();
    expect(events).toContain('closed:1006:true');
    c.advance(60);
    expect(sockets).toHaveLength(1); // first retry after ~100 ms (±25 %)
    c.advance(100);
    expect(sockets).toHaveLength(2);
    sockets[1].fail(); // never opened
    expect(events[events.length - 1]).toBe('closed:1006:false');
    c.advance(500);
    expect(sockets).toHaveLength(2); // second retry after ~1 s
    c.advance(800);
    expect(sockets).toHaveLength(3);
    sockets[2].open(); // success resets the delays
    sockets[2].fail();
    c.advance(130);
    expect(sockets).toHaveLength(4);
  });

  it('reconnects at once when asked (the browser is online again)', () => {
    const { c, sockets, conn } = setup();
    conn.start();
    sockets[0].fail();
    c.advance(130);
    sockets[1].fail();
    conn.reconnectNow();
    expect(sockets).toHaveLength(3);
  });

  it('drop closes the socket, reports it and comes back', () => {
    const { c, sockets, events, conn } = setup();
    conn.start();
    sockets[0].open();
    conn.drop('offline');
    expect(sockets[0].closed).toBe(true);
    expect(events).toContain('closed:4000:true');
    expect(conn.isOpen).toBe(false);
    c.advance(200);
    expect(sockets).toHaveLength(2);
  });

  it('stop ends it for good', () => {
    const { c, sockets, conn } = setup();
    conn.start();
    sockets[0].open();
    conn.stop();
    expect(sockets[0].closed).toBe(true);
    c.advance(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('does not send while closed and never faster than the rate', () => {
    const { c, sockets, conn } = setup({ rate: 10, burst: 2 });
    conn.start();
    conn.send('lost'); // not open yet
    sockets[0].open();
    for (let i = 0; i < 5; ++i) conn.send(`m${i}`);
    expect(sockets[0].sent).toEqual(['m0', 'm1']);
    c.advance(100);
    expect(sockets[0].sent).toEqual(['m0', 'm1', 'm2']);
    c.advance(250);
    expect(sockets[0].sent).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('sendLatest replaces a queued message of the same kind (focus)', () => {
    const { sockets, conn } = setup({ rate: 10, burst: 1 });
    conn.start();
    sockets[0].open();
    conn.send('op1');
    conn.sendLatest('{"type":"focus","target":1}', (q) => q.startsWith('{"type":"focus"'));
    conn.sendLatest('{"type":"focus","target":2}', (q) => q.startsWith('{"type":"focus"'));
    expect(sockets[0].sent).toEqual(['op1']);
  });

  it('forgets queued messages when the connection drops', () => {
    const { c, sockets, conn } = setup({ rate: 10, burst: 1 });
    conn.start();
    sockets[0].open();
    conn.send('a');
    conn.send('b');
    sockets[0].fail();
    c.advance(150);
    sockets[1].open();
    c.advance(1000);
    expect(sockets[1].sent).toEqual([]);
  });

  it('holds: no reconnect (scheduled, online or otherwise) until resume, which connects at once', () => {
    const { c, sockets, events, conn } = setup();
    conn.start();
    sockets[0].open();
    conn.hold();
    expect(conn.isHeld).toBe(true);
    sockets[0].fail(4003);
    expect(events).toEqual(['open', 'closed:4003:true']);
    expect(c.pending()).toEqual([]);
    c.advance(60_000);
    conn.reconnectNow();
    expect(sockets).toHaveLength(1);
    conn.resume();
    expect(conn.isHeld).toBe(false);
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(events.at(-1)).toBe('open');
  });

  it('a hold set while closing (from the closed handler) cancels the retry that would follow', () => {
    const c = clock();
    const sockets: FakeSocket[] = [];
    const conn: Connection = new Connection(
      'ws://x/ws',
      { open: () => undefined, message: () => undefined, closed: (i) => i.code === 4003 && conn.hold() },
      {
        createSocket: (u) => {
          const s = new FakeSocket(u);
          sockets.push(s);
          return s;
        },
        backoff: [100],
        now: c.now,
        setTimer: c.setTimer,
        clearTimer: c.clearTimer,
      },
    );
    conn.start();
    sockets[0].open();
    sockets[0].fail(1006);
    expect(c.pending()).toHaveLength(1); // an ordinary drop: retried
    c.advance(200);
    sockets[1].open();
    sockets[1].fail(4003);
    expect(c.pending()).toEqual([]);
    c.advance(60_000);
    expect(sockets).toHaveLength(2);
  });
});
