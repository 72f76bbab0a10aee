// Shapes of the wire protocol (docs/protocol.md) and of the REST API.
import type { WireComponent } from '../ot/text-operation';
import type { LifecycleChange } from './lifecycle';

export type Role = 'participant' | 'chair' | 'cosigner' | 'bra_member' | 'admin';
export const ROLES: readonly Role[] = ['participant', 'chair', 'cosigner', 'bra_member', 'admin'];

export interface Organisation {
  id: string;
  name: string;
  /** What to call it where space is short: its short name, else its name up to a comma when that is unique (server). */
  label?: string;
  /** The short name the group's administrator set, when set (PUT /api/groups/{id}/settings "short_names"). */
  short_name?: string;
}

export interface Group {
  id: string;
  name: string;
  municipality?: string;
  organisations: Organisation[];
  /**
   * Whose signatures make a meeting's picture signed: "chair" and 0–3 "cosigner" (docs/protocol.md). A meeting keeps
   * the setting it was made with. Absent from older servers: chair and one co-signer.
   */
  signers?: Role[];
}

/** Another meeting as a meeting names it (a correction's link, docs/protocol.md "Corrections"). */
export interface MeetingRef {
  id: string;
  title: string;
  date: string;
  state: string;
}

export interface MeetingInfo {
  id: string;
  group_id: string;
  title: string;
  date: string;
  state: string;
  created_at: string;
  template: { id: string; name: string; version: number };
  /** A correction: the closed meeting it corrects, its picture's digest and its closing statement's SHA-256. */
  corrects?: { meeting: string; digest: string; closing: string; title?: string; date?: string };
  /** A closed meeting that was corrected: the correction (read from the server's list, never stored with it). */
  corrected_by?: MeetingRef;
  /** When the chair archived it (ISO 8601 UTC); absent while it is not archived. */
  archived_at?: string;
}

export interface FieldDef {
  id: string;
  label: string;
  /** `date` and `organisation` are decision item fields only (docs/protocol.md, "Decision items"). */
  kind: 'text' | 'choice' | 'date' | 'organisation';
  max_length?: number;
  choices?: string[];
  editor?: string;
  /** A heading for showing decision item fields together (Åtgärdens art, SMART-mål, Ansvar). */
  group?: string;
}

/** Every kind but text is a register, set with `set`. */
export function isRegister(d: FieldDef): boolean {
  return d.kind !== 'text';
}

export interface TopicDef {
  id: string;
  title: string;
  description?: string;
}

export interface MeetingTemplate {
  id: string;
  name: string;
  version: number;
  topics: TopicDef[];
  entry_fields: FieldDef[];
  topic_fields: FieldDef[];
  /** The fields of a decision item; absent: the template has no decision items. */
  decision_item_fields?: FieldDef[];
}

/**
 * Addresses one field: a topic field ({topic, field}), a field of an entry in a cell ({topic, org, entry, field})
 * or a field of a decision item ({topic, item, field}; never with org or entry).
 */
export interface FieldRef {
  topic: string;
  org?: string;
  entry?: string;
  item?: string;
  field: string;
}

/** The id of the field's decision item "item:<id>" in keys: `:` is in no id, so it never meets an org's id. */
export function fieldKey(r: FieldRef): string {
  if (r.item) return `${r.topic}/item:${r.item}/${r.field}`;
  return r.org ? `${r.topic}/${r.org}/${r.entry}/${r.field}` : `${r.topic}/${r.field}`;
}

export function entryKey(topic: string, org: string, entry: string): string {
  return `${topic}/${org}/${entry}`;
}

/** A decision item's key, as in `state.retired_items` ("andt/d-1a2b3c4d"). */
export function itemKey(topic: string, item: string): string {
  return `${topic}/${item}`;
}

