import { describe, expect, it } from 'vitest';
import type { FieldRef } from '../../src/model/types';
import { TextOperation } from '../../src/ot/text-operation';
import { ClientReplica } from '../../src/sync/replica';
import { Peer, settle } from './peer';
import { SimServer, publicIdOf } from './sim-server';

const BED: FieldRef = { topic: 'hot-och-vald', field: 'bedomning' };
const E1: FieldRef = { topic: 'hot-och-vald', org: 'polis', entry: 'e1', field: 'handelse' };
const TREND: FieldRef = { topic: 'hot-och-vald', org: 'polis', entry: 'e1', field: 'trend' };

function withEntry(text = '') {
  return new SimServer(2000, (doc) => {
    doc.apply({ kind: 'add_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' }, 0);
    if (text) doc.apply({ kind: 'text', target: E1, ops: [text] }, 0);
  });
}

function joined(server: SimServer, id: string, org = 'polis', role: 'participant' | 'chair' = 'participant') {
  const p = new Peer(server, id, org, role);
  p.connect();
  p.sync();
  return p;
}

function opMessages(p: Peer) {
  return p.up.filter((m) => m.type === 'op');
}

describe('ClientReplica: the basics', () => {
  it('joins, gets the state and sends since on a reconnect', () => {
    const server = withEntry('Två fall');
    const a = new Peer(server, 'c-a');
    // No identity in the join: the server takes it from the session's account and membership.
    expect(a.replica.joinMessage()).toEqual({ type: 'join', meeting: 'm1', client: 'c-a', applied: true });
    a.connect();
    a.sync();
    expect(a.replica.hasState()).toBe(true);
    expect(a.replica.connected()).toBe(true);
    expect(a.text(E1)).toBe('Två fall');
    a.disconnect();
    expect(a.replica.joinMessage().since).toBe(0);
  });

  it('never says who it is in the join (name, org and role come from the account)', () => {
    const r = new ClientReplica('c-0123456789abcdef', 'm1');
    const m = r.joinMessage();
    for (const k of ['name', 'org', 'role']) expect(m).not.toHaveProperty(k);
  });

  it('keeps one text change per field in flight and composes the rest', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    a.insert(E1, 0, 'H');
    a.insert(E1, 1, 'ä');
    a.insert(E1, 2, 'r');
    // Only the first went out; the rest wait in the buffer.
    expect(opMessages(a)).toHaveLength(1);
    expect(opMessages(a)[0]).toMatchObject({ seq: 1, rev: 0, change: { kind: 'text', ops: ['H'] } });
    a.flushUp();
    a.flushDown(); // ack → the buffer goes out as one change
    expect(opMessages(a)).toHaveLength(1);
    expect(opMessages(a)[0]).toMatchObject({ seq: 2, rev: 1, change: { ops: [1, 'är'] } });
    a.sync();
    expect(a.replica.idle()).toBe(true);
    expect(server.doc.field(E1).text).toBe('Här');
    expect(a.replica.confirmed().field(E1).text).toBe('Här');
  });

  it('shows what others type and converges when both type at once', () => {
    const server = withEntry('Centrum');
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.insert(E1, 0, 'Polisen: ');
    b.insert(E1, 7, ', fredag natt');
    a.insert(E1, 9, 'oro i ');
    a.flushUp();
    b.flushUp();
    settle([a, b]);
    const expected = 'Polisen: oro i Centrum, fredag natt';
    expect(server.doc.field(E1).text).toBe(expected);
    expect(a.text(E1)).toBe(expected);
    expect(b.text(E1)).toBe(expected);
    expect(a.replica.idle() && b.replica.idle()).toBe(true);
    expect(b.reported).toContain(E1.topic + '/polis/e1/handelse');
  });

  it('reports remote changes as operations on the visible text, also with its own typing pending', () => {
    const server = withEntry('abc');
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    const seen: { before: string; op: TextOperation | null; after: string }[] = [];
    let before = a.text(E1);
    const inner = a.replica.listener.text!;
    a.replica.listener.text = (key, target, op) => {
      inner(key, target, op);
      const after = a.text(E1);
      seen.push({ before, op, after });
      before = after;
    };
    a.insert(E1, 3, 'X'); // in flight
    a.insert(E1, 4, 'Y'); // buffered
    before = a.text(E1);
    b.insert(E1, 0, 'å');
    b.flushUp();
    a.flushDown();
    expect(seen).toHaveLength(1);
    expect(seen[0].op!.apply(seen[0].before)).toBe(seen[0].after);
    expect(seen[0].after).toBe('åabcXY');
  });
});

