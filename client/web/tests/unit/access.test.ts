// The pure logic of accounts and access: roles, sign-in error texts, password rules, audit words and times.
import { describe, expect, it } from 'vitest';
import {
  auditActionText,
  defaultOrgFor,
  invitableRoles,
  knowsAuditAction,
  looksLikeEmail,
  mayCreateMeeting,
  mayInvite,
  newPasswordProblem,
  parseOrganisations,
  passwordErrorText,
  passwordProblemField,
  roleIn,
  roleMayHaveOrg,
  roleNeedsOrg,
  signInErrorText,
  slugify,
  swedishDateTime,
  swedishDay,
  throttledText,
} from '../../src/access';
import type { Me } from '../../src/model/types';

const ME: Me = {
  id: 'a-1',
  email: 'anna.berg@fagersta.se',
  name: 'Anna Berg',
  is_admin: false,
  memberships: [
    { group_id: 'fagersta', group_name: 'EST-gruppen Fagersta', role: 'participant', org: 'polis' },
    { group_id: 'norberg', group_name: 'EST Norberg', role: 'chair', org: '' },
  ],
  session: { id: 's-1', expires_at: 0 },
};

describe('roles', () => {
  it('finds the role in a group from the memberships; an administrator acts as admin elsewhere', () => {
    expect(roleIn(ME, 'fagersta')).toEqual({ role: 'participant', org: 'polis' });
    expect(roleIn(ME, 'norberg')).toEqual({ role: 'chair', org: '' });
    expect(roleIn(ME, 'sala')).toBeNull();
    expect(roleIn({ ...ME, is_admin: true }, 'sala')).toEqual({ role: 'admin', org: '' });
    expect(roleIn({ ...ME, is_admin: true }, 'fagersta')).toEqual({ role: 'participant', org: 'polis' });
    expect(roleIn(null, 'fagersta')).toBeNull();
  });

  it('offers "Nytt möte" to the chair only, invitations to the chair and administrators', () => {
    expect(mayCreateMeeting('chair')).toBe(true);
    for (const r of ['participant', 'cosigner', 'bra_member', 'admin', null, undefined] as const) expect(mayCreateMeeting(r)).toBe(false);
    expect(mayInvite('chair')).toBe(true);
    expect(mayInvite('admin')).toBe(true);
    for (const r of ['participant', 'cosigner', 'bra_member', null] as const) expect(mayInvite(r)).toBe(false);
  });

  it('lets the chair invite only participants (every other role needs change_roles)', () => {
    expect(invitableRoles('chair')).toEqual(['participant']);
    expect(invitableRoles('admin')).toEqual(['participant', 'chair', 'cosigner', 'bra_member', 'admin']);
    expect(invitableRoles('participant')).toEqual([]);
  });

  it('binds participants and co-signers to an organisation, the co-signer by default to the police', () => {
    expect(roleNeedsOrg('participant')).toBe(true);
    expect(roleNeedsOrg('cosigner')).toBe(true);
    expect(roleNeedsOrg('chair')).toBe(false);
    expect(roleNeedsOrg('bra_member')).toBe(false);
    expect(roleMayHaveOrg('chair')).toBe(true);
    expect(roleMayHaveOrg('participant')).toBe(true);
    expect(roleMayHaveOrg('bra_member')).toBe(false);
    expect(roleMayHaveOrg('admin')).toBe(false);
    const orgs = [
      { id: 'kommun', name: 'Fagersta kommun' },
      { id: 'polis', name: 'Polisen' },
    ];
    expect(defaultOrgFor('cosigner', orgs)).toBe('polis');
    expect(defaultOrgFor('participant', orgs)).toBe('kommun');
    expect(defaultOrgFor('chair', orgs)).toBe('');
    expect(defaultOrgFor('cosigner', [{ id: 'lpo', name: 'Polisen, LPO Norra' }])).toBe('lpo');
  });
});

describe('sign-in errors in Swedish', () => {
  it('says "fel e-post eller lösenord" without telling whether the e-mail exists', () => {
    expect(signInErrorText({ code: 'invalid_credentials', status: 401, retryAfter: null })).toBe('Fel e-post eller lösenord.');
  });

  it('says how long to wait when throttled, from Retry-After', () => {
    expect(signInErrorText({ code: 'throttled', status: 429, retryAfter: 8 })).toBe('För många försök. Vänta 8 sekunder.');
    expect(throttledText(1)).toBe('För många försök. Vänta 1 sekund.');
    expect(throttledText(900)).toBe('För många försök. Vänta 15 minuter.');
    expect(throttledText(null)).toMatch(/^För många försök\. Vänta en stund/);
  });

  it('explains other failures', () => {
    expect(signInErrorText({ code: 'network', status: 0, retryAfter: null })).toMatch(/nå/);
  });
});

