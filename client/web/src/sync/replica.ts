// A client's copy of one meeting: the server-confirmed document plus the client's own changes not yet
// acknowledged. A port of shared/src/client_replica.cpp (the reference), with what a browser needs on top:
// the edits it reports carry the operation on the *visible* text (so a caret can follow), non-text
// changes show at once (optimistically) until their ack, and a change the server only postponed
// (`rate_limited`, `storage_failed`, `stale_revision`, `out_of_range`) is kept and sent again instead
// of being lost.
//
// Text fields follow the classic OT client: per field one change (`outstanding`) and the typing since it
// went out composed into `buffer`. On top of the reference, the replica has at most ONE change in flight
// for the whole meeting (the others wait, in seq order). That makes `last_seq` in a welcome exact: the
// change in flight was applied if and only if its seq <= last_seq, since nothing after it was sent. With
// several changes in flight a refused one followed by an applied one would be taken for applied after a
// reconnect that brings a whole `state` (its text would be lost); see docs/web-client.md.
//
// Survives reconnects: it resends what the server has not applied and recognises its own changes in a
// catch-up. The client id it joins with is a secret; the server shows others (and this client, in
// `welcome.you.client`) only a public id derived from it, and that is what its own ops carry.
//
// Pure logic: the caller moves the messages. Every method returns the messages to send, in order.
import { MeetingDoc } from '../model/document';
import { PrivacyReview } from '../model/privacy';
import {
  applyLifecycle,
  initialLifecycle,
  isLifecycleKind,
  isPictureKind,
  pictureChanged,
  readLifecycle,
  type Lifecycle,
} from '../model/lifecycle';
import type {
  AckMessage,
  AppliedMessage,
  Change,
  ErrorMessage,
  FieldRef,
  RemoteOpMessage,
  ServerMessage,
  WelcomeMessage,
} from '../model/types';
import { entryKey, fieldKey, fieldRefToJSON, itemKey } from '../model/types';
import { OtError, TextOperation } from '../ot/text-operation';

export type ClientMessage = Record<string, unknown>;

/** What the replica tells the view. */
export interface ReplicaListener {
  /**
   * The visible text of a field changed by someone else (or by a refusal or a resync). `op` is the
   * change of the visible text when it is known, null when the field should simply be reloaded.
   */
  text?(key: string, target: FieldRef, op: TextOperation | null): void;
  /** Entries, choices or the whole picture changed. */
  structure?(): void;
  /**
   * The server refused or postponed one of our changes, or said something went wrong. `lost` is set when a text
   * change was refused for good: the field's text as the person saw it just before (it is gone from the field,
   * which shows the confirmed text again), so the view can keep it visible.
   */
  error?(e: ErrorMessage, refused: Change | null, lost?: { target: FieldRef; text: string } | null): void;
  /** The lifecycle changed: a lock, a signature, the closing, or signatures voided by an edit. */
  lifecycle?(): void;
}

interface PendingText {
  target: FieldRef;
  /** The field's next change for the server, against the confirmed text. */
  outstanding: TextOperation | null;
  outstandingSeq: number;
  /** `outstanding` went out (on this or an earlier connection) and has no answer yet. */
  sent: boolean;
  /** Typing since `outstanding` went out, against the text after it. Only while `sent`. */
  buffer: TextOperation | null;
}

interface PendingOther {
  change: Exclude<Change, { kind: 'text' }>;
  sent: boolean;
}

/**
 * One of our changes the server applied and announced with `applied`, not yet durable (its `ack` has not come).
 * A crash may still lose it: the whole state after the restart then lacks it, and it goes out again.
 */
interface Unsaved {
  /** A change of another kind, to send again as it is. */
  other: PendingOther['change'] | null;
  /** A text change: its field, and the operation on the confirmed text now that takes it out again. */
  target: FieldRef | null;
  undo: TextOperation | null;
}

/**
 * Codes that only postpone a change: keep it and send it again under the same seq. Every other code with a
 * seq refuses the change for good (`text_too_long`, `bad_text`, `forbidden`, ...): it is dropped. The
 * server no longer sends `rate_limited` (it reads more slowly instead); older servers do.
 */
const KEEP_AND_RESEND = new Set(['rate_limited', 'storage_failed', 'stale_revision', 'out_of_range']);
/** Codes after which the replica needs the whole state again. */
const RESYNC = new Set(['storage_failed', 'stale_revision', 'out_of_range']);

