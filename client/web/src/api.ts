// The REST API of est-server (docs/protocol.md, "HTTP").
import type { Group, MeetingInfo, MeetingTemplate } from './model/types';
import { swedishError } from './errors';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
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

async function request(method: string, path: string, body?: unknown): Promise<{ json: unknown; res: Response }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('network', 0, 'network error');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error?: string; message?: string };
    throw new ApiError(e.error ?? 'internal', res.status, e.message ?? res.statusText);
  }
  return { json, res };
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

export const api = {
  groups: () => list<Group>('/api/groups'),
  group: (id: string) => call<Group>('GET', `/api/groups/${encodeURIComponent(id)}`),
  /** Newest first. */
  meetings: (groupId: string) => list<MeetingInfo>(`/api/groups/${encodeURIComponent(groupId)}/meetings`),
  meeting: (id: string) => call<MeetingInfo>('GET', `/api/meetings/${encodeURIComponent(id)}`),
  template: () => call<MeetingTemplate>('GET', '/api/template'),
  createMeeting: (groupId: string, body: { title?: string; date?: string }) =>
    call<MeetingInfo>('POST', `/api/groups/${encodeURIComponent(groupId)}/meetings`, body),
};

/**
 * The exported situation picture of a meeting (GET /api/meetings/{id}/export): a printable, standalone HTML
 * document, or with `json` the same picture as JSON with its revision and SHA-256 digest. Only durable state.
 */
export function exportUrl(meetingId: string, format: 'html' | 'json' = 'html'): string {
  const path = `/api/meetings/${encodeURIComponent(meetingId)}/export`;
  return format === 'json' ? `${path}?format=json` : path;
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
