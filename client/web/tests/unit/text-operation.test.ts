import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OtError, TextOperation, type WireComponent } from '../../src/ot/text-operation';

const vectorsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../tests/vectors');

interface TransformCase {
  name: string;
  doc: string;
  a: WireComponent[];
  b: WireComponent[];
  apply_a: string;
  apply_b: string;
  a_prime: WireComponent[];
  b_prime: WireComponent[];
  converged: string;
}
interface ComposeCase {
  name: string;
  doc: string;
  a: WireComponent[];
  b: WireComponent[];
  composed: WireComponent[];
  result: string;
}
interface DiffCase {
  name: string;
  from: string;
  to: string;
  op: WireComponent[];
}
interface Vectors {
  unit: string;
  cases: TransformCase[];
  compose: ComposeCase[];
  diff?: DiffCase[];
}

function load(file: string): Vectors {
  return JSON.parse(readFileSync(path.join(vectorsDir, file), 'utf8')) as Vectors;
}

/** Parses a vector's op and checks the file holds it in canonical wire form (as the C++ test does). */
function vectorOp(j: WireComponent[]): TextOperation {
  const op = TextOperation.fromJSON(j);
  expect(op.toJSON()).toEqual(j);
  return op;
}

const files = ['text_operations.json', 'text_operations_web.json'].filter((f) => existsSync(path.join(vectorsDir, f)));

describe.each(files)('shared vectors %s', (file) => {
  const v = load(file);
  it('counts UTF-16 code units', () => {
    expect(v.unit).toBe('utf16');
  });
  it.each(v.cases.map((c) => [c.name, c] as const))('transform: %s', (_name, c) => {
    const a = vectorOp(c.a);
    const b = vectorOp(c.b);
    const aPrime = vectorOp(c.a_prime);
    const bPrime = vectorOp(c.b_prime);
    const sa = a.apply(c.doc);
    const sb = b.apply(c.doc);
    expect(sa).toBe(c.apply_a);
    expect(sb).toBe(c.apply_b);
    const [a2, b2] = TextOperation.transform(a, b);
    expect(a2.toJSON()).toEqual(c.a_prime);
    expect(b2.toJSON()).toEqual(c.b_prime);
    expect(a2.equals(aPrime)).toBe(true);
    expect(b2.equals(bPrime)).toBe(true);
    expect(bPrime.apply(sa)).toBe(c.converged);
    expect(aPrime.apply(sb)).toBe(c.converged);
  });
  it.each(v.compose.map((c) => [c.name, c] as const))('compose: %s', (_name, c) => {
    const a = vectorOp(c.a);
    const b = vectorOp(c.b);
    const composed = vectorOp(c.composed);
    const got = TextOperation.compose(a, b);
    expect(got.toJSON()).toEqual(c.composed);
    expect(got.equals(composed)).toBe(true);
    expect(b.apply(a.apply(c.doc))).toBe(c.result);
    expect(composed.apply(c.doc)).toBe(c.result);
  });
  if (v.diff && v.diff.length > 0) {
    it.each(v.diff.map((c) => [c.name, c] as const))('diff: %s', (_name, c) => {
      const op = TextOperation.diff(c.from, c.to);
      expect(op.toJSON()).toEqual(c.op);
      expect(op.apply(c.from)).toBe(c.to);
    });
  }
});

describe('the main vector file', () => {
  it('has the cases the C++ test expects (at least 25 transform and 10 compose)', () => {
    const v = load('text_operations.json');
    expect(v.cases.length).toBeGreaterThanOrEqual(25);
    expect(v.compose.length).toBeGreaterThanOrEqual(10);
  });
});