describe('new passwords', () => {
  const email = 'anna.berg@fagersta.se';
  it('accepts a long passphrase typed twice', () => {
    expect(newPasswordProblem('kaffe cykel sommar torget', 'kaffe cykel sommar torget', email)).toBeNull();
    expect(newPasswordProblem('kaffe cykel sommar torget', null, email)).toBeNull();
  });

  it('counts characters as the server does (an emoji is one)', () => {
    expect(newPasswordProblem('åäöåäöåäöå😀x', null, email)).toBeNull(); // 12 code points, 13 UTF-16 units
    expect(newPasswordProblem('åäöåäöåäö😀x', null, email)).toBe('password_too_short'); // 11
  });

  it('names the first problem, and the field it belongs to', () => {
    expect(newPasswordProblem('', '', email)).toBe('password_missing');
    expect(newPasswordProblem('kort', 'kort', email)).toBe('password_too_short');
    expect(newPasswordProblem('x'.repeat(1025), null, email)).toBe('password_too_long');
    expect(newPasswordProblem('å'.repeat(513), null, email)).toBe('password_too_long'); // 1026 bytes
    expect(newPasswordProblem('rad ett\nrad två här', null, email)).toBe('password_invalid');
    expect(newPasswordProblem('Anna.Berg@Fagersta.se', null, email)).toBe('password_common');
    expect(newPasswordProblem('abababababababab', null, email)).toBe('password_common');
    expect(newPasswordProblem('kaffe cykel sommar torget', 'kaffe cykel sommar', email)).toBe('password_mismatch');
    expect(passwordProblemField('password_mismatch')).toBe('repeat');
    expect(passwordProblemField('password_too_short')).toBe('password');
  });

  it('explains every password code in Swedish', () => {
    expect(passwordErrorText('password_too_short', 'kort')).toBe('Lösenordet måste ha minst 12 tecken; det har 4.');
    expect(passwordErrorText('password_too_short')).toBe('Lösenordet måste ha minst 12 tecken.');
    expect(passwordErrorText('password_mismatch')).toMatch(/inte likadana/);
    expect(passwordErrorText('password_common')).toMatch(/för vanligt/);
    expect(passwordErrorText('password_too_long')).toMatch(/för långt/);
    expect(passwordErrorText('password_invalid')).toMatch(/styrtecken/);
    expect(passwordErrorText('password_missing')).toBe('Skriv ett lösenord.');
  });

  it('takes e-mail addresses loosely (the server decides)', () => {
    expect(looksLikeEmail('anna@fagersta.se')).toBe(true);
    expect(looksLikeEmail(' anna@fagersta.se ')).toBe(true);
    expect(looksLikeEmail('anna')).toBe(false);
    expect(looksLikeEmail('anna@fagersta')).toBe(false);
    expect(looksLikeEmail('an na@fagersta.se')).toBe(false);
  });
});

describe('the audit log', () => {
  it('names every documented action in Swedish words', () => {
    const documented = [
      'sign_in',
      'sign_in.failed',
      'sign_in.throttled',
      'sign_out',
      'sign_out.everywhere',
      'invitation.create',
      'invitation.accept',
      'password_reset.create',
      'password_reset.accept',
      'account.create',
      'account.disable',
      'account.enable',
      'membership.set',
      'membership.remove',
      'group.create',
      'meeting.create',
    ];
    for (const a of documented) {
      expect(knowsAuditAction(a), a).toBe(true);
      expect(auditActionText(a)).not.toContain('_');
    }
    expect(auditActionText('sign_in.failed')).toBe('Misslyckad inloggning');
    expect(auditActionText('meeting.lock')).toBe('meeting.lock'); // a newer action: shown as it is
  });

  it('shows times in Swedish local format, from ms or a date-time string', () => {
    const at = Date.UTC(2026, 11, 3, 9, 15, 30);
    expect(swedishDateTime(at, 'Europe/Stockholm')).toBe('2026-12-03 10:15:30');
    expect(swedishDateTime(String(at), 'Europe/Stockholm')).toBe('2026-12-03 10:15:30');
    expect(swedishDateTime('2026-07-01T12:00:00Z', 'Europe/Stockholm')).toBe('2026-07-01 14:00:00');
    expect(swedishDateTime('inte en tid')).toBe('inte en tid');
    expect(swedishDay(at, 'Europe/Stockholm')).toBe('3 december 2026 kl. 10.15');
  });
});

describe('creating a group', () => {
  it('makes organisation ids from Swedish names', () => {
    expect(slugify('Räddningstjänsten Mälardalen')).toBe('raddningstjansten-malardalen');
    expect(slugify('Polisen, lokalpolisområde Norra Västmanland')).toBe('polisen-lokalpolisomrade-norra-vastmanland');
    expect(slugify('  Öster & Co  ')).toBe('oster-co');
    expect(slugify('x'.repeat(80))).toHaveLength(64);
  });

  it('reads one organisation a line, with or without its own id, ids kept unique', () => {
    const { organisations, problem } = parseOrganisations('Fagersta kommun\n\npolis: Polisen, LPO Norra Västmanland\nFagersta kommun\n');
    expect(problem).toBeNull();
    expect(organisations).toEqual([
      { id: 'fagersta-kommun', name: 'Fagersta kommun' },
      { id: 'polis', name: 'Polisen, LPO Norra Västmanland' },
      { id: 'fagersta-kommun-2', name: 'Fagersta kommun' },
    ]);
  });

  it('says what is wrong', () => {
    expect(parseOrganisations('').problem).toMatch(/minst en/);
    expect(parseOrganisations('a: A\na: B').problem).toMatch(/identiteten/);
    expect(parseOrganisations('!!!').problem).toMatch(/bokstäver/);
  });
});
