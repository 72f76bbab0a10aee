// MeetingSession wired to a simulated server through fake WebSockets: join, status, presence, errors.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FieldRef } from '../../src/model/types';
import type { SocketLike } from '../../src/sync/connection';
import { MeetingSession, type SessionCheck } from '../../src/sync/session';
import { SimServer, publicIdOf, type SimConn, type SimWho } from './sim-server';

const E1: FieldRef = { topic: 'hot-och-vald', org: 'polis', entry: 'e1', field: 'handelse' };

class Wire implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  conn: SimConn;
  constructor(
    readonly server: SimServer,
    who?: SimWho,
  ) {
    this.conn = server.connect(who);
  }
  send(d: string) {
    this.conn.send(JSON.parse(d));
  }
  close() {
    this.readyState = 3;
    this.conn.close();
  }
  /** Delivers what the server sent. */
  pump() {
    while (this.readyState === 1 && this.conn.inbox.length) this.onmessage?.({ data: JSON.stringify(this.conn.inbox.shift()) });
  }
}

const sessions: MeetingSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.stop();
});

function setup(opts: { who?: SimWho; check?: () => Promise<SessionCheck> } = {}) {
  const server = new SimServer(2000, (doc) => doc.apply({ kind: 'add_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' }, 0));
  const wires: Wire[] = [];
  const timers: (() => void)[] = [];
  const checks: string[] = [];
  const session = new MeetingSession('ws://test/ws', 'c-test', 'm1', {
    checkSession: async () => {
      const answer = opts.check ? await opts.check() : 'ok';
      checks.push(answer);
      return answer;
    },
    createSocket: () => {
      const w = new Wire(server, opts.who);
      wires.push(w);
      return w;
    },
    setTimer: (fn) => {
      timers.push(fn);
      return timers.length;
    },
    clearTimer: () => undefined,
    rate: 1e6,
    burst: 1e6,
  });
  sessions.push(session);
  const open = () => {
    const w = wires[wires.length - 1];
    w.readyState = 1;
    w.onopen?.({});
    w.pump();
    return w;
  };
  const pumpAll = () => wires.forEach((w) => w.pump());
  return { server, session, wires, timers, checks, open, pumpAll };
}

