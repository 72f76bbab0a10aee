// Characters the server refuses in inserted text (`bad_text`, docs/protocol.md): C0 controls other than TAB
// and LF (so CR too), DEL, C1 controls, and the bidirectional embedding, override and isolate controls. Text
// pasted from a word processor or a PDF often carries some of them; the client drops them before the text
// becomes an operation, so the change is never refused.

/** One refused UTF-16 code unit (none of them is a surrogate, so removing one never cuts a pair). */
export function isRefusedUnit(c: number): boolean {
  return (
    (c <= 0x1f && c !== 0x09 && c !== 0x0a) ||
    (c >= 0x7f && c <= 0x9f) ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

const ANY_REFUSED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** True when the text holds something the server would refuse to have inserted. */
export function hasRefusedText(s: string): boolean {
  return ANY_REFUSED.test(s);
}

/** `s` as the server accepts it: CRLF and CR become LF, the other refused characters are dropped. */
export function cleanText(s: string): string {
  return cleanInput('', s).value;
}

/**
 * The new value of a field as the server accepts it, given the text it had (`old`) and the value the input
 * holds now, with the caret after the edit (`caret`, in `value`). Only what the edit brought in is cleaned:
 * CRLF and lone CR become LF, the other refused characters are dropped. Text that was already in the field
 * stays as it is (deleting it is always allowed, and rewriting it would turn a keystroke into a wide change).
 * The caret moves with the text before it. The changed part is found as `TextOperation.diff` finds it: the
 * longest common end that does not pass the caret, then the longest common start.
 */
export function cleanInput(old: string, value: string, caret?: number): { value: string; caret?: number } {
  if (!ANY_REFUSED.test(value)) return { value, caret };
  const maxPrefix = Math.min(old.length, value.length);
  const maxSuffix =
    caret === undefined ? maxPrefix : Math.max(0, Math.min(maxPrefix, value.length - Math.min(Math.max(caret, 0), value.length)));
  let suffix = 0;
  while (suffix < maxSuffix && old.charCodeAt(old.length - 1 - suffix) === value.charCodeAt(value.length - 1 - suffix)) ++suffix;
  let prefix = 0;
  while (prefix < maxPrefix - suffix && old.charCodeAt(prefix) === value.charCodeAt(prefix)) ++prefix;
  const end = value.length - suffix;
  let out = '';
  let newCaret = caret;
  for (let i = prefix; i < end; ++i) {
    if (caret === i) newCaret = prefix + out.length;
    const c = value.charCodeAt(i);
    if (c === 0x0d) {
      if (value.charCodeAt(i + 1) !== 0x0a) out += '\n'; // CR alone is a line break; CR before LF goes
    } else if (!isRefusedUnit(c)) {
      out += value[i];
    }
  }
  const removed = end - prefix - out.length;
  if (caret !== undefined && caret >= end) newCaret = caret - removed;
  return { value: value.slice(0, prefix) + out + value.slice(end), caret: newCaret };
}
