// The pure logic of accounts and access in the browser: what a role may do here, the Swedish words for
// sign-in errors, password rules, audit actions and times. Every rule is checked again by the server; this
// only decides what the page offers and how it explains a refusal.
import type { Me, Organisation, Role } from './model/types';
import { swedishError } from './errors';

// ---- roles ----

/** Roles bound to one of the group's organisations (docs/protocol.md, invitations). */
export function roleNeedsOrg(role: Role | ''): boolean {
  return role === 'participant' || role === 'cosigner';
}

/** Roles that may name an organisation: those bound to one, and the chair, who may also report for one. */
export function roleMayHaveOrg(role: Role | ''): boolean {
  return roleNeedsOrg(role) || role === 'chair';
}

/**
 * The role a person acts in within a group: their membership's, else `admin` for a server administrator
 * (who joins any meeting as `admin`), else null (not a member).
 */
export function roleIn(me: Me | null, groupId: string): { role: Role; org: string } | null {
  if (!me) return null;
  const m = me.memberships.find((x) => x.group_id === groupId);
  if (m) return { role: m.role, org: m.org };
  return me.is_admin ? { role: 'admin', org: '' } : null;
}

/** Only the chair creates meetings (`create_meeting`). */
export function mayCreateMeeting(role: Role | null | undefined): boolean {
  return role === 'chair';
}

/** The chair changes a meeting's title and date until its picture is signed (`edit_meeting`). */
export function mayEditMeeting(role: Role | null | undefined, state: string): boolean {
  return role === 'chair' && (state === 'draft' || state === 'open' || state === 'locked');
}

/** The chair archives meetings and brings them back, in any state (`archive_meeting`). */
export function mayArchiveMeeting(role: Role | null | undefined): boolean {
  return role === 'chair';
}

/** The chair and administrators invite (`invite_to_group`). */
export function mayInvite(role: Role | null | undefined): boolean {
  return role === 'chair' || role === 'admin';
}

/**
 * Inviting as anything but a participant needs `change_roles`, which only administrators have: the co-signer and
 * BRÅ's members check the chair, so the chair does not pick them.
 */
export function invitableRoles(role: Role | null | undefined): Role[] {
  if (role === 'admin') return ['participant', 'chair', 'cosigner', 'bra_member', 'admin'];
  if (role === 'chair') return ['participant'];
  return [];
}

/** The organisation a new co-signer represents unless the inviter picks another: the police, when the group has it. */
export function defaultOrgFor(role: Role, organisations: Organisation[]): string {
  if (!roleNeedsOrg(role) || organisations.length === 0) return '';
  if (role === 'cosigner') {
    const police = organisations.find((o) => o.id === 'polis' || /^polis/i.test(o.name));
    if (police) return police.id;
  }
  return organisations[0].id;
}

// ---- sign-in errors ----

/** "30 sekunder", "1 sekund", "15 minuter". */
export function swedishWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s >= 120) {
    const min = Math.ceil(s / 60);
    return `${min} minuter`;
  }
  return s === 1 ? '1 sekund' : `${s} sekunder`;
}

export function throttledText(retryAfter: number | null): string {
  return retryAfter === null ? swedishError('throttled') : `För många försök. Vänta ${swedishWait(retryAfter)}.`;
}

/** The Swedish sentence for a failed sign-in (POST /api/session). */
export function signInErrorText(e: { code: string; status: number; retryAfter: number | null }): string {
  if (e.code === 'throttled' || e.status === 429) return throttledText(e.retryAfter);
  if (e.code === 'invalid_credentials' || e.status === 401) return swedishError('invalid_credentials');
  return swedishError(e.code);
}

// ---- passwords ----

export const PASSWORD_MIN_CHARACTERS = 12;
export const PASSWORD_MAX_BYTES = 1024;

/** The rules, in words, shown before the person chooses a password. */
export const PASSWORD_RULES: readonly string[] = [
  `Minst ${PASSWORD_MIN_CHARACTERS} tecken. Några ord i följd blir både långt och lätt att komma ihåg, till exempel ”kaffe cykel sommar torget”.`,
  'Inte ett vanligt lösenord (som ”Sommar2024!”) och inte din e-postadress.',
  'Minst fyra olika tecken.',
];

/** Code points, as the server counts a password's length. */
function characters(s: string): number {
  return Array.from(s).length;
}

/** C0 and C1 controls and DEL: the server refuses them (`password_invalid`). */
function hasControl(s: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(s);
}

function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

export type PasswordProblem =
  | 'password_missing'
  | 'password_too_short'
  | 'password_too_long'
  | 'password_invalid'
  | 'password_common'
  | 'password_mismatch';

/**
 * What the browser can tell about a new password before sending it (the server checks it again, and also
 * against its list of common passwords). `repeat` is the second field; null when there is none.
 */
