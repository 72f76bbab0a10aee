// The REST API of est-server (docs/protocol.md, "HTTP" and "Accounts and access"). The session is an
// HttpOnly cookie the browser sends by itself: this code never sees the token.
import type {
  Account,
  AuditRow,
  AuditVerdict,
  Group,
  InvitationInfo,
  IssuedLink,
  Me,
  EntryHistory,
  MeetingInfo,
  MeetingTemplate,
  Member,
  Organisation,
  PendingInvitation,
  Role,
} from './model/types';
import { swedishError } from './errors';
import type { BraEventBody, BraItem, BraQueue } from './bra/queue';
import type { Lifecycle } from './model/lifecycle';
import { emitAuth } from './auth-events';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Seconds from a `Retry-After` header (429 answers), when there was one. */
    readonly retryAfter: number | null = null,
    /** The whole JSON body of the refusal (a BRÅ `conflict` carries the item as it is now). */
    readonly body: unknown = null,
  ) {
    super(message);
  }
  /** The Swedish sentence for the user. */
  get swedish(): string {
    if (this.code === 'not_found') return 'Det du letar efter finns inte (längre). Gå tillbaka till startsidan.';
    // Too many requests from this address (creating meetings, exports): nothing is sent again by itself.
    if (this.status === 429) return 'Servern fick för många förfrågningar på kort tid. Vänta en stund och försök igen.';
    if (this.code === 'conflict') return 'Det finns redan ett möte med den identiteten. Välj en annan titel eller datum.';
    return swedishError(this.code);
  }
}

/**
 * The headers of a request: every method but GET and HEAD says `Content-Type: application/json`, with or
 * without a body (the server answers 415 otherwise, so that a cross-site form cannot post).
 */
export function requestHeaders(method: string): Record<string, string> {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' ? {} : { 'Content-Type': 'application/json' };
}

/** Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const at = Date.parse(t);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

async function request(method: string, path: string, body?: unknown): Promise<{ json: unknown; res: Response }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: requestHeaders(method),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('network', 0, 'network error');
  }
  return answerOf(res);
}

async function answerOf(res: Response): Promise<{ json: unknown; res: Response }> {
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error?: string; message?: string };
    const err = new ApiError(e.error ?? 'internal', res.status, e.message ?? res.statusText, parseRetryAfter(res.headers.get('Retry-After')), json);
    // The session is gone (signed out elsewhere, expired, disabled): the page asks the person to sign in again.
    if (res.status === 401 && err.code === 'sign_in_required') emitAuth({ kind: 'signed_out' });
    throw err;
  }
  return { json, res };
}

/** POST of a file's text as it is (the BRÅ import takes CSV or JSON): the same answers and errors as `call`. */
async function sendText<T>(path: string, text: string, type: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': type }, body: text });
  } catch {
    throw new ApiError('network', 0, 'network error');
  }
  return (await answerOf(res)).json as T;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await request(method, path, body)).json as T;
}

