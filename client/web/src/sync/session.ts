// One person's live meeting: the replica, the connection and who else is there, with small
// subscriptions the view listens to (a field's text, the picture's structure, presence, sync state).
import type { Change, ErrorMessage, FieldRef, Participant, ServerMessage, WelcomeMeeting } from '../model/types';
import { fieldKey, fieldRefToJSON } from '../model/types';
import { swedishError } from '../errors';
import { topicLocked, type Lifecycle } from '../model/lifecycle';
import { cleanInput } from '../model/text-rules';
import { TextOperation } from '../ot/text-operation';
import { Connection, type ConnectionOptions } from './connection';
import { ClientReplica, type ClientMessage } from './replica';

export type SessionStatus =
  | 'connecting' // first connection, no picture yet
  | 'live' // joined, changes flow
  | 'reconnecting' // the connection dropped; typing goes on and is sent later
  | 'signed_out' // the server ended the session (4003): typing goes on and is sent once the person signs in again
  | 'failed'; // the server refused to let us in (no such meeting, or not the person's group)

/** The close code of a session that ended (docs/protocol.md, "Close codes"). */
export const SESSION_ENDED = 4003;

/** Whether the person still has a session: GET /api/me answering 200, 401, or nothing useful (network). */
export type SessionCheck = 'ok' | 'signed_out' | 'unknown';

export interface SessionOptions extends ConnectionOptions {
  /** Asks the server whether the session is still alive (GET /api/me); tests pass their own. */
  checkSession?: () => Promise<SessionCheck>;
}

export interface Notice {
  id: number;
  code: string;
  text: string;
  at: number;
}

/**
 * Text a person typed that the server refused for good because the topic or the picture was locked (or the
 * meeting closed) before it was saved: kept for them to copy, until they close it.
 */
export interface RescuedText {
  id: number;
  /** The field's key (fieldKey) and where it was. */
  key: string;
  target: FieldRef;
  text: string;
  code: 'locked' | 'closed';
}

type Channel = 'structure' | 'presence' | 'sync' | 'notices' | 'lifecycle';
type Listener = () => void;
export type TextListener = (op: TextOperation | null) => void;

/** Join refusals after which trying again cannot help. */
const FATAL_JOIN = new Set(['meeting_not_found', 'unknown_org', 'bad_message', 'already_joined']);
/** Errors that need a fresh connection (and the whole state). */
const RECONNECT = new Set(['storage_failed', 'stale_revision', 'out_of_range', 'not_joined']);

function fieldKeyOrNull(r: FieldRef | null): string | null {
  return r ? fieldKey(r) : null;
}

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < bytes; ++i) b[i] = Math.floor(Math.random() * 256);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A new entry id: unique in the meeting (48 random bits), never reused. */
export function newEntryId(): string {
  return 'e-' + randomHex(6);
}

/** A new decision item id (`d-` and 12 hex digits): unique in its topic, never reused. */
export function newItemId(): string {
  return 'd-' + randomHex(6);
}

/**
 * A new client id: a secret only this tab knows (the server never shows it to anyone; others see a public id
 * derived from it). 128 random bits from crypto.getRandomValues, as `c-` and 32 hex digits (34 characters;
 * the server takes 16–64 of `a-z 0-9 - _`). Without a cryptographic source there is no secret to make.
 */
export function newClientId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.getRandomValues) throw new Error('crypto.getRandomValues is needed for a client id');
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  return 'c-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** The Swedish words for a refused decision item change where the general ones speak of entries; else null. */
export function itemErrorText(code: string, refused: Change | null): string | null {
  if (!refused) return null;
  const onItem = refused.kind === 'add_item' || refused.kind === 'remove_item' || ('target' in refused && !!refused.target.item);
  if (!onItem) return null;
  if (code === 'limit_reached' && refused.kind === 'add_item')
    return 'Ämnet har redan så många beslutsförslag som tillåts. Ta bort ett förslag innan du lägger till ett nytt.';
  if (code === 'not_found') return 'Ändringen kunde inte sparas eftersom beslutsförslaget har tagits bort av någon annan.';
  if (code === 'duplicate_entry') return 'Beslutsförslaget kunde inte läggas till. Försök igen.';
  if (code === 'bad_value' && refused.kind === 'set')
    return 'Värdet togs inte emot: ett datum ska vara en riktig dag (ÅÅÅÅ-MM-DD) och en organisation en av gruppens.';
  if (code === 'forbidden' && refused.kind === 'set' && refused.target.field === 'till_bra')
    return 'Bara ordföranden bestämmer vilka beslutsförslag som går till BRÅ.';
  return null;
}

