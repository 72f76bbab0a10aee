// A small in-memory stand-in for est-server's meeting logic (shared/src/meeting_state.cpp and
// server/src/meeting_room.cpp): revisions, per-client seq (exactly once), text changes transformed over
// the history since their base revision, choice registers, catch-up history with a window, welcome with
// `state` or `catch_up`. Messages go through JSON like on the wire.
//
// Client ids are secrets, as on the server: an `op` carries the public id derived from the client id, and
// the welcome tells each client its own (`you.client`). `legacyIds` makes it an older server that
// broadcasts the client id itself and sends no `you.client`.
import { MeetingDoc } from '../../src/model/document';
import type { Change, MeetingTemplate, Role, ServerMessage } from '../../src/model/types';
import { fieldKey } from '../../src/model/types';
import { OtError, TextOperation } from '../../src/ot/text-operation';
import type { ClientMessage } from '../../src/sync/replica';
import { applyLifecycle, initialLifecycle, type Lifecycle, type LifecycleChange } from '../../src/model/lifecycle';

export const TEMPLATE: MeetingTemplate = {
  id: 'est-biweekly',
  name: 'EST',
  version: 1,
  topics: [
    { id: 'hot-och-vald', title: 'Hot och våld' },
    { id: 'andt', title: 'ANDT' },
  ],
  entry_fields: [
    { id: 'handelse', label: 'Händelse', kind: 'text', max_length: 4000 },
    { id: 'plats', label: 'Plats', kind: 'text', max_length: 500 },
    { id: 'trend', label: 'Trend', kind: 'choice', choices: ['ökar', 'oförändrad', 'minskar'] },
  ],
  topic_fields: [
    { id: 'bedomning', label: 'Samlad bedömning', kind: 'text', max_length: 8000, editor: 'chair' },
    { id: 'niva', label: 'Nivå', kind: 'choice', choices: ['låg', 'förhöjd', 'hög'], editor: 'chair' },
  ],
  decision_item_fields: [
    { id: 'typ', label: 'Typ', kind: 'choice', choices: ['orsaksanalys', 'åtgärd/insats'] },
    { id: 'rubrik', label: 'Rubrik', kind: 'text', max_length: 200 },
    { id: 'klart_senast', label: 'Tidsatt: klart senast', kind: 'date', group: 'SMART-mål' },
    { id: 'agare', label: 'Föreslagen ansvarig organisation', kind: 'organisation', group: 'Ansvar' },
    { id: 'till_bra', label: 'Till BRÅ', kind: 'choice', choices: ['ja', 'nej'], editor: 'chair' },
  ],
};
export const ORGS = [
  { id: 'polis', name: 'Polisen' },
  { id: 'kommun', name: 'Kommunen' },
];

/** The public id of a client id: any deterministic function will do (FNV-1a, twice, as hex). */
export function publicIdOf(secret: string): string {
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < secret.length; ++i) h = Math.imul(h ^ secret.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  return 'k-' + fnv(0x811c9dc5) + fnv(0x050c5d1f);
}

/** Who a connection's session is (the server takes it from the account and the membership, not from the join). */
export interface SimWho {
  name: string;
  org: string;
  role: Role;
}

export class SimConn {
  readonly inbox: ServerMessage[] = [];
  client: string | null = null;
  session = '';
  open = true;
  welcomed = false;
  /** Joined with `applied: true`. */
  takesApplied = false;
  /** Its acks held back by holdAcks and not yet announced with `applied` (server/src/meeting_room.cpp). */
  unannounced: { seq: number; rev: number }[] = [];
  constructor(
    readonly server: SimServer,
    readonly who: SimWho,
  ) {}
  /** A message from the client (as on the wire). */
  send(m: ClientMessage): void {
    if (!this.open) return;
    this.server.receive(this, JSON.parse(JSON.stringify(m)));
  }
  deliver(m: unknown): void {
    if (this.open) this.inbox.push(JSON.parse(JSON.stringify(m)) as ServerMessage);
  }
  close(): void {
    this.open = false;
    this.server.conns.delete(this);
  }
}

