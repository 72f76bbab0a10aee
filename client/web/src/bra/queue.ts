// The BRÅ queue in the browser (issue 14, DESIGN.md §5): the shapes of GET /api/bra/items, the Swedish words of
// its codes, and the pure logic of the queue page (filters, sorting, counts) and of the item page (which forms a
// person is offered, what a form must hold before it is sent). The server checks every rule again.
import { isCalendarDay } from '../model/document';
import type { Me, Role } from '../model/types';

export type BraStatus = 'awaiting' | 'approved' | 'rejected' | 'deferred' | 'done';
export type Verdict = 'approve' | 'reject' | 'defer';
export type Progress = 'green' | 'yellow' | 'red' | 'done';

export const STATUSES: readonly BraStatus[] = ['awaiting', 'approved', 'deferred', 'rejected', 'done'];
export const PROGRESSES: readonly Progress[] = ['green', 'yellow', 'red', 'done'];

export const STATUS_LABELS: Record<BraStatus, string> = {
  awaiting: 'Inkommen',
  approved: 'Bifall',
  rejected: 'Avslag',
  deferred: 'Bordlagd',
  done: 'Klar',
};

export const VERDICT_LABELS: Record<Verdict, string> = { approve: 'Bifall', reject: 'Avslag', defer: 'Bordläggning' };

export const PROGRESS_LABELS: Record<Progress, string> = { green: 'Grön', yellow: 'Gul', red: 'Röd', done: 'Klar' };

/** What each progress colour means, so the colour is never the only signal. */
export const PROGRESS_HINTS: Record<Progress, string> = {
  green: 'enligt plan',
  yellow: 'risk för försening eller avvikelse',
  red: 'försenad eller stoppad',
  done: 'genomförd',
};

export interface BraPerson {
  account: string;
  name: string;
  org: string;
  role: Role | string;
}

export interface BraEvent {
  kind: 'decide' | 'assign' | 'comment' | 'follow_up' | string;
  verdict?: Verdict;
  progress?: Progress;
  owner_org?: string;
  contact?: string;
  due?: string;
  reason?: string;
  deferred_to?: string;
  text?: string;
  by: BraPerson;
  at: string;
  version: number;
}

export type ItemFields = Record<string, string>;

export interface BraItem {
  id: string;
  group: string;
  meeting: { id: string; title: string; date: string };
  topic: { id: string; title: string };
  fields: ItemFields;
  status: BraStatus;
  version: number;
  verdict?: Verdict;
  owner_org?: string;
  contact?: string;
  due?: string;
  reason?: string;
  deferred_to?: string;
  progress?: Progress;
  last_report_at?: string;
  flags: { overdue: boolean; stale: boolean; back_on_agenda: boolean };
  history?: BraEvent[];
}

export interface BraQueue {
  today: string;
  stale_weeks: number;
  items: BraItem[];
}

/** The bodies of POST /api/bra/items/{id}/events. */
export type BraEventBody =
  | { kind: 'decide'; version: number; verdict: 'approve'; owner_org: string; contact: string; due: string; text?: string }
  | { kind: 'decide'; version: number; verdict: 'reject'; reason: string }
  | { kind: 'decide'; version: number; verdict: 'defer'; deferred_to: string }
  | { kind: 'assign'; version: number; owner_org: string; contact: string; due: string }
  | { kind: 'comment'; version: number; text: string }
  | { kind: 'follow_up'; version: number; progress: Progress; text?: string };

// ---- the queue page: filters and sorting ----

export interface QueueFilter {
  status: BraStatus | '';
  group: string;
  topic: string;
  /** The item's type (its signed field `typ`). */
  type: string;
  meeting: string;
  /** The owner organisation decided by BRÅ, else the one proposed in the signed text. */
  owner: string;
  overdueOnly: boolean;
  /** Words to find in the title, description or id. */
  text: string;
}

export const EMPTY_FILTER: QueueFilter = { status: '', group: '', topic: '', type: '', meeting: '', owner: '', overdueOnly: false, text: '' };

export type SortKey = 'meeting' | 'due' | 'status';
export type SortDir = 'asc' | 'desc';

/** The owner shown for an item: BRÅ's decision when there is one, else the proposal in the signed text. */
export function ownerOf(item: BraItem): string {
  return item.owner_org || item.fields.agare || '';
}

/** The due date shown for an item: BRÅ's when decided, else the proposal's ("klart senast"). */
export function dueOf(item: BraItem): string {
  return item.due || item.fields.klart_senast || '';
}

