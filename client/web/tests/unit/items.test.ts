// Decision items (beslutsförslag) in the TS model and replica (docs/protocol.md, "Decision items"): add_item and
// remove_item, item fields addressed {topic, item, field}, text merged like cells, choice/date/organisation fields as
// registers with the server's checks, `items` and `retired_items` in a welcome's state.
import { describe, expect, it } from 'vitest';
import { isCalendarDay, MeetingDoc } from '../../src/model/document';
import type { FieldRef } from '../../src/model/types';
import { fieldKey, fieldRefToJSON } from '../../src/model/types';
import { itemErrorText } from '../../src/sync/session';
import { Peer, settle } from './peer';
import { ORGS, SimServer, TEMPLATE } from './sim-server';

const RUBRIK: FieldRef = { topic: 'andt', item: 'd1', field: 'rubrik' };
const DUE: FieldRef = { topic: 'andt', item: 'd1', field: 'klart_senast' };
const OWNER: FieldRef = { topic: 'andt', item: 'd1', field: 'agare' };
const TYP: FieldRef = { topic: 'andt', item: 'd1', field: 'typ' };

function doc(): MeetingDoc {
  return new MeetingDoc(TEMPLATE, ORGS.map((o) => o.id));
}

function joined(server: SimServer, id: string, role: 'participant' | 'chair' = 'participant') {
  const p = new Peer(server, id, 'polis', role);
  p.connect();
  p.sync();
  return p;
}

describe('decision items in the document', () => {
  it('adds an item with every field empty, in order, and addresses its fields apart from entries', () => {
    const d = doc();
    d.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 1);
    d.apply({ kind: 'add_item', topic: 'andt', item: 'd2' }, 2);
    expect(d.items('andt').map((i) => i.id)).toEqual(['d1', 'd2']);
    expect(d.field(RUBRIK).text).toBe('');
    expect(d.field(DUE)).toEqual({ text: '', choice: '', rev: 0 });
    expect(fieldKey(RUBRIK)).toBe('andt/item:d1/rubrik');
    expect(fieldKey(RUBRIK)).not.toBe(fieldKey({ topic: 'andt', org: 'item', entry: 'd1', field: 'rubrik' }));
    expect(fieldRefToJSON({ ...RUBRIK, org: 'polis' } as FieldRef)).toEqual({ topic: 'andt', item: 'd1', field: 'rubrik' });
    expect(() => d.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 3)).toThrow(/already exists/);
    expect(() => d.apply({ kind: 'add_item', topic: 'nope', item: 'd9' }, 3)).toThrow(/no topic/);
  });

  it('merges text and checks registers by kind: choice, real day, the group’s organisation', () => {
    const d = doc();
    d.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 1);
    d.apply({ kind: 'text', target: RUBRIK, ops: ['Orsaksanalys'] }, 2);
    d.apply({ kind: 'text', target: RUBRIK, ops: [12, ': snus'] }, 3);
    expect(d.field(RUBRIK).text).toBe('Orsaksanalys: snus');
    d.apply({ kind: 'set', target: DUE, value: '2027-03-01' }, 4);
    expect(d.field(DUE)).toMatchObject({ choice: '2027-03-01', rev: 4 });
    for (const bad of ['2027-02-29', '2027-3-1', '2027-03-01T10:00', 'i mars'])
      expect(() => d.apply({ kind: 'set', target: DUE, value: bad }, 5)).toThrow(/YYYY-MM-DD/);
    d.apply({ kind: 'set', target: OWNER, value: 'kommun' }, 5);
    expect(() => d.apply({ kind: 'set', target: OWNER, value: 'Kommunen' }, 6)).toThrow(/organisations/);
    expect(() => d.apply({ kind: 'set', target: TYP, value: 'kaffe' }, 6)).toThrow(/choices/);
    expect(() => d.apply({ kind: 'text', target: DUE, ops: ['x'] }, 6)).toThrow(/date field/);
    expect(() => d.apply({ kind: 'set', target: RUBRIK, value: 'x' }, 6)).toThrow(/text field/);
    d.apply({ kind: 'set', target: DUE, value: '' }, 6);
    expect(d.field(DUE).choice).toBe('');
    expect(isCalendarDay('2028-02-29')).toBe(true);
  });

  it('removes an item for good: later changes are not_found and its id is never used again', () => {
    const d = doc();
    d.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 1);
    d.apply({ kind: 'remove_item', topic: 'andt', item: 'd1' }, 2);
    expect(d.items('andt')).toEqual([]);
    expect([...d.retiredItems]).toEqual(['andt/d1']);
    expect(() => d.field(RUBRIK)).toThrow(/no decision item/);
    expect(() => d.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 3)).toThrow(/used before/);
    expect(() => d.apply({ kind: 'remove_item', topic: 'andt', item: 'd1' }, 3)).toThrow(/no decision item/);
  });

  it('reads items and retired_items from a welcome’s state; a template without items has none', () => {
    const d = MeetingDoc.fromJSON(TEMPLATE, ORGS.map((o) => o.id), {
      topics: [
        {
          id: 'andt',
          fields: {},
          cells: {},
          items: [{ id: 'd2', fields: { rubrik: 'Fältgång', klart_senast: { value: '2027-01-31', rev: 7 }, till_bra: { value: 'ja', rev: 9 } } }],
        },
      ],
      retired_items: ['andt/d1'],
    });
    expect(d.field({ topic: 'andt', item: 'd2', field: 'rubrik' }).text).toBe('Fältgång');
    expect(d.field({ topic: 'andt', item: 'd2', field: 'till_bra' })).toMatchObject({ choice: 'ja', rev: 9 });
    expect(d.field({ topic: 'andt', item: 'd2', field: 'agare' }).choice).toBe('');
    expect(d.retiredItems.has('andt/d1')).toBe(true);
    const plain = new MeetingDoc({ ...TEMPLATE, decision_item_fields: undefined }, ['polis']);
    expect(() => plain.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 1)).toThrow(/no decision items/);
  });
});