export class ClientReplica {
  private doc: MeetingDoc | null = null;
  private life: Lifecycle = initialLifecycle();
  private readonly privacy = new PrivacyReview();
  /** This person's name as the latest welcome says (`you.name`): the `by` of their own acknowledgements. */
  private myName = '';
  /** The chair's current topic (docs/protocol.md, "The chair's current topic"): "" none. */
  private lead = '';
  private revision = 0;
  /**
   * The welcome's `epoch`: `since` counts only under it. The server delivers a change before it is durable, so a
   * revision seen before a restart may have been lost; under a new epoch the server sends the whole state.
   */
  private epoch = '';
  private nextSeq = 1;
  private isConnected = false;
  private readonly texts = new Map<string, PendingText>(); // by field key
  private readonly others = new Map<number, PendingOther>(); // by seq
  private readonly unsaved = new Map<number, Unsaved>(); // by seq
  private remote = 0;
  /**
   * The id our own ops carry when the server broadcasts them: the public id from the latest welcome
   * (`you.client`), or the secret client id itself when the server sends none (an older server).
   */
  private ownId: string;
  /** Set when the replica no longer trusts its copy: the next join asks for the whole state. */
  private wantFullState = false;
  /** The seq of the one change in flight on this connection. */
  private inFlight: number | null = null;
  /** The server said `rate_limited`: send nothing until flushDeferred. */
  private paused = false;
  readonly errors: string[] = [];
  listener: ReplicaListener = {};

  constructor(
    readonly clientId: string,
    readonly meetingId: string,
  ) {
    this.ownId = clientId;
  }

  // ---- the connection's side ----

  /**
   * The join message to send on every (re)connect: with `since` (and the `epoch` it was seen under) once the
   * replica has state. It carries no
   * identity: the server takes name, organisation and role from the session's account and its membership
   * of the meeting's group, and says who that is in `welcome.you`.
   */
  joinMessage(): ClientMessage {
    // `applied`: the others' changes need not wait behind our ack for its commit (onMessage, `applied`).
    const m: ClientMessage = { type: 'join', meeting: this.meetingId, client: this.clientId, applied: true };
    if (this.doc && !this.wantFullState) {
      m.since = this.revision;
      if (this.epoch) m.epoch = this.epoch;
    }
    return m;
  }

  /** Marks the connection lost: nothing is sent until the next welcome. */
  disconnected(): void {
    this.isConnected = false;
    this.inFlight = null;
  }

  /** Asks for the whole state on the next join (after a message that did not fit). */
  requestFullState(): void {
    this.wantFullState = true;
  }

  /**
   * Handles one server message. Throws OtError when the message does not fit the replica (a protocol
   * bug): the caller should reconnect; the replica then asks for the whole state.
   */
  onMessage(msg: ServerMessage): ClientMessage[] {
    const out: ClientMessage[] = [];
    try {
      switch (msg.type) {
        case 'welcome':
          this.onWelcome(msg, out);
          break;
        case 'op':
          this.onRemote(msg);
          break;
        case 'ack':
          // A mark for a change announced by `applied`: durable now, nothing else to do.
          if (!this.unsaved.delete(msg.seq)) this.onAck(msg, out);
          break;
        case 'applied':
          this.onAck(msg, out, undefined, true);
          break;
        case 'error':
          this.onError(msg, out);
          break;
        default:
          break;
      }
    } catch (e) {
      this.wantFullState = true;
      throw e;
    }
    return out;
  }

  // ---- the user's side ----

  /** A local edit of a text field, against the text the user sees. */
  editText(target: FieldRef, op: TextOperation): ClientMessage[] {
    if (!this.doc) throw new OtError('not_joined', 'no state yet');
    const out: ClientMessage[] = [];
    if (op.isNoop() || !this.fieldExists(target)) return out;
    const key = fieldKey(target);
    let p = this.texts.get(key);
    if (!p) {
      p = { target: fieldRefToJSON(target), outstanding: null, outstandingSeq: 0, sent: false, buffer: null };
      this.texts.set(key, p);
    }
    if (p.outstanding && !p.sent && !p.buffer) {
      // Not gone out yet: it can still grow.
      p.outstanding = TextOperation.compose(p.outstanding, op);
    } else if (p.outstanding) {
      p.buffer = p.buffer ? TextOperation.compose(p.buffer, op) : op;
    } else {
      p.outstanding = op;
      p.outstandingSeq = this.nextSeq++;
      p.sent = false;
    }
    this.pump(out);
    return out;
  }