/** The wire form of a field reference: only the keys that apply. */
export function fieldRefToJSON(r: FieldRef): FieldRef {
  if (r.item) return { topic: r.topic, item: r.item, field: r.field };
  return r.org ? { topic: r.topic, org: r.org, entry: r.entry, field: r.field } : { topic: r.topic, field: r.field };
}

export function sameField(a: FieldRef | null | undefined, b: FieldRef | null | undefined): boolean {
  return !!a && !!b && fieldKey(a) === fieldKey(b);
}

export type Change =
  | { kind: 'text'; target: FieldRef; ops: WireComponent[] }
  | { kind: 'set'; target: FieldRef; value: string }
  | { kind: 'add_entry'; topic: string; org: string; entry: string }
  | { kind: 'remove_entry'; topic: string; org: string; entry: string }
  | { kind: 'add_item'; topic: string; item: string }
  | { kind: 'remove_item'; topic: string; item: string }
  /** Marks an entry sekretess under an OSL reference ("" clears it): a register of the entry (docs/protocol.md). */
  | { kind: 'secrecy'; topic: string; org: string; entry: string; osl: string }
  /**
   * The chair acknowledges a flagged personal identity number in a field. `by` and `at` are the server's stamp in a
   * broadcast (a client sends none). Not part of the picture.
   */
  | { kind: 'acknowledge'; target: FieldRef; number: string; reason: string; by?: string; at?: string }
  /** The chair's current topic ("" none), for every screen to follow: a register of the meeting, not the picture. */
  | { kind: 'current_topic'; topic: string };

/** A personal identity number the server flagged: the SHA-256 (hex) of its last ten digits, never its digits. */
export interface FlaggedNumber {
  number: string;
  kind: 'personnummer' | 'samordningsnummer';
}

/** The numbers flagged in one text field now (`numbers` empty: none any longer). */
export interface FieldFlags {
  target: FieldRef;
  numbers: FlaggedNumber[];
}

/** The chair's acknowledgement of a number in a field, as the welcome lists it. */
export interface Acknowledgement {
  target: FieldRef;
  number: string;
  reason: string;
  by: string;
  at: string;
  rev: number;
}

/** A welcome's `privacy`: every field with a flag and every acknowledgement, at the welcome's rev. */
export interface PrivacyJSON {
  flags: FieldFlags[];
  acknowledged: Acknowledgement[];
}

export interface Participant {
  session: string;
  name: string;
  org: string;
  role: Role;
  focus: FieldRef | null;
}

export interface WelcomeMeeting extends MeetingInfo {
  group: Group;
  template: MeetingTemplate & { id: string; name: string; version: number };
}

export interface WelcomeMessage {
  type: 'welcome';
  rev: number;
  last_seq: number;
  /** Names this load of the meeting: a rejoin's `since` counts only with the same epoch (absent from older servers). */
  epoch?: string;
  meeting: WelcomeMeeting;
  /** `client` is this client's public id, the one its ops carry (absent from older servers). */
  you: Participant & { client?: string };
  participants: Participant[];
  state?: unknown;
  catch_up?: RemoteOpMessage[];
  /** The meeting's lifecycle (phase, locked topics, signatures, closing); absent from older servers. */
  lifecycle?: unknown;
  /** The personal-data flags and acknowledgements at `rev`; absent from older servers. */
  privacy?: PrivacyJSON;
  /** The chair's current topic at `rev` ("" none; absent from servers before it). */
  current_topic?: string;
}

export interface RemoteOpMessage {
  type: 'op';
  rev: number;
  /** The public id of the client that made the change (older servers: its client id). */
  client: string;
  seq: number;
  by: { session: string; name: string; org: string };
  /**
   * An edit of the picture, or a lifecycle move (`client` "" and `seq` 0). A kind this client does not know may
   * come from a newer server: it is skipped, not fatal.
   */
  change: Change | LifecycleChange;
  /** A text change that changed its field's flagged numbers: that field's flags now. */
  flags?: FieldFlags;
}