export function newPasswordProblem(password: string, repeat: string | null, email: string): PasswordProblem | null {
  if (password === '') return 'password_missing';
  if (utf8Bytes(password) > PASSWORD_MAX_BYTES) return 'password_too_long';
  if (hasControl(password)) return 'password_invalid';
  if (characters(password) < PASSWORD_MIN_CHARACTERS) return 'password_too_short';
  if (email !== '' && password.toLowerCase() === email.trim().toLowerCase()) return 'password_common';
  if (new Set(Array.from(password.toLowerCase())).size < 4) return 'password_common';
  if (repeat !== null && repeat !== password) return 'password_mismatch';
  return null;
}

/** Which field a password problem belongs to: the first password field or the repetition. */
export function passwordProblemField(p: PasswordProblem): 'password' | 'repeat' {
  return p === 'password_mismatch' ? 'repeat' : 'password';
}

export function passwordErrorText(code: string, password = ''): string {
  switch (code) {
    case 'password_missing':
      return 'Skriv ett lösenord.';
    case 'password_mismatch':
      return 'Lösenorden är inte likadana. Skriv samma lösenord i båda fälten.';
    case 'password_too_short': {
      const n = characters(password);
      return n > 0
        ? `Lösenordet måste ha minst ${PASSWORD_MIN_CHARACTERS} tecken; det har ${n}.`
        : `Lösenordet måste ha minst ${PASSWORD_MIN_CHARACTERS} tecken.`;
    }
    default:
      return swedishError(code);
  }
}

export function isPasswordCode(code: string): boolean {
  return code.startsWith('password_');
}

// ---- e-mail and names ----

/** Loose: something@something.something, no spaces. The server decides. */
export function looksLikeEmail(s: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim());
}

// ---- the audit log ----

const AUDIT_ACTIONS: Record<string, string> = {
  sign_in: 'Inloggning',
  'sign_in.failed': 'Misslyckad inloggning',
  'sign_in.throttled': 'Inloggning stoppad: för många försök',
  sign_out: 'Utloggning',
  'sign_out.everywhere': 'Utloggning på alla enheter',
  'invitation.create': 'Inbjudan skapad',
  'invitation.accept': 'Inbjudan antagen',
  'password_reset.create': 'Länk för nytt lösenord skapad',
  'password_reset.accept': 'Nytt lösenord valt',
  // The name the protocol first gave it.
  'password_reset.use': 'Nytt lösenord valt',
  'account.create': 'Konto skapat',
  'account.disable': 'Konto avstängt',
  'account.enable': 'Konto aktiverat igen',
  'membership.set': 'Roll i grupp satt',
  'membership.remove': 'Borttagen ur grupp',
  'group.create': 'Grupp skapad',
  'meeting.create': 'Möte skapat',
};

/** An audit action in Swedish words; an action this client does not know yet is shown as it is. */
export function auditActionText(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}

export function knowsAuditAction(action: string): boolean {
  return action in AUDIT_ACTIONS;
}

/** A point in time from the server: ms since the epoch, or a date-time string. */
export function toDate(at: number | string): Date | null {
  const d = typeof at === 'number' ? new Date(at) : /^\d+$/.test(at) ? new Date(Number(at)) : new Date(at);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-12-03 10:15:30" in Swedish local time (or in `timeZone`). */
export function swedishDateTime(at: number | string, timeZone?: string): string {
  const d = toDate(at);
  if (!d) return String(at);
  return new Intl.DateTimeFormat('sv-SE', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone,
  }).format(d);
}

/** "3 december 2026 kl. 10.15": for an expiry date in a sentence. */
export function swedishDay(at: number | string, timeZone?: string): string {
  const d = toDate(at);
  if (!d) return String(at);
  const date = new Intl.DateTimeFormat('sv-SE', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(d);
  const time = new Intl.DateTimeFormat('sv-SE', { hour: '2-digit', minute: '2-digit', timeZone }).format(d).replace(':', '.');
  return `${date} kl. ${time}`;
}

// ---- creating a group ----

/** An organisation id from its name: "Räddningstjänsten Mälardalen" → "raddningstjansten-malardalen". */
export function slugify(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return s;
}

/**
 * The organisations of a new group from a text with one per line ("Polisen" or "polis: Polisen"): ids are
 * made from the names where none is given and kept unique. Empty lines are skipped.
 */
export function parseOrganisations(text: string): { organisations: Organisation[]; problem: string | null } {
  const organisations: Organisation[] = [];
  const seen = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([a-z0-9_-]{1,64})\s*:\s*(.+)$/.exec(line);
    const name = (m ? m[2] : line).trim();
    let id = m ? m[1] : slugify(name);
    if (!id) return { organisations, problem: `Organisationen ”${line}” behöver ett namn med bokstäver eller siffror.` };
    if (seen.has(id)) {
      if (m) return { organisations, problem: `Två organisationer har identiteten ”${id}”.` };
      let n = 2;
      while (seen.has(`${id.slice(0, 60)}-${n}`)) ++n;
      id = `${id.slice(0, 60)}-${n}`;
    }
    seen.add(id);
    organisations.push({ id, name });
  }
  return { organisations, problem: organisations.length === 0 ? 'Skriv minst en organisation, en per rad.' : null };
}
