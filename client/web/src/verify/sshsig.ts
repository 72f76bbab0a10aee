// OpenSSH signatures (PROTOCOL.sshsig) with Ed25519 keys, checked with WebCrypto. The server signs the exact bytes
// of a statement (or of an export before its seal line):
//
//   blob   = "SSHSIG" uint32(1) string(publickey) string(namespace) string(reserved) string(hash_algorithm)
//            string(signature)
//   signed = "SSHSIG" string(namespace) string(reserved) string(hash_algorithm) string(H(message))
//
// where string(x) is a uint32 big-endian length and x, publickey is string("ssh-ed25519") string(32 bytes) and
// signature is string("ssh-ed25519") string(64 bytes). Armored, the blob is base64 between
// "-----BEGIN SSH SIGNATURE-----" and "-----END SSH SIGNATURE-----".
import { buf, sha256 } from './canonical';

export class SshSigError extends Error {}

const MAGIC = new TextEncoder().encode('SSHSIG');

export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new SshSigError('not base64');
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; ++i) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(b: Uint8Array, padding = true): string {
  let bin = '';
  for (const x of b) bin += String.fromCharCode(x);
  const s = btoa(bin);
  return padding ? s : s.replace(/=+$/, '');
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; ++i) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** string(x): a uint32 big-endian length, then x. */
export function sshString(x: Uint8Array | string): Uint8Array {
  const b = typeof x === 'string' ? new TextEncoder().encode(x) : x;
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length);
  out.set(b, 4);
  return out;
}

class Reader {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  bytes(n: number): Uint8Array {
    if (this.at + n > this.b.length) throw new SshSigError('the signature ends too early');
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  uint32(): number {
    const x = this.bytes(4);
    return new DataView(x.buffer, x.byteOffset, 4).getUint32(0);
  }
  string(): Uint8Array {
    return this.bytes(this.uint32());
  }
  text(): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.string());
  }
  done(): boolean {
    return this.at === this.b.length;
  }
}

export interface SshSig {
  version: number;
  /** The public key blob: string("ssh-ed25519") string(key). */
  publicKey: Uint8Array;
  /** The raw 32-byte Ed25519 key. */
  rawKey: Uint8Array;
  namespace: string;
  reserved: Uint8Array;
  hashAlgorithm: string;
  /** The raw 64-byte Ed25519 signature. */
  rawSignature: Uint8Array;
}

/** The 32-byte key of an ssh-ed25519 public key blob. */
export function ed25519KeyOfBlob(blob: Uint8Array): Uint8Array {
  const r = new Reader(blob);
  const type = r.text();
  if (type !== 'ssh-ed25519') throw new SshSigError(`key type ${type}, not ssh-ed25519`);
  const key = r.string();
  if (key.length !== 32 || !r.done()) throw new SshSigError('not a 32-byte Ed25519 key');
  return key;
}

/** The key blob of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
export function publicKeyBlob(line: string): Uint8Array {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2 || parts[0] !== 'ssh-ed25519') throw new SshSigError('not an ssh-ed25519 public key');
  const blob = base64ToBytes(parts[1]);
  ed25519KeyOfBlob(blob);
  return blob;
}

/** `SHA256:` and the unpadded base64 of the SHA-256 of the key blob (as ssh-keygen -l shows it). */
export async function keyIdOf(blob: Uint8Array): Promise<string> {
  return 'SHA256:' + bytesToBase64(await sha256(blob), false);
}

/** The binary blob inside an armored signature. */
export function dearmor(text: string): Uint8Array {
  const m = /-----BEGIN SSH SIGNATURE-----([\s\S]*?)-----END SSH SIGNATURE-----/.exec(text);
  if (!m) throw new SshSigError('no SSH SIGNATURE block');
  return base64ToBytes(m[1]);
}

export function parseSshSig(blob: Uint8Array): SshSig {
  if (blob.length < 6 || !equalBytes(blob.subarray(0, 6), MAGIC)) throw new SshSigError('not an SSHSIG signature');
  const r = new Reader(blob.subarray(6));
  const version = r.uint32();
  if (version !== 1) throw new SshSigError(`SSHSIG version ${version}`);
  const publicKey = r.string();
  const rawKey = ed25519KeyOfBlob(publicKey);
  const namespace = r.text();
  const reserved = r.string();
  const hashAlgorithm = r.text();
  const sig = new Reader(r.string());
  if (!r.done()) throw new SshSigError('bytes after the signature');
  const sigType = sig.text();
  if (sigType !== 'ssh-ed25519') throw new SshSigError(`signature type ${sigType}`);
  const rawSignature = sig.string();
  if (rawSignature.length !== 64 || !sig.done()) throw new SshSigError('not a 64-byte Ed25519 signature');
  return { version, publicKey, rawKey, namespace, reserved, hashAlgorithm, rawSignature };
}

async function hashFor(alg: string, message: Uint8Array): Promise<Uint8Array> {
  const name = alg === 'sha512' ? 'SHA-512' : alg === 'sha256' ? 'SHA-256' : null;
  if (!name) throw new SshSigError(`hash algorithm ${alg}`);
  return new Uint8Array(await crypto.subtle.digest(name, buf(message)));
}

/** The bytes an SSHSIG signature signs. */
export async function signedData(
  namespace: string,
  hashAlgorithm: string,
  message: Uint8Array,
  reserved: Uint8Array = new Uint8Array(),
): Promise<Uint8Array> {
  return concatBytes(MAGIC, sshString(namespace), sshString(reserved), sshString(hashAlgorithm), sshString(await hashFor(hashAlgorithm, message)));
}

export type SigCheck =
  | { ok: true; keyId: string }
  | { ok: false; reason: 'malformed' | 'namespace' | 'unknown_key' | 'bad_signature' | 'no_ed25519'; detail: string; keyId?: string };

/**
 * Checks an SSHSIG over `message` in `namespace`, by one of `pinned` (key blobs: the server's keys, never keys the
 * checked file brings along).
 */
export async function verifySshSig(
  sig: Uint8Array | string,
  message: Uint8Array | string,
  namespace: string,
  pinned: Uint8Array[],
): Promise<SigCheck> {
  let s: SshSig;
  try {
    s = parseSshSig(typeof sig === 'string' ? dearmor(sig) : sig);
  } catch (e) {
    return { ok: false, reason: 'malformed', detail: (e as Error).message };
  }
  const keyId = await keyIdOf(s.publicKey);
  if (s.namespace !== namespace) return { ok: false, reason: 'namespace', detail: s.namespace, keyId };
  if (!pinned.some((k) => equalBytes(k, s.publicKey))) return { ok: false, reason: 'unknown_key', detail: keyId, keyId };
  const msg = typeof message === 'string' ? new TextEncoder().encode(message) : message;
  let data: Uint8Array;
  try {
    data = await signedData(s.namespace, s.hashAlgorithm, msg, s.reserved);
  } catch (e) {
    return { ok: false, reason: 'malformed', detail: (e as Error).message, keyId };
  }
  let good: boolean;
  try {
    const key = await crypto.subtle.importKey('raw', buf(s.rawKey), { name: 'Ed25519' }, false, ['verify']);
    good = await crypto.subtle.verify({ name: 'Ed25519' }, key, buf(s.rawSignature), buf(data));
  } catch (e) {
    return { ok: false, reason: 'no_ed25519', detail: (e as Error).message, keyId };
  }
  return good ? { ok: true, keyId } : { ok: false, reason: 'bad_signature', detail: keyId, keyId };
}