/** The address of the `rel="next"` link in a `Link` header, or null. */
export function nextLink(header: string | null | undefined): string | null {
  if (!header) return null;
  // Link: <url>; rel="next", <url>; rel="prev" (a URL holds no '>'; rel may list several relations)
  for (const m of header.matchAll(/<([^>]*)>([^,<]*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return m[1];
  }
  return null;
}

/** The most items a list page loads (groups of the country, meetings of a group). */
export const LIST_LIMIT = 500;

/** `link` resolved against the address it came with (RFC 8288): the response's URL, else the request's. */
function resolveLink(link: string, requested: string, responseUrl: string): string {
  const page = typeof location !== 'undefined' ? location.href : 'http://localhost/';
  try {
    return new URL(link, new URL(responseUrl || requested, page)).href;
  } catch {
    return link;
  }
}

/**
 * A paginated list (GET /api/groups, /api/groups/{id}/meetings): a JSON array per page and a
 * `Link: <url>; rel="next"` header while there is more. Follows the links up to `limit` items in all; a
 * server that sends no Link header gives one page. A link back to a page already read ends the list.
 */
export async function list<T>(path: string, limit = LIST_LIMIT): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>([resolveLink(path, path, '')]);
  let next: string | null = path;
  while (next !== null && items.length < limit) {
    const { json, res }: { json: unknown; res: Response } = await request('GET', next);
    if (!Array.isArray(json)) {
      if (items.length === 0) throw new ApiError('internal', res.status, 'expected a list');
      break;
    }
    items.push(...(json as T[]));
    const link = nextLink(res.headers.get('Link'));
    const url: string | null = link === null ? null : resolveLink(link, next, res.url);
    next = url !== null && !seen.has(url) ? url : null;
    if (next !== null) seen.add(next);
  }
  return items.slice(0, limit);
}

const enc = encodeURIComponent;

export const api = {
  // ---- signing in and out ----
  /** The signed-in person; ApiError 401 `sign_in_required` without a session. */
  me: () => call<Me>('GET', '/api/me'),
  signIn: (email: string, password: string) => call<Me>('POST', '/api/session', { email, password }),
  /** Logga ut: ends this session. */
  signOut: () => call<null>('DELETE', '/api/session'),
  /** Logga ut överallt: ends every session of the account; `ended` is how many. */
  signOutEverywhere: () => call<{ ended: number }>('DELETE', '/api/sessions'),

  // ---- invitations and password resets ----
  lookupInvitation: (token: string) => call<InvitationInfo>('POST', '/api/invitations/lookup', { token }),
  /** Without `name` when the e-mail has an account: then `password` is that account's own. */
  acceptInvitation: (token: string, password: string, name?: string) =>
    call<Me>('POST', '/api/invitations/accept', name === undefined ? { token, password } : { token, password, name }),
  resetPassword: (token: string, password: string) => call<null>('POST', '/api/password-reset', { token, password }),

  // ---- groups, members, meetings ----
  groups: () => list<Group>('/api/groups'),
  group: (id: string) => call<Group>('GET', `/api/groups/${encodeURIComponent(id)}`),
  /** Newest first. */
  meetings: (groupId: string) => list<MeetingInfo>(`/api/groups/${encodeURIComponent(groupId)}/meetings`),
  meeting: (id: string) => call<MeetingInfo>('GET', `/api/meetings/${encodeURIComponent(id)}`),
  template: () => call<MeetingTemplate>('GET', '/api/template'),
  createMeeting: (groupId: string, body: { title?: string; date?: string }) =>
    call<MeetingInfo>('POST', `/api/groups/${encodeURIComponent(groupId)}/meetings`, body),
  /** Who added, wrote in and removed each entry, and what a removed entry held (members of the group). */
  history: (id: string) => call<EntryHistory>('GET', `/api/meetings/${enc(id)}/history`),
  /** The chair changes the title or date (until the picture is signed) or archives the meeting (any time). */
  editMeeting: (id: string, body: { title?: string; date?: string; archived?: boolean }) =>
    call<MeetingInfo>('PATCH', `/api/meetings/${enc(id)}`, body),
  /** The group's settings (administrators only): who signs the pictures of meetings made from now on. */
  setGroupSettings: (groupId: string, body: { signers?: Role[]; short_names?: Record<string, string> }) =>
    call<Group>('PUT', `/api/groups/${enc(groupId)}/settings`, body),
  createGroup: (body: { id?: string; name: string; municipality?: string; organisations: Organisation[] }) =>
    call<Group>('POST', '/api/groups', body),
  members: (groupId: string) => call<Member[]>('GET', `/api/groups/${enc(groupId)}/members`),
  invite: (groupId: string, body: { email: string; role: Role; org?: string }) =>
    call<IssuedLink>('POST', `/api/groups/${enc(groupId)}/invitations`, body),
  /** Only a member of the group (a server administrator: anyone); the answer shows their role in this group only. */
  setMember: (groupId: string, accountId: string, body: { role: Role; org?: string }) =>
    call<Member>('PUT', `/api/groups/${enc(groupId)}/members/${enc(accountId)}`, body),
  removeMember: (groupId: string, accountId: string) =>
    call<Omit<Member, 'role'> & { role: null }>('DELETE', `/api/groups/${enc(groupId)}/members/${enc(accountId)}`),
  /** Invitations not yet accepted, of the roles the caller may invite; oldest first. */
  pendingInvitations: (groupId: string) => call<PendingInvitation[]>('GET', `/api/groups/${enc(groupId)}/invitations`),
  /** Återkalla: the link stops working at once. */
  revokeInvitation: (groupId: string, invitationId: string) =>
    call<null>('DELETE', `/api/groups/${enc(groupId)}/invitations/${enc(invitationId)}`),

  // ---- administration ----
  accounts: () => list<Account>('/api/accounts'),
  setDisabled: (accountId: string, disabled: boolean) =>
    call<Account>('POST', `/api/accounts/${enc(accountId)}/disable`, { disabled }),
  issuePasswordReset: (accountId: string) => call<IssuedLink>('POST', `/api/accounts/${enc(accountId)}/password-reset`),
  /** One page of the audit log, newest first: rows before `after` (a seq) when given. */
  audit: (limit: number, after?: number) =>
    call<AuditRow[]>('GET', `/api/audit?limit=${limit}${after === undefined ? '' : `&after=${after}`}`),
  verifyAudit: () => call<AuditVerdict>('GET', '/api/audit/verify'),

  // ---- a meeting's lifecycle: locks, signatures, closing ----
  /** Answers once durable; the same move also reaches every browser in the meeting as an `op`. */
  lifecycle: (meetingId: string, body: LifecycleAction) =>
    call<{ rev: number; lifecycle: Lifecycle }>('POST', `/api/meetings/${enc(meetingId)}/lifecycle`, body),
  /**
   * Rättelse: a new, open meeting whose picture starts as a copy of this closed one, which never changes (chair only;
   * 409 `wrong_phase` before it is closed, `conflict` when it has a correction already).
   */
  correct: (meetingId: string) => call<MeetingInfo>('POST', `/api/meetings/${enc(meetingId)}/correction`, {}),
  /** The JSON export: what a signature covers (`rev`, `digest` of `picture`). Only durable state. */
  exportJson: (meetingId: string) => call<JsonExport>('GET', exportUrl(meetingId, 'json')),
  /** The server's signing keys, old ones too (the pinned keys a check of an export trusts). */
  keys: () => call<{ keys: ServerKey[] }>('GET', '/api/keys'),

  // ---- the BRÅ queue (src/bra/queue.ts) ----
  /** Every item of the groups the person is a member of (or one group's), newest meeting first. */
  braItems: (group?: string) => call<BraQueue>('GET', group ? `/api/bra/items?group=${enc(group)}` : '/api/bra/items'),
  /** One item with its history. */
  braItem: (id: string) => call<BraItem>('GET', `/api/bra/items/${enc(id)}`),
  /** A decision, re-assignment, comment or follow-up; the answer is the item as it is now (with history). */
  braEvent: (id: string, body: BraEventBody) => call<BraItem>('POST', `/api/bra/items/${enc(id)}/events`, body),
  /** Open measures from a file (CSV or JSON, the queue's own format) into a group's queue: all of them or none. */
  braImport: (group: string, text: string, type: 'text/csv' | 'application/json') =>
    sendText<{ batch: string; group: string; count: number; items: BraItem[] }>(`/api/bra/import?group=${enc(group)}`, text, type),
};

/** The monthly report (docs/protocol.md, "The monthly report") of one group, or of every group the person is in. */
export function reportUrl(month: string, group: string | undefined, format: 'html' | 'markdown' | 'json'): string {
  return `/api/bra/report?month=${encodeURIComponent(month)}${group ? `&group=${encodeURIComponent(group)}` : ''}&format=${format}`;
}

/** The queue as CSV (a download), all of it or one group's. */
export function braCsvUrl(group?: string): string {
  return `/api/bra/items?${group ? `group=${encodeURIComponent(group)}&` : ''}format=csv`;
}

export type LifecycleAction =
  | { action: 'lock_topic' | 'unlock_topic'; topic: string }
  | { action: 'open' | 'lock_picture' | 'unlock_picture' | 'close' }
  | { action: 'sign'; rev: number; digest: string; password: string };

/** One of the server's public keys (GET /api/keys, and the `keys` of a JSON export). */
export interface ServerKey {
  key_id: string;
  /** `ssh-ed25519 AAAA… est-live` */
  public_key: string;
  created_at?: string;
  current?: boolean;
}

/** GET /api/meetings/{id}/export?format=json (docs/protocol.md, "Exports"). */
export interface JsonExport {
  meeting: { id: string; title: string; date?: string; group_id?: string };
  group: { id: string; name?: string };
  rev: number;
  digest: string;
  exported_at?: string;
  picture: unknown;
  state?: string;
  lifecycle?: unknown;
  keys?: ServerKey[];
}

/** The full address of an invitation or reset link the server gave as a path (`/#/inbjudan/…`). */
export function absoluteLink(link: string, origin: string = location.origin): string {
  if (/^https?:\/\//i.test(link)) return link;
  return origin + (link.startsWith('/') ? link : `/${link}`);
}

/**
 * The exported situation picture of a meeting (GET /api/meetings/{id}/export): a printable, standalone HTML
 * document, or with `json` the same picture as JSON with its revision and SHA-256 digest. Only durable state.
 * `public`: the public version (offentlig version), with sekretess-marked entries and personal identity numbers
 * masked.
 */
export function exportUrl(meetingId: string, format: 'html' | 'json' | 'markdown' = 'html', version: 'full' | 'public' = 'full'): string {
  const path = `/api/meetings/${encodeURIComponent(meetingId)}/export`;
  if (version === 'public') return `${path}?format=${format}&version=public`;
  return format === 'html' ? path : `${path}?format=${format}`;
}

/** The name of the JSON export's file: the server's Content-Disposition names it; this is the fallback. */
export function exportFileName(date: string, meetingId: string): string {
  return `lagesbild-${date}-${meetingId}.json`;
}

/**
 * The WebSocket address of the server that served this page. Naming the meeting lets the server keep
 * the connection on its meeting's thread (the join message still says which meeting to join).
 */
export function wsUrl(meetingId: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws?meeting=${encodeURIComponent(meetingId)}`;
}
