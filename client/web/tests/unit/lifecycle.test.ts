// The lifecycle in the client: the welcome's `lifecycle`, the moves as ops (locks, signatures, closing), the rule
// that an accepted edit voids every signature, unknown change kinds skipped, and text refused with `locked` kept
// for the person to copy.
import { describe, expect, it } from 'vitest';
import {
  applyLifecycle,
  initialLifecycle,
  missingSigners,
  pictureChanged,
  readLifecycle,
  signersText,
  stateWord,
  type SignedRecord,
} from '../../src/model/lifecycle';
import type { FieldRef } from '../../src/model/types';
import { ClientReplica } from '../../src/sync/replica';
import { Peer } from './peer';
import { SimServer } from './sim-server';

const E1: FieldRef = { topic: 'hot-och-vald', org: 'polis', entry: 'e1', field: 'handelse' };
const BED: FieldRef = { topic: 'hot-och-vald', field: 'bedomning' };

function sig(role: 'chair' | 'cosigner', name = role === 'chair' ? 'Eva Ek' : 'Olle Polis'): SignedRecord {
  const statement = JSON.stringify({
    digest: 'd'.repeat(64),
    group: 'g',
    meeting: 'm1',
    rev: 3,
    signed_at: '2026-12-04T10:15:00Z',
    signer: { account: 'a', name, org: role === 'chair' ? 'kommun' : 'polis', role },
    type: 'est-live/signature',
    version: 1,
  });
  return { statement, sshsig: '-----BEGIN SSH SIGNATURE-----\nx\n-----END SSH SIGNATURE-----\n', key_id: 'SHA256:k' };
}

function setup() {
  const server = new SimServer(2000, (doc) => doc.apply({ kind: 'add_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' }, 0));
  const lost: { code: string; text: string }[] = [];
  const lifecycleEvents: string[] = [];
  const join = (p: Peer) => {
    const inner = p.replica.listener;
    p.replica.listener = {
      ...inner,
      error: (e, refused, l) => {
        inner.error?.(e, refused, l);
        if (l) lost.push({ code: e.code, text: l.text });
      },
      lifecycle: () => lifecycleEvents.push(p.replica.lifecycle().phase),
    };
    p.connect();
    p.sync();
    return p;
  };
  return { server, lost, lifecycleEvents, join };
}

describe('the lifecycle model', () => {
  it('follows moves, counts who must still sign, and voids signatures on an edit', () => {
    let lc = initialLifecycle();
    lc = applyLifecycle(lc, { kind: 'lock_topic', topic: 'andt' });
    lc = applyLifecycle(lc, { kind: 'lock_topic', topic: 'andt' });
    expect(lc.locked_topics).toEqual(['andt']);
    lc = applyLifecycle(lc, { kind: 'lock_picture' });
    expect(missingSigners(lc)).toEqual(['chair', 'cosigner']);
    lc = applyLifecycle(lc, { kind: 'sign', signature: sig('chair') });
    expect(lc.phase).toBe('locked');
    expect(missingSigners(lc)).toEqual(['cosigner']);
    expect(pictureChanged(lc)).toMatchObject({ phase: 'locked', signatures: [] });
    lc = applyLifecycle(lc, { kind: 'sign', signature: sig('cosigner') });
    expect(lc.phase).toBe('signed');
    const closed = applyLifecycle(lc, { kind: 'close', closing: sig('chair') });
    expect(closed.phase).toBe('closed');
    expect(closed.closing).not.toBeNull();
    // Unlocking withdraws every signature.
    expect(applyLifecycle(applyLifecycle(lc, { kind: 'unlock_topic', topic: 'andt' }), { kind: 'unlock_picture' })).toMatchObject({
      phase: 'open',
      locked_topics: [],
      signatures: [],
    });
    // Unknown or malformed moves change nothing.
    expect(applyLifecycle(lc, { kind: 'summon_dragon' })).toBe(lc);
    expect(applyLifecycle(lc, { kind: 'sign', signature: { statement: 1 } })).toBe(lc);
  });

  it('opens a draft, and counts one place per required signature (1 and 3 signers)', () => {
    let lc = readLifecycle({ phase: 'draft', locked_topics: [], required: ['chair'], signatures: [], closing: null });
    expect(lc.phase).toBe('draft');
    lc = applyLifecycle(lc, { kind: 'open' });
    expect(lc.phase).toBe('open');
    lc = applyLifecycle(lc, { kind: 'lock_picture' });
    expect(missingSigners(lc)).toEqual(['chair']);
    expect(applyLifecycle(lc, { kind: 'sign', signature: sig('chair') }).phase).toBe('signed');

    let three = readLifecycle({ phase: 'locked', required: ['chair', 'cosigner', 'cosigner', 'cosigner'], signatures: [] });
    three = applyLifecycle(three, { kind: 'sign', signature: sig('cosigner') });
    expect(missingSigners(three)).toEqual(['chair', 'cosigner', 'cosigner']);
    three = applyLifecycle(three, { kind: 'sign', signature: sig('chair') });
    three = applyLifecycle(three, { kind: 'sign', signature: sig('cosigner') });
    expect(three.phase).toBe('locked');
    expect(missingSigners(three)).toEqual(['cosigner']);
    three = applyLifecycle(three, { kind: 'sign', signature: sig('cosigner') });
    expect(three.phase).toBe('signed');
  });

  it('names states and signers in Swedish', () => {
    expect(['draft', 'open', 'locked', 'signed', 'closed'].map(stateWord)).toEqual(['Utkast', 'Öppet', 'Låst', 'Signerat', 'Stängt']);
    expect(stateWord('archived')).toBe('archived');
    expect(signersText(['chair'])).toBe('ordföranden');
    expect(signersText(['chair', 'cosigner', 'cosigner'])).toBe('ordföranden och två medundertecknare');
  });

  it('reads what an older server sends (no lifecycle) from the meeting state', () => {
    expect(readLifecycle(undefined, 'closed').phase).toBe('closed');
    expect(readLifecycle(null, 'open')).toEqual(initialLifecycle());
    expect(readLifecycle({ phase: 'locked', locked_topics: ['a', 3], signatures: [sig('chair'), { x: 1 }] }).signatures).toHaveLength(1);
  });
});

