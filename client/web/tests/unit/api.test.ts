// The addresses the client builds for the REST API, and how it reads the paginated lists.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, LIST_LIMIT, absoluteLink, api, exportFileName, exportUrl, list, nextLink, parseRetryAfter, requestHeaders } from '../../src/api';
import { onAuth, type AuthEvent } from '../../src/auth-events';

describe('export links', () => {
  it('point at the meeting’s export, HTML by default, JSON with ?format=json', () => {
    expect(exportUrl('fagersta-v47')).toBe('/api/meetings/fagersta-v47/export');
    expect(exportUrl('fagersta-v47', 'html')).toBe('/api/meetings/fagersta-v47/export');
    expect(exportUrl('fagersta-v47', 'json')).toBe('/api/meetings/fagersta-v47/export?format=json');
  });

  it('escape a meeting id that is not a plain path segment', () => {
    expect(exportUrl('a/b?c#d å', 'json')).toBe('/api/meetings/a%2Fb%3Fc%23d%20%C3%A5/export?format=json');
  });

  it('name the JSON file by date and meeting', () => {
    expect(exportFileName('2026-11-17', 'fagersta-v47')).toBe('lagesbild-2026-11-17-fagersta-v47.json');
  });
});

describe('paginated lists (GET /api/groups, /api/groups/{id}/meetings)', () => {
  type Page = { status?: number; body: unknown; link?: string };
  /** A fetch answering from `pages` by address (relative as requested, or absolute on http://localhost). */
  function fakeFetch(pages: Record<string, Page>) {
    const calls: string[] = [];
    const fn = vi.fn(async (input: string) => {
      calls.push(input);
      const key = input.replace(/^http:\/\/localhost/, '');
      const p = pages[key];
      if (!p) return new Response(JSON.stringify({ error: 'not_found', message: key }), { status: 404 });
      const headers = new Headers({ 'Content-Type': 'application/json' });
      if (p.link) headers.set('Link', p.link);
      return new Response(JSON.stringify(p.body), { status: p.status ?? 200, headers });
    });
    vi.stubGlobal('fetch', fn);
    return calls;
  }
  const groups = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: `g${from + i}`, name: `G ${from + i}`, organisations: [] }));

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('reads one page when there is no Link header (a server before pagination, or a short list)', async () => {
    const calls = fakeFetch({ '/api/groups': { body: groups(0, 3) } });
    expect((await api.groups()).map((g) => g.id)).toEqual(['g0', 'g1', 'g2']);
    expect(calls).toEqual(['/api/groups']);
  });

  it('follows rel="next" links, relative or absolute, until the last page', async () => {
    const calls = fakeFetch({
      '/api/groups': { body: groups(0, 100), link: '</api/groups?after=g99>; rel="next"' },
      '/api/groups?after=g99': { body: groups(100, 100), link: '<http://localhost/api/groups?after=g199&limit=100>; rel="next"' },
      '/api/groups?after=g199&limit=100': { body: groups(200, 5) },
    });
    const all = await api.groups();
    expect(all).toHaveLength(205);
    expect(all[204].id).toBe('g204');
    expect(calls).toHaveLength(3);
  });

  it('pages through a group’s meetings the same way, keeping their order (newest first)', async () => {
    const m = (id: string) => ({ id, group_id: 'g', title: id, date: '2026-11-17', state: 'open', created_at: '', template: {} });
    fakeFetch({
      '/api/groups/fagersta/meetings': { body: [m('v49'), m('v47')], link: '</api/groups/fagersta/meetings?after=v47>; rel="next"' },
      '/api/groups/fagersta/meetings?after=v47': { body: [m('v45')] },
    });
    expect((await api.meetings('fagersta')).map((x) => x.id)).toEqual(['v49', 'v47', 'v45']);
  });

  it('stops at 500 items', async () => {
    const pages: Record<string, Page> = {};
    for (let i = 0; i < 10; ++i)
      pages[i === 0 ? '/api/groups' : `/api/groups?after=g${i * 100 - 1}`] = {
        body: groups(i * 100, 100),
        link: `</api/groups?after=g${i * 100 + 99}>; rel="next"`,
      };
    const calls = fakeFetch(pages);
    const all = await api.groups();
    expect(all).toHaveLength(LIST_LIMIT);
    expect(LIST_LIMIT).toBe(500);
    expect(calls).toHaveLength(5);
    const few = await list('/api/groups', 150);
    expect(few).toHaveLength(150);
  });

  it('does not go round in circles when a link points back to a page it has read', async () => {
    const calls = fakeFetch({
      '/api/groups': { body: groups(0, 2), link: '</api/groups?after=g1>; rel="next"' },
      '/api/groups?after=g1': { body: groups(2, 2), link: '</api/groups>; rel="next"' },
    });
    expect(await api.groups()).toHaveLength(4);
    expect(calls).toHaveLength(2);
  });

  it('reports an error on any page as an ApiError', async () => {
    fakeFetch({
      '/api/groups': { body: groups(0, 2), link: '</api/groups?after=zz>; rel="next"' },
      '/api/groups?after=zz': { status: 400, body: { error: 'bad_message', message: "'after' is not an id" } },
    });
    await expect(api.groups()).rejects.toMatchObject({ code: 'bad_message', status: 400 });
  });

  it('finds the next link among others in the header', () => {
    expect(nextLink(null)).toBeNull();
    expect(nextLink('')).toBeNull();
    expect(nextLink('</a?after=x>; rel="next"')).toBe('/a?after=x');
    expect(nextLink('</a?after=x>; rel=next')).toBe('/a?after=x');
    expect(nextLink('</a>; rel="prev", </a?after=y>; rel="next"')).toBe('/a?after=y');
    expect(nextLink('</a?after=y>; title="page"; REL="last next"')).toBe('/a?after=y');
    expect(nextLink('</a>; rel="prev"')).toBeNull();
    expect(nextLink('</a>; rel="nextish"')).toBeNull();
  });
});

