// The pure logic of the BRÅ queue page and item page (src/bra/queue.ts): filters, sorting, counts, the filter in
// the address, live updates of a row, who is offered which form, and what a decision must hold before it is sent.
import { describe, expect, it } from 'vitest';
import {
  compareItems,
  countText,
  decisionBody,
  EMPTY_DECISION,
  EMPTY_FILTER,
  eventSummary,
  filterFromQuery,
  filterOptions,
  filterToQuery,
  flagWords,
  followUpItems,
  followUpProblem,
  itemAccess,
  lastReport,
  matchesFilter,
  upsertItem,
  visibleItems,
  type BraItem,
} from '../../src/bra/queue';
import type { Me, Membership } from '../../src/model/types';
import { href, parseRoute, returnTarget } from '../../src/routes';

function item(over: Partial<BraItem> & { id: string }, fields: Record<string, string> = {}): BraItem {
  return {
    group: 'fagersta',
    meeting: { id: 'm1', title: 'EST-möte vecka 47', date: '2026-11-17' },
    topic: { id: 'andt', title: 'ANDT' },
    status: 'awaiting',
    version: 1,
    flags: { overdue: false, stale: false, back_on_agenda: false },
    ...over,
    fields: { typ: 'orsaksanalys', rubrik: `Punkt ${over.id}`, beskrivning: '', agare: '', klart_senast: '', ...fields },
  };
}

const ITEMS: BraItem[] = [
  item({ id: 'm1.andt.d1' }, { rubrik: 'Orsaksanalys: oro kring Risbroskolan', agare: 'skola', klart_senast: '2027-02-01' }),
  item(
    { id: 'm1.andt.d2', status: 'approved', owner_org: 'polis', due: '2026-12-01', flags: { overdue: true, stale: false, back_on_agenda: false } },
    { typ: 'fördjupad kartläggning', rubrik: 'Kartläggning av skadegörelse vid resecentrum', agare: 'kommun' },
  ),
  item(
    {
      id: 'm2.ordningsstorning.d1',
      meeting: { id: 'm2', title: 'EST-möte vecka 49', date: '2026-12-01' },
      topic: { id: 'ordningsstorning', title: 'Ordningsstörningar' },
      status: 'deferred',
      deferred_to: '2027-01-15',
    },
    { typ: 'åtgärd/insats', rubrik: 'Belysning i gångtunneln' },
  ),
  item(
    { id: 'm0.andt.d1', group: 'angered', meeting: { id: 'm0', title: 'EST Angered', date: '2026-10-02' }, status: 'done', owner_org: 'polis', due: '2026-11-30' },
    { rubrik: 'Medborgarlöfte' },
  ),
];

const ids = (xs: BraItem[]) => xs.map((x) => x.id);

describe('filtering the queue', () => {
  it('passes everything through the empty filter', () => {
    expect(ITEMS.every((i) => matchesFilter(i, EMPTY_FILTER))).toBe(true);
  });

  it('filters by status, group, topic, type, meeting, owner and overdue, together', () => {
    const v = (f: Partial<typeof EMPTY_FILTER>) => ids(visibleItems(ITEMS, { ...EMPTY_FILTER, ...f }, 'meeting', 'desc'));
    expect(v({ status: 'approved' })).toEqual(['m1.andt.d2']);
    expect(v({ group: 'angered' })).toEqual(['m0.andt.d1']);
    expect(v({ topic: 'andt' })).toEqual(['m1.andt.d1', 'm1.andt.d2', 'm0.andt.d1']);
    expect(v({ type: 'åtgärd/insats' })).toEqual(['m2.ordningsstorning.d1']);
    expect(v({ meeting: 'm1' })).toEqual(['m1.andt.d1', 'm1.andt.d2']);
    expect(v({ overdueOnly: true })).toEqual(['m1.andt.d2']);
    expect(v({ topic: 'andt', group: 'fagersta', status: 'awaiting' })).toEqual(['m1.andt.d1']);
    expect(v({ topic: 'andt', status: 'deferred' })).toEqual([]);
  });

  it('takes BRÅ\'s owner over the proposal, and the proposal while undecided', () => {
    const v = (owner: string) => ids(visibleItems(ITEMS, { ...EMPTY_FILTER, owner }, 'meeting', 'desc'));
    expect(v('polis')).toEqual(['m1.andt.d2', 'm0.andt.d1']);
    expect(v('skola')).toEqual(['m1.andt.d1']);
    // d2's proposal was kommun, but BRÅ gave it to the police.
    expect(v('kommun')).toEqual([]);
  });

  it('finds every word of the search in the title or description, in any case', () => {
    const v = (text: string) => ids(visibleItems(ITEMS, { ...EMPTY_FILTER, text }, 'meeting', 'desc'));
    expect(v('RISBRO')).toEqual(['m1.andt.d1']);
    expect(v('skadegörelse resecentrum')).toEqual(['m1.andt.d2']);
    expect(v('skadegörelse risbro')).toEqual([]);
    expect(v('   ')).toHaveLength(4);
  });
});