/** The Swedish words for a refused acknowledgement or sekretess marking; else null. */
export function privacyErrorText(code: string, refused: Change | null): string | null {
  if (refused?.kind === 'acknowledge') {
    if (code === 'not_found') return 'Numret hann tas bort ur texten innan du godkände det. Det behöver inte godkännas längre.';
    if (code === 'conflict') return 'Numret är redan godkänt i det fältet.';
    if (code === 'bad_value') return 'Skälet får inte själv innehålla ett personnummer eller samordningsnummer. Skriv skälet igen.';
    if (code === 'bad_message') return 'Skälet togs inte emot: skriv 1–500 tecken på en rad.';
    if (code === 'forbidden') return 'Bara ordföranden kan godkänna personuppgifter.';
  }
  if (refused?.kind === 'secrecy') {
    if (code === 'conflict') return 'Någon annan ändrade sekretessmarkeringen samtidigt som du. Den visas nu; välj igen om du vill ändra den.';
    if (code === 'bad_value') return 'Sekretesshänvisningen får inte innehålla ett personnummer eller samordningsnummer.';
    if (code === 'bad_message') return 'Sekretesshänvisningen togs inte emot: skriv högst 200 tecken på en rad.';
    if (code === 'forbidden')
      return 'Du kan bara sekretessmarkera din egen organisations händelser medan ämnet är öppet; ordföranden kan markera alla.';
    if (code === 'not_found') return 'Händelsen har tagits bort, så den kunde inte sekretessmarkeras.';
  }
  return null;
}

/** How long someone who left is still shown, as "frånkopplad" (they may be back in a moment). */
export const DEPARTED_SHOWN_MS = 10 * 60 * 1000;

export class MeetingSession {
  readonly replica: ClientReplica;
  private readonly conn: Connection;
  status: SessionStatus = 'connecting';
  meeting: WelcomeMeeting | null = null;
  you: Participant | null = null;
  readonly participants = new Map<string, Participant>();
  /**
   * Those who left (their connection closed or dropped), by session, with when: shown as "frånkopplad" for
   * DEPARTED_SHOWN_MS unless the same person is back.
   */
  private readonly departed = new Map<string, Participant & { leftAt: number }>();
  private departedTimer: ReturnType<typeof setTimeout> | null = null;
  notices: Notice[] = [];
  /** Refused text kept visible (see RescuedText), newest last. */
  rescued: RescuedText[] = [];
  /** A Swedish sentence when status is 'failed'. */
  failure: string | null = null;
  /** How many times the connection came back after a drop (for the view and the tests). */
  reconnects = 0;
  /** Why the server ended the session (the 4003's reason: signed_out, expired, account_disabled, access_changed). */
  endReason: string | null = null;
  private readonly checkSession: () => Promise<SessionCheck>;
  private checking = false;
  private recentEnds: number[] = [];
  private resumeTimer: unknown = null;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;
  private hadWelcome = false;
  private myFocus: FieldRef | null = null;
  private noticeId = 0;
  private deferTimer: ReturnType<typeof setTimeout> | null = null;
  private blurTimer: ReturnType<typeof setTimeout> | null = null;
  private hadWelcomeOnThisConnection = false;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private lastSent = 0;
  /** A change without an answer for this long, and nothing else heard: the connection is dead. */
  static stallMs = 20_000;
  private readonly listeners = new Map<Channel, Set<Listener>>();
  private readonly textListeners = new Map<string, Set<TextListener>>();
  private lastSync = '';

