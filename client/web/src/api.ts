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
    if (this.code === 'conflict') return 'Det finns redan ett möte med den identiteten. Välj en annan titel eller datum.';
    return swedishError(this.code);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
  return json as T;
}

export const api = {
  groups: () => call<Group[]>('GET', '/api/groups'),
  group: (id: string) => call<Group>('GET', `/api/groups/${encodeURIComponent(id)}`),
  meetings: (groupId: string) => call<MeetingInfo[]>('GET', `/api/groups/${encodeURIComponent(groupId)}/meetings`),
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