describe('sorting the queue', () => {
  it('sorts by meeting date, newest or oldest first, ties in the server\'s order', () => {
    expect(ids(visibleItems(ITEMS, EMPTY_FILTER, 'meeting', 'desc'))).toEqual(['m2.ordningsstorning.d1', 'm1.andt.d1', 'm1.andt.d2', 'm0.andt.d1']);
    expect(ids(visibleItems(ITEMS, EMPTY_FILTER, 'meeting', 'asc'))).toEqual(['m0.andt.d1', 'm1.andt.d1', 'm1.andt.d2', 'm2.ordningsstorning.d1']);
  });

  it('sorts by due date (BRÅ\'s, else the proposal\'s) with items without one last both ways', () => {
    expect(ids(visibleItems(ITEMS, EMPTY_FILTER, 'due', 'asc'))).toEqual(['m0.andt.d1', 'm1.andt.d2', 'm1.andt.d1', 'm2.ordningsstorning.d1']);
    expect(ids(visibleItems(ITEMS, EMPTY_FILTER, 'due', 'desc'))).toEqual(['m1.andt.d1', 'm1.andt.d2', 'm0.andt.d1', 'm2.ordningsstorning.d1']);
  });

  it('sorts by status: awaiting, deferred, approved, rejected, done; ties newest meeting first', () => {
    const more = [...ITEMS, item({ id: 'm2.andt.d9', meeting: { id: 'm2', title: 'v49', date: '2026-12-01' } })];
    expect(ids(visibleItems(more, EMPTY_FILTER, 'status', 'asc'))).toEqual([
      'm2.andt.d9',
      'm1.andt.d1',
      'm2.ordningsstorning.d1',
      'm1.andt.d2',
      'm0.andt.d1',
    ]);
    expect(ids(visibleItems(more, EMPTY_FILTER, 'status', 'desc'))[0]).toBe('m0.andt.d1');
  });

  it('never changes the input, compares both ways alike, and keeps the server\'s order in ties', () => {
    const before = ids(ITEMS);
    visibleItems(ITEMS, EMPTY_FILTER, 'due', 'asc');
    expect(ids(ITEMS)).toEqual(before);
    for (const a of ITEMS) for (const b of ITEMS) expect(Math.sign(compareItems(a, b, 'due', 'asc')) + Math.sign(compareItems(b, a, 'due', 'asc'))).toBe(0);
    // d10 after d9, as the server listed them (not "d10" < "d9" as text).
    const twins = [item({ id: 'm1.andt.d9' }), item({ id: 'm1.andt.d10' })];
    expect(ids(visibleItems(twins, EMPTY_FILTER, 'meeting', 'desc'))).toEqual(['m1.andt.d9', 'm1.andt.d10']);
    expect(ids(visibleItems(twins.slice().reverse(), EMPTY_FILTER, 'status', 'asc'))).toEqual(['m1.andt.d10', 'm1.andt.d9']);
  });

  it('handles 200 items quickly', () => {
    const many = Array.from({ length: 200 }, (_, n) =>
      item({ id: `m${n % 17}.andt.d${n}`, meeting: { id: `m${n % 17}`, title: 'x', date: `2026-${String((n % 12) + 1).padStart(2, '0')}-10` } }),
    );
    const t = performance.now();
    for (let k = 0; k < 20; ++k) visibleItems(many, { ...EMPTY_FILTER, text: 'punkt' }, 'meeting', 'desc');
    expect(performance.now() - t).toBeLessThan(500);
    expect(visibleItems(many, EMPTY_FILTER, 'meeting', 'desc')).toHaveLength(200);
  });
});