describe('ClientReplica: one change in flight', () => {
  it('sends one change at a time for the whole meeting, in seq order', () => {
    const server = withEntry();
    const a = joined(server, 'c-a', 'polis', 'chair');
    a.insert(E1, 0, 'a');
    a.insert(BED, 0, 'b');
    a.submit({ kind: 'set', target: TREND, value: 'ökar' });
    a.insert(BED, 1, 'c'); // joins the waiting change of the same field
    expect(opMessages(a)).toHaveLength(1);
    a.flushUp();
    a.flushDown();
    expect(opMessages(a)).toEqual([expect.objectContaining({ seq: 2, change: expect.objectContaining({ ops: ['bc'] }) })]);
    a.sync();
    expect(server.applied.map(([, s]) => s)).toEqual([1, 2, 3]);
    expect(server.doc.field(BED).text).toBe('bc');
    expect(server.doc.field(TREND).choice).toBe('ökar');
  });

  it('a refused change whose answer was lost is sent again after a whole-state welcome (nothing lost)', () => {
    // History window 1: a change based on an old revision is refused with stale_revision.
    const server = new SimServer(1, (doc) => {
      doc.apply({ kind: 'add_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' }, 0);
    });
    const a = joined(server, 'c-a', 'polis', 'chair');
    const b = joined(server, 'c-b');
    a.insert(E1, 0, 'viktigt');
    for (let i = 0; i < 3; ++i) {
      b.insert(E1, 0, 'b');
      b.sync();
    }
    a.insert(BED, 0, 'sammanfattning'); // waits: one change in flight
    a.flushUp(); // refused (too old to merge)...
    a.conn!.inbox.length = 0; // ...and the answer is lost
    a.disconnect();
    a.connect();
    settle([a, b]);
    b.sync();
    expect(server.doc.field(E1).text).toBe('bbbviktigt');
    expect(server.doc.field(BED).text).toBe('sammanfattning');
    expect(a.text(E1)).toBe('bbbviktigt');
  });
});

