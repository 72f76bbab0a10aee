// A plain-text operation: a walk over the whole text made of retain(n), insert(s) and remove(n).
// A port of shared/src/text_operation.cpp that must match it character for character: lengths and
// positions count UTF-16 code units (JavaScript's native string unit, so `"😀".length === 2`), and the
// form is canonical (adjacent components of one kind merged, an insert always before a remove at the
// same place), so equal effects compare equal.

export class OtError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OtError';
  }
}

/** One component in wire form: a positive number retains, a string inserts, a negative number removes. */
export type WireComponent = number | string;

const MAX_COMPONENT = 1 << 24;

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** True when `pos` falls between the two halves of a surrogate pair of `text`. */
export function splitsSurrogatePair(text: string, pos: number): boolean {
  return pos > 0 && pos < text.length && isHigh(text.charCodeAt(pos - 1)) && isLow(text.charCodeAt(pos));
}

export class TextOperation {
  /** Components in wire form; canonical by construction. */
  private readonly ops: WireComponent[] = [];
  private base = 0;
  private target = 0;

  get baseLength(): number {
    return this.base;
  }
  get targetLength(): number {
    return this.target;
  }
  get components(): readonly WireComponent[] {
    return this.ops;
  }

  retain(n: number): this {
    if (n === 0) return this;
    this.base += n;
    this.target += n;
    const last = this.ops.length - 1;
    if (last >= 0 && isRetain(this.ops[last])) this.ops[last] = (this.ops[last] as number) + n;
    else this.ops.push(n);
    return this;
  }

  insert(s: string): this {
    if (s.length === 0) return this;
    this.target += s.length;
    const last = this.ops.length - 1;
    if (last >= 0 && typeof this.ops[last] === 'string') {
      this.ops[last] = (this.ops[last] as string) + s;
    } else if (last >= 0 && isRemove(this.ops[last])) {
      // Canonical order: insert before remove.
      if (last >= 1 && typeof this.ops[last - 1] === 'string') this.ops[last - 1] = (this.ops[last - 1] as string) + s;
      else this.ops.splice(last, 0, s);
    } else {
      this.ops.push(s);
    }
    return this;
  }

  remove(n: number): this {
    if (n === 0) return this;
    this.base += n;
    const last = this.ops.length - 1;
    if (last >= 0 && isRemove(this.ops[last])) this.ops[last] = (this.ops[last] as number) - n;
    else this.ops.push(-n);
    return this;
  }

  isNoop(): boolean {
    return this.ops.length === 0 || (this.ops.length === 1 && isRetain(this.ops[0]));
  }

  /** Throws OtError('out_of_range') when the operation does not fit the text. */
  apply(text: string): string {
    if (text.length !== this.base)
      throw new OtError(
        'out_of_range',
        `operation covers ${this.base} characters but the text has ${text.length}`,
      );
    let out = '';
    let pos = 0;
    for (const c of this.ops) {
      if (typeof c === 'string') out += c;
      else if (c > 0) {
        out += text.slice(pos, pos + c);
        pos += c;
      } else pos -= c;
    }
    return out;
  }

  /** compose(a, b) has the effect of a then b. Requires a.targetLength === b.baseLength. */
  static compose(a: TextOperation, b: TextOperation): TextOperation {
    if (a.target !== b.base)
      throw new OtError('out_of_range', "compose: first operation's result length differs from second's base");
    const out = new TextOperation();
    const ca = new Cursor(a.ops);
    const cb = new Cursor(b.ops);
    while (!ca.done() || !cb.done()) {
      if (!ca.done() && ca.kind() === 'remove') {
        out.remove(ca.left());
        ca.take(ca.left());
        continue;
      }
      if (!cb.done() && cb.kind() === 'insert') {
        out.insert(cb.text(cb.left()));
        cb.take(cb.left());
        continue;
      }
      if (ca.done() || cb.done()) throw new OtError('out_of_range', 'compose: operations do not line up');
      const n = Math.min(ca.left(), cb.left());
      const ka = ca.kind();
      const kb = cb.kind();
      if (ka === 'retain' && kb === 'retain') out.retain(n);
      else if (ka === 'insert' && kb === 'retain') out.insert(ca.text(n));
      else if (ka === 'retain' && kb === 'remove') out.remove(n);
      // insert then remove: the two cancel out.
      ca.take(n);
      cb.take(n);
    }
    return out;
  }