describe('decision items in the replica', () => {
  it('shows a proposed item at once, sends it, and others see it and its text live', () => {
    const server = new SimServer();
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.submit({ kind: 'add_item', topic: 'andt', item: 'd1' });
    expect(a.replica.visibleItems('andt')).toEqual([{ id: 'd1', pending: true }]);
    // Typing in the item before its add is acknowledged is kept and sent after it.
    expect(a.replica.fieldExists(RUBRIK)).toBe(true);
    a.type(RUBRIK, 'Fältgång fredagar');
    a.submit({ kind: 'set', target: DUE, value: '2027-02-01' });
    expect(a.replica.visibleChoice(DUE)).toBe('2027-02-01');
    settle([a, b]);
    expect(a.replica.visibleItems('andt')).toEqual([{ id: 'd1', pending: false }]);
    expect(b.replica.visibleItems('andt')).toEqual([{ id: 'd1', pending: false }]);
    expect(b.text(RUBRIK)).toBe('Fältgång fredagar');
    expect(b.replica.visibleChoice(DUE)).toBe('2027-02-01');
    expect(server.doc.field(RUBRIK).text).toBe('Fältgång fredagar');
    expect(b.reported).toContain(fieldKey(RUBRIK));
  });

  it('merges two people typing in one item field at once', () => {
    const server = new SimServer(2000, (d) => {
      d.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 0);
      d.apply({ kind: 'text', target: RUBRIK, ops: ['snus'] }, 0);
    });
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.insert(RUBRIK, 0, 'Orsaksanalys: ');
    b.insert(RUBRIK, 4, ' vid skolan');
    settle([a, b]);
    expect(a.text(RUBRIK)).toBe('Orsaksanalys: snus vid skolan');
    expect(b.text(RUBRIK)).toBe(a.text(RUBRIK));
    expect(server.doc.field(RUBRIK).text).toBe(a.text(RUBRIK));
  });

  it('drops typing in an item someone else removed, and in one it removes itself', () => {
    const server = new SimServer(2000, (d) => {
      d.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 0);
      d.apply({ kind: 'add_item', topic: 'andt', item: 'd2' }, 0);
    });
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    b.submit({ kind: 'remove_item', topic: 'andt', item: 'd1' });
    b.sync();
    a.type(RUBRIK, 'för sent');
    settle([a, b]);
    expect(a.replica.visibleItems('andt').map((i) => i.id)).toEqual(['d2']);
    expect(a.replica.idle()).toBe(true);
    expect(a.errors).toEqual(['not_found']);
    const d2: FieldRef = { topic: 'andt', item: 'd2', field: 'rubrik' };
    a.type(d2, 'x');
    a.submit({ kind: 'remove_item', topic: 'andt', item: 'd2' });
    expect(a.replica.visibleItems('andt')).toEqual([]);
    settle([a, b]);
    expect(b.replica.visibleItems('andt')).toEqual([]);
    expect(server.doc.retiredItems.has('andt/d2')).toBe(true);
  });

  it('forgets what was typed and chosen in an item whose add was refused', () => {
    const server = new SimServer(2000, (d) => {
      d.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 0);
      d.apply({ kind: 'remove_item', topic: 'andt', item: 'd1' }, 0);
    });
    const a = joined(server, 'c-a');
    a.submit({ kind: 'add_item', topic: 'andt', item: 'd1' });
    a.type(RUBRIK, 'Ny');
    a.submit({ kind: 'set', target: TYP, value: 'orsaksanalys' });
    a.sync();
    expect(a.errors).toEqual(['duplicate_entry']);
    expect(a.replica.visibleItems('andt')).toEqual([]);
    expect(a.replica.idle()).toBe(true);
  });

  it('keeps typing in its own new item across a reconnect that brings the whole state', () => {
    const server = new SimServer(1);
    const a = joined(server, 'c-a');
    const b = joined(server, 'c-b');
    a.submit({ kind: 'add_item', topic: 'andt', item: 'd1' });
    a.sync();
    b.sync();
    a.type(RUBRIK, 'Belysning');
    a.disconnect();
    // Others move the meeting past the catch-up window meanwhile.
    b.type({ topic: 'andt', item: 'd1', field: 'rubrik' }, 'Tunnel: ');
    b.sync();
    b.submit({ kind: 'set', target: OWNER, value: 'kommun' });
    b.sync();
    a.connect();
    settle([a, b]);
    expect(server.doc.field(RUBRIK).text).toBe('Tunnel: Belysning');
    expect(a.text(RUBRIK)).toBe('Tunnel: Belysning');
    expect(a.replica.visibleChoice(OWNER)).toBe('kommun');
  });

  it('refuses item edits once the picture is signed, and speaks of decision items when it does', () => {
    const server = new SimServer(2000, (d) => d.apply({ kind: 'add_item', topic: 'andt', item: 'd1' }, 0));
    server.lifecycle = { ...server.lifecycle, phase: 'locked', locked_topics: ['andt'] };
    const a = joined(server, 'c-a');
    // A topic lock does not apply to items.
    a.type(RUBRIK, 'Går');
    a.sync();
    expect(server.doc.field(RUBRIK).text).toBe('Går');
    server.lifecycle = { ...server.lifecycle, phase: 'signed' };
    a.type(RUBRIK, 'Går inte');
    a.sync();
    expect(a.errors).toEqual(['locked']);
    expect(a.text(RUBRIK)).toBe('Går');
    expect(itemErrorText('limit_reached', { kind: 'add_item', topic: 'andt', item: 'd9' })).toMatch(/beslutsförslag/);
    expect(itemErrorText('forbidden', { kind: 'set', target: { topic: 'andt', item: 'd1', field: 'till_bra' }, value: 'ja' })).toMatch(
      /ordföranden/,
    );
    expect(itemErrorText('limit_reached', { kind: 'add_entry', topic: 'andt', org: 'polis', entry: 'e1' })).toBeNull();
  });
});