  constructor(
    readonly url: string,
    clientId: string,
    meetingId: string,
    options: SessionOptions = {},
  ) {
    this.checkSession = options.checkSession ?? (async () => 'unknown');
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
    this.replica = new ClientReplica(clientId, meetingId);
    this.replica.listener = {
      text: (key, _target, op) => this.emitText(key, op),
      structure: () => this.emit('structure'),
      error: (e, refused, lost) => this.onReplicaError(e, refused, lost ?? null),
      lifecycle: () => this.emit('lifecycle'),
    };
    this.conn = new Connection(
      url,
      {
        open: () => this.sendNow(this.replica.joinMessage()),
        message: (data) => this.onMessage(data),
        closed: (info) => this.onClosed(info),
      },
      options,
    );
  }

  start(): void {
    this.conn.start();
    // A network that goes silent without the browser noticing leaves the socket "open" for minutes;
    // a change that gets no answer says more.
    this.watchdog = setInterval(() => this.checkStalled(), 5000);
  }

  private checkStalled(): void {
    if (this.status !== 'live' || this.replica.inFlightSeq() === null) return;
    if (Date.now() - Math.max(this.lastHeard, this.lastSent) > MeetingSession.stallMs) this.conn.drop('stalled');
  }

  stop(): void {
    this.conn.stop();
    if (this.resumeTimer !== null) this.clearTimer(this.resumeTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.deferTimer) clearTimeout(this.deferTimer);
    if (this.blurTimer) clearTimeout(this.blurTimer);
    if (this.departedTimer) clearTimeout(this.departedTimer);
  }

  /** Drops the connection; it comes back by itself (used when the browser goes offline, and by tests). */
  dropConnection(reason = 'offline'): void {
    this.conn.drop(reason);
  }

  /** The browser is online again: try now rather than at the next scheduled attempt. */
  online(): void {
    this.conn.reconnectNow();
  }

  /**
   * The person has signed in again: connect and resend what is waiting (the replica rejoins with `since`, and
   * the server deduplicates by seq). Does nothing while the session is live.
   */
  resume(): void {
    if (this.status === 'failed') return;
    if (this.resumeTimer !== null) {
      this.clearTimer(this.resumeTimer);
      this.resumeTimer = null;
    }
    if (this.status === 'signed_out') {
      this.status = this.hadWelcome ? 'reconnecting' : 'connecting';
      this.endReason = null;
      this.emit('structure');
      this.emitSyncIfChanged();
    }
    this.conn.resume();
  }

  /**
   * The connection closed with 4003 or could not be opened: is the session still there? Without one, wait
   * for the person to sign in (no reconnect loop against a server that can only refuse); with one (a role
   * change closes the connection too), connect again — at once the first times, then after a pause.
   */
  private verifySession(ended: boolean): void {
    if (this.checking) return;
    this.checking = true;
    void this.checkSession().then(
      (answer) => this.onSessionChecked(answer, ended),
      () => this.onSessionChecked('unknown', ended),
    );
  }

  private onSessionChecked(answer: SessionCheck, ended: boolean): void {
    this.checking = false;
    if (this.status === 'failed') return;
    if (answer === 'signed_out') {
      this.conn.hold();
      if (this.status !== 'signed_out') {
        this.status = 'signed_out';
        this.emit('structure');
        this.emitSyncIfChanged();
      }
      return;
    }
    if (!ended || this.status === 'signed_out') return;
    // 4003 with a live session: the role changed (access_changed). Rejoin to get the new role, but a server
    // that keeps ending the connection gets a pause between attempts, not a loop.
    const now = Date.now();
    this.recentEnds = [...this.recentEnds.filter((t) => now - t < 60_000), now];
    if (this.recentEnds.length <= 3) this.conn.resume();
    else if (this.resumeTimer === null)
      this.resumeTimer = this.setTimer(() => {
        this.resumeTimer = null;
        this.conn.resume();
      }, 15_000);
  }

  // ---- subscriptions ----

  on(channel: Channel, fn: Listener): () => void {
    let s = this.listeners.get(channel);
    if (!s) this.listeners.set(channel, (s = new Set()));
    s.add(fn);
    return () => s!.delete(fn);
  }

  onText(key: string, fn: TextListener): () => void {
    let s = this.textListeners.get(key);
    if (!s) this.textListeners.set(key, (s = new Set()));
    s.add(fn);
    return () => s!.delete(fn);
  }

