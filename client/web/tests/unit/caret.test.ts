import { describe, expect, it } from 'vitest';
import { transformIndex, transformSelection } from '../../src/ot/caret';
import { TextOperation } from '../../src/ot/text-operation';

const op = (j: (number | string)[]) => TextOperation.fromJSON(j);

describe('transformIndex', () => {
  it('moves over text inserted before it and stays before text inserted at it', () => {
    // "hej|" + someone types "då " at the start
    expect(transformIndex(op(['då ', 3]), 3)).toBe(6);
    // insert exactly at the caret: the caret keeps its place before the other's text
    expect(transformIndex(op([3, ' där']), 3)).toBe(3);
    expect(transformIndex(op([3, ' där']), 3, true)).toBe(7);
    // insert after the caret does not move it
    expect(transformIndex(op([3, 'x', 2]), 1)).toBe(1);
  });

  it('moves back over text deleted before it, and to the start of a deletion around it', () => {
    expect(transformIndex(op([-2, 4]), 5)).toBe(3);
    expect(transformIndex(op([1, -4, 1]), 3)).toBe(1);
    expect(transformIndex(op([1, -4, 1]), 5)).toBe(1);
    expect(transformIndex(op([1, -4, 1]), 6)).toBe(2);
    expect(transformIndex(op([3, -3]), 2)).toBe(2);
  });

  it('counts UTF-16 code units, like the operations', () => {
    // "😀|" and someone inserts "å" before the emoji
    expect(transformIndex(op(['å', 2]), 2)).toBe(3);
    expect(transformIndex(op(['🇸🇪', 2]), 2)).toBe(6);
  });

  it('handles a replace that covers the caret', () => {
    // "abcdef", caret at 3, someone replaces "bcde" by "X"
    expect(transformIndex(op([1, 'X', -4, 1]), 3)).toBe(2);
  });
});

describe('transformSelection', () => {
  it('keeps a selection on the same words', () => {
    // "Ökad skadegörelse" with "skadegörelse" selected (5..17); someone types "Kraftigt " at the start
    const s = transformSelection(op(['Kraftigt ', 17]), { start: 5, end: 17, direction: 'forward' });
    expect(s).toEqual({ start: 14, end: 26, direction: 'forward' });
  });

  it('does not grow to take in text inserted at its edges', () => {
    const s = transformSelection(op([2, 'x', 2, 'y', 2]), { start: 2, end: 4 });
    expect(s.start).toBe(3);
    expect(s.end).toBe(5);
  });

  it('shrinks when part of it is deleted', () => {
    const s = transformSelection(op([3, -4, 3]), { start: 1, end: 5 });
    expect(s).toEqual({ start: 1, end: 3, direction: undefined });
  });

  it('a collapsed caret stays collapsed', () => {
    const s = transformSelection(op([2, 'abc', 2]), { start: 2, end: 2 });
    expect(s.start).toBe(2);
    expect(s.end).toBe(2);
  });

  it('lets two people keep typing their own words at the same place', () => {
    // Both at the end of "Hej"; A's view: B's " alla" arrives at A's caret.
    let text = 'Hej';
    let caret = 3;
    const remote = op([3, ' alla']);
    text = remote.apply(text);
    caret = transformIndex(remote, caret);
    // A types "!" at the caret: A's word stays before B's.
    text = text.slice(0, caret) + '!' + text.slice(caret);
    expect(text).toBe('Hej! alla');
  });
});
