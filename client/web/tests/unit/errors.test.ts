import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCESS_ERROR_CODES, LIFECYCLE_ERROR_CODES, OTHER_ERROR_CODES, PROTOCOL_ERROR_CODES, knowsError, swedishError } from '../../src/errors';

const protocolMd = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/protocol.md');

/**
 * The codes in the "Error codes" table of docs/protocol.md, those of its "API errors" paragraph, and those its
 * "Accounts and access" section answers with (`401 invalid_credentials`, `{"error":"bad_host"}`, ...).
 */
function documentedCodes(): string[] {
  const md = readFileSync(protocolMd, 'utf8');
  const table = md.split('### Error codes')[1]?.split('###')[0] ?? '';
  const codes = [...table.matchAll(/^\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1]);
  const http = md.split('## HTTP')[1]?.split(/\n## /)[0] ?? '';
  const apiErrors = http.slice(http.indexOf('API errors'));
  for (const m of apiErrors.matchAll(/`([a-z_]+)`/g)) if (!['error', 'message'].includes(m[1])) codes.push(m[1]);
  const access = md.split('## Accounts and access')[1]?.split(/\n## /)[0] ?? '';
  for (const m of access.matchAll(/`4\d\d ([a-z_]+)`/g)) codes.push(m[1]);
  for (const m of access.matchAll(/"error":"([a-z_]+)"/g)) codes.push(m[1]);
  for (const m of access.matchAll(/`(password_[a-z_]+)`/g)) codes.push(m[1]);
  return [...new Set(codes)];
}

describe('Swedish error messages', () => {
  const documented = documentedCodes();

  it('reads the error table of docs/protocol.md', () => {
    expect(documented.length).toBeGreaterThanOrEqual(20);
    expect(documented).toContain('forbidden');
    expect(documented).toContain('storage_failed');
    for (const c of ['invalid_credentials', 'throttled', 'sign_in_required', 'invalid_token', 'password_common', 'bad_origin'])
      expect(documented).toContain(c);
  });

  it.each(documented)('has a Swedish sentence for %s', (code) => {
    expect(knowsError(code)).toBe(true);
    const text = swedishError(code);
    expect(text.length).toBeGreaterThan(20);
    expect(text).not.toContain(code);
    expect(text.trim().endsWith('.')).toBe(true);
  });

  it('lists every documented code among its codes', () => {
    const known = [...PROTOCOL_ERROR_CODES, ...LIFECYCLE_ERROR_CODES, ...OTHER_ERROR_CODES, ...ACCESS_ERROR_CODES];
    for (const code of documented) expect(known).toContain(code);
  });

  it('has a sentence for every code it lists, each one different', () => {
    const all = [...PROTOCOL_ERROR_CODES, ...LIFECYCLE_ERROR_CODES, ...OTHER_ERROR_CODES, ...ACCESS_ERROR_CODES];
    for (const code of all) expect(knowsError(code)).toBe(true);
    const texts = new Set(all.map(swedishError));
    // bad_json and too_deep share one sentence (both are "the program sent something unreadable")
    expect(texts.size).toBeGreaterThanOrEqual(all.length - 1);
  });

  it('says something sensible for a code it does not know', () => {
    expect(swedishError('something_new')).toMatch(/Något gick fel/);
  });

  it('uses Swedish words', () => {
    expect(swedishError('forbidden')).toMatch(/behörighet/);
    expect(swedishError('conflict')).toMatch(/samtidigt/);
    expect(swedishError('text_too_long')).toMatch(/för lång/);
    expect(swedishError('invalid_credentials')).toBe('Fel e-post eller lösenord.');
  });
});