describe('ClientReplica: reconnects', () => {
  it('treats its own change in the catch-up as the ack it missed, then sends the rest once', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.insert(E1, 0, 'Före');
    a.flushUp(); // applied by the server...
    a.disconnect(); // ...but the ack is lost with the connection
    a.insert(E1, 4, ' under'); // typing goes on offline
    expect(a.text(E1)).toBe('Före under');
    b.sync();
    b.insert(E1, 0, '>');
    b.sync();
    a.connect();
    expect(a.replica.joinMessage().since).toBe(0);
    settle([a, b]);
    expect(server.doc.field(E1).text).toBe('>Före under');
    expect(a.text(E1)).toBe('>Före under');
    b.sync();
    expect(b.text(E1)).toBe('>Före under');
    expect(a.replica.idle()).toBe(true);
  });

  it('resends a change the server never got with the same seq', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    a.insert(E1, 0, 'Hej');
    const sent = opMessages(a)[0];
    a.disconnect(); // lost before reaching the server
    a.connect();
    a.sync();
    expect(server.applied).toEqual([['c-a', sent.seq as number]]);
    expect(server.doc.field(E1).text).toBe('Hej');
  });

  it('a resend the server already applied is acknowledged as a duplicate and not applied twice', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    a.insert(E1, 0, 'Hej');
    const msg = opMessages(a)[0];
    a.flushUp();
    // The same message again, as a naive client would resend it:
    a.conn!.send(msg);
    a.sync();
    expect(server.doc.field(E1).text).toBe('Hej');
    expect(a.replica.idle()).toBe(true);
  });

  it('rebases pending typing on a whole new state when the history is too short for a catch-up', () => {
    const server = new SimServer(2, (doc) => {
      doc.apply({ kind: 'add_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' }, 0);
      doc.apply({ kind: 'text', target: E1, ops: ['mitten'] }, 0);
    });
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.disconnect();
    a.insert(E1, 0, 'A1 ');
    a.insert(E1, 9, ' A2');
    for (let i = 0; i < 5; ++i) {
      b.insert(E1, b.text(E1).length, `${i}`);
      b.sync();
    }
    a.connect();
    settle([a, b]);
    b.sync();
    // What the others wrote meanwhile counts as applied first: at the same place it comes first.
    expect(server.doc.field(E1).text).toBe('A1 mitten01234 A2');
    expect(a.text(E1)).toBe(server.doc.field(E1).text);
    expect(b.text(E1)).toBe(server.doc.field(E1).text);
    expect(a.replica.idle()).toBe(true);
  });

  it('does not double a change the server applied when a whole state comes instead of a catch-up', () => {
    const server = new SimServer(1, (doc) => {
      doc.apply({ kind: 'add_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' }, 0);
    });
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.insert(E1, 0, 'ett');
    a.flushUp(); // applied; the ack is lost
    a.disconnect();
    a.insert(E1, 3, ' två'); // typed offline on top of it
    for (let i = 0; i < 3; ++i) {
      b.sync();
      b.insert(E1, 0, 'b');
      b.sync();
    }
    a.connect();
    settle([a, b]);
    b.sync();
    expect(server.doc.field(E1).text).toBe('bbbett två');
    expect(a.text(E1)).toBe('bbbett två');
  });

  it('drops a pending change with seq <= last_seq that the catch-up did not show (refused while away)', () => {
    const server = withEntry('x');
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    // b removes the entry; a, not yet knowing, types in it and then adds another entry.
    b.submit({ kind: 'remove_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' });
    b.sync();
    a.insert(E1, 1, 'y');
    a.submit({ kind: 'add_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e2' });
    a.flushUp(); // the text is refused (not_found), the entry is added...
    a.conn!.inbox.length = 0; // ...and every answer is lost
    a.disconnect();
    a.connect();
    a.sync();
    expect(a.replica.idle()).toBe(true);
    expect(a.replica.visibleEntries('hot-och-vald', 'polis').map((e) => e.id)).toEqual(['e2']);
    expect(server.doc.cell('hot-och-vald', 'polis').map((e) => e.id)).toEqual(['e2']);
  });

  it('continues seq numbers after what the server has seen (a reload with the same client id)', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    a.insert(E1, 0, 'a');
    a.sync();
    a.insert(E1, 1, 'b');
    a.sync();
    const reloaded = new Peer(server, 'c-a');
    reloaded.connect();
    reloaded.sync();
    reloaded.insert(E1, 2, 'c');
    expect(opMessages(reloaded)[0].seq).toBe(3);
    reloaded.sync();
    expect(server.doc.field(E1).text).toBe('abc');
  });
});

