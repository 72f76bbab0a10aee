import { describe, expect, it } from 'vitest';
import { importErrorPlace, importMayIn } from '../../src/bra/import';
import type { Me } from '../../src/model/types';

const me = (isAdmin: boolean, memberships: Me['memberships']): Me => ({
  id: 'a-1', email: 'a@est.test', name: 'A', is_admin: isAdmin, memberships, session: { id: 's', expires_at: 0 },
});

describe('importing measures', () => {
  it('is for BRÅ members and administrators only', () => {
    const ms = (role: Me['memberships'][number]['role']) => me(false, [{ group_id: 'sala', group_name: 'Sala', role, org: '' }]);
    expect(importMayIn(ms('bra_member'), 'sala')).toBe(true);
    expect(importMayIn(ms('admin'), 'sala')).toBe(true);
    expect(importMayIn(ms('chair'), 'sala')).toBe(false);
    expect(importMayIn(ms('participant'), 'sala')).toBe(false);
    expect(importMayIn(ms('bra_member'), 'other')).toBe(false);
    expect(importMayIn(me(true, []), 'other')).toBe(true);
    expect(importMayIn(null, 'sala')).toBe(false);
  });

  it('points at the row and column the server refused, in Swedish', () => {
    expect(importErrorPlace("row 3, column due: '2027-02-30' is not a day")).toBe('Fel på rad 3, kolumnen ”due”.');
    expect(importErrorPlace("row 1: the column 'status' is missing")).toBe('Fel på rad 1.');
    expect(importErrorPlace('items[0].fields.rubrik: must be a string')).toBe('Fel i åtgärd nummer 1 i filen, fältet ”fields.rubrik”.');
    expect(importErrorPlace('body: must be an object')).toBeNull();
  });
});