describe('the rest of the queue page', () => {
  it('counts in Swedish', () => {
    expect(countText(3, 200)).toBe('3 av 200 punkter');
    expect(countText(1, 1)).toBe('1 av 1 punkt');
    expect(countText(0, 0)).toBe('0 av 0 punkter');
  });

  it('offers each filter choice once, meetings newest first, with organisation names', () => {
    const o = filterOptions(ITEMS, (g, org) => `${org.toUpperCase()}@${g}`);
    expect(o.meetings.map((m) => m.value)).toEqual(['m2', 'm1', 'm0']);
    expect(o.meetings[0].label).toBe('2026-12-01 EST-möte vecka 49');
    expect(o.topics.map((t) => t.label)).toEqual(['ANDT', 'Ordningsstörningar']);
    expect(o.types.map((t) => t.value)).toEqual(['fördjupad kartläggning', 'orsaksanalys', 'åtgärd/insats']);
    expect(o.owners).toEqual([
      { value: 'polis', label: 'POLIS@fagersta' },
      { value: 'skola', label: 'SKOLA@fagersta' },
    ]);
    expect(o.groups).toEqual(['angered', 'fagersta']);
  });

  it('keeps the filter and order in the address and reads it back; nonsense is dropped', () => {
    const f = { ...EMPTY_FILTER, status: 'approved' as const, topic: 'andt', owner: 'polis', overdueOnly: true, text: 'skola' };
    const q = filterToQuery(f, 'due', 'asc');
    expect(filterFromQuery(q)).toEqual({ filter: f, key: 'due', dir: 'asc' });
    expect(filterToQuery(EMPTY_FILTER, 'meeting', 'desc')).toBe('');
    expect(filterFromQuery('status=maybe&sortera=x-y')).toEqual({ filter: EMPTY_FILTER, key: 'meeting', dir: 'desc' });
  });

  it('updates a row in place, adds a new one first, and never goes back to an older version', () => {
    const newer = { ...ITEMS[0], status: 'approved' as const, version: 2 };
    const up = upsertItem(ITEMS, newer);
    expect(up[0]).toBe(newer);
    expect(up).toHaveLength(4);
    expect(upsertItem(up, ITEMS[0])[0].version).toBe(2);
    const fresh = item({ id: 'm3.andt.d1' });
    expect(ids(upsertItem(ITEMS, fresh))[0]).toBe('m3.andt.d1');
  });

  it('names the flags in words', () => {
    expect(flagWords(item({ id: 'a.b.c', flags: { overdue: true, stale: true, back_on_agenda: true } }))).toEqual([
      'Försenad',
      'Inte uppdaterad',
      'Åter på dagordningen',
    ]);
    expect(flagWords(ITEMS[0])).toEqual([]);
  });
});

function me(...memberships: Partial<Membership>[]): Me {
  return {
    id: 'a1',
    email: 'x@est.test',
    name: 'X',
    is_admin: false,
    session: { id: 's', expires_at: 0 },
    memberships: memberships.map((m) => ({ group_id: 'fagersta', group_name: 'Fagersta', role: 'participant', org: '', ...m })),
  };
}