export class SimServer {
  doc: MeetingDoc;
  rev = 0;
  floor = 0;
  readonly history: { rev: number; key: string; op: TextOperation }[] = [];
  readonly wire: { rev: number; msg: unknown }[] = [];
  readonly lastSeq = new Map<string, number>();
  readonly conns = new Set<SimConn>();
  private sessions = 0;
  /** An older server: ops carry the client id, the welcome has no `you.client`. */
  legacyIds = false;
  /** Every change applied, for checks: [client, seq]. */
  readonly applied: [string, number][] = [];
  /** The lifecycle (shared/src/lifecycle.cpp, in short): locks refuse cell edits with `locked`, edits void signatures. */
  lifecycle: Lifecycle = initialLifecycle();
  /** An older server: no `lifecycle` in the welcome. */
  noLifecycle = false;
  /** Names this load of the meeting (welcome.epoch): a join's `since` counts only under it. */
  epoch = 'e1';
  private loads = 1;
  /**
   * A commit on its way (a commit interval): the ack of a client that takes `applied` waits for commit(), and
   * a later change delivered to it first announces its own with `applied`. Others get their acks at once.
   */
  holdAcks = false;
  private heldAcks: { conn: SimConn; seq: number; rev: number }[] = [];

  constructor(
    readonly historyWindow = 2000,
    initial?: (doc: MeetingDoc) => void,
  ) {
    this.doc = new MeetingDoc(TEMPLATE, ORGS.map((o) => o.id));
    initial?.(this.doc);
  }

  /** What is on disk now: restart() goes back to it. */
  durable(): () => void {
    const state = this.stateJSON();
    const [rev, floor, lifecycle] = [this.rev, this.floor, this.lifecycle];
    const history = [...this.history];
    const wire = [...this.wire];
    const lastSeq = new Map(this.lastSeq);
    const applied = [...this.applied];
    return () => {
      this.doc = MeetingDoc.fromJSON(TEMPLATE, ORGS.map((o) => o.id), state);
      [this.rev, this.floor, this.lifecycle] = [rev, floor, lifecycle];
      this.history.splice(0, this.history.length, ...history);
      this.wire.splice(0, this.wire.length, ...wire);
      this.lastSeq.clear();
      for (const [k, v] of lastSeq) this.lastSeq.set(k, v);
      this.applied.splice(0, this.applied.length, ...applied);
    };
  }

  /**
   * A crash and a restart (server/src/meeting_room.cpp): every connection drops, what was delivered but not
   * durable is gone (`back` from durable()), and the meeting loads under a new epoch.
   */
  restart(back: () => void): void {
    this.heldAcks = [];
    for (const c of [...this.conns]) c.close();
    back();
    this.epoch = `e${++this.loads}`;
  }

  /** The commit is done: the held acks go out (after their `applied`, as marks). */
  commit(): void {
    for (const { conn, seq, rev } of this.heldAcks) {
      conn.unannounced = conn.unannounced.filter((u) => u.seq !== seq);
      conn.deliver({ type: 'ack', seq, rev });
    }
    this.heldAcks = [];
  }

  /** A change of a later revision to `conn`: its own applied changes are announced first. */
  private toOther(conn: SimConn, msg: unknown): void {
    for (const u of conn.unannounced) conn.deliver({ type: 'applied', seq: u.seq, rev: u.rev });
    conn.unannounced = [];
    conn.deliver(msg);
  }

  connect(who: SimWho = { name: 'Anna', org: 'polis', role: 'participant' }): SimConn {
    const c = new SimConn(this, who);
    this.conns.add(c);
    return c;
  }