export function titleOf(item: BraItem): string {
  return item.fields.rubrik?.trim() || 'Beslutspunkt utan rubrik';
}

export function matchesFilter(item: BraItem, f: QueueFilter): boolean {
  if (f.status && item.status !== f.status) return false;
  if (f.group && item.group !== f.group) return false;
  if (f.topic && item.topic.id !== f.topic) return false;
  if (f.type && (item.fields.typ ?? '') !== f.type) return false;
  if (f.meeting && item.meeting.id !== f.meeting) return false;
  if (f.owner && ownerOf(item) !== f.owner) return false;
  if (f.overdueOnly && !item.flags.overdue) return false;
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length) {
    const hay = `${item.fields.rubrik ?? ''} ${item.fields.beskrivning ?? ''} ${item.id}`.toLowerCase();
    if (!words.every((w) => hay.includes(w))) return false;
  }
  return true;
}

/** The order of statuses when sorting by status: what needs a decision first, what is finished last. */
const STATUS_ORDER: Record<BraStatus, number> = { awaiting: 0, deferred: 1, approved: 2, rejected: 3, done: 4 };

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Empty dates sort last whichever way the list is turned. */
function compareDates(a: string, b: string, dir: SortDir): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  return dir === 'asc' ? compareText(a, b) : compareText(b, a);
}

export function compareItems(a: BraItem, b: BraItem, key: SortKey, dir: SortDir): number {
  let c = 0;
  if (key === 'meeting') c = compareDates(a.meeting.date, b.meeting.date, dir);
  else if (key === 'due') c = compareDates(dueOf(a), dueOf(b), dir);
  else {
    const s = STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    c = dir === 'asc' ? s : -s;
  }
  // Ties: the newest meeting first; then visibleItems keeps the server's order (a meeting's items in topic order).
  if (c === 0 && key !== 'meeting') c = compareDates(a.meeting.date, b.meeting.date, 'desc');
  return c;
}

/**
 * The items that pass the filter, sorted (a new array; the input is left as it is). Items equal in the sort keep
 * the order the server gave, so the order never jumps between renders.
 */
export function visibleItems(items: readonly BraItem[], f: QueueFilter, key: SortKey, dir: SortDir): BraItem[] {
  return items
    .map((item, at) => ({ item, at }))
    .filter((x) => matchesFilter(x.item, f))
    .sort((a, b) => compareItems(a.item, b.item, key, dir) || a.at - b.at)
    .map((x) => x.item);
}

/** "3 av 200 punkter", "1 av 1 punkt". */
export function countText(shown: number, total: number): string {
  return `${shown} av ${total} ${total === 1 ? 'punkt' : 'punkter'}`;
}

export interface Option {
  value: string;
  label: string;
}

/** The choices of the filters, from the items themselves (each once, in a stable order). */
export function filterOptions(items: readonly BraItem[], orgName: (group: string, org: string) => string) {
  const meetings = new Map<string, { date: string; label: string }>();
  const topics = new Map<string, string>();
  const types = new Set<string>();
  const owners = new Map<string, string>();
  const groups = new Set<string>();
  for (const i of items) {
    meetings.set(i.meeting.id, { date: i.meeting.date, label: `${i.meeting.date} ${i.meeting.title}` });
    topics.set(i.topic.id, i.topic.title);
    if (i.fields.typ) types.add(i.fields.typ);
    const o = ownerOf(i);
    if (o && !owners.has(o)) owners.set(o, orgName(i.group, o));
    groups.add(i.group);
  }
  const byLabel = (a: Option, b: Option) => a.label.localeCompare(b.label, 'sv');
  return {
    meetings: [...meetings.entries()]
      .sort((a, b) => compareText(b[1].date, a[1].date) || compareText(a[0], b[0]))
      .map(([value, m]) => ({ value, label: m.label })),
    topics: [...topics.entries()].map(([value, label]) => ({ value, label })).sort(byLabel),
    types: [...types].map((value) => ({ value, label: value })).sort(byLabel),
    owners: [...owners.entries()].map(([value, label]) => ({ value, label })).sort(byLabel),
    groups: [...groups].sort(),
  };
}