describe('who is offered which form', () => {
  const awaiting = ITEMS[0];
  const approved = { ...ITEMS[1], overdue: false };
  it('lets a BRÅ member of the group decide an undecided item and re-assign an approved one, and comment', () => {
    const bra = me({ role: 'bra_member' });
    expect(itemAccess(bra, awaiting)).toEqual({ decide: true, assign: false, comment: true, followUp: false });
    expect(itemAccess(bra, approved)).toEqual({ decide: false, assign: true, comment: true, followUp: false });
    expect(itemAccess(bra, ITEMS[2]).decide).toBe(true); // deferred comes back to be decided
    expect(itemAccess(me({ role: 'bra_member', group_id: 'angered' }), awaiting).decide).toBe(false);
  });
  it('lets the chair comment only, and the owner organisation\'s people follow up an approved item', () => {
    expect(itemAccess(me({ role: 'chair', org: 'kommun' }), awaiting)).toEqual({ decide: false, assign: false, comment: true, followUp: false });
    expect(itemAccess(me({ role: 'participant', org: 'polis' }), approved).followUp).toBe(true);
    expect(itemAccess(me({ role: 'cosigner', org: 'polis' }), approved).followUp).toBe(true);
    expect(itemAccess(me({ role: 'participant', org: 'kommun' }), approved).followUp).toBe(false);
    expect(itemAccess(me({ role: 'participant', org: 'polis' }), ITEMS[3]).followUp).toBe(false); // done
    expect(itemAccess(null, approved)).toEqual({ decide: false, assign: false, comment: false, followUp: false });
  });
});

describe('what a decision must hold', () => {
  const today = '2026-12-04';
  it('needs a verdict, then what each verdict needs', () => {
    expect(decisionBody(EMPTY_DECISION, 3, today).problems).toEqual({ verdict: 'Välj bifall, avslag eller bordläggning.' });
    expect(Object.keys(decisionBody({ ...EMPTY_DECISION, verdict: 'approve' }, 3, today).problems)).toEqual(['owner_org', 'contact', 'due']);
    expect(decisionBody({ ...EMPTY_DECISION, verdict: 'reject', reason: '  ' }, 3, today).problems.reason).toBeTruthy();
    expect(decisionBody({ ...EMPTY_DECISION, verdict: 'defer', deferred_to: '2026-12-03' }, 3, today).problems.deferred_to).toContain('före i dag');
    expect(decisionBody({ ...EMPTY_DECISION, verdict: 'defer', deferred_to: '2026-02-30' }, 3, today).problems.deferred_to).toContain('ÅÅÅÅ-MM-DD');
  });
  it('builds the bodies the server takes', () => {
    expect(
      decisionBody({ ...EMPTY_DECISION, verdict: 'approve', owner_org: 'polis', contact: ' Anna Berg ', due: '2027-03-01', reason: 'ignored' }, 3, today).body,
    ).toEqual({ kind: 'decide', version: 3, verdict: 'approve', owner_org: 'polis', contact: 'Anna Berg', due: '2027-03-01' });
    expect(decisionBody({ ...EMPTY_DECISION, verdict: 'approve', owner_org: 'polis', contact: 'A', due: today, text: 'Bra' }, 1, today).body).toMatchObject({
      text: 'Bra',
      due: today,
    });
    expect(decisionBody({ ...EMPTY_DECISION, verdict: 'reject', reason: 'Finns redan' }, 2, today).body).toEqual({
      kind: 'decide',
      version: 2,
      verdict: 'reject',
      reason: 'Finns redan',
    });
    expect(decisionBody({ ...EMPTY_DECISION, verdict: 'defer', deferred_to: '2027-01-15' }, 2, today).body).toEqual({
      kind: 'decide',
      version: 2,
      verdict: 'defer',
      deferred_to: '2027-01-15',
    });
  });
  it('needs a note for yellow and red follow-ups', () => {
    expect(followUpProblem('', '')).toBeTruthy();
    expect(followUpProblem('green', '')).toBeNull();
    expect(followUpProblem('yellow', ' ')).toContain('kommentar');
    expect(followUpProblem('red', 'Stoppad av vädret')).toBeNull();
  });
  it('says what happened in one line', () => {
    const names = (o: string) => ({ polis: 'Polisen' })[o] ?? o;
    expect(eventSummary({ kind: 'decide', verdict: 'approve', owner_org: 'polis', contact: 'Anna', due: '2027-03-01' }, names)).toBe(
      'Bifall: Polisen, kontaktperson Anna, klart senast 2027-03-01',
    );
    expect(eventSummary({ kind: 'decide', verdict: 'reject', reason: 'Nej' }, names)).toBe('Avslag. Skäl: Nej');
    expect(eventSummary({ kind: 'decide', verdict: 'defer', deferred_to: '2027-01-15' }, names)).toBe('Bordläggning till BRÅ-mötet 2027-01-15');
    expect(eventSummary({ kind: 'follow_up', progress: 'yellow' }, names)).toBe('Uppföljning: Gul');
  });
});

