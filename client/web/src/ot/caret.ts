// Moving a caret or selection over someone else's edit, so it stays on the text it was on.
import { TextOperation } from './text-operation';

/**
 * Where `index` (a position in the operation's base text) ends up in its result.
 * An insert exactly at `index` lands after it when `stickAfter` is false (the caret keeps its place
 * before the other person's new text, so both people's words stay whole) and before it when true.
 */
export function transformIndex(op: TextOperation, index: number, stickAfter = false): number {
  let pos = 0; // position in the base text
  let shift = 0;
  for (const c of op.components) {
    if (typeof c === 'string') {
      if (pos < index || (pos === index && stickAfter)) shift += c.length;
      continue;
    }
    if (pos > index || (pos === index && !stickAfter && c > 0)) break;
    if (c > 0) {
      pos += c;
    } else {
      // Removed text before the index pulls it back; a removal around it moves it to the removal's start.
      const n = -c;
      shift -= Math.min(n, index - pos);
      pos += n;
    }
  }
  return Math.max(0, index + shift);
}

export interface Selection {
  start: number;
  end: number;
  direction?: 'forward' | 'backward' | 'none';
}

/**
 * Moves a selection over a remote edit. A collapsed caret stays before text inserted at its place; a
 * non-empty selection does not grow to take in text inserted at either of its edges.
 */
export function transformSelection(op: TextOperation, sel: Selection): Selection {
  if (sel.start === sel.end) {
    const at = transformIndex(op, sel.start, false);
    return { start: at, end: at, direction: sel.direction };
  }
  const start = transformIndex(op, sel.start, true);
  const end = Math.max(start, transformIndex(op, sel.end, false));
  return { start, end, direction: sel.direction };
}