  /**
   * A local change of another kind (set, add_entry, remove_entry, add_item, remove_item): sent as is, confirmed on
   * its ack.
   */
  submit(c: Exclude<Change, { kind: 'text' }>): ClientMessage[] {
    if (!this.doc) throw new OtError('not_joined', 'no state yet');
    const out: ClientMessage[] = [];
    const seq = this.nextSeq++;
    const change = 'target' in c ? { ...c, target: fieldRefToJSON(c.target) } : c;
    this.others.set(seq, { change, sent: false });
    if (c.kind === 'remove_entry' || c.kind === 'remove_item') {
      // Typing in the entry or item that has not gone out can never land: forget it.
      const gone = containerOf(c);
      for (const [k, p] of this.texts) {
        if (containerOfField(p.target) === gone) {
          p.buffer = null;
          if (!p.outstanding || !p.sent) this.texts.delete(k);
        }
      }
    }
    this.pump(out);
    return out;
  }

  /** Sends again what the server postponed (rate_limited). */
  flushDeferred(): ClientMessage[] {
    const out: ClientMessage[] = [];
    this.paused = false;
    this.pump(out);
    return out;
  }

  // ---- what the view reads ----

  /** The id the server shows for this client (see `ownId`); the secret until a welcome says otherwise. */
  publicId(): string {
    return this.ownId;
  }

  hasState(): boolean {
    return this.doc !== null;
  }
  connected(): boolean {
    return this.isConnected;
  }
  rev(): number {
    return this.revision;
  }
  confirmed(): MeetingDoc {
    if (!this.doc) throw new OtError('not_joined', 'no state yet');
    return this.doc;
  }
  remoteChanges(): number {
    return this.remote;
  }
  /** The confirmed lifecycle: phase, locked topics, signatures, closing. */
  lifecycle(): Lifecycle {
    return this.life;
  }
  /** The chair's current topic, confirmed ("" none). */
  currentTopic(): string {
    return this.lead;
  }

  /** The personal identity numbers the server flagged and the chair's acknowledgements (confirmed). */
  privacyReview(): PrivacyReview {
    return this.privacy;
  }

  /** An entry's sekretess marking as the user sees it: their own pending one, else the confirmed one ("": none). */
  visibleSecrecy(topic: string, org: string, entry: string): string {
    let best = -1;
    let seen: string | null = null;
    for (const [seq, o] of this.others) {
      const c = o.change;
      if (c.kind === 'secrecy' && c.topic === topic && c.org === org && c.entry === entry && seq > best) {
        best = seq;
        seen = c.osl;
      }
    }
    if (seen !== null) return seen;
    return this.doc?.topics.get(topic)?.cells.get(org)?.find((e) => e.id === entry)?.secrecy?.osl ?? '';
  }

  /** Whether this client's acknowledgement of the number in the field is on its way (sent, not yet acknowledged). */
  acknowledging(target: FieldRef, number: string): boolean {
    const key = fieldKey(target);
    for (const o of this.others.values())
      if (o.change.kind === 'acknowledge' && o.change.number === number && fieldKey(o.change.target) === key) return true;
    return false;
  }

  /** The seq of the change waiting for its answer on this connection, or null. */
  inFlightSeq(): number | null {
    return this.inFlight;
  }

  hasDeferred(): boolean {
    return this.paused && !this.idle();
  }
  /** Nothing sent that is not yet acknowledged, and nothing waiting to be sent. */
  idle(): boolean {
    if (this.others.size > 0 || this.unsaved.size > 0) return false;
    for (const p of this.texts.values()) if (p.outstanding || p.buffer) return false;
    return true;
  }
  /** How many changes are not yet acknowledged (a text field's pending typing counts once, each unsaved change once). */
  pendingCount(): number {
    let n = this.others.size + this.unsaved.size;
    for (const p of this.texts.values()) if (p.outstanding || p.buffer) ++n;
    return n;
  }