describe('ClientReplica: secret client ids and public ids', () => {
  it('the server never sends the secret: ops carry the public id, and the welcome says which is ours', () => {
    const server = withEntry();
    const a = joined(server, 'c-secret-aaaaaaaaaaaa');
    const b = joined(server, 'c-secret-bbbbbbbbbbbb');
    expect(a.replica.publicId()).toBe(publicIdOf('c-secret-aaaaaaaaaaaa'));
    a.insert(E1, 0, 'Hej');
    a.flushUp();
    const seen = JSON.stringify(b.conn!.inbox);
    expect(seen).toContain(publicIdOf('c-secret-aaaaaaaaaaaa'));
    expect(seen).not.toContain('c-secret-aaaaaaaaaaaa');
    settle([a, b]);
    expect(b.text(E1)).toBe('Hej');
  });

  it('recognises its own op in a catch-up by the public id from that same welcome', () => {
    // The first welcome came from an older server (no public id); the reconnect meets a newer one, whose
    // catch-up carries our public id: it must be known before the catch-up is read.
    const server = withEntry();
    server.legacyIds = true;
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    expect(a.replica.publicId()).toBe('c-a');
    server.legacyIds = false;
    a.insert(E1, 0, 'Före');
    a.flushUp(); // applied and broadcast with the public id...
    a.disconnect(); // ...but the ack is lost
    a.insert(E1, 4, ' efter');
    a.connect();
    settle([a, b]);
    b.sync();
    expect(a.replica.publicId()).toBe(publicIdOf('c-a'));
    expect(server.doc.field(E1).text).toBe('Före efter');
    expect(a.text(E1)).toBe('Före efter');
    expect(b.text(E1)).toBe('Före efter');
    expect(a.replica.remoteChanges()).toBe(0);
    expect(server.applied.filter(([c]) => c === 'c-a')).toHaveLength(2);
  });

  it('recognises its own op arriving live as the ack, not as someone else’s change', () => {
    const server = withEntry('x');
    const a = joined(server, 'c-a');
    a.insert(E1, 1, 'y');
    const m = opMessages(a)[0];
    a.flushUp();
    a.conn!.inbox.length = 0; // instead of the ack, the broadcast form of our own change comes
    a.receive({
      type: 'op',
      rev: 1,
      client: publicIdOf('c-a'),
      seq: m.seq as number,
      by: { session: 'p1', name: 'c-a', org: 'polis' },
      change: { kind: 'text', target: E1, ops: [1, 'y'] },
    });
    expect(a.text(E1)).toBe('xy');
    expect(a.replica.idle()).toBe(true);
    expect(a.replica.rev()).toBe(1);
    expect(a.replica.remoteChanges()).toBe(0);
  });

  it('with a public id known, an op carrying our secret is not taken for ours', () => {
    const server = withEntry('x');
    const a = joined(server, 'c-a');
    a.receive({
      type: 'op',
      rev: 1,
      client: 'c-a',
      seq: 1,
      by: { session: 'p9', name: 'n', org: 'polis' },
      change: { kind: 'text', target: E1, ops: ['z', 1] },
    });
    expect(a.text(E1)).toBe('zx');
    expect(a.replica.remoteChanges()).toBe(1);
  });

  it('falls back to the secret when a welcome has no public id (an older server)', () => {
    const server = withEntry();
    server.legacyIds = true;
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.insert(E1, 0, 'Före');
    a.flushUp();
    a.disconnect(); // the ack is lost; the catch-up shows our op under our client id
    a.connect();
    settle([a, b]);
    expect(a.replica.publicId()).toBe('c-a');
    expect(a.text(E1)).toBe('Före');
    expect(a.replica.idle()).toBe(true);
    expect(a.replica.remoteChanges()).toBe(0);
  });
});

