// The personal identity numbers the server flagged in a meeting's picture and the chair's acknowledgements of them
// (DESIGN.md §6, docs/protocol.md "Personal data and sekretess"), as a replica follows them: the welcome's `privacy`,
// the `flags` of an op or ack whose text change changed its field's numbers, an entry or decision item removed (its
// fields' flags go with it, unannounced), and `acknowledge` changes. The server decides; this mirrors
// shared/include/est/privacy_review.hpp for the view. A number is named by the SHA-256 (hex) of its last ten digits.
import type { PersonalNumberMatch } from './personal-number';
import type { Acknowledgement, Change, FieldFlags, FieldRef, FlaggedNumber, PrivacyJSON } from './types';
import { fieldKey, fieldRefToJSON } from './types';

/** One flagged number in one field, with the acknowledgement that resolved it (if any). */
export interface FlagRow {
  target: FieldRef;
  number: string;
  kind: FlaggedNumber['kind'];
  ack: Acknowledgement | null;
}

const ackKey = (target: FieldRef, number: string) => `${fieldKey(target)}|${number}`;

export class PrivacyReview {
  /** By field key; a field without numbers has no entry. */
  private readonly flags = new Map<string, FieldFlags>();
  private readonly acks = new Map<string, Acknowledgement>();

  /** Replaces everything with a welcome's `privacy`. */
  read(j: PrivacyJSON | null | undefined): void {
    this.flags.clear();
    this.acks.clear();
    for (const f of j?.flags ?? []) this.setField(f);
    for (const a of j?.acknowledged ?? []) this.acks.set(ackKey(a.target, a.number), { ...a, target: fieldRefToJSON(a.target) });
  }

  /** A field's flags now (an op's or ack's `flags`): `numbers` empty removes them. */
  setField(f: FieldFlags): void {
    const key = fieldKey(f.target);
    if (!f.numbers || f.numbers.length === 0) this.flags.delete(key);
    else this.flags.set(key, { target: fieldRefToJSON(f.target), numbers: f.numbers.map((n) => ({ number: n.number, kind: n.kind })) });
  }

  /** An entry or decision item was removed: its fields' flags go (its acknowledgements stay, as on the server). */
  forget(c: Extract<Change, { kind: 'remove_entry' | 'remove_item' }>): void {
    const prefix = c.kind === 'remove_entry' ? `${c.topic}/${c.org}/${c.entry}/` : `${c.topic}/item:${c.item}/`;
    for (const k of [...this.flags.keys()]) if (k.startsWith(prefix)) this.flags.delete(k);
  }

  /** An accepted acknowledgement at `rev`; `by` and `at` from the server's broadcast, else the caller's own. */
  acknowledge(c: Extract<Change, { kind: 'acknowledge' }>, rev: number, by: string, at: string): void {
    const target = fieldRefToJSON(c.target);
    this.acks.set(ackKey(target, c.number), { target, number: c.number, reason: c.reason, by: c.by ?? by, at: c.at ?? at, rev });
  }

  acknowledgement(target: FieldRef, number: string): Acknowledgement | null {
    return this.acks.get(ackKey(target, number)) ?? null;
  }

  /** Every flagged number, field by field in the order given by `order` (else by key), each with its state. */
  rows(order?: (a: FieldRef, b: FieldRef) => number): FlagRow[] {
    const fields = [...this.flags.values()];
    if (order) fields.sort((a, b) => order(a.target, b.target));
    else fields.sort((a, b) => (fieldKey(a.target) < fieldKey(b.target) ? -1 : 1));
    return fields.flatMap((f) => f.numbers.map((n) => ({ target: f.target, number: n.number, kind: n.kind, ack: this.acknowledgement(f.target, n.number) })));
  }

  /** The field's flagged numbers (none: []). */
  field(target: FieldRef): FlaggedNumber[] {
    return this.flags.get(fieldKey(target))?.numbers ?? [];
  }

  /** Flags neither edited away nor acknowledged: what holds the sign-off up. */
  unresolved(): number {
    return this.rows().filter((r) => !r.ack).length;
  }
}

// ---- naming a number: SHA-256 of its last ten digits ----

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/**
 * SHA-256 (hex) of an ASCII string, synchronously: the view names a number it sees in a field while it renders
 * (WebCrypto is asynchronous, and absent outside secure contexts). Only for short ASCII input such as ten digits.
 */
export function sha256HexAscii(s: string): string {
  const bitLen = s.length * 8;
  const blocks = Math.ceil((s.length + 9) / 64);
  const m = new Uint8Array(blocks * 64);
  for (let i = 0; i < s.length; ++i) m[i] = s.charCodeAt(i) & 0xff;
  m[s.length] = 0x80;
  const dv = new DataView(m.buffer);
  dv.setUint32(m.length - 4, bitLen >>> 0);
  dv.setUint32(m.length - 8, Math.floor(bitLen / 2 ** 32));
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let b = 0; b < blocks; ++b) {
    for (let i = 0; i < 16; ++i) w[i] = dv.getUint32(b * 64 + i * 4);
    for (let i = 16; i < 64; ++i) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, bb, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; ++i) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) >>> 0;
      [hh, g, f, e, d, c, bb, a] = [g, f, e, (d + t1) >>> 0, c, bb, a, (t1 + t2) >>> 0];
    }
    const add = [a, bb, c, d, e, f, g, hh];
    for (let i = 0; i < 8; ++i) h[i] = (h[i] + add[i]) >>> 0;
  }
  return Array.from(h, (x) => x.toString(16).padStart(8, '0')).join('');
}

/** The server's name of the number found at `m` in `text`: SHA-256 (hex) of its last ten digits. */
export function personalNumberId(text: string, m: PersonalNumberMatch): string {
  const digits = text.slice(m.begin, m.end).replace(/\D/g, '');
  return sha256HexAscii(digits.slice(-10));
}
