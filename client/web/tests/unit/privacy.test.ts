// The replica's privacy review (issue 15): the server's flags per field (welcome, op and ack `flags`, entries and items
// removed), the chair's acknowledgements (own on the ack, others' on the broadcast, in a catch-up) and sekretess
// markings of entries; and the synchronous SHA-256 that names a number the way the server does.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findPersonalNumbers } from '../../src/model/personal-number';
import { personalNumberId, sha256HexAscii } from '../../src/model/privacy';
import type { FieldRef, ServerMessage, WelcomeMessage } from '../../src/model/types';
import { TextOperation } from '../../src/ot/text-operation';
import { ClientReplica, type ClientMessage } from '../../src/sync/replica';
import { ORGS, TEMPLATE } from './sim-server';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const N1 = sha('1212121212');
const N2 = sha('8112189876');
const E1: FieldRef = { topic: 'hot-och-vald', org: 'polis', entry: 'e1', field: 'handelse' };
const BED: FieldRef = { topic: 'hot-och-vald', field: 'bedomning' };

function welcome(over: Partial<WelcomeMessage> = {}): WelcomeMessage {
  return {
    type: 'welcome',
    rev: 5,
    last_seq: 0,
    meeting: {
      id: 'm1',
      group_id: 'g',
      title: 'Möte',
      date: '2026-12-05',
      state: 'open',
      created_at: '',
      template: TEMPLATE,
      group: { id: 'g', name: 'G', organisations: ORGS },
    },
    you: { session: 's1', name: 'Maria Lind', org: '', role: 'chair', focus: null, client: 'k-me' },
    participants: [],
    state: {
      topics: [{ id: 'hot-och-vald', fields: { bedomning: '' }, cells: { polis: { entries: [{ id: 'e1', fields: { handelse: 'Gäller 121212-1212.' } }] } } }],
    },
    privacy: { flags: [{ target: E1, numbers: [{ number: N1, kind: 'personnummer' }] }], acknowledged: [] },
    ...over,
  };
}

function op(rev: number, change: unknown, extra: Record<string, unknown> = {}): ServerMessage {
  return { type: 'op', rev, client: 'k-other', seq: rev, by: { session: 's2', name: 'Anna Berg', org: 'polis' }, change, ...extra } as ServerMessage;
}

function joined(w = welcome()): { r: ClientReplica; sent: ClientMessage[] } {
  const r = new ClientReplica('c-secret-0123456789', 'm1');
  const sent = r.onMessage(w);
  return { r, sent };
}

describe('naming a number', () => {
  it('is the SHA-256 of its last ten digits, as the server names it', () => {
    for (const s of ['', 'abc', '1212121212', 'x'.repeat(64), 'y'.repeat(119)]) expect(sha256HexAscii(s)).toBe(sha(s));
    const text = 'Gäller 19121212-1212 och 121212-1212.';
    const ids = findPersonalNumbers(text).map((m) => personalNumberId(text, m));
    expect(ids).toEqual([N1, N1]);
  });
});

