// What the server refuses in inserted text (bad_text) never leaves the client: cleanInput drops it from
// an input's value before the value is diffed, keeping the caret on the same text.
import { describe, expect, it } from 'vitest';
import { cleanInput, cleanText, hasRefusedText, isRefusedUnit } from '../../src/model/text-rules';
import { TextOperation } from '../../src/ot/text-operation';

/** The server's rule (shared/include/est/utf.hpp is_forbidden_in_text), written out once more. */
function serverRefuses(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

describe('the characters the server refuses', () => {
  it('are the C0 controls but TAB and LF, DEL, the C1 controls and the bidi embeddings, overrides and isolates', () => {
    const differ: string[] = [];
    for (let c = 0; c <= 0xffff; ++c) if (isRefusedUnit(c) !== serverRefuses(c)) differ.push(`U+${c.toString(16)}`);
    expect(differ).toEqual([]);
    for (const ok of ['\t', '\n', ' ', '~', '\u00a0', 'å', '\u200e', '\u200f', '\u2028', '\u202f', '\u2065', '\u206a', '\ufeff'])
      expect(hasRefusedText(ok), JSON.stringify(ok)).toBe(false);
    for (const bad of ['\u0000', '\r', '\u000b', '\u000c', '\u001f', '\u007f', '\u0080', '\u009f', '\u202a', '\u202e', '\u2066', '\u2069'])
      expect(hasRefusedText(`a${bad}b`), JSON.stringify(bad)).toBe(true);
  });

  it('cleanText turns CRLF and CR into LF and drops the rest', () => {
    expect(cleanText('rad 1\r\nrad 2\rrad 3\n')).toBe('rad 1\nrad 2\nrad 3\n');
    expect(cleanText('\u202eevil\u202c \u2067isolate\u2069\u0007\u00ad\u0085')).toBe('evil isolate\u00ad');
    expect(cleanText('Tab\there, emoji 😀, å, e\u0301')).toBe('Tab\there, emoji 😀, å, e\u0301');
    expect(cleanText('\r\r\n\n')).toBe('\n\n\n');
  });
});

describe('cleanInput: an input value before it is diffed', () => {
  it('leaves a clean value alone (the same caret, nothing copied)', () => {
    expect(cleanInput('ab', 'aXb', 2)).toEqual({ value: 'aXb', caret: 2 });
    expect(cleanInput('', 'rad\nrad\t', undefined)).toEqual({ value: 'rad\nrad\t', caret: undefined });
  });

  it('drops what a paste from Word or a PDF brings along, the caret staying after the pasted text', () => {
    const old = 'Före  efter';
    const pasted = 'Stökigt\u00a0i\u0002 centrum\r\nkl. 22\u000b\u202a';
    const value = 'Före ' + pasted + ' efter';
    const r = cleanInput(old, value, 5 + pasted.length);
    expect(r.value).toBe('Före Stökigt\u00a0i centrum\nkl. 22 efter');
    expect(r.caret).toBe('Före Stökigt\u00a0i centrum\nkl. 22'.length);
  });

  it('moves a caret inside the new text over what was dropped before it', () => {
    // The caret between pasted characters (as after an undo or a drop that selects): what precedes it counts.
    const r = cleanInput('', 'a\u0001b\r\nc\rd', 4); // after "a␁b\r"
    expect(r.value).toBe('ab\nc\nd');
    expect(r.caret).toBe(2);
    expect(cleanInput('', 'a\u0001b\r\nc\rd', 5).caret).toBe(3); // after the LF of CRLF
    expect(cleanInput('', '\u0001\u0002', 1)).toEqual({ value: '', caret: 0 });
  });

  it('a paste of nothing but refused characters changes nothing', () => {
    const r = cleanInput('hej', 'h\u202e\u2066ej', 3);
    expect(r).toEqual({ value: 'hej', caret: 1 });
  });

  it('keeps text the field already held, even with characters the server refuses today (older data)', () => {
    const old = 'gammal\u0007text';
    const r = cleanInput(old, 'gammal\u0007text, ny\u0008', 'gammal\u0007text, ny\u0008'.length);
    expect(r.value).toBe('gammal\u0007text, ny');
    expect(r.caret).toBe(r.value.length);
    // So the operation is a plain insert at the end, not a rewrite of the whole field.
    expect(TextOperation.diff(old, r.value, r.caret).toJSON()).toEqual([old.length, ', ny']);
  });

  it('drops a CR typed or pasted before a line feed that was already there', () => {
    const r = cleanInput('a\nb', 'a\r\nb', 2);
    expect(r).toEqual({ value: 'a\nb', caret: 1 });
  });

  it('leaves nothing refused in what is sent, for random edits (property, fixed seed)', () => {
    const alphabet = ['a', 'å', ' ', '\n', '\t', '\r', '\r\n', '\u0000', '\u001b', '\u007f', '\u0085', '\u202e', '\u2068', '😀', 'e\u0301'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const word = (n: number) => Array.from({ length: rnd(n) }, () => alphabet[rnd(alphabet.length)]).join('');
    for (let i = 0; i < 1000; ++i) {
      const old = cleanText(word(8));
      const at = rnd(old.length + 1);
      const cut = Math.min(old.length, at + rnd(3));
      const inserted = word(6);
      const value = old.slice(0, at) + inserted + old.slice(cut);
      const caret = at + inserted.length;
      const r = cleanInput(old, value, caret);
      expect(hasRefusedText(r.value), JSON.stringify(value)).toBe(false);
      expect(r.caret).toBeGreaterThanOrEqual(0);
      expect(r.caret).toBeLessThanOrEqual(r.value.length);
      // The field held clean text, so cleaning the edit is cleaning it all; what followed the caret still does.
      expect(r.value).toBe(cleanText(value));
      expect(r.value.slice(r.caret)).toBe(cleanText(value.slice(caret)));
      const op = TextOperation.diff(old, r.value, r.caret);
      for (const c of op.toJSON()) if (typeof c === 'string') expect(hasRefusedText(c)).toBe(false);
    }
  });
});