  /** The text the user sees: confirmed text, then the change in flight, then the typing since. */
  visibleText(target: FieldRef): string {
    let text = '';
    if (this.doc) {
      try {
        text = this.doc.field(target).text;
      } catch {
        text = '';
      }
    }
    const p = this.texts.get(fieldKey(target));
    if (p) {
      try {
        if (p.outstanding) text = p.outstanding.apply(text);
        if (p.buffer) text = p.buffer.apply(text);
      } catch {
        /* cannot happen while the replica is consistent; show what is confirmed */
      }
    }
    return text;
  }

  /** The value of a choice field as the user sees it: their own pending choice, else the confirmed one. */
  visibleChoice(target: FieldRef): string {
    const key = fieldKey(target);
    let seen: string | null = null;
    let best = -1;
    for (const [seq, o] of this.others) {
      if (o.change.kind === 'set' && fieldKey(o.change.target) === key && seq > best) {
        best = seq;
        seen = o.change.value;
      }
    }
    if (seen !== null) return seen;
    try {
      return this.doc ? this.doc.field(target).choice : '';
    } catch {
      return '';
    }
  }

  /** The revision of a choice field's last set (the register's version). */
  choiceRev(target: FieldRef): number {
    try {
      return this.doc ? this.doc.field(target).rev : 0;
    } catch {
      return 0;
    }
  }

  /** The entries of a cell as the user sees them, with whether each is still waiting for its ack. */
  visibleEntries(topic: string, org: string): { id: string; pending: boolean }[] {
    return this.visibleList(
      () => this.doc!.cell(topic, org),
      (c) => (c.kind === 'add_entry' || c.kind === 'remove_entry') && c.topic === topic && c.org === org ? c.entry : null,
    );
  }

  /**
   * The decision items of a topic as the user sees them (in the order they were added, their own new ones last),
   * with whether each is still waiting for its ack.
   */
  visibleItems(topic: string): { id: string; pending: boolean }[] {
    return this.visibleList(
      () => this.doc!.items(topic),
      (c) => (c.kind === 'add_item' || c.kind === 'remove_item') && c.topic === topic ? c.item : null,
    );
  }

  /**
   * A confirmed list (a cell's entries, a topic's items) with the pending adds and removes on top: `idOf` says
   * which pending changes add to or remove from it (their id, else null).
   */
  private visibleList(
    confirmedList: () => { id: string }[],
    idOf: (c: PendingOther['change']) => string | null,
  ): { id: string; pending: boolean }[] {
    if (!this.doc) return [];
    let confirmed: { id: string }[] = [];
    try {
      confirmed = confirmedList();
    } catch {
      return [];
    }
    const removed = new Set<string>();
    const added: string[] = [];
    for (const seq of [...this.others.keys()].sort((a, b) => a - b)) {
      const c = this.others.get(seq)!.change;
      const id = idOf(c);
      if (id === null) continue;
      if (c.kind === 'remove_entry' || c.kind === 'remove_item') removed.add(id);
      else added.push(id);
    }
    const out = confirmed.filter((e) => !removed.has(e.id)).map((e) => ({ id: e.id, pending: false }));
    for (const id of added) if (!removed.has(id) && !out.some((e) => e.id === id)) out.push({ id, pending: true });
    return out;
  }

  /** True when the field exists for the user: confirmed, or in an entry or item they added that is on its way. */
  fieldExists(target: FieldRef): boolean {
    if (!this.doc) return false;
    try {
      this.doc.field(target);
      return true;
    } catch {
      const container = containerOfField(target);
      if (!container) return false;
      try {
        this.doc.definition(target);
      } catch {
        return false;
      }
      return this.pendingAdd(container) !== null;
    }
  }

  // ---- internals ----

  /** The seq of the pending add_entry or add_item that makes the entry or item (`containerOf`), or null. */
  private pendingAdd(container: string): number | null {
    for (const [seq, o] of this.others)
      if ((o.change.kind === 'add_entry' || o.change.kind === 'add_item') && containerOf(o.change) === container) return seq;
    return null;
  }

  private opMessage(seq: number, change: Change): ClientMessage {
    return { type: 'op', seq, rev: this.revision, change };
  }

  private textMessage(p: PendingText): ClientMessage {
    return this.opMessage(p.outstandingSeq, { kind: 'text', target: p.target, ops: p.outstanding!.toJSON() });
  }

