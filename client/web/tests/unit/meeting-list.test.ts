// The default title's week and the group page's sorting of meetings (issue 16).
import { describe, expect, it } from 'vitest';
import { defaultMeetingTitle, isoWeek } from '../../src/labels';
import { groupMeetings } from '../../src/ui/MeetingList';
import type { MeetingInfo } from '../../src/model/types';

describe('isoWeek', () => {
  it('follows ISO 8601 across year ends, as the server does (tests/unit/test_meeting_title.cpp)', () => {
    const cases: [string, number][] = [
      ['2026-12-05', 49], ['2026-11-30', 49], ['2026-12-06', 49], ['2026-12-07', 50], ['2026-12-31', 53],
      ['2027-01-01', 53], ['2027-01-03', 53], ['2027-01-04', 1], ['2024-12-29', 52], ['2024-12-30', 1],
      ['2020-12-31', 53], ['2021-01-03', 53], ['2021-01-04', 1], ['1970-01-01', 1], ['1969-12-29', 1],
    ];
    for (const [day, week] of cases) expect(isoWeek(day), day).toBe(week);
    expect(isoWeek('5 december')).toBe(0);
    expect(defaultMeetingTitle('2026-12-08')).toBe('EST-möte vecka 50');
    expect(defaultMeetingTitle('')).toBe('EST-möte');
  });
});

describe('groupMeetings', () => {
  const m = (id: string, date: string, archived = false, created = '2026-11-01T08:00:00Z'): MeetingInfo => ({
    id, group_id: 'g', title: id, date, state: 'open', created_at: created,
    template: { id: 't', name: 't', version: 1 }, ...(archived ? { archived_at: '2026-12-01T08:00:00Z' } : {}),
  });
  it("puts today's first, the coming ones nearest first, the earlier ones as listed, and the archived apart", () => {
    // As the server lists them: newest date first.
    const list = [m('far', '2027-01-12'), m('next2', '2026-12-15', false, '2026-12-02T09:00:00Z'),
      m('next1', '2026-12-15', false, '2026-12-01T09:00:00Z'), m('today', '2026-12-05'), m('old', '2026-12-01'),
      m('older', '2026-11-17'), m('gone', '2026-12-20', true)];
    const g = groupMeetings(list, '2026-12-05');
    expect(g.today.map((x) => x.id)).toEqual(['today']);
    expect(g.upcoming.map((x) => x.id)).toEqual(['next1', 'next2', 'far']);
    expect(g.earlier.map((x) => x.id)).toEqual(['old', 'older']);
    expect(g.archived.map((x) => x.id)).toEqual(['gone']);
  });
});
