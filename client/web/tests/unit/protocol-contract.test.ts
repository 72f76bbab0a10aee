// The rules of docs/protocol.md that a client must follow to stay in step with the server, checked against
// tests/vectors/protocol_contract.json — the same vectors tests/unit/test_protocol_contract.cpp runs through
// the server's own code (est::meeting_state). A client written from the document alone has to pass these.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanText, hasRefusedText, isRefusedUnit } from '../../src/model/text-rules';
import { OtError, TextOperation, type WireComponent } from '../../src/ot/text-operation';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

interface ServerTransformCase {
  name: string;
  doc: string;
  applied: WireComponent[][];
  incoming: WireComponent[];
  broadcast: WireComponent[];
  result: string;
  client_sees: WireComponent[][];
  incoming_first?: string;
}
interface CanonicalCase {
  name: string;
  ops: unknown;
  canonical?: WireComponent[];
  doc?: string;
  result?: string;
  error?: string;
  server_only?: boolean;
}
interface RebaseCase {
  name: string;
  old: string;
  in_flight: WireComponent[];
  applied: boolean;
  buffer: WireComponent[] | null;
  new: string | null;
  resend: WireComponent[] | null;
  visible: string | null;
}
interface TextRuleCase {
  name: string;
  code_point: number;
  refused: boolean;
}
interface Vectors {
  unit: string;
  server_transform: ServerTransformCase[];
  canonical: CanonicalCase[];
  text_rules: TextRuleCase[];
  rebase: RebaseCase[];
}

const v = JSON.parse(readFileSync(path.join(repo, 'tests/vectors/protocol_contract.json'), 'utf8')) as Vectors;
const op = (j: WireComponent[]) => TextOperation.fromJSON(j);

function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof OtError) return e.code;
    throw e;
  }
  return '(no error)';
}

describe('protocol contract: transform on the server and in the client', () => {
  it('counts UTF-16 code units', () => expect(v.unit).toBe('utf16'));

  it.each(v.server_transform.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    // The server: the incoming change is transformed over each change applied since its revision, the
    // applied one as the first argument (its insert wins a tie).
    let incoming = op(c.incoming);
    let server = c.doc;
    for (const a of c.applied) {
      const applied = op(a);
      server = applied.apply(server);
      incoming = TextOperation.transform(applied, incoming)[1];
    }
    expect(incoming.toJSON()).toEqual(c.broadcast);
    expect(incoming.apply(server)).toBe(c.result);

    // The opposite convention (the incoming change's insert first) gives another text where inserts meet.
    if (c.incoming_first !== undefined) {
      expect(c.applied).toHaveLength(1);
      const incomingFirst = TextOperation.transform(op(c.incoming), op(c.applied[0]))[0];
      expect(incomingFirst.apply(op(c.applied[0]).apply(c.doc))).toBe(c.incoming_first);
      expect(c.incoming_first).not.toBe(c.result);
    }

    // The author of the incoming change, holding it unacknowledged, receives the applied changes.
    let pending = op(c.incoming);
    let visible = pending.apply(c.doc);
    c.applied.forEach((a, i) => {
      const [forUs, pendingNow] = TextOperation.transform(op(a), pending);
      expect(forUs.toJSON()).toEqual(c.client_sees[i]);
      visible = forUs.apply(visible);
      pending = pendingNow;
    });
    expect(visible).toBe(c.result);
    expect(pending.equals(incoming)).toBe(true); // the client's pending change is what the server applied
  });
});

describe('protocol contract: the canonical form of ops', () => {
  const cases = v.canonical.filter((c) => !c.server_only);
  it('has cases only the server can tell apart, marked as such', () => {
    expect(v.canonical.some((c) => c.server_only)).toBe(true);
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.error === 'bad_message') {
      expect(errorCode(() => TextOperation.fromJSON(c.ops))).toBe('bad_message');
      return;
    }
    const parsed = TextOperation.fromJSON(c.ops);
    if (c.error) {
      // Well-formed, but the walk does not fit the text.
      expect(c.doc).toBeDefined();
      const doc = c.doc as string;
      const fits = parsed.baseLength === doc.length && !cutsPair(parsed, doc);
      expect(fits).toBe(false);
      expect(c.error).toBe('out_of_range');
      return;
    }
    expect(parsed.toJSON()).toEqual(c.canonical);
    // Canonical on the way in is canonical on the way out: what the server broadcasts parses to itself.
    expect(TextOperation.fromJSON(parsed.toJSON()).toJSON()).toEqual(c.canonical);
    if (c.doc !== undefined) expect(parsed.apply(c.doc)).toBe(c.result);
  });
});

/** Whether one of the operation's boundaries falls between the halves of a surrogate pair of `text`. */
function cutsPair(o: TextOperation, text: string): boolean {
  const inside = (p: number) =>
    p > 0 && p < text.length && /[\ud800-\udbff]/.test(text[p - 1]) && /[\udc00-\udfff]/.test(text[p]);
  let pos = 0;
  for (const c of o.components) {
    if (inside(pos)) return true;
    if (typeof c !== 'string') pos += Math.abs(c);
  }
  return inside(pos);
}

describe('protocol contract: what inserted text may hold', () => {
  it.each(v.text_rules.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const ch = String.fromCodePoint(c.code_point);
    const text = `a${ch}b`;
    expect(hasRefusedText(text)).toBe(c.refused);
    if (ch.length === 1) expect(isRefusedUnit(ch.charCodeAt(0))).toBe(c.refused);
    // What the web client sends instead holds nothing the server refuses.
    expect(hasRefusedText(cleanText(text))).toBe(false);
    if (!c.refused) expect(cleanText(text)).toBe(text);
  });
});

describe('protocol contract: rebasing typing onto a whole state after a reconnect', () => {
  it.each(v.rebase.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const inFlight = op(c.in_flight);
    const buffer = c.buffer ? op(c.buffer) : null;
    const base = c.applied ? inFlight.apply(c.old) : c.old;
    const mine = c.applied ? buffer : buffer ? TextOperation.compose(inFlight, buffer) : inFlight;
    if (c.new === null || mine === null) {
      expect(c.resend).toBeNull();
      if (c.new !== null) expect(c.visible).toBe(c.new);
      return;
    }
    const resend = TextOperation.transform(TextOperation.diff(base, c.new), mine)[1];
    expect(resend.toJSON()).toEqual(c.resend);
    expect(resend.apply(c.new)).toBe(c.visible);
  });
});
