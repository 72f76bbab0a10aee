// The addresses the client builds for the REST API, and how it reads the paginated lists.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, LIST_LIMIT, api, exportFileName, exportUrl, list, nextLink } from '../../src/api';

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