describe('ClientReplica: refusals', () => {
  it('drops a refused text change and shows the confirmed text again', () => {
    const server = withEntry('kvar');
    const a = joined(server, 'c-a');
    const refused: string[] = [];
    const inner = a.replica.listener.text!;
    a.replica.listener.text = (k, t, op) => {
      inner(k, t, op);
      refused.push(k);
    };
    a.insert(E1, 4, ' och mer');
    const m = opMessages(a)[0];
    a.up.length = 0;
    a.receive({ type: 'error', code: 'text_too_long', message: 'too long', seq: m.seq as number });
    expect(a.text(E1)).toBe('kvar');
    expect(a.replica.idle()).toBe(true);
    expect(refused).toContain('hot-och-vald/polis/e1/handelse');
    expect(a.errors).toEqual(['text_too_long']);
  });

  it('drops a change refused for its characters (bad_text) like one refused for its length', () => {
    const server = withEntry('kvar');
    const a = joined(server, 'c-a');
    const reloaded: (TextOperation | null)[] = [];
    const inner = a.replica.listener.text!;
    a.replica.listener.text = (k, t, op) => {
      inner(k, t, op);
      reloaded.push(op);
    };
    a.insert(E1, 4, ' mer');
    const m = opMessages(a)[0];
    a.insert(E1, 8, ' och mer'); // typed while the change was in flight: goes with it
    a.up.length = 0;
    a.receive({ type: 'error', code: 'bad_text', message: 'control character', seq: m.seq as number });
    expect(a.text(E1)).toBe('kvar');
    expect(reloaded).toEqual([null]); // the field reloads the confirmed text
    expect(a.replica.idle()).toBe(true);
    expect(a.errors).toEqual(['bad_text']);
    // The next change goes out normally.
    a.insert(E1, 4, '!');
    a.sync();
    expect(server.doc.field(E1).text).toBe('kvar!');
  });

  it('keeps a change the server only postponed (rate_limited, from older servers) and sends it again later under the same seq', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    a.insert(E1, 0, 'Hej');
    const m = opMessages(a)[0];
    a.up.length = 0;
    a.receive({ type: 'error', code: 'rate_limited', message: 'slow down', seq: m.seq as number });
    a.insert(E1, 3, ' du');
    expect(a.text(E1)).toBe('Hej du');
    expect(a.replica.hasDeferred()).toBe(true);
    expect(a.up).toHaveLength(0);
    a.up.push(...a.replica.flushDeferred());
    expect(opMessages(a)[0]).toMatchObject({ seq: m.seq, change: { ops: ['Hej du'] } });
    a.sync();
    expect(server.doc.field(E1).text).toBe('Hej du');
    expect(a.replica.idle()).toBe(true);
  });

  it('asks for the whole state after out_of_range, keeps the change and resends it', () => {
    const server = withEntry('abc');
    const a = joined(server, 'c-a');
    a.insert(E1, 3, 'd');
    const m = opMessages(a)[0];
    a.up.length = 0;
    a.receive({ type: 'error', code: 'out_of_range', message: 'bad', seq: m.seq as number });
    a.disconnect();
    expect(a.replica.joinMessage().since).toBeUndefined();
    a.connect();
    a.sync();
    expect(server.doc.field(E1).text).toBe('abcd');
    expect(a.replica.idle()).toBe(true);
  });

  it('a choice set by someone else first is a conflict: theirs stays, ours is dropped', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.submit({ kind: 'set', target: TREND, value: 'ökar' });
    b.submit({ kind: 'set', target: TREND, value: 'minskar' });
    expect(a.replica.visibleChoice(TREND)).toBe('ökar');
    b.flushUp();
    a.flushUp();
    settle([a, b]);
    expect(a.errors).toEqual(['conflict']);
    expect(a.replica.visibleChoice(TREND)).toBe('minskar');
    expect(b.replica.visibleChoice(TREND)).toBe('minskar');
  });
});

describe('ClientReplica: entries', () => {
  it('shows an added entry at once and lets the user type in it before the ack', () => {
    const server = new SimServer();
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b', 'kommun');
    a.submit({ kind: 'add_entry', topic: 'andt', org: 'polis', entry: 'e-new' });
    const f: FieldRef = { topic: 'andt', org: 'polis', entry: 'e-new', field: 'plats' };
    expect(a.replica.visibleEntries('andt', 'polis')).toEqual([{ id: 'e-new', pending: true }]);
    expect(a.replica.fieldExists(f)).toBe(true);
    a.insert(f, 0, 'Torget');
    expect(a.text(f)).toBe('Torget');
    settle([a, b]);
    expect(a.replica.visibleEntries('andt', 'polis')).toEqual([{ id: 'e-new', pending: false }]);
    expect(server.doc.field(f).text).toBe('Torget');
    expect(b.text(f)).toBe('Torget');
  });

  it('typing in an entry someone removed is dropped', () => {
    const server = withEntry('x');
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.disconnect();
    a.insert(E1, 1, 'yz');
    b.submit({ kind: 'remove_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' });
    b.sync();
    a.connect();
    settle([a, b]);
    expect(a.replica.idle()).toBe(true);
    expect(a.replica.visibleEntries('hot-och-vald', 'polis')).toEqual([]);
  });

  it('an entry added offline and typed in arrives whole after the reconnect', () => {
    const server = new SimServer();
    const a = joined(server, 'c-a');
    a.disconnect();
    a.submit({ kind: 'add_entry', topic: 'andt', org: 'polis', entry: 'e-off' });
    const f: FieldRef = { topic: 'andt', org: 'polis', entry: 'e-off', field: 'handelse' };
    a.insert(f, 0, 'Langning vid skolan');
    a.submit({ kind: 'set', target: { ...f, field: 'trend' }, value: 'ökar' });
    a.connect();
    a.sync();
    expect(server.doc.field(f).text).toBe('Langning vid skolan');
    expect(server.doc.field({ ...f, field: 'trend' }).choice).toBe('ökar');
    expect(a.replica.idle()).toBe(true);
  });

  it('removing an own entry forgets typing that had not gone out', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    a.disconnect();
    a.insert(E1, 0, 'borta');
    a.submit({ kind: 'remove_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' });
    expect(a.replica.visibleEntries('hot-och-vald', 'polis')).toEqual([]);
    a.connect();
    a.sync();
    expect(a.replica.idle()).toBe(true);
    expect(a.errors).toEqual([]);
    expect(server.doc.cell('hot-och-vald', 'polis')).toEqual([]);
  });

  it('a refused add_entry takes the typing in it along', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    a.submit({ kind: 'add_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' }); // duplicate id
    a.insert({ ...E1, field: 'plats' }, 0, 'x');
    const add = opMessages(a)[0];
    a.up.length = 0;
    a.receive({ type: 'error', code: 'duplicate_entry', message: 'dup', seq: add.seq as number });
    expect(a.errors).toEqual(['duplicate_entry']);
  });
});