describe('API errors in Swedish', () => {
  it('says to wait when the server answers 429 (too many requests from this address)', () => {
    expect(new ApiError('rate_limited', 429, 'slow down').swedish).toMatch(/Vänta en stund/);
    expect(new ApiError('busy', 429, 'busy').swedish).toMatch(/Vänta en stund/);
  });
});

describe('requests under accounts', () => {
  type Seen = { url: string; method: string; headers: Record<string, string>; body: string | undefined; credentials?: string };
  /** A fetch that records what it was asked and answers `status` with `body` and `headers`. */
  function recordingFetch(status = 200, body: unknown = null, headers: Record<string, string> = {}) {
    const seen: Seen[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit = {}) => {
        seen.push({
          url,
          method: init.method ?? 'GET',
          headers: { ...(init.headers as Record<string, string>) },
          body: init.body as string | undefined,
          credentials: init.credentials,
        });
        return new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
      }),
    );
    return seen;
  }
  afterEach(() => vi.unstubAllGlobals());

  it('says Content-Type: application/json on every request but GET and HEAD, with or without a body', () => {
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH', 'delete']) expect(requestHeaders(m)).toEqual({ 'Content-Type': 'application/json' });
    expect(requestHeaders('GET')).toEqual({});
    expect(requestHeaders('HEAD')).toEqual({});
  });

  it('sends it for the calls without a body: sign out, sign out everywhere, remove a member, a reset link', async () => {
    const seen = recordingFetch(200, { ended: 2 });
    await api.signOut();
    await api.signOutEverywhere();
    await api.removeMember('fagersta', 'a-1');
    await api.issuePasswordReset('a-1');
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'DELETE /api/session',
      'DELETE /api/sessions',
      'DELETE /api/groups/fagersta/members/a-1',
      'POST /api/accounts/a-1/password-reset',
    ]);
    for (const r of seen) {
      expect(r.headers['Content-Type']).toBe('application/json');
      expect(r.body).toBeUndefined();
      expect(r.credentials).toBe('same-origin');
    }
  });

  it('sends the documented bodies', async () => {
    const seen = recordingFetch(200, {});
    await api.signIn('anna@fagersta.se', 'hemligt lösenord');
    await api.lookupInvitation('tok');
    await api.acceptInvitation('tok', 'pw', 'Anna Berg');
    await api.resetPassword('tok', 'pw');
    await api.invite('fagersta', { email: 'e@x.se', role: 'participant', org: 'polis' });
    await api.setMember('fagersta', 'a-1', { role: 'chair' });
    await api.setDisabled('a-1', true);
    await api.audit(50, 120);
    await api.verifyAudit();
    expect(seen.map((r) => [r.method, r.url, r.body ? JSON.parse(r.body) : undefined])).toEqual([
      ['POST', '/api/session', { email: 'anna@fagersta.se', password: 'hemligt lösenord' }],
      ['POST', '/api/invitations/lookup', { token: 'tok' }],
      ['POST', '/api/invitations/accept', { token: 'tok', password: 'pw', name: 'Anna Berg' }],
      ['POST', '/api/password-reset', { token: 'tok', password: 'pw' }],
      ['POST', '/api/groups/fagersta/invitations', { email: 'e@x.se', role: 'participant', org: 'polis' }],
      ['PUT', '/api/groups/fagersta/members/a-1', { role: 'chair' }],
      ['POST', '/api/accounts/a-1/disable', { disabled: true }],
      ['GET', '/api/audit?limit=50&after=120', undefined],
      ['GET', '/api/audit/verify', undefined],
    ]);
    expect(seen[7].headers).toEqual({});
  });

  it('reads Retry-After into the error of a throttled sign-in', async () => {
    recordingFetch(429, { error: 'throttled', message: 'wait' }, { 'Retry-After': '8' });
    await expect(api.signIn('a@b.se', 'x')).rejects.toMatchObject({ code: 'throttled', status: 429, retryAfter: 8 });
    expect(parseRetryAfter('8')).toBe(8);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10);
  });

  it('tells the page when a request finds the session gone (401 sign_in_required), not for a wrong password', async () => {
    const events: AuthEvent[] = [];
    const off = onAuth((e) => events.push(e));
    try {
      recordingFetch(401, { error: 'invalid_credentials', message: 'no' });
      await expect(api.signIn('a@b.se', 'x')).rejects.toMatchObject({ code: 'invalid_credentials' });
      expect(events).toEqual([]);
      recordingFetch(401, { error: 'sign_in_required', message: 'sign in' });
      await expect(api.groups()).rejects.toMatchObject({ code: 'sign_in_required', status: 401 });
      expect(events).toEqual([{ kind: 'signed_out' }]);
    } finally {
      off();
    }
  });

  it('makes the full address of a link the server gives as a path', () => {
    expect(absoluteLink('/#/inbjudan/abc', 'https://est.sala.se')).toBe('https://est.sala.se/#/inbjudan/abc');
    expect(absoluteLink('#/aterstall/abc', 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/#/aterstall/abc');
    expect(absoluteLink('https://est.sala.se/#/inbjudan/abc', 'http://x')).toBe('https://est.sala.se/#/inbjudan/abc');
  });
});