  /**
   * transform(a, b) -> [a', b'] with apply(apply(s, a), b') === apply(apply(s, b), a').
   * Both must have the same base length. At equal positions a's insert goes first: by convention `a`
   * is the operation the server applied earlier.
   */
  static transform(a: TextOperation, b: TextOperation): [TextOperation, TextOperation] {
    if (a.base !== b.base) throw new OtError('out_of_range', 'transform: operations have different base lengths');
    const a2 = new TextOperation();
    const b2 = new TextOperation();
    const ca = new Cursor(a.ops);
    const cb = new Cursor(b.ops);
    while (!ca.done() || !cb.done()) {
      if (!ca.done() && ca.kind() === 'insert') {
        const n = ca.left();
        a2.insert(ca.text(n));
        b2.retain(n);
        ca.take(n);
        continue;
      }
      if (!cb.done() && cb.kind() === 'insert') {
        const n = cb.left();
        a2.retain(n);
        b2.insert(cb.text(n));
        cb.take(n);
        continue;
      }
      if (ca.done() || cb.done()) throw new OtError('out_of_range', 'transform: operations do not line up');
      const n = Math.min(ca.left(), cb.left());
      const ka = ca.kind();
      const kb = cb.kind();
      if (ka === 'retain' && kb === 'retain') {
        a2.retain(n);
        b2.retain(n);
      } else if (ka === 'remove' && kb === 'retain') {
        a2.remove(n);
      } else if (ka === 'retain' && kb === 'remove') {
        b2.remove(n);
      }
      // remove against remove: both already gone.
      ca.take(n);
      cb.take(n);
    }
    return [a2, b2];
  }

  /**
   * The smallest single-range operation turning `from` into `to` (common prefix and suffix kept), as
   * the C++ `text_operation::diff`. With `caret` (the caret position in `to` after the edit, e.g. an
   * input's selectionEnd), an ambiguous edit such as typing "a" into "aa" is placed where the user made
   * it: the kept suffix never reaches before the caret.
   */
  static diff(from: string, to: string, caret?: number): TextOperation {
    const maxPrefix = Math.min(from.length, to.length);
    let suffix = 0;
    let prefix = 0;
    if (caret === undefined) {
      while (prefix < maxPrefix && from.charCodeAt(prefix) === to.charCodeAt(prefix)) ++prefix;
      while (
        suffix < maxPrefix - prefix &&
        from.charCodeAt(from.length - 1 - suffix) === to.charCodeAt(to.length - 1 - suffix)
      )
        ++suffix;
    } else {
      const maxSuffix = Math.max(0, Math.min(maxPrefix, to.length - Math.min(Math.max(caret, 0), to.length)));
      while (
        suffix < maxSuffix &&
        from.charCodeAt(from.length - 1 - suffix) === to.charCodeAt(to.length - 1 - suffix)
      )
        ++suffix;
      while (prefix < maxPrefix - suffix && from.charCodeAt(prefix) === to.charCodeAt(prefix)) ++prefix;
    }
    // Never cut a surrogate pair in two.
    while (prefix > 0 && splitsSurrogatePair(from, prefix)) --prefix;
    while (suffix > 0 && splitsSurrogatePair(from, from.length - suffix)) --suffix;
    const op = new TextOperation();
    op.retain(prefix);
    op.insert(to.slice(prefix, to.length - suffix));
    op.remove(from.length - prefix - suffix);
    op.retain(suffix);
    return op;
  }

  /** Wire form: [5, "hej", -2]. */
  toJSON(): WireComponent[] {
    return this.ops.slice();
  }

  /** Throws OtError('bad_message') naming `where` on malformed input, as the C++ from_json. */
  static fromJSON(j: unknown, where = 'ops'): TextOperation {
    if (!Array.isArray(j))
      throw new OtError('bad_message', `'${where}' must be an array of retain/insert/remove components`);
    const op = new TextOperation();
    j.forEach((c: unknown, i: number) => {
      const at = `${where}[${i}]`;
      if (typeof c === 'number' && Number.isInteger(c)) {
        if (c === 0) throw new OtError('bad_message', `'${at}' must not be 0`);
        if (c > MAX_COMPONENT || c < -MAX_COMPONENT) throw new OtError('bad_message', `'${at}' is too large`);
        if (c > 0) op.retain(c);
        else op.remove(-c);
      } else if (typeof c === 'string') {
        if (c.length === 0) throw new OtError('bad_message', `'${at}' inserts an empty string`);
        op.insert(c);
      } else {
        throw new OtError('bad_message', `'${at}' must be a whole number or a string`);
      }
    });
    return op;
  }

  equals(o: TextOperation): boolean {
    if (this.base !== o.base || this.target !== o.target || this.ops.length !== o.ops.length) return false;
    return this.ops.every((c, i) => c === o.ops[i]);
  }
}

function isRetain(c: WireComponent | undefined): boolean {
  return typeof c === 'number' && c > 0;
}
function isRemove(c: WireComponent | undefined): boolean {
  return typeof c === 'number' && c < 0;
}

type Kind = 'retain' | 'insert' | 'remove';

/** Walks an operation's components, letting the caller take part of the current one. */
class Cursor {
  private i = 0;
  private off = 0;
  constructor(private readonly cs: readonly WireComponent[]) {}
  done(): boolean {
    return this.i >= this.cs.length;
  }
  kind(): Kind {
    const c = this.cs[this.i];
    return typeof c === 'string' ? 'insert' : c > 0 ? 'retain' : 'remove';
  }
  private size(): number {
    const c = this.cs[this.i];
    return typeof c === 'string' ? c.length : Math.abs(c);
  }
  left(): number {
    return this.size() - this.off;
  }
  text(n: number): string {
    return (this.cs[this.i] as string).slice(this.off, this.off + n);
  }
  take(n: number): void {
    this.off += n;
    if (this.off === this.size()) {
      ++this.i;
      this.off = 0;
    }
  }
}