  private emit(channel: Channel): void {
    for (const fn of [...(this.listeners.get(channel) ?? [])]) fn();
    if (channel !== 'sync') this.emitSyncIfChanged();
  }

  private emitText(key: string, op: TextOperation | null): void {
    if (key === '*') {
      for (const set of this.textListeners.values()) for (const fn of [...set]) fn(null);
    } else {
      for (const fn of [...(this.textListeners.get(key) ?? [])]) fn(op);
    }
  }

  private emitSyncIfChanged(): void {
    const s = `${this.status}|${this.replica.pendingCount()}`;
    if (s === this.lastSync) return;
    this.lastSync = s;
    for (const fn of [...(this.listeners.get('sync') ?? [])]) fn();
  }

  // ---- what the view does ----

  /** The confirmed lifecycle (phase, locked topics, signatures, closing). */
  lifecycle(): Lifecycle {
    return this.replica.lifecycle();
  }

  /**
   * Whether this person writes the cells of `org`: their own organisation, as the server's welcome says
   * (`welcome.you`: from their account and membership, never from anything the page chose). With `topic`: and
   * only while the meeting is open and that topic is not locked (the permission table's write_own_cell).
   */
  canWriteCell(org: string, topic?: string): boolean {
    const r = this.you?.role;
    // A chair without an organisation has no cells ("" is no organisation's id).
    if (!((r === 'participant' || r === 'chair' || r === 'cosigner') && !!org && org === this.you?.org)) return false;
    const lc = this.lifecycle();
    if (lc.phase !== 'open') return false;
    return topic === undefined || !topicLocked(lc, topic);
  }

  /**
   * Only the chair writes the topic fields (samlad bedömning, nivå, prioriteringar): in a locked picture too (an
   * edit then withdraws the signatures), not once it is signed or closed. A topic lock leaves them open.
   */
  canWriteTopicFields(): boolean {
    const phase = this.lifecycle().phase;
    return this.you?.role === 'chair' && (phase === 'draft' || phase === 'open' || phase === 'locked');
  }

  /**
   * Whether this person proposes, writes and removes decision items (the permission table's
   * propose_decision_item): a participant, chair or co-signer, while the meeting is open or locked. Items belong to
   * no organisation, and topic locks do not apply to them.
   */
  canWriteItems(): boolean {
    const r = this.you?.role;
    const phase = this.lifecycle().phase;
    return (r === 'participant' || r === 'chair' || r === 'cosigner') && (phase === 'open' || phase === 'locked');
  }

  /** Only the chair marks which decision items go to BRÅ (`till_bra`, select_decision_item), while items may change. */
  canSelectItems(): boolean {
    return this.you?.role === 'chair' && this.canWriteItems();
  }

  /** Only the chair acknowledges a flagged number (acknowledge_personal_data), while the meeting is open or locked. */
  canAcknowledge(): boolean {
    const phase = this.lifecycle().phase;
    return this.you?.role === 'chair' && (phase === 'open' || phase === 'locked');
  }

  /**
   * Whether this person may mark an entry of `org` in `topic` sekretess: their own organisation's entry while they
   * may write it (mark_own_secrecy), or, as the chair, any entry while the meeting is open or locked
   * (mark_other_secrecy). The server decides; this only hides what it would refuse.
   */
  canMarkSecrecy(org: string, topic: string): boolean {
    return this.canWriteCell(org, topic) || this.canAcknowledge();
  }

  /** The chair's current topic ("" none): the topic the meeting is on, for every screen to follow. */
  currentTopic(): string {
    return this.replica.currentTopic();
  }

  /** May this person lead the meeting from topic to topic (the chair, until the meeting is closed)? */
  canLead(): boolean {
    return this.you?.role === 'chair' && this.lifecycle().phase !== 'closed';
  }

  /** The chair shows everyone `topic` as the one under discussion. */
  lead(topic: string): void {
    this.submit({ kind: 'current_topic', topic });
  }

  /** The chair acknowledges the flagged `number` in the field, with a reason (one line, 1–500 bytes). */
  acknowledge(target: FieldRef, number: string, reason: string): void {
    this.submit({ kind: 'acknowledge', target: fieldRefToJSON(target), number, reason });
  }