/** The filter as a query string for the address (only what is set), and back. */
export function filterToQuery(f: QueueFilter, key: SortKey, dir: SortDir): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.group) p.set('grupp', f.group);
  if (f.topic) p.set('amne', f.topic);
  if (f.type) p.set('typ', f.type);
  if (f.meeting) p.set('mote', f.meeting);
  if (f.owner) p.set('agare', f.owner);
  if (f.overdueOnly) p.set('forsenade', '1');
  if (f.text.trim()) p.set('sok', f.text.trim());
  if (key !== 'meeting' || dir !== 'desc') p.set('sortera', `${key}-${dir}`);
  return p.toString();
}

export function filterFromQuery(query: string): { filter: QueueFilter; key: SortKey; dir: SortDir } {
  const p = new URLSearchParams(query);
  const status = p.get('status') ?? '';
  const sort = /^(meeting|due|status)-(asc|desc)$/.exec(p.get('sortera') ?? '');
  return {
    filter: {
      status: (STATUSES as readonly string[]).includes(status) ? (status as BraStatus) : '',
      group: p.get('grupp') ?? '',
      topic: p.get('amne') ?? '',
      type: p.get('typ') ?? '',
      meeting: p.get('mote') ?? '',
      owner: p.get('agare') ?? '',
      overdueOnly: p.get('forsenade') === '1',
      text: p.get('sok') ?? '',
    },
    key: sort ? (sort[1] as SortKey) : 'meeting',
    dir: sort ? (sort[2] as SortDir) : 'desc',
  };
}

/** The list with one item replaced (by id) or added: for a live update or the answer to one's own action. */
export function upsertItem(items: readonly BraItem[], item: BraItem): BraItem[] {
  const i = items.findIndex((x) => x.id === item.id);
  if (i < 0) return [item, ...items];
  // An older version (a late message) never replaces a newer one.
  if (items[i].version > item.version) return items as BraItem[];
  const next = items.slice();
  next[i] = item;
  return next;
}

// ---- the item page: who may do what ----

export interface ItemAccess {
  decide: boolean;
  assign: boolean;
  comment: boolean;
  followUp: boolean;
}

/** The forms the person is offered on the item (the server's rules; it checks them again). */
export function itemAccess(me: Me | null, item: BraItem): ItemAccess {
  const m = me?.memberships.find((x) => x.group_id === item.group);
  const role = m?.role;
  const bra = role === 'bra_member';
  return {
    decide: bra && (item.status === 'awaiting' || item.status === 'deferred'),
    assign: bra && item.status === 'approved',
    comment: bra || role === 'chair',
    followUp: !!m && !!m.org && item.status === 'approved' && m.org === item.owner_org,
  };
}

// ---- the item page: what a form must hold ----

