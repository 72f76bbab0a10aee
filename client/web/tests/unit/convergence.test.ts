// Randomised property tests with fixed seeds: the OT algebra, and whole meetings of simulated browsers
// with messages delayed, connections dropped and histories too short for a catch-up.
import { describe, expect, it } from 'vitest';
import type { FieldRef } from '../../src/model/types';
import { fieldKey } from '../../src/model/types';
import { transformIndex } from '../../src/ot/caret';
import { TextOperation, splitsSurrogatePair } from '../../src/ot/text-operation';
import { Peer, settle } from './peer';
import { SimServer } from './sim-server';

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}
type Rng = ReturnType<typeof rng>;

const ALPHABET = ['a', 'b', 'å', 'ä', 'ö', 'Ö', ' ', '😀', '🚓', '🇸🇪', 'e\u0301', '\n'];

function randomText(r: Rng, max: number): string {
  let s = '';
  const n = r.int(max + 1);
  for (let i = 0; i < n; ++i) s += r.pick(ALPHABET);
  return s;
}

/** A position in `text` that does not cut a surrogate pair. */
function boundary(r: Rng, text: string): number {
  let p = r.int(text.length + 1);
  while (splitsSurrogatePair(text, p)) --p;
  return p;
}

/** A random operation on `doc` that never cuts a surrogate pair. */
function randomOp(r: Rng, doc: string): TextOperation {
  const op = new TextOperation();
  let pos = 0;
  while (pos < doc.length) {
    let n = 1 + r.int(Math.min(4, doc.length - pos));
    while (splitsSurrogatePair(doc, pos + n)) ++n;
    const k = r.int(4);
    if (k === 0) op.insert(randomText(r, 3));
    if (k === 1) op.remove(n);
    else op.retain(n);
    pos += n;
  }
  if (r.int(2) === 0) op.insert(randomText(r, 3));
  return op;
}

describe('OT algebra (random, seed 20261117)', () => {
  const r = rng(20261117);
  it('transform converges and compose equals applying in turn, 2000 cases', () => {
    for (let i = 0; i < 2000; ++i) {
      const doc = randomText(r, 12);
      const a = randomOp(r, doc);
      const b = randomOp(r, doc);
      const [a2, b2] = TextOperation.transform(a, b);
      expect(b2.apply(a.apply(doc))).toBe(a2.apply(b.apply(doc)));
      const c = randomOp(r, a.apply(doc));
      expect(TextOperation.compose(a, c).apply(doc)).toBe(c.apply(a.apply(doc)));
      // diff gives a well-formed operation between any two texts
      const to = randomText(r, 12);
      const d = TextOperation.diff(doc, to, r.int(to.length + 1));
      expect(d.apply(doc)).toBe(to);
      // a caret moved over an operation lands inside the new text
      const caret = boundary(r, doc);
      const moved = transformIndex(a, caret);
      expect(moved).toBeGreaterThanOrEqual(0);
      expect(moved).toBeLessThanOrEqual(a.targetLength);
    }
  });

  it('wire form round-trips', () => {
    for (let i = 0; i < 500; ++i) {
      const doc = randomText(r, 10);
      const a = randomOp(r, doc);
      expect(TextOperation.fromJSON(JSON.parse(JSON.stringify(a.toJSON()))).equals(a)).toBe(true);
    }
  });
});

const FIELDS: FieldRef[] = [
  { topic: 'hot-och-vald', field: 'bedomning' },
  { topic: 'andt', field: 'bedomning' },
  { topic: 'hot-och-vald', org: 'polis', entry: 'e1', field: 'handelse' },
];

function meeting(historyWindow: number, legacyIds = false) {
  const server = new SimServer(historyWindow, (doc) => {
    doc.apply({ kind: 'add_entry', topic: 'hot-och-vald', org: 'polis', entry: 'e1' }, 0);
    doc.apply({ kind: 'text', target: FIELDS[0], ops: ['Läget är lugnt.'] }, 0);
  });
  server.legacyIds = legacyIds;
  return server;
}

