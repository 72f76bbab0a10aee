// A meeting's lifecycle (DESIGN.md §4, /work/spec/signoff.md): its phase, the topics the chair has locked, the
// signatures on the locked picture and the closing. A mirror of shared/src/lifecycle.cpp for the view: the server
// decides, the client follows the `op`s whose change is a lifecycle move and the welcome's `lifecycle`.
import type { Role } from './types';

export type Phase = 'draft' | 'open' | 'locked' | 'signed' | 'closed';

/** A statement the server signed: its exact text (canonical JSON) and the SSHSIG (armored) over it. */
export interface SignedRecord {
  statement: string;
  sshsig: string;
  key_id: string;
}

export interface Lifecycle {
  phase: Phase;
  /** In the order they were locked. */
  locked_topics: string[];
  /** The roles whose signatures make the picture signed (chair and co-signer by default). */
  required: Role[];
  /** In signing order. */
  signatures: SignedRecord[];
  closing: SignedRecord | null;
}

export const LIFECYCLE_KINDS = ['open', 'lock_topic', 'unlock_topic', 'lock_picture', 'unlock_picture', 'sign', 'close'] as const;
export type LifecycleKind = (typeof LIFECYCLE_KINDS)[number];

export type LifecycleChange =
  | { kind: 'open' }
  | { kind: 'lock_topic'; topic: string }
  | { kind: 'unlock_topic'; topic: string }
  | { kind: 'lock_picture' }
  | { kind: 'unlock_picture' }
  | { kind: 'sign'; signature: SignedRecord }
  | { kind: 'close'; closing: SignedRecord };

/** The kinds of change that edit the picture (and so void every signature on it). */
export const PICTURE_KINDS = ['text', 'set', 'add_entry', 'remove_entry', 'add_item', 'remove_item', 'secrecy'] as const;

export function isLifecycleKind(kind: unknown): kind is LifecycleKind {
  return typeof kind === 'string' && (LIFECYCLE_KINDS as readonly string[]).includes(kind);
}

export function isPictureKind(kind: unknown): boolean {
  return typeof kind === 'string' && (PICTURE_KINDS as readonly string[]).includes(kind);
}

/**
 * The lifecycle of a meeting whose server sends none (made before the lifecycle): open, nothing locked, chair and
 * co-signer to sign. A new meeting is a draft; its welcome says so.
 */
export function initialLifecycle(): Lifecycle {
  return { phase: 'open', locked_topics: [], required: ['chair', 'cosigner'], signatures: [], closing: null };
}

const PHASES: readonly Phase[] = ['draft', 'open', 'locked', 'signed', 'closed'];

function isRecord(x: unknown): x is SignedRecord {
  const r = x as SignedRecord | null;
  return !!r && typeof r.statement === 'string' && typeof r.sshsig === 'string' && typeof r.key_id === 'string';
}

/**
 * Reads the `lifecycle` of a welcome, a REST answer or an export. A server from before the lifecycle sends none:
 * then the meeting's `state` ("open", "closed") is all there is.
 */
export function readLifecycle(j: unknown, meetingState?: string): Lifecycle {
  const lc = initialLifecycle();
  const o = (j ?? null) as Partial<Record<keyof Lifecycle, unknown>> | null;
  if (!o || typeof o !== 'object') {
    if (meetingState && (PHASES as readonly string[]).includes(meetingState)) lc.phase = meetingState as Phase;
    return lc;
  }
  if (typeof o.phase === 'string' && (PHASES as readonly string[]).includes(o.phase)) lc.phase = o.phase as Phase;
  if (Array.isArray(o.locked_topics)) lc.locked_topics = o.locked_topics.filter((t): t is string => typeof t === 'string');
  if (Array.isArray(o.required)) lc.required = o.required.filter((r): r is Role => typeof r === 'string') as Role[];
  if (Array.isArray(o.signatures)) lc.signatures = o.signatures.filter(isRecord).map((r) => ({ ...r }));
  lc.closing = isRecord(o.closing) ? { ...o.closing } : null;
  return lc;
}

/** What a signature statement says (the fields the view shows); null when the text is not one. */
export interface SignatureFacts {
  meeting: string;
  group: string;
  rev: number;
  digest: string;
  signed_at: string;
  signer: { account: string; name: string; org: string; role: Role };
}

export function readSignature(statement: string): SignatureFacts | null {
  try {
    const s = JSON.parse(statement) as SignatureFacts & { type?: string };
    if (s.type !== 'est-live/signature' || !s.signer || typeof s.digest !== 'string') return null;
    return s;
  } catch {
    return null;
  }
}

export interface ClosingFacts {
  meeting: string;
  group: string;
  rev: number;
  digest: string;
  closed_at: string;
  closed_by: { account: string; name: string; org: string; role: Role };
  previous: string;
  sequence: number;
  signatures: string[];
}

