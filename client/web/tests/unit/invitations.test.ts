// Pending invitations on the group's page: the calls (list, revoke) and the Swedish line each one is shown as.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../../src/api';
import { swedishError } from '../../src/errors';
import type { Group, PendingInvitation } from '../../src/model/types';
import { pendingInvitationText } from '../../src/ui/GroupAdmin';

const group: Group = {
  id: 'fagersta',
  name: 'EST-gruppen Fagersta',
  municipality: 'Fagersta',
  organisations: [
    { id: 'polis', name: 'Polisen' },
    { id: 'kommun', name: 'Fagersta kommun' },
  ],
} as Group;

const pending: PendingInvitation = {
  id: 'i-0123456789abcdef',
  email: 'ny@fagersta.se',
  role: 'participant',
  org: 'polis',
  created_by: 'a-1',
  created_by_name: 'Anna Berg',
  created_at: Date.UTC(2026, 11, 1, 8, 0),
  expires_at: Date.UTC(2026, 11, 8, 8, 0),
};

describe('pending invitations', () => {
  const calls: { method: string; url: string; body: unknown }[] = [];
  function answer(status: number, body: unknown) {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ method: init.method ?? 'GET', url, body: init.body });
        return new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
      }),
    );
  }
  afterEach(() => {
    calls.length = 0;
    vi.unstubAllGlobals();
  });

  it('are listed from GET /api/groups/{id}/invitations', async () => {
    answer(200, [pending]);
    expect(await api.pendingInvitations('fagersta')).toEqual([pending]);
    expect(calls).toEqual([{ method: 'GET', url: '/api/groups/fagersta/invitations', body: undefined }]);
  });

  it('are revoked with DELETE /api/groups/{id}/invitations/{invitation id}, escaped', async () => {
    answer(204, null);
    await api.revokeInvitation('fagersta', 'i-0123456789abcdef');
    await api.revokeInvitation('a/b', 'i-x?y');
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'DELETE /api/groups/fagersta/invitations/i-0123456789abcdef',
      'DELETE /api/groups/a%2Fb/invitations/i-x%3Fy',
    ]);
  });

  it('say who was invited, as what, by whom and until when, in Swedish', () => {
    const text = pendingInvitationText(group, pending);
    expect(text).toContain('ny@fagersta.se');
    expect(text).toContain('Deltagare för Polisen');
    expect(text).toContain('Inbjuden av Anna Berg');
    expect(text).toContain('gäller till');
    expect(text).toContain('2026');
    expect(pendingInvitationText(group, { ...pending, created_by: '', created_by_name: '' })).toContain('kommandorad');
  });

  it('a full group answers 409 too_many_invitations, in Swedish', async () => {
    answer(409, { error: 'too_many_invitations', message: 'the group has 200 invitations waiting' });
    const err = await api.invite('fagersta', { email: 'x@fagersta.se', role: 'bra_member' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('too_many_invitations');
    expect((err as ApiError).swedish).toBe(swedishError('too_many_invitations'));
    expect((err as ApiError).swedish).toMatch(/inbjudningar/);
  });
});
