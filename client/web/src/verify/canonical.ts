// The canonical JSON of a picture and its digest, exactly as the server makes them (docs/protocol.md, "Exports"):
// object keys sorted by their UTF-8 bytes, no whitespace, integers in decimal, strings in UTF-8 with only `"`,
// `\` and U+0000–U+001F escaped (`\b \f \n \r \t`, the others as lower-case `\u00xx`) — nlohmann::json's dump().
// The digest is the lower-case hex SHA-256 of that text's UTF-8.

/** Orders two strings by their UTF-8 bytes, which is the order of their code points (not of UTF-16 units). */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * A string as nlohmann::json writes it. JSON.stringify escapes the same set the same way (`"`, `\`, the C0
 * controls with the short forms for \b \f \n \r \t and lower-case `\u00xx` otherwise; DEL, C1, U+2028 as is).
 */
function str(s: string): string {
  return JSON.stringify(s);
}

export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) return 'null';
      return Number.isInteger(v) ? v.toFixed(0) : JSON.stringify(v);
    case 'string':
      return str(v);
    case 'object': {
      if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort(compareUtf8);
      return '{' + keys.map((k) => str(k) + ':' + canonicalJson(o[k])).join(',') + '}';
    }
    default:
      return 'null';
  }
}

export function toHex(b: ArrayBuffer | Uint8Array): string {
  const u = b instanceof Uint8Array ? b : new Uint8Array(b);
  let s = '';
  for (const x of u) s += x.toString(16).padStart(2, '0');
  return s;
}

/** The bytes as an ArrayBuffer of their own, for WebCrypto (a view into a larger buffer is copied). */
export function buf(u: Uint8Array): ArrayBuffer {
  return (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u.buffer : u.slice().buffer) as ArrayBuffer;
}

function subtle(): SubtleCrypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) throw new Error('WebCrypto (crypto.subtle) is not available: open the page over https or on localhost');
  return c.subtle;
}

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await subtle().digest('SHA-256', buf(bytes)));
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return toHex(await sha256(data));
}

/** The picture's digest: lower-case hex SHA-256 of its canonical JSON. */
export async function pictureDigest(picture: unknown): Promise<string> {
  return sha256Hex(canonicalJson(picture));
}