describe('ClientReplica and the lifecycle', () => {
  it('takes the welcome lifecycle, follows moves live and in a catch-up, each a revision', () => {
    const { server, join } = setup();
    server.move({ kind: 'lock_topic', topic: 'andt' });
    const a = join(new Peer(server, 'c-a'));
    expect(a.replica.lifecycle().locked_topics).toEqual(['andt']);
    expect(a.replica.rev()).toBe(1);
    server.move({ kind: 'lock_picture' });
    a.sync();
    expect(a.replica.lifecycle().phase).toBe('locked');
    expect(a.replica.rev()).toBe(2);
    // Away while the chair signs: the catch-up brings it.
    a.disconnect();
    server.move({ kind: 'sign', signature: sig('chair') });
    a.connect();
    a.sync();
    expect(a.replica.lifecycle().signatures).toHaveLength(1);
    expect(a.replica.rev()).toBe(3);
  });

  it('skips a change kind it does not know instead of failing', () => {
    const { server, join } = setup();
    const a = join(new Peer(server, 'c-a'));
    server.move({ kind: 'propose_decision_item', item: { id: 'd1' } } as { kind: string });
    server.move({ kind: 'lock_topic', topic: 'andt' });
    expect(() => a.sync()).not.toThrow();
    expect(a.replica.rev()).toBe(2);
    expect(a.replica.lifecycle().locked_topics).toEqual(['andt']);
    // And still takes edits after it.
    a.type(E1, 'Efter');
    a.sync();
    expect(server.doc.field(E1).text).toBe('Efter');
  });

  it('takes a decision item change as an edit: applied, a revision, signatures void', () => {
    const { server, join } = setup();
    const a = join(new Peer(server, 'c-a'));
    server.move({ kind: 'lock_picture' });
    server.move({ kind: 'sign', signature: sig('cosigner') });
    a.sync();
    expect(a.replica.lifecycle().signatures).toHaveLength(1);
    server.move({ kind: 'add_item', topic: 'andt', item: 'd1' } as { kind: string });
    server.move({ kind: 'set', target: { topic: 'andt', item: 'd1', field: 'till_bra' }, value: 'ja' } as { kind: string });
    expect(() => a.sync()).not.toThrow();
    expect(a.replica.rev()).toBe(4);
    expect(a.replica.lifecycle().signatures).toHaveLength(0);
    expect(a.replica.visibleItems('andt')).toEqual([{ id: 'd1', pending: false }]);
    expect(a.replica.visibleChoice({ topic: 'andt', item: 'd1', field: 'till_bra' })).toBe('ja');
  });

  it('voids every signature when an edit of the picture is accepted, its own or another’s', () => {
    const { server, join } = setup();
    const chair = join(new Peer(server, 'c-chair', 'kommun', 'chair'));
    const b = join(new Peer(server, 'c-b', 'kommun', 'chair'));
    server.move({ kind: 'lock_picture' });
    server.move({ kind: 'sign', signature: sig('cosigner') });
    chair.sync();
    b.sync();
    expect(chair.replica.lifecycle().signatures).toHaveLength(1);
    // The chair's assessment may still change in a locked picture; the signature is void for everyone.
    chair.type(BED, 'Läget är lugnt.');
    chair.sync();
    b.sync();
    expect(chair.replica.lifecycle()).toMatchObject({ phase: 'locked', signatures: [] });
    expect(b.replica.lifecycle()).toMatchObject({ phase: 'locked', signatures: [] });
    expect(server.lifecycle.signatures).toEqual([]);
  });

  it('hands over the text of a change refused because the topic was locked under the typing', () => {
    const { server, lost, join } = setup();
    const a = join(new Peer(server, 'c-a'));
    a.type(E1, 'Före låset.');
    a.sync();
    // The chair locks the topic while a types on; what a typed goes out after the lock and is refused.
    server.move({ kind: 'lock_topic', topic: 'hot-och-vald' });
    a.type(E1, 'Före låset. Under låset.');
    a.sync();
    expect(a.errors).toEqual(['locked']);
    expect(lost).toEqual([{ code: 'locked', text: 'Före låset. Under låset.' }]);
    // The field shows the server's text again, and nothing waits.
    expect(a.text(E1)).toBe('Före låset.');
    expect(a.replica.idle()).toBe(true);
    expect(a.replica.lifecycle().locked_topics).toEqual(['hot-och-vald']);
  });

  it('works against a server without lifecycle (no field in the welcome)', () => {
    const server = new SimServer();
    server.noLifecycle = true;
    const r = new ClientReplica('c-x', 'm1');
    const p = new Peer(server, 'c-x');
    p.connect();
    p.sync();
    expect(p.replica.lifecycle().phase).toBe('open');
    expect(r.lifecycle().phase).toBe('open');
  });
});
