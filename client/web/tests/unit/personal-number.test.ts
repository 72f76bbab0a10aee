// The client's personal identity number detector against tests/vectors/personal_numbers.json — the vectors
// tests/unit/test_personal_number.cpp runs through the server's est::find_personal_numbers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findPersonalNumbers } from '../../src/model/personal-number';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

interface Vectors {
  flagged: { text: string; matches: [number, number, string][] }[];
  not_flagged: { text: string; why: string }[];
}

const v = JSON.parse(readFileSync(path.join(repo, 'tests/vectors/personal_numbers.json'), 'utf8')) as Vectors;

describe('personal identity numbers', () => {
  it('has vectors to run', () => {
    expect(v.flagged.length).toBeGreaterThanOrEqual(10);
    expect(v.not_flagged.length).toBeGreaterThanOrEqual(10);
  });

  it.each(v.flagged.map((c) => [JSON.stringify(c.text), c] as const))('flags %s where the vectors say', (_, c) => {
    expect(findPersonalNumbers(c.text)).toEqual(c.matches.map(([begin, end, kind]) => ({ begin, end, kind })));
  });

  it.each(v.not_flagged.map((c) => [JSON.stringify(c.text), c.why, c.text] as const))('does not flag %s (%s)', (_, __, text) => {
    expect(findPersonalNumbers(text)).toEqual([]);
  });

  it('accepts exactly one check digit of ten', () => {
    const found = [...'0123456789'].filter((c) => findPersonalNumbers(`811218-987${c}`).length === 1);
    expect(found).toEqual(['6']);
  });
});