describe('the routes of the queue', () => {
  it('reads #/bra with its filter and #/bra/<meeting>.<topic>.<item>', () => {
    expect(parseRoute('#/bra')).toEqual({ name: 'bra', query: '' });
    expect(parseRoute('#/bra?status=approved&forsenade=1')).toEqual({ name: 'bra', query: 'status=approved&forsenade=1' });
    expect(parseRoute('#/bra/fagersta-v47.andt.d1')).toEqual({ name: 'bra-item', id: 'fagersta-v47.andt.d1' });
    expect(parseRoute('#/bra/a.b')).toEqual({ name: 'unknown' });
    expect(parseRoute('#/bra/a.b.c.d')).toEqual({ name: 'unknown' });
    expect(parseRoute(href.braItem('m.t.i'))).toEqual({ name: 'bra-item', id: 'm.t.i' });
    expect(href.bra('status=done')).toBe('#/bra?status=done');
    expect(returnTarget('/bra/m.t.i')).toBe('/bra/m.t.i');
  });
});

describe('a meeting’s Uppföljning', () => {
  const by = { account: 'a1', name: 'Sara Nilsson', org: 'social', role: 'participant' };
  const list = [
    item({ id: 'm1.andt.a', status: 'awaiting' }),
    item({ id: 'm1.andt.b', status: 'approved', due: '2027-03-01' }),
    item({ id: 'm1.andt.c', status: 'rejected' }),
    item({ id: 'm1.andt.d', status: 'approved', due: '2027-05-01', flags: { overdue: true, stale: false, back_on_agenda: false } }),
    item({ id: 'm1.andt.e', status: 'done' }),
    item({ id: 'm1.andt.f', status: 'deferred', deferred_to: '2027-01-10' }),
    item({ id: 'm1.andt.g', status: 'approved', due: '2027-01-01' }),
    item({ id: 'm3.andt.h', status: 'approved', meeting: { id: 'm3', title: 'Detta möte', date: '2026-12-15' } }),
  ];

  it('lists the running items of other meetings: approved (overdue first, then by due date), deferred, awaiting', () => {
    expect(followUpItems(list, 'm3').map((i) => i.id)).toEqual(['m1.andt.d', 'm1.andt.g', 'm1.andt.b', 'm1.andt.f', 'm1.andt.a']);
    expect(followUpItems([], 'm3')).toEqual([]);
  });

  it('finds the latest follow-up in the history', () => {
    expect(lastReport(list[1])).toBeNull();
    const history = [
      { kind: 'decide', verdict: 'approve' as const, by, at: '2026-12-01T10:00:00Z', version: 2 },
      { kind: 'follow_up', progress: 'green' as const, by, at: '2026-12-02T10:00:00Z', version: 3 },
      { kind: 'follow_up', progress: 'yellow' as const, text: 'Enkäten dröjer.', by, at: '2026-12-03T10:00:00Z', version: 4 },
      { kind: 'comment', text: 'Noterat.', by, at: '2026-12-04T10:00:00Z', version: 5 },
    ];
    expect(lastReport({ ...list[1], history })).toMatchObject({ progress: 'yellow', text: 'Enkäten dröjer.' });
  });
});