/**
 * Runs a meeting of `n` browsers for `steps` random steps. With `insertOnly`, every insert is a
 * character used nowhere else, so at the end each must be in the text exactly once.
 */
function simulate(
  seed: number,
  opts: { n: number; steps: number; historyWindow: number; insertOnly: boolean; legacyIds?: boolean },
) {
  const r = rng(seed);
  const server = meeting(opts.historyWindow, opts.legacyIds);
  const peers = Array.from({ length: opts.n }, (_, i) => new Peer(server, `c-${i}`));
  for (const p of peers) {
    p.connect();
    p.sync();
  }
  let unique = 0;
  const inserted: string[] = [];
  const uniqueChar = () => {
    // one code unit (CJK) mostly, sometimes an emoji (two units) — each used once
    const n = unique++;
    const ch = n % 7 === 0 ? String.fromCodePoint(0x1f300 + n) : String.fromCharCode(0x4e00 + n);
    inserted.push(ch);
    return ch;
  };
  for (let step = 0; step < opts.steps; ++step) {
    const p = r.pick(peers);
    p.heal();
    const k = r.int(100);
    if (k < 40) {
      const f = r.pick(FIELDS);
      const text = p.text(f);
      if (opts.insertOnly || text.length === 0 || r.int(3) > 0) {
        p.insert(f, boundary(r, text), uniqueChar());
      } else {
        const from = boundary(r, text);
        let to = Math.min(text.length, from + 1 + r.int(3));
        while (splitsSurrogatePair(text, to)) ++to;
        p.type(f, text.slice(0, from) + text.slice(to), from);
      }
    } else if (k < 62) {
      p.flushUp(1 + r.int(2));
    } else if (k < 88) {
      p.flushDown(1 + r.int(3));
    } else if (k < 94) {
      if (p.connected) p.disconnect();
    } else if (!p.connected) {
      p.connect();
    }
  }
  for (const p of peers) if (!p.connected) p.connect();
  settle(peers);
  // A last round so everyone has seen the last acks' broadcasts.
  settle(peers);
  for (const f of FIELDS) {
    const truth = server.doc.field(f).text;
    for (const p of peers) {
      expect(p.replica.idle(), `${p.id} idle`).toBe(true);
      expect(p.text(f), `${p.id} ${fieldKey(f)}`).toBe(truth);
      expect(p.replica.confirmed().field(f).text).toBe(truth);
    }
  }
  if (opts.insertOnly) {
    const all = FIELDS.map((f) => server.doc.field(f).text).join('');
    for (const ch of inserted) expect(all.split(ch).length - 1, `"${ch}" exactly once`).toBe(1);
  }
  // exactly once: no (client, seq) applied twice
  const seen = new Set(server.applied.map(([c, s]) => `${c}#${s}`));
  expect(seen.size).toBe(server.applied.length);
  return { server, inserted: inserted.length, revs: server.rev };
}

describe('meetings of simulated browsers converge (random, fixed seeds)', () => {
  it.each([1, 2, 3, 4, 5])('insert-only, 3 browsers, drops and reconnects, nothing lost or doubled (seed %i)', (seed) => {
    const { inserted, revs } = simulate(seed, { n: 3, steps: 1500, historyWindow: 2000, insertOnly: true });
    expect(inserted).toBeGreaterThan(300);
    expect(revs).toBeGreaterThan(50);
  });

  it.each([11, 12, 13])('insert-only with a history too short for catch-ups (whole-state rebase) (seed %i)', (seed) => {
    simulate(seed, { n: 3, steps: 1500, historyWindow: 3, insertOnly: true });
  });

  it.each([21, 22, 23, 24])('inserts and deletes, 4 browsers (seed %i)', (seed) => {
    simulate(seed, { n: 4, steps: 2000, historyWindow: seed % 2 ? 5 : 2000, insertOnly: false });
  });

  it.each([31, 32])('insert-only against an older server that broadcasts client ids, not public ids (seed %i)', (seed) => {
    simulate(seed, { n: 3, steps: 1500, historyWindow: seed % 2 ? 2000 : 3, insertOnly: true, legacyIds: true });
  });
});