  /** Sends the next change (lowest seq) when nothing is in flight. */
  private pump(out: ClientMessage[]): void {
    if (!this.isConnected || this.paused || this.inFlight !== null) return;
    let best: number | null = null;
    let send: (() => ClientMessage) | null = null;
    for (const p of this.texts.values()) {
      if (p.outstanding && !p.sent && (best === null || p.outstandingSeq < best)) {
        best = p.outstandingSeq;
        send = () => {
          p.sent = true;
          return this.textMessage(p);
        };
      }
    }
    for (const [seq, o] of this.others) {
      if (!o.sent && (best === null || seq < best)) {
        best = seq;
        send = () => {
          o.sent = true;
          return this.opMessage(seq, o.change);
        };
      }
    }
    if (best === null || !send) return;
    this.inFlight = best;
    out.push(send());
  }

  private emitText(p: { target: FieldRef }, op: TextOperation | null): void {
    this.listener.text?.(fieldKey(p.target), p.target, op);
  }

  private onRemote(msg: RemoteOpMessage): void {
    const doc = this.doc;
    if (!doc) throw new OtError('out_of_order', 'an op before the welcome');
    if (msg.client === this.ownId) {
      // Our own change (met in a catch-up, or sent on another connection with our id): the ack we missed.
      // Its `flags` and the server's stamp on an acknowledgement come with it.
      this.onAck({ type: 'ack', seq: msg.seq, rev: msg.rev, flags: msg.flags }, [], msg.change as Change);
      return;
    }
    if (msg.rev !== this.revision + 1)
      throw new OtError('out_of_order', `expected revision ${this.revision + 1}, got ${msg.rev}`);
    const any = msg.change as { kind: string } & Record<string, unknown>;
    if (!isPictureKind(any?.kind) && any?.kind !== 'acknowledge' && any?.kind !== 'current_topic') {
      // A lifecycle move (a lock, a signature, the closing), or a kind from a newer server this client does not
      // know: it takes a revision like any change; an unknown one is skipped.
      this.revision = msg.rev;
      ++this.remote;
      if (isLifecycleKind(any?.kind)) {
        this.life = applyLifecycle(this.life, any);
        this.listener.lifecycle?.();
      }
      this.listener.structure?.();
      return;
    }
    const c = msg.change as Change;
    doc.apply(c, msg.rev);
    if (c.kind === 'text' && this.unsaved.size > 0) this.carryUndos(c.target, TextOperation.fromJSON(c.ops, 'ops'));
    this.revision = msg.rev;
    ++this.remote;
    this.recordPrivacy(c, msg.rev, msg.flags, msg.by?.name ?? '');
    if (c.kind === 'current_topic') this.lead = c.topic;
    if (c.kind === 'acknowledge' || c.kind === 'current_topic') {
      this.listener.structure?.();
      return;
    }
    this.pictureEdited();
    if (c.kind === 'text') {
      const key = fieldKey(c.target);
      let serverOp = TextOperation.fromJSON(c.ops, 'ops');
      const p = this.texts.get(key);
      if (p) {
        if (p.outstanding) {
          const [s2, o2] = TextOperation.transform(serverOp, p.outstanding);
          p.outstanding = o2;
          serverOp = s2;
        }
        if (p.buffer) {
          const [s3, b2] = TextOperation.transform(serverOp, p.buffer);
          p.buffer = b2;
          serverOp = s3;
        }
      }
      // serverOp now applies to the visible text.
      this.listener.text?.(key, c.target, serverOp);
      if (msg.flags) this.listener.structure?.(); // the flagged numbers changed
      return;
    }
    if (c.kind === 'remove_entry' || c.kind === 'remove_item') {
      // Edits of a removed entry or item can never land: drop them.
      const gone = containerOf(c);
      for (const [k, p] of this.texts) if (containerOfField(p.target) === gone) this.texts.delete(k);
    }
    this.listener.structure?.();
  }

  /**
   * Carries the undo of each unsaved change of the field over a text change just applied to its confirmed text
   * (so that a crash's whole state can take back out only what was lost: rebaseAfterReset).
   */
  private carryUndos(target: FieldRef, op: TextOperation): void {
    const key = fieldKey(target);
    for (const u of this.unsaved.values())
      if (u.undo && u.target && fieldKey(u.target) === key) u.undo = TextOperation.transform(u.undo, op)[0];
  }