  stateJSON(): unknown {
    const fields = (m: Map<string, { text: string; choice: string; rev: number }>, defs: MeetingTemplate['entry_fields']) => {
      const o: Record<string, unknown> = {};
      for (const d of defs) {
        const v = m.get(d.id)!;
        o[d.id] = d.kind === 'text' ? v.text : { value: v.choice, rev: v.rev };
      }
      return o;
    };
    return {
      topics: TEMPLATE.topics.map((t) => {
        const ts = this.doc.topics.get(t.id)!;
        const cells: Record<string, unknown> = {};
        for (const [org, entries] of ts.cells)
          cells[org] = { entries: entries.map((e) => ({ id: e.id, fields: fields(e.fields, TEMPLATE.entry_fields) })) };
        // As the server: `items` only in a topic that has some, `retired_items` only once one was removed.
        const items = ts.items.map((i) => ({ id: i.id, fields: fields(i.fields, TEMPLATE.decision_item_fields!) }));
        return { id: t.id, fields: fields(ts.fields, TEMPLATE.topic_fields), cells, ...(items.length ? { items } : {}) };
      }),
      retired: [...this.doc.retired],
      ...(this.doc.retiredItems.size ? { retired_items: [...this.doc.retiredItems] } : {}),
    };
  }

  receive(conn: SimConn, m: Record<string, unknown>): void {
    if (m.type === 'join') return this.join(conn, m);
    if (m.type === 'focus') return;
    if (m.type !== 'op') return conn.deliver({ type: 'error', code: 'unknown_type', message: '' });
    if (!conn.client) return conn.deliver({ type: 'error', code: 'not_joined', message: '', seq: m.seq });
    const seq = m.seq as number;
    const client = conn.client;
    try {
      const applied = this.submit(client, seq, m.rev as number, m.change as Change);
      if (!applied) {
        conn.deliver({ type: 'ack', seq, rev: this.rev, duplicate: true });
        return;
      }
      const broadcast = {
        type: 'op',
        rev: this.rev,
        client: this.legacyIds ? client : publicIdOf(client),
        seq,
        by: { session: conn.session, name: 'x', org: 'polis' },
        change: applied,
      };
      this.wire.push({ rev: this.rev, msg: broadcast });
      while (this.wire.length > this.historyWindow) this.wire.shift();
      if (this.holdAcks && conn.takesApplied) {
        conn.unannounced.push({ seq, rev: this.rev });
        this.heldAcks.push({ conn, seq, rev: this.rev });
      } else {
        conn.deliver({ type: 'ack', seq, rev: this.rev });
      }
      for (const other of this.conns) if (other !== conn && other.welcomed) this.toOther(other, broadcast);
    } catch (e) {
      if (!(e instanceof OtError)) throw e;
      conn.deliver({ type: 'error', code: e.code, message: e.message, seq });
    }
  }

  private join(conn: SimConn, m: Record<string, unknown>): void {
    // Under accounts the join carries no identity (docs/protocol.md, "The live meeting under accounts").
    for (const k of ['name', 'org', 'role'])
      if (k in m) return conn.deliver({ type: 'error', code: 'bad_message', message: `'${k}' is not allowed in a join` });
    conn.client = m.client as string;
    conn.takesApplied = m.applied === true;
    conn.session = `p${++this.sessions}`;
    const since = m.since as number | undefined;
    const wireFloor = this.wire.length ? this.wire[0].rev - 1 : this.rev;
    const welcome: Record<string, unknown> = {
      type: 'welcome',
      rev: this.rev,
      last_seq: this.lastSeq.get(conn.client) ?? 0,
      epoch: this.epoch,
      meeting: {
        id: 'm1',
        group_id: 'g',
        title: 'Möte',
        date: '2026-11-17',
        state: 'open',
        created_at: '',
        group: { id: 'g', name: 'G', organisations: ORGS },
        template: TEMPLATE,
      },
      you: {
        session: conn.session,
        name: conn.who.name,
        org: conn.who.org,
        role: conn.who.role,
        focus: null,
        ...(this.legacyIds ? {} : { client: publicIdOf(conn.client) }),
      },
      participants: [],
      ...(this.noLifecycle ? {} : { lifecycle: this.lifecycle }),
    };
    if (since !== undefined && m.epoch === this.epoch && since <= this.rev && since >= wireFloor) {
      welcome.catch_up = this.wire.filter((w) => w.rev > since).map((w) => w.msg);
    } else {
      welcome.state = this.stateJSON();
    }
    conn.welcomed = true;
    conn.deliver(welcome);
  }

