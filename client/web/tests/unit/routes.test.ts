// The hash routes: pages, invitation and reset links, and where the sign-in page returns to.
import { describe, expect, it } from 'vitest';
import { currentTarget, href, isPublic, parseRoute, returnTarget } from '../../src/routes';

const TOKEN = 'q3V0cF9hYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx'; // 43 characters of base64url

describe('parseRoute', () => {
  it('reads the pages that need a session', () => {
    expect(parseRoute('')).toEqual({ name: 'start' });
    expect(parseRoute('#/')).toEqual({ name: 'start' });
    expect(parseRoute('#/g/fagersta')).toEqual({ name: 'group', id: 'fagersta' });
    expect(parseRoute('#/m/fagersta-v47/')).toEqual({ name: 'meeting', id: 'fagersta-v47' });
    expect(parseRoute('#/admin')).toEqual({ name: 'admin' });
  });

  it('reads the sign-in page with and without a page to return to', () => {
    expect(parseRoute('#/logga-in')).toEqual({ name: 'sign-in', next: null });
    expect(parseRoute('#/logga-in?till=%2Fm%2Ffagersta-v47')).toEqual({ name: 'sign-in', next: '/m/fagersta-v47' });
    expect(parseRoute('#/logga-in?till=/g/fagersta')).toEqual({ name: 'sign-in', next: '/g/fagersta' });
  });

  it('reads invitation and reset links, tokens in base64url (upper case included)', () => {
    expect(parseRoute(`#/inbjudan/${TOKEN}`)).toEqual({ name: 'invitation', token: TOKEN });
    expect(parseRoute(`#/aterstall/${TOKEN}`)).toEqual({ name: 'reset', token: TOKEN });
    expect(parseRoute('#/inbjudan/')).toEqual({ name: 'unknown' });
    expect(parseRoute('#/inbjudan/abc def')).toEqual({ name: 'unknown' });
  });

  it('knows nothing else', () => {
    expect(parseRoute('#/x')).toEqual({ name: 'unknown' });
    expect(parseRoute('#/g/Fagersta')).toEqual({ name: 'unknown' });
    expect(parseRoute('#/m/a/b')).toEqual({ name: 'unknown' });
  });

  it('tells which pages open without a session', () => {
    expect(isPublic(parseRoute('#/logga-in'))).toBe(true);
    expect(isPublic(parseRoute(`#/inbjudan/${TOKEN}`))).toBe(true);
    expect(isPublic(parseRoute(`#/aterstall/${TOKEN}`))).toBe(true);
    expect(isPublic(parseRoute('#/'))).toBe(false);
    expect(isPublic(parseRoute('#/admin'))).toBe(false);
    expect(isPublic(parseRoute('#/m/x'))).toBe(false);
  });
});

describe('returning after sign-in', () => {
  it('returns only to pages of this app that need a session', () => {
    expect(returnTarget('/m/fagersta-v47')).toBe('/m/fagersta-v47');
    expect(returnTarget('#/g/fagersta')).toBe('/g/fagersta');
    expect(returnTarget('/admin')).toBe('/admin');
    expect(returnTarget('/')).toBe('/');
  });

  it('refuses anything else: other sites, the sign-in page itself, invitation links, nonsense', () => {
    for (const bad of ['https://evil.example/', '//evil.example', 'javascript:alert(1)', '/logga-in', `/inbjudan/${TOKEN}`, '/x', '', null, undefined, '/m/x?till=/admin'])
      expect(returnTarget(bad as string | null | undefined), String(bad)).toBeNull();
  });

  it('builds the sign-in address that comes back to the current page', () => {
    expect(href.signIn(currentTarget('#/m/fagersta-v47'))).toBe('#/logga-in?till=%2Fm%2Ffagersta-v47');
    expect(parseRoute(href.signIn('/m/fagersta-v47'))).toEqual({ name: 'sign-in', next: '/m/fagersta-v47' });
    expect(href.signIn(currentTarget(''))).toBe('#/logga-in');
    expect(href.signIn(currentTarget('#/'))).toBe('#/logga-in');
    expect(href.signIn('/logga-in')).toBe('#/logga-in');
    expect(href.signIn()).toBe('#/logga-in');
  });
});