  /** Marks an entry sekretess under `osl` ("" clears the marking). */
  setSecrecy(topic: string, org: string, entry: string, osl: string): void {
    this.submit({ kind: 'secrecy', topic, org, entry, osl });
  }

  dismissRescued(id: number): void {
    this.rescued = this.rescued.filter((r) => r.id !== id);
    this.emit('notices');
  }

  /**
   * The user changed a text field to `value`; `caret` is where the caret is after the edit. This is where an
   * input's value becomes a text operation: what the edit brought in is cleaned first (CRLF and CR become LF;
   * control and bidi override characters the server refuses with `bad_text` are dropped, see
   * model/text-rules.ts). Returns the value and caret the input should show: when they differ from what was
   * passed in, the caller puts them back into the element.
   */
  editText(target: FieldRef, value: string, caret?: number): { value: string; caret?: number } {
    if (!this.replica.hasState()) return { value, caret };
    const old = this.replica.visibleText(target);
    const clean = cleanInput(old, value, caret);
    if (old === clean.value) return clean;
    const op = TextOperation.diff(old, clean.value, clean.caret);
    this.sendAll(this.replica.editText(target, op));
    this.emitSyncIfChanged();
    // Others showing this field in this page (a decision item's heading follows its rubrik) hear of the person's own
    // typing too — after the input has taken the cleaned value, so the input itself finds nothing to change.
    const key = fieldKey(target);
    queueMicrotask(() => this.emitText(key, null));
    return clean;
  }

  setChoice(target: FieldRef, value: string): void {
    this.submit({ kind: 'set', target: fieldRefToJSON(target), value });
  }

  addEntry(topic: string, org: string): string {
    const entry = newEntryId();
    this.submit({ kind: 'add_entry', topic, org, entry });
    return entry;
  }

  removeEntry(topic: string, org: string, entry: string): void {
    this.submit({ kind: 'remove_entry', topic, org, entry });
  }

  /**
   * Restores a removed entry from what it held (the history's `content`): a new entry in the same cell with the same
   * fields and sekretess marking, made of ordinary changes, so the same rules hold as for writing it anew. `choice`
   * says which fields are choices. Returns the new entry's id.
   */
  restoreEntry(topic: string, org: string, content: { fields: Record<string, string>; secrecy: string }, choice: (field: string) => boolean): string {
    const entry = this.addEntry(topic, org);
    for (const [field, value] of Object.entries(content.fields)) {
      if (value === '') continue;
      const target = { topic, org, entry, field };
      if (choice(field)) this.setChoice(target, value);
      else this.editText(target, value);
    }
    if (content.secrecy) this.setSecrecy(topic, org, entry, content.secrecy);
    return entry;
  }

  /** Proposes a new, empty decision item in the topic; returns its id. */
  addItem(topic: string): string {
    const item = newItemId();
    this.submit({ kind: 'add_item', topic, item });
    return item;
  }

  removeItem(topic: string, item: string): void {
    this.submit({ kind: 'remove_item', topic, item });
  }

  /** Where this person is writing, or null. */
  focus(target: FieldRef | null): void {
    if (this.blurTimer) {
      clearTimeout(this.blurTimer);
      this.blurTimer = null;
    }
    if (fieldKeyOrNull(target) === fieldKeyOrNull(this.myFocus)) return;
    this.myFocus = target ? fieldRefToJSON(target) : null;
    if (this.you) this.you = { ...this.you, focus: this.myFocus };
    this.sendFocus();
    this.emit('presence');
  }

  /** Left a field: unless another field takes focus right away, this person is no longer writing. */
  blur(): void {
    if (this.blurTimer) clearTimeout(this.blurTimer);
    this.blurTimer = setTimeout(() => {
      this.blurTimer = null;
      this.focus(null);
    }, 150);
  }

  text(target: FieldRef): string {
    return this.replica.visibleText(target);
  }