  /**
   * What an accepted change means for the privacy review: a text change's `flags`, an entry or item removed (its
   * fields' flags go), an acknowledgement (stamped by the server in a broadcast; our own is stamped here with our
   * name and the time, until the next welcome brings the server's).
   */
  private recordPrivacy(c: Change, rev: number, flags: RemoteOpMessage['flags'], by: string): void {
    if (flags) this.privacy.setField(flags);
    if (c.kind === 'remove_entry' || c.kind === 'remove_item') this.privacy.forget(c);
    if (c.kind === 'acknowledge') this.privacy.acknowledge(c, rev, by, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  }

  /** An accepted edit of the picture voids every signature on it (the server's rule, mirrored). */
  private pictureEdited(): void {
    const next = pictureChanged(this.life);
    if (next === this.life) return;
    this.life = next;
    this.listener.lifecycle?.();
  }

  /**
   * `echo`: the change as the server broadcast it, when the ack is our own op met in a catch-up. `applied`: the
   * message is an `applied` — confirmed as by an ack, but kept (`unsaved`) until its ack says it is durable.
   */
  private onAck(msg: AckMessage | AppliedMessage, out: ClientMessage[], echo?: Change, applied = false): void {
    const doc = this.doc;
    if (!doc) throw new OtError('out_of_order', 'an ack before the welcome');
    const { seq, rev } = msg;
    if (rev !== this.revision + 1 && rev > this.revision)
      throw new OtError('out_of_order', `ack for revision ${rev} after ${this.revision}`);
    if (this.inFlight === seq) this.inFlight = null;
    for (const p of this.texts.values()) {
      if (!p.outstanding || p.outstandingSeq !== seq) continue;
      if (rev > this.revision) {
        const before = applied ? doc.field(p.target).text : '';
        doc.apply({ kind: 'text', target: p.target, ops: p.outstanding.toJSON() }, rev);
        if (this.unsaved.size > 0) this.carryUndos(p.target, p.outstanding);
        if (applied)
          this.unsaved.set(seq, {
            other: null,
            target: p.target,
            undo: TextOperation.diff(doc.field(p.target).text, before),
          });
        this.revision = rev;
        this.pictureEdited();
        if (msg.flags) {
          this.privacy.setField(msg.flags);
          this.listener.structure?.();
        }
      }
      p.outstanding = null;
      p.sent = false;
      if (p.buffer) {
        p.outstanding = p.buffer;
        p.buffer = null;
        p.outstandingSeq = this.nextSeq++;
      } else {
        this.texts.delete(fieldKey(p.target));
      }
      this.pump(out);
      return;
    }
    const o = this.others.get(seq);
    if (o) {
      if (rev > this.revision) {
        doc.apply(o.change, rev);
        if (applied) this.unsaved.set(seq, { other: o.change, target: null, undo: null });
        this.revision = rev;
        if (o.change.kind === 'current_topic') this.lead = o.change.topic;
        else if (o.change.kind !== 'acknowledge') this.pictureEdited();
        this.recordPrivacy(echo?.kind === o.change.kind ? echo : o.change, rev, msg.flags, this.myName);
      }
      this.others.delete(seq);
      this.listener.structure?.();
    }
    this.pump(out);
  }

  private onError(msg: ErrorMessage, out: ClientMessage[]): void {
    this.errors.push(msg.code);
    if (msg.seq === undefined || msg.seq === null) {
      this.listener.error?.(msg, null);
      return;
    }
    const seq = msg.seq;
    const keep = KEEP_AND_RESEND.has(msg.code);
    if (RESYNC.has(msg.code)) this.wantFullState = true;
    if (msg.code === 'rate_limited') this.paused = true;
    if (this.inFlight === seq) this.inFlight = null;
    for (const [k, p] of this.texts) {
      if (!p.outstanding || p.outstandingSeq !== seq) continue;
      let lost: { target: FieldRef; text: string } | null = null;
      const refused: Change = { kind: 'text', target: p.target, ops: p.outstanding.toJSON() };
      if (keep) {
        // Not applied: keep it and what was typed since, and send it again under the same seq (nothing
        // after it was sent, so the server cannot have passed it).
        if (p.buffer) {
          p.outstanding = TextOperation.compose(p.outstanding, p.buffer);
          p.buffer = null;
        }
        p.sent = false;
      } else {
        // A refused change is dropped; the field shows the confirmed text again. What the person saw is
        // handed to the view (a topic locked under their typing: their text stays visible to copy).
        lost = { target: p.target, text: this.visibleText(p.target) };
        this.texts.delete(k);
        this.emitText(p, null);
      }
      this.listener.error?.(msg, refused, lost);
      this.pump(out);
      return;
    }
    const o = this.others.get(seq);
    if (o) {
      if (keep) {
        o.sent = false;
      } else {
        this.others.delete(seq);
      }
      if (!keep && (o.change.kind === 'add_entry' || o.change.kind === 'add_item')) {
        // The entry or item never came to be: what was typed or chosen in it cannot land either.
        const gone = containerOf(o.change);
        for (const [k, p] of this.texts) if (containerOfField(p.target) === gone) this.texts.delete(k);
        for (const [s, x] of this.others) if (containerOf(x.change) === gone) this.others.delete(s);
      }
      this.listener.structure?.();
      this.listener.error?.(msg, o.change);
      this.pump(out);
      return;
    }
    this.listener.error?.(msg, null);
  }

  private onWelcome(msg: WelcomeMessage, out: ClientMessage[]): void {
    // Before the catch-up: our own ops in it carry this id.
    const pub = msg.you?.client;
    this.myName = msg.you?.name ?? '';
    this.ownId = typeof pub === 'string' && pub !== '' ? pub : this.clientId;
    const rev = msg.rev;
    const lastSeq = msg.last_seq;
    this.epoch = typeof msg.epoch === 'string' ? msg.epoch : '';
    // New sequence numbers must pass what the server has seen of this client (e.g. after a restart).
    if (this.nextSeq <= lastSeq) this.nextSeq = lastSeq + 1;
    if (msg.state !== undefined && msg.state !== null) {
      const meeting = msg.meeting;
      const orgs = meeting.group.organisations.map((o) => o.id);
      const fresh = MeetingDoc.fromJSON(meeting.template, orgs, msg.state);
      const old = this.doc;
      // The other changes are needed by rebase (entries added on the way).
      this.doc = fresh;
      this.revision = rev;
      if (old) this.rebaseAfterReset(old, lastSeq);
      this.unsaved.clear();
      this.wantFullState = false;
    } else {
      if (!this.doc) throw new OtError('out_of_order', 'a catch-up without state');
      // A catch-up comes only from a load that has everything up to `since`, and the welcome only once all it
      // shows is durable: every change announced by `applied` is saved.
      this.unsaved.clear();
      for (const op of msg.catch_up ?? []) this.onRemote(op);
      if (this.revision !== rev) throw new OtError('out_of_order', `catch-up ended at ${this.revision}, not ${rev}`);
    }
    // The lifecycle as of `rev` (after the catch-up, which moved it step by step too). A server from before the
    // lifecycle sends none: with a whole state, the meeting's `state` says what there is.
    // The flags and acknowledgements as of `rev`, likewise (a server from before them sends none: with a whole
    // state there are none to know of).
    if (typeof msg.current_topic === 'string') this.lead = msg.current_topic;
    if (msg.privacy) this.privacy.read(msg.privacy);
    else if (msg.state !== undefined && msg.state !== null) this.privacy.read(null);
    if (msg.lifecycle !== undefined && msg.lifecycle !== null) this.life = readLifecycle(msg.lifecycle);
    else if (msg.state !== undefined && msg.state !== null) this.life = readLifecycle(null, msg.meeting?.state);
    this.listener.lifecycle?.();
    // Whatever is still pending with a seq the server has passed was refused while we were away.
    for (const [k, p] of this.texts) {
      if (p.outstanding && p.outstandingSeq <= lastSeq) {
        this.texts.delete(k);
        this.emitText(p, null);
      }
    }
    for (const seq of [...this.others.keys()]) if (seq <= lastSeq) this.others.delete(seq);

    // Everything left was not applied: it goes out again, one change at a time in seq order (the server
    // applies a client's changes in the order of their seq).
    for (const p of this.texts.values()) {
      if (p.outstanding && p.buffer) {
        p.outstanding = TextOperation.compose(p.outstanding, p.buffer);
        p.buffer = null;
      } else if (!p.outstanding && p.buffer) {
        p.outstanding = p.buffer;
        p.buffer = null;
        p.outstandingSeq = this.nextSeq++;
      }
      p.sent = false;
    }
    for (const o of this.others.values()) o.sent = false;
    this.isConnected = true;
    this.inFlight = null;
    this.paused = false;
    this.pump(out);
    this.listener.structure?.();
  }

  private rebaseAfterReset(oldDoc: MeetingDoc, lastSeq: number): void {
    // The server sent a whole new state (our catch-up was too far back, or we asked for it). Changes it
    // applied are in it; the rest are moved onto it by transforming against the difference between the
    // old and the new text.
    // Changes announced by `applied` that the restarted server lacks were lost in a crash: they go out again,
    // a text change as part of its field's next change (below), any other as it was.
    // The field's change takes the seq of its first lost one, so that everything goes out in the order it was made.
    const lostUndos = new Map<string, TextOperation[]>(); // by field key, in seq order
    const lostFirst = new Map<string, number>(); // the seq of each field's first lost change
    for (const [seq, u] of [...this.unsaved].sort((a, b) => a[0] - b[0])) {
      if (seq <= lastSeq) continue;
      if (u.other) this.others.set(seq, { change: u.other, sent: false });
      if (!u.target || !u.undo) continue;
      const k = fieldKey(u.target);
      lostUndos.set(k, [...(lostUndos.get(k) ?? []), u.undo]);
      if (!lostFirst.has(k)) lostFirst.set(k, seq);
      if (!this.texts.has(k))
        this.texts.set(k, { target: u.target, outstanding: null, outstandingSeq: 0, sent: false, buffer: null });
    }
    const textIn = (doc: MeetingDoc, t: FieldRef, addedOnTheWay: boolean): string => {
      try {
        return doc.field(t).text;
      } catch (e) {
        if (addedOnTheWay) return '';
        throw e;
      }
    };
    for (const [k, p] of this.texts) {
      try {
        const container = containerOfField(p.target);
        const addSeq = container ? this.pendingAdd(container) : null;
        let base = textIn(oldDoc, p.target, addSeq !== null);
        let mine: TextOperation | null = null;
        if (p.outstanding && p.outstandingSeq <= lastSeq) {
          base = p.outstanding.apply(base); // already in the new state
          mine = p.buffer;
        } else if (p.outstanding) {
          mine = p.buffer ? TextOperation.compose(p.outstanding, p.buffer) : p.outstanding;
        } else {
          mine = p.buffer;
        }
        const undos = lostUndos.get(k);
        if (undos) {
          // The old text without the lost changes (each undo carried past those before it), and the change
          // that puts them back, ahead of what is pending.
          let without = base;
          let done: TextOperation | null = null;
          for (const u of undos) {
            const next: TextOperation = done ? TextOperation.transform(u, done)[0] : u;
            without = next.apply(without);
            done = done ? TextOperation.compose(done, next) : next;
          }
          const redo = TextOperation.diff(without, base);
          mine = mine ? TextOperation.compose(redo, mine) : redo;
          base = without;
        }
        const now = textIn(this.doc!, p.target, addSeq !== null && addSeq > lastSeq);
        if (!mine) {
          this.texts.delete(k);
          continue;
        }
        p.outstanding = TextOperation.transform(TextOperation.diff(base, now), mine)[1];
        p.outstandingSeq = lostFirst.get(k) ?? (p.outstandingSeq > lastSeq ? p.outstandingSeq : this.nextSeq++);
        p.buffer = null;
        p.sent = false;
      } catch (e) {
        if (!(e instanceof OtError)) throw e;
        this.texts.delete(k); // the field is gone (entry removed)
      }
    }
    // Every visible text may have changed.
    this.listener.text?.('*', { topic: '*', field: '*' }, null);
  }
}

/** The entry ("e:topic/org/entry") or decision item ("i:topic/item") a field is in; null for a topic field. */
function containerOfField(t: FieldRef): string | null {
  if (t.item) return `i:${itemKey(t.topic, t.item)}`;
  if (t.org && t.entry) return `e:${entryKey(t.topic, t.org, t.entry)}`;
  return null;
}

/** The entry or decision item a change makes, removes or edits (see containerOfField). */
function containerOf(c: Change): string | null {
  if (c.kind === 'add_entry' || c.kind === 'remove_entry' || c.kind === 'secrecy') return `e:${entryKey(c.topic, c.org, c.entry)}`;
  if (c.kind === 'add_item' || c.kind === 'remove_item') return `i:${itemKey(c.topic, c.item)}`;
  if (c.kind === 'current_topic') return null;
  return containerOfField(c.target);
}
