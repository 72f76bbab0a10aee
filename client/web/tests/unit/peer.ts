// A simulated browser for the replica tests: a ClientReplica with a link to the SimServer whose two
// directions are queues the test moves by hand (so messages can be in flight, delayed or lost).
import type { FieldRef, Role, ServerMessage } from '../../src/model/types';
import { fieldKey } from '../../src/model/types';
import { TextOperation } from '../../src/ot/text-operation';
import { ClientReplica, type ClientMessage } from '../../src/sync/replica';
import type { SimConn, SimServer, SimWho } from './sim-server';

export class Peer {
  readonly replica: ClientReplica;
  conn: SimConn | null = null;
  /** Client → server messages not yet delivered. */
  readonly up: ClientMessage[] = [];
  /** Every visible-text change the replica reported, per field key, checked against the text. */
  readonly reported: string[] = [];
  readonly errors: string[] = [];
  private shadow = new Map<string, string>();
  /** Set by an error after which the browser reconnects (see MeetingSession). */
  needsReconnect = false;
  /** Who the server takes this peer's session to be. */
  readonly who: SimWho;

  constructor(
    readonly server: SimServer,
    readonly id: string,
    org = 'polis',
    role: Role = 'participant',
  ) {
    this.replica = new ClientReplica(id, 'm1');
    this.who = { name: id, org, role };
    this.replica.listener = {
      text: (key, target, op) => {
        if (key === '*') {
          this.shadow.clear();
          return;
        }
        const before = this.shadow.get(key);
        const now = this.replica.visibleText(target);
        // The reported op must turn what the user saw into what they see now (for the caret).
        if (op && before !== undefined && op.apply(before) !== now)
          throw new Error(`reported op does not fit the visible text of ${key}`);
        this.shadow.set(key, now);
        this.reported.push(key);
      },
      error: (e) => {
        this.errors.push(e.code);
        // As MeetingSession does: these need a fresh connection (and the whole state).
        if (['storage_failed', 'stale_revision', 'out_of_range'].includes(e.code)) this.needsReconnect = true;
      },
    };
  }

  /** Opens a connection and sends join (not yet delivered). */
  connect(): void {
    this.conn = this.server.connect(this.who);
    this.up.length = 0;
    this.up.push(this.replica.joinMessage());
  }

  /** Reconnects if an error asked for it (as the session would). */
  heal(): void {
    if (!this.needsReconnect) return;
    this.needsReconnect = false;
    this.disconnect();
    this.connect();
  }

  disconnect(): void {
    this.conn?.close();
    this.conn = null;
    this.up.length = 0;
    this.replica.disconnected();
  }

  get connected(): boolean {
    return this.conn !== null;
  }

  /** Delivers up to n client → server messages. */
  flushUp(n = Infinity): void {
    while (n-- > 0 && this.up.length > 0 && this.conn) this.conn.send(this.up.shift()!);
  }

  /** Delivers up to n server → client messages. */
  flushDown(n = Infinity): void {
    while (n-- > 0 && this.conn && this.conn.inbox.length > 0) {
      const m = this.conn.inbox.shift()!;
      this.receive(m);
    }
  }

  receive(m: ServerMessage): void {
    this.up.push(...this.replica.onMessage(m));
  }

  /** Both directions until nothing moves. */
  sync(): void {
    for (let i = 0; i < 10000 && this.conn && (this.up.length > 0 || this.conn.inbox.length > 0); ++i) {
      this.flushUp();
      this.flushDown();
    }
  }

  text(target: FieldRef): string {
    return this.replica.visibleText(target);
  }

  /** The user changes the field's text to `next` (as an input event would), caret at `caret`. */
  type(target: FieldRef, next: string, caret?: number): void {
    const op = TextOperation.diff(this.text(target), next, caret);
    const out = this.replica.editText(target, op);
    this.shadow.set(fieldKeyOf(target), this.text(target));
    this.up.push(...out);
  }

  /** Inserts `s` at `pos` of the visible text. */
  insert(target: FieldRef, pos: number, s: string): void {
    const t = this.text(target);
    this.type(target, t.slice(0, pos) + s + t.slice(pos), pos + s.length);
  }

  submit(c: Parameters<ClientReplica['submit']>[0]): void {
    this.up.push(...this.replica.submit(c));
  }
}

function fieldKeyOf(t: FieldRef): string {
  return fieldKey(t);
}

/** Runs until every peer and the server are quiet. */
export function settle(peers: Peer[]): void {
  for (let round = 0; round < 10000; ++round) {
    let moved = false;
    for (const p of peers) {
      if (p.needsReconnect) {
        p.heal();
        moved = true;
      }
      if (p.conn && (p.up.length > 0 || p.conn.inbox.length > 0)) {
        moved = true;
        p.flushUp();
        p.flushDown();
      }
    }
    if (!moved) return;
  }
  throw new Error('did not settle');
}