/** Lets the session's promise (its check of the session) settle. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('MeetingSession', () => {
  it('joins on open, shows the meeting, and sends typing', () => {
    const { server, session, open, pumpAll } = setup();
    const seen: string[] = [];
    session.on('sync', () => seen.push(session.status));
    session.start();
    expect(session.status).toBe('connecting');
    open();
    expect(session.status).toBe('live');
    expect(session.meeting?.title).toBe('Möte');
    expect(session.you?.name).toBe('Anna');
    session.editText(E1, 'Hej', 3);
    pumpAll();
    expect(server.doc.field(E1).text).toBe('Hej');
    expect(session.syncState()).toEqual({ status: 'live', pending: 0 });
    expect(seen).toContain('live');
  });

  it('proposes a decision item and tells the field’s other views of the person’s own typing in it', async () => {
    const { server, session, open, pumpAll } = setup();
    session.start();
    open();
    expect(session.canWriteItems()).toBe(true);
    expect(session.canSelectItems()).toBe(false);
    const item = session.addItem('andt');
    expect(item).toMatch(/^d-[0-9a-f]{12}$/);
    const rubrik: FieldRef = { topic: 'andt', item, field: 'rubrik' };
    const heard: (string | null)[] = [];
    session.onText(`andt/item:${item}/rubrik`, () => heard.push(session.text(rubrik)));
    session.editText(rubrik, 'Fältgång', 8);
    await settle();
    expect(heard).toEqual(['Fältgång']);
    pumpAll();
    expect(server.doc.field(rubrik).text).toBe('Fältgång');
    session.removeItem('andt', item);
    pumpAll();
    expect(server.doc.items('andt')).toEqual([]);
  });

  it('says reconnecting when the socket drops, keeps typing, and sends it after the reconnect', () => {
    const { server, session, wires, timers, open, pumpAll } = setup();
    session.start();
    open();
    session.editText(E1, 'Före', 4);
    pumpAll();
    wires[0].readyState = 3;
    wires[0].onclose?.({ code: 1006, reason: '' });
    expect(session.status).toBe('reconnecting');
    session.editText(E1, 'Före och under', 14);
    expect(session.syncState().pending).toBe(1);
    timers.shift()!(); // the retry
    open();
    pumpAll();
    expect(session.status).toBe('live');
    expect(session.reconnects).toBe(1);
    expect(server.doc.field(E1).text).toBe('Före och under');
    expect(session.syncState().pending).toBe(0);
  });

  it('keeps text refused because the topic was locked under the typing, and follows the lock', () => {
    const { server, session, wires, timers, open, pumpAll } = setup();
    const lifecycleSeen: string[][] = [];
    session.on('lifecycle', () => lifecycleSeen.push([...session.lifecycle().locked_topics]));
    session.start();
    open();
    session.editText(E1, 'Före', 4);
    pumpAll();
    expect(session.canWriteCell('polis', 'hot-och-vald')).toBe(true);
    // Offline: the typing waits; the chair locks the topic meanwhile.
    wires[0].readyState = 3;
    wires[0].onclose?.({ code: 1006, reason: '' });
    session.editText(E1, 'Före låset och efter', 20);
    server.move({ kind: 'lock_topic', topic: 'hot-och-vald' });
    timers.shift()!();
    open();
    pumpAll();
    expect(session.lifecycle().locked_topics).toEqual(['hot-och-vald']);
    expect(lifecycleSeen.at(-1)).toEqual(['hot-och-vald']);
    expect(session.canWriteCell('polis', 'hot-och-vald')).toBe(false);
    expect(session.canWriteCell('polis', 'andt')).toBe(true);
    // Refused with `locked`: not a notice that vanishes, but the text, kept; the field shows the server's text.
    expect(server.doc.field(E1).text).toBe('Före');
    expect(session.text(E1)).toBe('Före');
    expect(session.rescued).toEqual([
      { id: expect.any(Number), key: 'hot-och-vald/polis/e1/handelse', target: E1, text: 'Före låset och efter', code: 'locked' },
    ]);
    expect(session.notices).toEqual([]);
    session.dismissRescued(session.rescued[0].id);
    expect(session.rescued).toEqual([]);
  });

  it('stops and explains a refusal to join that retrying cannot fix', () => {
    const { session, wires } = setup();
    session.start();
    const w = wires[0];
    w.readyState = 1;
    w.onopen?.({});
    w.conn.inbox.length = 0;
    w.onmessage?.({ data: JSON.stringify({ type: 'error', code: 'unknown_org', message: 'no' }) });
    expect(session.status).toBe('failed');
    expect(session.failure).toMatch(/Organisationen/);
  });

  it('shows a Swedish notice for a refused change', () => {
    const { session, wires, open } = setup();
    session.start();
    open();
    session.editText(E1, 'x', 1);
    const w = wires[0];
    w.conn.inbox.length = 0;
    w.onmessage?.({ data: JSON.stringify({ type: 'error', code: 'forbidden', message: 'no', seq: 1 }) });
    expect(session.notices.map((n) => n.code)).toEqual(['forbidden']);
    expect(session.notices[0].text).toMatch(/behörighet/);
    expect(session.text(E1)).toBe('');
  });

  it('tracks presence and who is in which field', () => {
    const { session, wires, open } = setup();
    session.start();
    open();
    const other = { session: 'p9', name: 'Erik', org: 'kommun', role: 'chair', focus: E1 };
    wires[0].onmessage?.({ data: JSON.stringify({ type: 'presence', participant: other }) });
    expect(session.focusedBy(E1).map((p) => p.name)).toEqual(['Erik']);
    wires[0].onmessage?.({ data: JSON.stringify({ type: 'presence_left', session: 'p9' }) });
    expect(session.focusedBy(E1)).toEqual([]);
  });

  it('shows a person once even while the server still holds their previous, dead connection', () => {
    const { session, wires, open } = setup();
    session.start();
    open();
    const ghost = { session: 'p0', name: 'Anna', org: 'polis', role: 'participant', focus: E1 };
    const twin = { session: 'p7', name: 'Erik', org: 'kommun', role: 'chair', focus: null };
    const twinNow = { session: 'p8', name: 'Erik', org: 'kommun', role: 'chair', focus: E1 };
    for (const p of [ghost, twin, twinNow])
      wires[0].onmessage?.({ data: JSON.stringify({ type: 'presence', participant: p }) });
    const people = session.people();
    expect(people.map((p) => `${p.name}${p.me ? ' (du)' : ''}`)).toEqual(['Anna (du)', 'Erik']);
    expect(people[1].session).toBe('p8'); // the one that is writing somewhere
    // Anna's own old connection does not show as "someone else is writing here".
    expect(session.focusedBy(E1).map((p) => p.name)).toEqual(['Erik']);
  });

  it('drops a connection on which a change gets no answer (a silent network) and resends after the reconnect', () => {
    vi.useFakeTimers();
    try {
      const { server, session, wires, timers, open } = setup();
      session.start();
      open();
      session.editText(E1, 'tyst', 4);
      wires[0].conn.inbox.length = 0; // the answer never arrives
      wires[0].readyState = 1;
      const before = server.rev;
      vi.advanceTimersByTime(MeetingSession.stallMs + 6000);
      expect(session.status).toBe('reconnecting');
      timers.shift()!();
      open();
      // The change was applied before the silence: the catch-up shows it, nothing is applied twice.
      expect(server.rev).toBe(before);
      expect(session.syncState().pending).toBe(0);
      expect(server.doc.field(E1).text).toBe('tyst');
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops what the server would refuse from typed or pasted text before it becomes an operation', () => {
    const { server, session, open, pumpAll } = setup();
    session.start();
    open();
    session.editText(E1, 'Hej', 3);
    pumpAll();
    // A paste from a PDF: CRLF, a form feed, a soft hyphen (allowed) and a right-to-left override.
    const pasted = 'Hej rad 1\r\nrad\u000c 2\u00ad\u202e';
    const shown = session.editText(E1, pasted, pasted.length);
    expect(shown).toEqual({ value: 'Hej rad 1\nrad 2\u00ad', caret: 'Hej rad 1\nrad 2\u00ad'.length });
    expect(session.text(E1)).toBe(shown.value);
    pumpAll();
    expect(server.doc.field(E1).text).toBe('Hej rad 1\nrad 2\u00ad');
    // Nothing but refused characters: nothing is sent, and the input is told to show the text as it was.
    const sent = server.applied.length;
    expect(session.editText(E1, shown.value + '\u0007', shown.value.length + 1)).toEqual({ value: shown.value, caret: shown.value.length });
    pumpAll();
    expect(server.applied.length).toBe(sent);
    expect(session.syncState().pending).toBe(0);
  });

  it('treats a change refused for its characters (bad_text) like other refusals: dropped, with a notice', () => {
    const { session, wires, open } = setup();
    session.start();
    open();
    session.editText(E1, 'x', 1);
    const w = wires[0];
    w.conn.inbox.length = 0;
    w.onmessage?.({ data: JSON.stringify({ type: 'error', code: 'bad_text', message: 'control character', seq: 1 }) });
    expect(session.notices.map((n) => n.code)).toEqual(['bad_text']);
    expect(session.notices[0].text).toMatch(/styrtecken/);
    expect(session.text(E1)).toBe('');
    expect(session.status).toBe('live');
    expect(session.syncState().pending).toBe(0);
  });

  it('keeps its public id from the welcome out of everything the view shows', () => {
    const { session, open } = setup();
    session.start();
    open();
    expect(session.replica.publicId()).toBe(publicIdOf('c-test'));
    expect(session.you).not.toHaveProperty('client');
    for (const p of session.people()) expect(p).not.toHaveProperty('client');
    expect(JSON.stringify({ you: session.you, people: session.people() })).not.toContain(publicIdOf('c-test'));
  });

  it('knows who may write where, from the welcome (the account), and nothing before it', () => {
    const { session, open } = setup();
    session.start();
    expect(session.canWriteCell('polis')).toBe(false);
    open();
    expect(session.you).toMatchObject({ name: 'Anna', org: 'polis', role: 'participant' });
    expect(session.canWriteCell('polis')).toBe(true);
    expect(session.canWriteCell('kommun')).toBe(false);
    expect(session.canWriteTopicFields()).toBe(false);
  });

  it('a chair writes the topic fields and the own cell, as the welcome says', () => {
    const { session, open } = setup({ who: { name: 'Maria', org: 'kommun', role: 'chair' } });
    session.start();
    open();
    expect(session.canWriteTopicFields()).toBe(true);
    expect(session.canWriteCell('kommun')).toBe(true);
    expect(session.canWriteCell('polis')).toBe(false);
  });

  it('a BRÅ member and an administrator follow read-only', () => {
    for (const role of ['bra_member', 'admin'] as const) {
      const { session, open } = setup({ who: { name: 'B', org: '', role } });
      session.start();
      open();
      expect(session.canWriteCell('polis')).toBe(false);
      expect(session.canWriteCell('')).toBe(false);
      expect(session.canWriteTopicFields()).toBe(false);
    }
  });

  it('joins without saying who it is (the server refuses a join with name, org or role)', () => {
    const { session, wires, open } = setup();
    const sent: Record<string, unknown>[] = [];
    session.start();
    const w = wires[0];
    const send = w.send.bind(w);
    w.send = (d: string) => {
      sent.push(JSON.parse(d));
      send(d);
    };
    open();
    expect(sent[0]).toEqual({ type: 'join', meeting: 'm1', client: 'c-test', applied: true });
    expect(session.status).toBe('live');
  });
});

describe('MeetingSession: the session ends during the meeting (4003)', () => {
  it('keeps the typing, waits for the sign-in (no reconnect loop), then resends it', async () => {
    const { server, session, wires, timers, checks, open, pumpAll } = setup({ check: async () => 'signed_out' });
    session.start();
    open();
    session.editText(E1, 'Före', 4);
    pumpAll();
    expect(server.doc.field(E1).text).toBe('Före');
    // Typing that is on its way when the server ends the session: applied, but its ack never arrives.
    session.editText(E1, 'Före och', 8);
    wires[0].readyState = 3;
    wires[0].onclose?.({ code: 4003, reason: 'signed_out' });
    await settle();
    expect(checks).toEqual(['signed_out']);
    expect(session.status).toBe('signed_out');
    expect(timers).toHaveLength(0); // no retry is scheduled
    expect(wires).toHaveLength(1); // and none was made
    session.online(); // not even when the browser says it is online
    expect(wires).toHaveLength(1);
    // Typing goes on while signed out, and is kept.
    session.editText(E1, 'Före och efter', 14);
    expect(session.text(E1)).toBe('Före och efter');
    expect(session.syncState()).toEqual({ status: 'signed_out', pending: 1 });
    expect(server.doc.field(E1).text).toBe('Före och');

    // Signed in again: connect at once, rejoin with since, resend.
    session.resume();
    expect(wires).toHaveLength(2);
    open();
    pumpAll();
    expect(session.status).toBe('live');
    expect(server.doc.field(E1).text).toBe('Före och efter'); // nothing lost, nothing doubled
    expect(session.text(E1)).toBe('Före och efter');
    expect(session.syncState().pending).toBe(0);
  });

  it('reconnects by itself when the session is still there (a role change also closes with 4003)', async () => {
    const { session, wires, checks, open } = setup({ check: async () => 'ok' });
    session.start();
    open();
    wires[0].readyState = 3;
    wires[0].onclose?.({ code: 4003, reason: 'access_changed' });
    expect(wires).toHaveLength(1); // held until the answer
    await settle();
    expect(checks).toEqual(['ok']);
    expect(wires).toHaveLength(2);
    open();
    expect(session.status).toBe('live');
  });

  it('pauses instead of looping when a live session keeps being ended', async () => {
    const { session, wires, timers, open } = setup({ check: async () => 'ok' });
    session.start();
    open();
    for (let i = 0; i < 3; ++i) {
      wires[wires.length - 1].readyState = 3;
      wires[wires.length - 1].onclose?.({ code: 4003, reason: 'access_changed' });
      await settle();
      open();
    }
    expect(wires).toHaveLength(4);
    wires[3].readyState = 3;
    wires[3].onclose?.({ code: 4003, reason: 'access_changed' });
    await settle();
    expect(wires).toHaveLength(4); // the fourth time in a minute: a pause
    expect(timers).toHaveLength(1);
    timers.shift()!();
    expect(wires).toHaveLength(5);
  });

  it('a connection refused before opening (401 on the upgrade) asks, and holds when signed out', async () => {
    const { session, wires, timers, checks, open } = setup({ check: async () => 'signed_out' });
    session.start();
    open();
    wires[0].readyState = 3;
    wires[0].onclose?.({ code: 1006, reason: '' });
    expect(session.status).toBe('reconnecting');
    timers.shift()!(); // the retry: refused before it opens
    wires[1].readyState = 3;
    wires[1].onclose?.({ code: 1006, reason: '' });
    await settle();
    expect(checks).toEqual(['signed_out']);
    expect(session.status).toBe('signed_out');
    const scheduled = timers.length;
    for (const t of timers.splice(0)) t(); // a retry scheduled before the answer finds the hold
    expect(wires).toHaveLength(2);
    expect(scheduled).toBeLessThanOrEqual(1);
  });
});
