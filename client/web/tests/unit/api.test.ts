// The addresses the client builds for the REST API.
import { describe, expect, it } from 'vitest';
import { exportFileName, exportUrl } from '../../src/api';

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