describe('ClientReplica: protocol bugs', () => {
  it('throws on an op out of order and then asks for the whole state', () => {
    const server = withEntry();
    const a = joined(server, 'c-a');
    expect(() =>
      a.replica.onMessage({
        type: 'op',
        rev: 5,
        client: 'c-x',
        seq: 1,
        by: { session: 'p9', name: 'x', org: 'kommun' },
        change: { kind: 'text', target: BED, ops: ['x'] },
      }),
    ).toThrow();
    expect(a.replica.joinMessage().since).toBeUndefined();
  });

  it('refuses edits before it has state', () => {
    const r = new ClientReplica('c', 'm');
    expect(() => r.editText(E1, TextOperation.fromJSON(['x']))).toThrow();
  });
});

describe('ClientReplica: a change delivered and then lost in a crash', () => {
  // The server delivers a change to the others before it is durable and acknowledges it to its author after
  // (docs/protocol.md, "Durability"). A crash in between loses it: the author, never acknowledged, still holds
  // it; the others saw it, and must not catch up from a revision the restarted server does not have.
  it('rejoins under the new epoch with the whole state and converges, the author resending once', () => {
    const server = withEntry('Centrum');
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    const c = joined(server, 'c-c', 'kommun');
    const onDisk = server.durable();
    a.insert(E1, 0, 'A');
    a.flushUp(); // applied and delivered to b; a's ack is still on its way
    b.flushDown();
    expect(b.text(E1)).toBe('ACentrum');
    expect(b.replica.joinMessage()).toMatchObject({ since: 1, epoch: 'e1' });

    server.restart(onDisk);
    for (const p of [a, b, c]) p.disconnect();
    expect(server.doc.field(E1).text).toBe('Centrum');
    // Someone else's change takes revision 1 this time, so a `since` of 1 from before names another change.
    c.connect();
    c.sync();
    c.insert(E1, 7, '!');
    c.sync();
    a.connect();
    b.connect();
    settle([a, b, c]);

    expect(b.replica.joinMessage()).toMatchObject({ since: server.rev, epoch: 'e2' });
    const expected = 'ACentrum!';
    expect(server.doc.field(E1).text).toBe(expected);
    for (const p of [a, b, c]) {
      expect(p.text(E1)).toBe(expected);
      expect(p.replica.confirmed().field(E1).text).toBe(expected);
      expect(p.replica.idle()).toBe(true);
    }
    expect(server.applied.filter(([client]) => client === 'c-a')).toEqual([['c-a', 1]]);
  });
});