  /**
   * Everyone in the meeting, this person first, one line per person: a connection the server has not yet
   * noticed is dead (this person's own before a reconnect, say) looks the same as the new one, so the
   * same name, organisation and role count once.
   */
  people(): (Participant & { me: boolean; leftAt?: number })[] {
    const me = this.you;
    const key = (p: Participant) => `${p.name}|${p.org}|${p.role}`;
    const out = new Map<string, Participant & { me: boolean; leftAt?: number }>();
    if (me) out.set(key(me), { ...me, me: true });
    for (const p of this.participants.values()) {
      const k = key(p);
      const seen = out.get(k);
      if (!seen) out.set(k, { ...p, me: false });
      else if (!seen.me && !seen.focus && p.focus) out.set(k, { ...p, me: false });
    }
    const now = Date.now();
    for (const p of this.departed.values()) {
      const k = key(p);
      if (now - p.leftAt < DEPARTED_SHOWN_MS && !out.has(k)) out.set(k, { ...p, focus: null, me: false });
    }
    return [...out.values()];
  }

  private noteDeparted(p: Participant): void {
    this.departed.set(p.session, { ...p, leftAt: Date.now() });
    // At most one person per name, organisation and role: the newest departure.
    for (const [s, d] of this.departed)
      if (s !== p.session && d.name === p.name && d.org === p.org && d.role === p.role) this.departed.delete(s);
    this.scheduleDepartedExpiry();
  }

  /** Wakes when the earliest departure has been shown long enough, and forgets it. */
  private scheduleDepartedExpiry(): void {
    if (this.departedTimer) clearTimeout(this.departedTimer);
    this.departedTimer = null;
    if (this.departed.size === 0) return;
    const oldest = Math.min(...[...this.departed.values()].map((d) => d.leftAt));
    this.departedTimer = setTimeout(() => {
      const now = Date.now();
      for (const [s, d] of this.departed) if (now - d.leftAt >= DEPARTED_SHOWN_MS) this.departed.delete(s);
      this.emit('presence');
      this.scheduleDepartedExpiry();
    }, Math.max(0, oldest + DEPARTED_SHOWN_MS - Date.now()));
  }

  /** Others (not this person) whose focus is on the field. */
  focusedBy(target: FieldRef): Participant[] {
    const key = fieldKey(target);
    return this.people().filter((p) => !p.me && p.focus && fieldKey(p.focus) === key);
  }

  dismissNotice(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.emit('notices');
  }

  notify(code: string, text = swedishError(code)): void {
    // The same sentence twice in a row says nothing new.
    const last = this.notices[this.notices.length - 1];
    if (last && last.text === text && Date.now() - last.at < 10000) return;
    this.notices = [...this.notices.slice(-4), { id: ++this.noticeId, code, text, at: Date.now() }];
    this.emit('notices');
  }

  // ---- internals ----

  private submit(c: Exclude<Change, { kind: 'text' }>): void {
    if (!this.replica.hasState()) return;
    this.sendAll(this.replica.submit(c));
    this.emit('structure');
  }

  private sendNow(m: ClientMessage): void {
    this.conn.send(JSON.stringify(m));
  }

  private sendAll(ms: ClientMessage[]): void {
    if (ms.length > 0) this.lastSent = Date.now();
    for (const m of ms) this.sendNow(m);
  }

  private sendFocus(): void {
    if (this.status !== 'live') return;
    const msg = JSON.stringify({ type: 'focus', target: this.myFocus });
    this.conn.sendLatest(msg, (q) => q.startsWith('{"type":"focus"'));
  }