/** A date the server takes as a due date or a BRÅ meeting: a real day, not before `today`. */
export function dateProblem(s: string, today: string, what: string): string | null {
  if (!s) return `Välj ${what}.`;
  if (!isCalendarDay(s)) return `${capitalise(what)} ska vara ett datum (ÅÅÅÅ-MM-DD).`;
  if (today && s < today) return `${capitalise(what)} kan inte ligga före i dag (${today}).`;
  return null;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface DecisionDraft {
  verdict: Verdict | '';
  owner_org: string;
  contact: string;
  due: string;
  text: string;
  reason: string;
  deferred_to: string;
}

export const EMPTY_DECISION: DecisionDraft = { verdict: '', owner_org: '', contact: '', due: '', text: '', reason: '', deferred_to: '' };

/** The problems of a decision by field (empty when it can be sent), and the body to send. */
export function decisionBody(
  d: DecisionDraft,
  version: number,
  today: string,
): { problems: Partial<Record<keyof DecisionDraft, string>>; body: BraEventBody | null } {
  const problems: Partial<Record<keyof DecisionDraft, string>> = {};
  if (d.verdict === 'approve' || d.verdict === '') {
    if (d.verdict === '') problems.verdict = 'Välj bifall, avslag eller bordläggning.';
    else {
      if (!d.owner_org) problems.owner_org = 'Välj ansvarig organisation.';
      if (!d.contact.trim()) problems.contact = 'Skriv kontaktperson.';
      const p = dateProblem(d.due, today, 'klart senast');
      if (p) problems.due = p;
    }
  } else if (d.verdict === 'reject') {
    if (!d.reason.trim()) problems.reason = 'Skriv skälet till avslaget.';
  } else {
    const p = dateProblem(d.deferred_to, today, 'datum för BRÅ-mötet');
    if (p) problems.deferred_to = p;
  }
  if (Object.keys(problems).length) return { problems, body: null };
  if (d.verdict === 'approve') {
    const text = d.text.trim();
    return {
      problems,
      body: { kind: 'decide', version, verdict: 'approve', owner_org: d.owner_org, contact: d.contact.trim(), due: d.due, ...(text ? { text } : {}) },
    };
  }
  if (d.verdict === 'reject') return { problems, body: { kind: 'decide', version, verdict: 'reject', reason: d.reason.trim() } };
  return { problems, body: { kind: 'decide', version, verdict: 'defer', deferred_to: d.deferred_to } };
}

/** Yellow and red need a note saying what is wrong. */
export function followUpProblem(progress: Progress | '', text: string): string | null {
  if (!progress) return 'Välj grön, gul, röd eller klar.';
  if ((progress === 'yellow' || progress === 'red') && !text.trim()) return 'Gul och röd behöver en kommentar om vad som hänt.';
  return null;
}

/** A one-line account of a decision or event in Swedish ("Bifall: Polisen, klart senast 2027-03-01"). */
export function eventSummary(e: Partial<BraEvent> & { kind: string }, orgName: (org: string) => string): string {
  const parts: string[] = [];
  if (e.kind === 'decide' && e.verdict) {
    const v = VERDICT_LABELS[e.verdict] ?? e.verdict;
    if (e.verdict === 'approve')
      parts.push(`${v}: ${orgName(e.owner_org ?? '')}${e.contact ? `, kontaktperson ${e.contact}` : ''}${e.due ? `, klart senast ${e.due}` : ''}`);
    else if (e.verdict === 'reject') parts.push(`${v}${e.reason ? `. Skäl: ${e.reason}` : ''}`);
    else parts.push(`${v}${e.deferred_to ? ` till BRÅ-mötet ${e.deferred_to}` : ''}`);
  } else if (e.kind === 'assign') {
    parts.push(`Ny ansvarig: ${orgName(e.owner_org ?? '')}${e.contact ? `, kontaktperson ${e.contact}` : ''}${e.due ? `, klart senast ${e.due}` : ''}`);
  } else if (e.kind === 'follow_up' && e.progress) {
    parts.push(`Uppföljning: ${PROGRESS_LABELS[e.progress] ?? e.progress}`);
  } else if (e.kind === 'comment') {
    parts.push('Kommentar');
  } else parts.push(e.kind);
  return parts.join(' ');
}

/** The flags of an item as words (never colour alone). */
export function flagWords(item: BraItem): string[] {
  const w: string[] = [];
  if (item.flags.overdue) w.push('Försenad');
  if (item.flags.stale) w.push('Inte uppdaterad');
  if (item.flags.back_on_agenda) w.push('Åter på dagordningen');
  return w;
}

// ---- a meeting's Uppföljning: the group's decided items still running ----

/** What a meeting's Uppföljning lists: decided and running (bifall), bordlagda, and those still awaiting BRÅ. */
export const FOLLOW_UP_STATUSES: readonly BraStatus[] = ['approved', 'deferred', 'awaiting'];

/**
 * The items a meeting follows up: those of other meetings (earlier ones: a meeting's own items reach BRÅ only when it
 * closes) whose status is running, approved first — overdue before the rest, then by due date — then bordlagda by
 * the BRÅ meeting they come back to, then those awaiting a decision, newest meeting first.
 */
export function followUpItems(items: readonly BraItem[], meetingId: string): BraItem[] {
  const rank = (i: BraItem) => FOLLOW_UP_STATUSES.indexOf(i.status);
  const key = (i: BraItem) => (i.status === 'approved' ? dueOf(i) : i.status === 'deferred' ? i.deferred_to ?? '' : '');
  return items
    .map((item, at) => ({ item, at }))
    .filter((x) => x.item.meeting.id !== meetingId && rank(x.item) >= 0)
    .sort(
      (a, b) =>
        rank(a.item) - rank(b.item) ||
        Number(b.item.flags.overdue) - Number(a.item.flags.overdue) ||
        compareDates(key(a.item), key(b.item), 'asc') ||
        a.at - b.at,
    )
    .map((x) => x.item);
}

/** The latest follow-up in an item's history (its progress, note, who and when), or null. */
export function lastReport(item: BraItem): BraEvent | null {
  const h = item.history ?? [];
  for (let i = h.length - 1; i >= 0; --i) if (h[i].kind === 'follow_up') return h[i];
  return null;
}