describe('ClientReplica: applied before durable', () => {
  // A client that joins with `applied` does not make the others' changes wait behind its own ack: the server
  // announces its change with `applied`, sends what came after, and the ack follows once durable
  // (docs/protocol.md, "Durability").
  it('takes an applied change as confirmed, and counts it saved only at its ack', () => {
    const server = withEntry('Centrum');
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b', 'kommun');
    server.holdAcks = true;
    a.insert(E1, 0, 'A');
    a.flushUp();
    expect(a.conn!.inbox).toEqual([]); // nothing later is due to a: no applied
    b.insert(E1, 8, '!');
    b.flushUp();
    expect(a.conn!.inbox.map((m) => m.type)).toEqual(['applied', 'op']);
    a.flushDown();
    expect(a.text(E1)).toBe('ACentrum!');
    expect(a.replica.confirmed().field(E1).text).toBe('ACentrum!');
    expect(a.replica.inFlightSeq()).toBeNull(); // the next change may go
    expect(a.replica.idle()).toBe(false); // but this one is not saved yet
    a.insert(E1, 1, 'B');
    expect(opMessages(a)).toHaveLength(1);
    server.commit();
    settle([a, b]);
    server.commit();
    settle([a, b]);
    for (const p of [a, b]) {
      expect(p.text(E1)).toBe('ABCentrum!');
      expect(p.replica.idle()).toBe(true);
    }
  });

  it('sends changes announced by applied and lost in a crash again in the order they were made', () => {
    const server = withEntry('Centrum');
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b', 'kommun');
    const onDisk = server.durable();
    server.holdAcks = true;
    const steps = [() => a.insert(E1, 0, 'A'), () => a.submit({ kind: 'set', target: TREND, value: 'ökar' })];
    for (const step of steps) {
      step();
      a.flushUp();
      b.insert(E1, b.text(E1).length, '!');
      b.flushUp();
      a.flushDown(); // an applied for a's change, then b's
      b.flushDown();
    }
    server.restart(onDisk);
    server.holdAcks = false;
    for (const p of [a, b]) p.disconnect();
    a.connect();
    a.flushUp();
    a.flushDown(); // the whole state: both of a's changes were lost
    expect(opMessages(a).map((m) => (m.change as { kind: string }).kind)).toEqual(['text']);
    settle([a, b]);
    expect(server.applied.filter(([client]) => client === 'c-a').map(([, seq]) => seq)).toEqual([1, 2]);
    expect(server.doc.field(E1).text.startsWith('ACentrum')).toBe(true);
    expect(server.doc.field(TREND).choice).toBe('ökar');
  });

  it('sends a change announced by applied and then lost in a crash again, with what was typed after it', () => {
    const server = withEntry('Centrum');
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b', 'kommun');
    const c = joined(server, 'c-c', 'kommun');
    const onDisk = server.durable();
    server.holdAcks = true;
    a.insert(E1, 0, 'A'); // seq 1
    a.flushUp();
    b.insert(E1, 8, '!');
    b.flushUp();
    a.flushDown(); // applied(1), b's op
    a.submit({ kind: 'set', target: TREND, value: 'ökar' }); // seq 2
    a.flushUp();
    b.flushDown();
    b.insert(E1, 9, '?');
    b.flushUp();
    a.flushDown(); // applied(2), b's op
    a.insert(E1, 1, 'B'); // seq 3: applied, never announced
    a.flushUp();
    expect(a.text(E1)).toBe('ABCentrum!?');
    expect(a.replica.confirmed().field(TREND).choice).toBe('ökar');

    server.restart(onDisk); // none of it was durable
    for (const p of [a, b, c]) p.disconnect();
    server.holdAcks = false;
    expect(server.doc.field(E1).text).toBe('Centrum');
    c.connect();
    c.sync();
    c.insert(E1, 4, '>'); // takes revision 1 under the new epoch
    c.sync();
    a.connect();
    b.connect();
    settle([a, b, c]);

    const expected = 'ABCent>rum!?';
    expect(server.doc.field(E1).text).toBe(expected);
    expect(server.doc.field(TREND).choice).toBe('ökar');
    for (const p of [a, b, c]) {
      expect(p.text(E1)).toBe(expected);
      expect(p.replica.confirmed().field(E1).text).toBe(expected);
      expect(p.replica.visibleChoice(TREND)).toBe('ökar');
      expect(p.replica.idle()).toBe(true);
    }
  });
});