  /**
   * A lifecycle move the chair made (over REST): a revision of its own, broadcast to everyone as an op with
   * client "" and seq 0. No checks: the tests make only moves the server would accept.
   */
  move(change: LifecycleChange | { kind: string }): void {
    ++this.rev;
    this.lifecycle = applyLifecycle(this.lifecycle, change as LifecycleChange);
    const msg = { type: 'op', rev: this.rev, client: '', seq: 0, by: { session: 'chair', name: 'Eva', org: 'kommun' }, change };
    this.wire.push({ rev: this.rev, msg });
    while (this.wire.length > this.historyWindow) this.wire.shift();
    for (const c of this.conns) if (c.welcomed) this.toOther(c, msg);
  }

  /** meeting_state::submit */
  submit(client: string, seq: number, baseRev: number, c: Change): Change | null {
    if (seq <= (this.lastSeq.get(client) ?? 0)) return null;
    const lc = this.lifecycle;
    if (lc.phase === 'closed') throw new OtError('closed', 'the meeting is closed');
    const topic = 'target' in c ? c.target.topic : c.topic;
    const cellEdit = c.kind === 'add_entry' || c.kind === 'remove_entry' || ((c.kind === 'text' || c.kind === 'set') && !!c.target.org);
    if (cellEdit && (lc.phase !== 'open' || lc.locked_topics.includes(topic))) throw new OtError('locked', 'locked');
    // Decision items: while open or locked, whatever the topic locks; till_bra is the chair's.
    const itemEdit = c.kind === 'add_item' || c.kind === 'remove_item' || ((c.kind === 'text' || c.kind === 'set') && !!c.target.item);
    if (itemEdit && lc.phase !== 'open' && lc.phase !== 'locked') throw new OtError('locked', 'locked');
    if (baseRev > this.rev) throw new OtError('stale_revision', 'ahead');
    let change = c;
    if (c.kind === 'text') {
      if (baseRev < this.floor) throw new OtError('stale_revision', 'too old');
      const key = fieldKey(c.target);
      let op = TextOperation.fromJSON(c.ops);
      for (const past of this.history) {
        if (past.rev <= baseRev || past.key !== key) continue;
        if (past.op.baseLength !== op.baseLength) throw new OtError('out_of_range', 'does not fit');
        op = TextOperation.transform(past.op, op)[1];
      }
      change = { kind: 'text', target: c.target, ops: op.toJSON() };
    } else if (c.kind === 'set') {
      const cur = this.doc.field(c.target);
      if (cur.rev > baseRev) throw new OtError('conflict', 'changed');
    }
    this.doc.apply(change, this.rev + 1);
    ++this.rev;
    if (this.lifecycle.signatures.length > 0)
      this.lifecycle = { ...this.lifecycle, signatures: [], phase: this.lifecycle.phase === 'signed' ? 'locked' : this.lifecycle.phase };
    this.lastSeq.set(client, seq);
    this.applied.push([client, seq]);
    if (change.kind === 'text')
      this.history.push({ rev: this.rev, key: fieldKey(change.target), op: TextOperation.fromJSON(change.ops) });
    if (this.rev > this.floor + this.historyWindow) this.floor = this.rev - this.historyWindow;
    while (this.history.length && this.history[0].rev <= this.floor) this.history.shift();
    return change;
  }
}