describe('TextOperation', () => {
  it('counts UTF-16 code units: å is 1, an emoji 2', () => {
    expect(new TextOperation().retain(1).insert('å').baseLength).toBe(1);
    expect(TextOperation.fromJSON([2, '😀']).targetLength).toBe(4);
    expect(TextOperation.fromJSON(['🇸🇪']).targetLength).toBe(4);
  });

  it('keeps the canonical form: inserts before removes, neighbours merged', () => {
    const op = new TextOperation().retain(1).remove(2).insert('ab').insert('c').remove(1).retain(2).retain(1);
    expect(op.toJSON()).toEqual([1, 'abc', -3, 3]);
    expect(new TextOperation().retain(0).insert('').remove(0).toJSON()).toEqual([]);
  });

  it('refuses malformed wire forms like the C++ from_json', () => {
    const code = (j: unknown) => {
      try {
        TextOperation.fromJSON(j);
        return 'ok';
      } catch (e) {
        return (e as OtError).code;
      }
    };
    expect(code({})).toBe('bad_message');
    expect(code([0])).toBe('bad_message');
    expect(code([''])).toBe('bad_message');
    expect(code([1.5])).toBe('bad_message');
    expect(code([null])).toBe('bad_message');
    expect(code([true])).toBe('bad_message');
    expect(code([(1 << 24) + 1])).toBe('bad_message');
    expect(code([-(1 << 24) - 1])).toBe('bad_message');
    expect(code([2 ** 64])).toBe('bad_message');
    expect(code([1 << 24])).toBe('ok');
  });

  it('apply refuses an operation of the wrong length', () => {
    expect(() => TextOperation.fromJSON([2, 'x']).apply('abc')).toThrow(OtError);
  });

  it('compose and transform refuse operations that do not line up', () => {
    expect(() => TextOperation.compose(TextOperation.fromJSON([1]), TextOperation.fromJSON([2]))).toThrow(OtError);
    expect(() => TextOperation.transform(TextOperation.fromJSON([1]), TextOperation.fromJSON([2]))).toThrow(OtError);
  });

  it('diff never cuts an emoji in two', () => {
    expect(TextOperation.diff('a😀b', 'a😁b').toJSON()).toEqual([1, '😁', -2, 1]);
    expect(TextOperation.diff('😀', '').toJSON()).toEqual([-2]);
  });

  it('diff with a caret places an ambiguous edit where the user made it', () => {
    // Typing "a" at position 1 of "aa": without a hint the prefix wins (insert at 2).
    expect(TextOperation.diff('aa', 'aaa').toJSON()).toEqual([2, 'a']);
    expect(TextOperation.diff('aa', 'aaa', 2).toJSON()).toEqual([1, 'a', 1]);
    expect(TextOperation.diff('aa', 'aaa', 1).toJSON()).toEqual(['a', 2]);
    // Backspace on the middle "l" of "alla" (caret ends at 1).
    expect(TextOperation.diff('alla', 'ala', 1).toJSON()).toEqual([1, -1, 2]);
    // Pasting a word (the caret ends after it).
    expect(TextOperation.diff('hej då', 'hej hallå då', 10).toJSON()).toEqual([4, 'hallå ', 2]);
    // Hints out of range are clamped.
    expect(TextOperation.diff('ab', 'abc', 99).apply('ab')).toBe('abc');
    expect(TextOperation.diff('ab', 'abc', -5).apply('ab')).toBe('abc');
    // Emoji typed next to an equal emoji stays whole.
    expect(TextOperation.diff('😀😀', '😀😀😀', 2).toJSON()).toEqual(['😀', 4]);
    expect(TextOperation.diff('😀😀', '😀😀😀', 4).toJSON()).toEqual([2, '😀', 2]);
    expect(TextOperation.diff('😀😀', '😀😀😀', 6).toJSON()).toEqual([4, '😀']);
    // A caret hint inside a surrogate pair (browsers never give one) still gives whole characters.
    const odd = TextOperation.diff('😀😀', '😀😀😀', 3);
    expect(odd.apply('😀😀')).toBe('😀😀😀');
    expect(odd.toJSON()).toEqual(['😀😀', -2, 2]);
  });
});