  private onMessage(data: string): void {
    this.lastHeard = Date.now();
    let msg: ServerMessage;
    try {
      msg = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    switch (msg.type) {
      case 'presence':
        this.participants.set(msg.participant.session, msg.participant);
        this.emit('presence');
        return;
      case 'presence_left': {
        const gone = this.participants.get(msg.session);
        this.participants.delete(msg.session);
        if (gone) this.noteDeparted(gone);
        this.emit('presence');
        return;
      }
      case 'welcome': {
        this.meeting = msg.meeting;
        // The public id (you.client) is for the replica only: nothing the view shows carries it.
        const { client: _publicId, ...you } = msg.you;
        void _publicId;
        this.you = you;
        this.participants.clear();
        for (const p of msg.participants) this.participants.set(p.session, p);
        break;
      }
      case 'error':
        if (!this.hadWelcomeOnThisConnection && msg.seq === undefined) return this.onJoinRefused(msg);
        break;
      default:
        break;
    }
    let out: ClientMessage[];
    try {
      out = this.replica.onMessage(msg);
    } catch {
      // The message did not fit our copy: start over with the whole state (the replica asks for it).
      this.notify('out_of_order');
      this.conn.drop('resync');
      return;
    }
    if (msg.type === 'welcome') {
      if (this.hadWelcome) ++this.reconnects;
      this.hadWelcome = true;
      this.hadWelcomeOnThisConnection = true;
      this.status = 'live';
      this.failure = null;
      this.endReason = null;
      this.sendAll(out);
      if (this.myFocus) this.sendFocus();
      this.emit('presence');
      this.emit('structure');
      this.scheduleDeferred();
      return;
    }
    this.sendAll(out);
    this.emitSyncIfChanged();
  }

  private onJoinRefused(e: ErrorMessage): void {
    if (FATAL_JOIN.has(e.code)) {
      this.status = 'failed';
      this.failure = swedishError(e.code);
      this.conn.stop();
      this.emit('structure');
      return;
    }
    // meeting_full, storage_failed...: say so and try again later.
    this.notify(e.code);
    this.conn.drop('retry');
  }

  private onReplicaError(e: ErrorMessage, refused: Change | null, lost: { target: FieldRef; text: string } | null): void {
    // A focus on a field that just went away, or a focus message too many: nothing the user needs to know.
    if (!refused && e.seq === undefined && (e.code === 'not_found' || e.code === 'rate_limited')) return;
    if (lost && lost.text !== '' && (e.code === 'locked' || e.code === 'closed')) {
      // The topic or picture was locked (or the meeting closed) under the person's typing: the field shows the
      // server's text again, and what they wrote stays here to copy. One per field: the newest text.
      const key = fieldKey(lost.target);
      this.rescued = [
        ...this.rescued.filter((r) => r.key !== key),
        { id: ++this.noticeId, key, target: fieldRefToJSON(lost.target), text: lost.text, code: e.code },
      ];
      this.emit('notices');
      return;
    }
    if (e.code === 'rate_limited') {
      this.scheduleDeferred();
      return; // nothing is lost: not worth a message unless it persists
    }
    this.notify(e.code, itemErrorText(e.code, refused) ?? privacyErrorText(e.code, refused) ?? swedishError(e.code));
    if (RECONNECT.has(e.code)) {
      this.replica.requestFullState();
      this.conn.drop('resync');
    }
  }

  private scheduleDeferred(): void {
    if (this.deferTimer || !this.replica.hasDeferred()) return;
    this.deferTimer = setTimeout(() => {
      this.deferTimer = null;
      this.sendAll(this.replica.flushDeferred());
      this.scheduleDeferred();
    }, 1000);
  }

  private onClosed(info: { code: number; reason: string; wasOpen: boolean }): void {
    this.replica.disconnected();
    this.hadWelcomeOnThisConnection = false;
    if (this.status === 'failed') return;
    if (info.code === SESSION_ENDED) {
      // The session ended (signed out elsewhere, expired, disabled) or the role changed: reconnecting now
      // would only be refused. Hold, and ask the server which it was.
      this.conn.hold();
      this.endReason = info.reason || 'signed_out';
      if (this.status !== 'signed_out') this.status = this.hadWelcome ? 'reconnecting' : 'connecting';
      this.verifySession(true);
    } else {
      // A refused upgrade (401 without a session) looks like any failed connection: ask as well.
      if (!info.wasOpen) this.verifySession(false);
      if (this.hadWelcome && this.status !== 'signed_out') this.status = 'reconnecting';
    }
    // Others' presence is unknown until the next welcome; keep showing the last we knew.
    this.emit('structure');
    this.emitSyncIfChanged();
  }

  /** Sync state for the view: 'saved' when everything is acknowledged. */
  syncState(): { status: SessionStatus; pending: number } {
    return { status: this.status, pending: this.replica.pendingCount() };
  }
}