export function readClosing(statement: string): ClosingFacts | null {
  try {
    const s = JSON.parse(statement) as ClosingFacts & { type?: string };
    if (s.type !== 'est-live/closing' || typeof s.digest !== 'string') return null;
    return s;
  } catch {
    return null;
  }
}

/** Roles that have signed, in signing order. */
export function signedRoles(lc: Lifecycle): Role[] {
  return lc.signatures.map((s) => readSignature(s.statement)?.signer.role).filter((r): r is Role => !!r);
}

/**
 * Required roles that have not signed yet, in the order of `required`: each signature fills one place of its role
 * (two co-signers asked for, one signed: one co-signer still missing).
 */
export function missingSigners(lc: Lifecycle): Role[] {
  const missing = [...lc.required];
  for (const r of signedRoles(lc)) {
    const i = missing.indexOf(r);
    if (i >= 0) missing.splice(i, 1);
  }
  return missing;
}

/**
 * Applies a lifecycle move the server accepted (an `op` with such a change). Returns a new object; an unknown or
 * malformed move leaves the lifecycle as it was (the server is the judge, the client only follows).
 */
export function applyLifecycle(lc: Lifecycle, c: { kind: string } & Record<string, unknown>): Lifecycle {
  const next: Lifecycle = { ...lc, locked_topics: [...lc.locked_topics], signatures: [...lc.signatures] };
  switch (c.kind) {
    case 'open':
      next.phase = 'open';
      return next;
    case 'lock_topic':
      if (typeof c.topic === 'string' && !next.locked_topics.includes(c.topic)) next.locked_topics.push(c.topic);
      return next;
    case 'unlock_topic':
      next.locked_topics = next.locked_topics.filter((t) => t !== c.topic);
      return next;
    case 'lock_picture':
      next.phase = 'locked';
      return next;
    case 'unlock_picture':
      next.phase = 'open';
      next.signatures = [];
      return next;
    case 'sign':
      if (!isRecord(c.signature)) return lc;
      next.signatures.push({ ...c.signature });
      next.phase = missingSigners(next).length === 0 ? 'signed' : 'locked';
      return next;
    case 'close':
      if (!isRecord(c.closing)) return lc;
      next.phase = 'closed';
      next.closing = { ...c.closing };
      return next;
    default:
      return lc;
  }
}

/**
 * An edit of the picture was accepted: every signature on it is void and a signed picture is locked again (the
 * server's `picture_changed`). Returns the same object when nothing changed.
 */
export function pictureChanged(lc: Lifecycle): Lifecycle {
  if (lc.signatures.length === 0 && lc.phase !== 'signed') return lc;
  return { ...lc, signatures: [], phase: lc.phase === 'signed' ? 'locked' : lc.phase };
}

export function topicLocked(lc: Lifecycle, topic: string): boolean {
  return lc.locked_topics.includes(topic);
}

/** The phase in plain Swedish, for everyone. */
export const PHASE_LABELS: Record<Phase, string> = {
  draft: 'Utkast – ordföranden förbereder',
  open: 'Öppen – alla fyller i',
  locked: 'Låst – väntar på underskrifter',
  signed: 'Underskriven – kan stängas',
  closed: 'Stängd',
};

export const PHASE_HINTS: Record<Phase, string> = {
  draft: 'Ordföranden förbereder mötet och öppnar det när det börjar. Lägesbilden kan inte fyllas i än.',
  open: 'Alla fyller i sin del av lägesbilden. Ordföranden kan låsa ett ämne i taget eller hela lägesbilden.',
  locked:
    'Lägesbilden är låst. Bara ordförandens samlad bedömning kan ändras – och då dras alla underskrifter tillbaka. De som ska signera gör det nu.',
  signed: 'Alla som ska signera har signerat. Ordföranden kan stänga mötet.',
  closed: 'Mötet är stängt. Lägesbilden kan inte längre ändras.',
};

/** A meeting's state in a list of meetings (its `state`: the lifecycle's phase), one word. */
export const STATE_WORDS: Record<Phase, string> = {
  draft: 'Utkast',
  open: 'Öppet',
  locked: 'Låst',
  signed: 'Signerat',
  closed: 'Stängt',
};

/** "Utkast", "Öppet"…; a state this client does not know as it is. */
export function stateWord(state: string): string {
  return (PHASES as readonly string[]).includes(state) ? STATE_WORDS[state as Phase] : state;
}

/** Who signs: "ordföranden", "ordföranden och en medundertecknare", … "ordföranden och tre medundertecknare". */
export function signersText(required: readonly Role[]): string {
  const cosigners = required.filter((r) => r === 'cosigner').length;
  const count = ['', 'en', 'två', 'tre'][cosigners] ?? String(cosigners);
  return cosigners === 0 ? 'ordföranden' : `ordföranden och ${count} medundertecknare`;
}