describe('ClientReplica: personal-data flags and acknowledgements', () => {
  it('takes the flags and acknowledgements of the welcome', () => {
    const { r } = joined();
    const review = r.privacyReview();
    expect(review.rows()).toEqual([{ target: E1, number: N1, kind: 'personnummer', ack: null }]);
    expect(review.unresolved()).toBe(1);
  });

  it("follows others' text changes' flags and drops those of a removed entry", () => {
    const { r } = joined();
    r.onMessage(op(6, { kind: 'text', target: BED, ops: ['Se 811218-9876'] }, { flags: { target: BED, numbers: [{ number: N2, kind: 'personnummer' }] } }));
    expect(r.privacyReview().unresolved()).toBe(2);
    r.onMessage(op(7, { kind: 'text', target: BED, ops: [-14] }, { flags: { target: BED, numbers: [] } }));
    expect(r.privacyReview().field(BED)).toEqual([]);
    r.onMessage(op(8, { kind: 'remove_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' }));
    expect(r.privacyReview().rows()).toEqual([]);
  });

  it('tells the view when a text change brings flags (the panel re-renders), and only then', () => {
    const { r } = joined();
    let structure = 0;
    r.listener = { structure: () => ++structure };
    r.onMessage(op(6, { kind: 'text', target: BED, ops: ['Lugnt'] }));
    expect(structure).toBe(0);
    r.onMessage(op(7, { kind: 'text', target: BED, ops: [5, ' 811218-9876'] }, { flags: { target: BED, numbers: [{ number: N2, kind: 'personnummer' }] } }));
    expect(structure).toBe(1);
  });

  it("records another chair's acknowledgement with the server's stamp, voiding no signature", () => {
    const signature = { statement: '{}', sshsig: 's', key_id: 'k' };
    const { r } = joined(welcome({ lifecycle: { phase: 'locked', locked_topics: [], required: ['chair', 'cosigner'], signatures: [signature], closing: null } }));
    r.onMessage(
      op(6, { kind: 'acknowledge', target: E1, number: N1, reason: 'Behövs för uppföljningen', by: 'Eva Ek', at: '2026-12-05T08:41:03Z' }),
    );
    const ack = r.privacyReview().acknowledgement(E1, N1);
    expect(ack).toEqual({ target: E1, number: N1, reason: 'Behövs för uppföljningen', by: 'Eva Ek', at: '2026-12-05T08:41:03Z', rev: 6 });
    expect(r.privacyReview().unresolved()).toBe(0);
    expect(r.lifecycle().signatures).toHaveLength(1);
    expect(r.rev()).toBe(6);
  });

  it('sends its own acknowledgement and records it on the ack with its own name', () => {
    const { r } = joined();
    const out = r.submit({ kind: 'acknowledge', target: E1, number: N1, reason: 'Ärendet kräver det' });
    expect(out).toEqual([{ type: 'op', seq: 1, rev: 5, change: { kind: 'acknowledge', target: E1, number: N1, reason: 'Ärendet kräver det' } }]);
    expect(r.acknowledging(E1, N1)).toBe(true);
    r.onMessage({ type: 'ack', seq: 1, rev: 6 });
    expect(r.acknowledging(E1, N1)).toBe(false);
    expect(r.privacyReview().acknowledgement(E1, N1)).toMatchObject({ by: 'Maria Lind', reason: 'Ärendet kräver det', rev: 6 });
  });

  it('takes the flags of its own text change from the ack', () => {
    const { r } = joined();
    r.editText(BED, TextOp(['Se 811218-9876']));
    r.onMessage({ type: 'ack', seq: 1, rev: 6, flags: { target: BED, numbers: [{ number: N2, kind: 'personnummer' }] } });
    expect(r.privacyReview().field(BED)).toEqual([{ number: N2, kind: 'personnummer' }]);
  });

  it("meets its own acknowledgement in a catch-up with the server's stamp, and the welcome's privacy wins", () => {
    const { r } = joined();
    r.submit({ kind: 'acknowledge', target: E1, number: N1, reason: 'Skäl' });
    r.disconnected();
    const mine = { ...(op(6, { kind: 'acknowledge', target: E1, number: N1, reason: 'Skäl', by: 'Maria Lind', at: '2026-12-05T09:00:00Z' }) as object), client: 'k-me', seq: 1 };
    const acknowledged = [{ target: E1, number: N1, reason: 'Skäl', by: 'Maria Lind', at: '2026-12-05T09:00:00Z', rev: 6 }];
    r.onMessage(
      welcome({ rev: 6, last_seq: 1, state: undefined, catch_up: [mine as never], privacy: { flags: [{ target: E1, numbers: [{ number: N1, kind: 'personnummer' }] }], acknowledged } }),
    );
    expect(r.privacyReview().acknowledgement(E1, N1)).toEqual(acknowledged[0]);
    expect(r.idle()).toBe(true);
  });
});

describe('ClientReplica: sekretess', () => {
  it('shows its own marking at once, confirms it on the ack and follows others', () => {
    const { r } = joined();
    r.submit({ kind: 'secrecy', topic: 'hot-och-vald', org: 'polis', entry: 'e1', osl: '35 kap. 1 § OSL' });
    expect(r.visibleSecrecy('hot-och-vald', 'polis', 'e1')).toBe('35 kap. 1 § OSL');
    r.onMessage({ type: 'ack', seq: 1, rev: 6 });
    expect(r.confirmed().cell('hot-och-vald', 'polis')[0].secrecy).toEqual({ osl: '35 kap. 1 § OSL', rev: 6 });
    r.onMessage(op(7, { kind: 'secrecy', topic: 'hot-och-vald', org: 'polis', entry: 'e1', osl: '' }));
    expect(r.visibleSecrecy('hot-och-vald', 'polis', 'e1')).toBe('');
  });

  it('reads a marking from the state, and a refused one shows the confirmed marking again', () => {
    const state = {
      topics: [{ id: 'hot-och-vald', fields: {}, cells: { polis: { entries: [{ id: 'e1', fields: {}, secrecy: { osl: '26 kap. 1 § OSL', rev: 4 } }] } } }],
    };
    const { r } = joined(welcome({ state }));
    expect(r.visibleSecrecy('hot-och-vald', 'polis', 'e1')).toBe('26 kap. 1 § OSL');
    r.submit({ kind: 'secrecy', topic: 'hot-och-vald', org: 'polis', entry: 'e1', osl: 'Annan' });
    r.onMessage({ type: 'error', code: 'conflict', message: 'changed', seq: 1 });
    expect(r.visibleSecrecy('hot-och-vald', 'polis', 'e1')).toBe('26 kap. 1 § OSL');
  });

  it('voids the signatures, as any edit of the picture', () => {
    const signature = { statement: '{}', sshsig: 's', key_id: 'k' };
    const { r } = joined(welcome({ lifecycle: { phase: 'locked', locked_topics: [], required: ['chair', 'cosigner'], signatures: [signature], closing: null } }));
    r.onMessage(op(6, { kind: 'secrecy', topic: 'hot-och-vald', org: 'polis', entry: 'e1', osl: '35 kap. 1 § OSL' }));
    expect(r.lifecycle().signatures).toEqual([]);
  });
});

function TextOp(json: (string | number)[]): TextOperation {
  return TextOperation.fromJSON(json, 'ops');
}
