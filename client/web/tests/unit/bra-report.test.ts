import { describe, expect, it } from 'vitest';
import { previousMonth, swedishMonth, validMonth } from '../../src/bra/report';
import { reportUrl } from '../../src/api';

describe('the monthly report', () => {
  it('knows a month', () => {
    expect(validMonth('2026-11')).toBe(true);
    expect(validMonth('2026-12')).toBe(true);
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-11', '2026-11-01', '', '1999-12', '2026–11']) expect(validMonth(bad)).toBe(false);
  });

  it('starts at the month just ended, across a new year', () => {
    expect(previousMonth(new Date(2026, 11, 4))).toBe('2026-11');
    expect(previousMonth(new Date(2027, 0, 15))).toBe('2026-12');
  });

  it('names the month in Swedish', () => {
    expect(swedishMonth('2026-11')).toBe('november 2026');
    expect(swedishMonth('2027-01')).toBe('januari 2027');
  });

  it('asks the server for one group or all, in each format', () => {
    expect(reportUrl('2026-11', undefined, 'html')).toBe('/api/bra/report?month=2026-11&format=html');
    expect(reportUrl('2026-11', 'sala kommun', 'markdown')).toBe('/api/bra/report?month=2026-11&group=sala%20kommun&format=markdown');
  });
});