export interface AckMessage {
  type: 'ack';
  seq: number;
  rev: number;
  duplicate?: boolean;
  /** As an op's `flags`: the author's own text change changed its field's flagged numbers. */
  flags?: FieldFlags;
}

/**
 * The server applied this client's change at `rev` but has not made it durable yet; its `ack` follows as a mark
 * once it is. Sent only to a client that joined with `applied: true`, and only when something of a later revision
 * is due to it before that.
 */
export interface AppliedMessage {
  type: 'applied';
  seq: number;
  rev: number;
  flags?: FieldFlags;
}

export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
  seq?: number;
}

export type ServerMessage =
  | WelcomeMessage
  | RemoteOpMessage
  | AckMessage
  | AppliedMessage
  | ErrorMessage
  | { type: 'presence'; participant: Participant }
  | { type: 'presence_left'; session: string };

// ---- accounts and access (docs/protocol.md, "Accounts and access") ----

export interface Membership {
  group_id: string;
  group_name: string;
  role: Role;
  /** "" for roles without one. */
  org: string;
}

/** The signed-in person (GET /api/me, POST /api/session, POST /api/invitations/accept). */
export interface Me {
  id: string;
  email: string;
  name: string;
  is_admin: boolean;
  memberships: Membership[];
  session: { id: string; expires_at: number };
}

/** POST /api/invitations/lookup. */
export interface InvitationInfo {
  kind: 'invite' | 'reset';
  email: string;
  group: { id: string; name: string } | null;
  role: Role | '';
  org: string;
  /** The organisation's name, when the server sends it (else only its id is known before signing in). */
  org_name?: string;
  expires_at: number | string;
  account_exists: boolean;
}

/** A member of a group (GET /api/groups/{id}/members). */
export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  org: string;
  disabled: boolean;
}

/** An account as the administrator sees it (GET /api/accounts). */
export interface Account {
  id: string;
  email: string;
  name: string;
  disabled: boolean;
  is_admin: boolean;
  created_at: number | string;
  memberships: { group_id: string; role: Role; org: string }[];
}

/** An invitation or password-reset link just made: `link` is a path on this server (`/#/inbjudan/…`). */
/** An invitation not yet accepted (GET /api/groups/{id}/invitations): never its link. */
export interface PendingInvitation {
  /** A handle for revoking it ("i-…"), not the link's token. */
  id: string;
  email: string;
  role: Role;
  /** "" for roles without one. */
  org: string;
  /** The inviter's account id and name ("" when made on the server's command line). */
  created_by: string;
  created_by_name: string;
  /** ms since the epoch. */
  created_at: number;
  expires_at: number;
}

export interface IssuedLink {
  email: string;
  role?: Role;
  org?: string;
  link: string;
  expires_at: number | string;
}

/** One row of the audit log (GET /api/audit), newest first. */
export interface AuditRow {
  seq: number;
  at: number | string;
  actor: string;
  actor_email: string;
  address: string;
  action: string;
  subject: string;
  detail: unknown;
}

export interface AuditVerdict {
  ok: boolean;
  rows: number;
  first_bad: number | null;
  message: string;
}

/** One event of an entry's history (docs/protocol.md, "Entry history"). */
export interface EntryEvent {
  rev: number;
  at: string;
  by: string;
  what: string;
  field?: string;
}

/** One entry as `GET /api/meetings/{id}/history` shows it. */
export interface EntryHistoryItem {
  topic: string;
  org: string;
  entry: string;
  authors: string[];
  added: EntryEvent | null;
  changed?: EntryEvent;
  events: EntryEvent[];
  removed?: EntryEvent;
  /** A removed entry's fields and sekretess marking as they stood, when the log holds its whole history. */
  content?: { fields: Record<string, string>; secrecy: string };
}

export interface EntryHistory {
  meeting: string;
  complete: boolean;
  entries: EntryHistoryItem[];
}
