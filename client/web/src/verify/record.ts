// Checking an exported situation picture ("Kontrollera lägesbild"): a JSON export, or an HTML or Markdown export
// with the JSON record inside and a seal line at its end (/work/spec/signoff.md, "Exports"). What is checked:
//
//  1. the picture's digest, recomputed from the record's `picture` (canonical.ts), against the record's `digest`;
//  2. every signature: an SSHSIG (namespace est-live-signature) by one of the server's keys over the statement's
//     exact text, and a statement about this meeting and this digest;
//  3. the closing, when there is one: its SSHSIG (est-live-closing), its digest, and that it lists the SHA-256 of
//     each signature statement in order;
//  4. for HTML and Markdown, the seal: an SSHSIG (est-live-export) over every byte before the seal line.
//
// A public version (`"version":"public"`, docs/records.md, "The public version") is sealed in
// est-live-redaction instead and carries the server's redaction statement (signed in est-live-redaction): it must
// name this meeting, group and revision, this picture's digest, the file's redaction_of and exactly the entries the
// picture marks sekretess, each emptied; the signatures and the closing are then checked against redaction_of, the
// full picture they signed. Neither kind's seal holds for the other.
//
// The keys are the server's (GET /api/keys), pinned: keys the file brings along are never trusted.
import { ROLE_LABELS } from '../labels';
import type { Role } from '../model/types';
import { readClosing, readSignature, type SignedRecord } from '../model/lifecycle';
import { canonicalJson, pictureDigest, sha256Hex } from './canonical';
import { base64ToBytes, publicKeyBlob, verifySshSig, type SigCheck } from './sshsig';

export type Format = 'json' | 'html' | 'markdown';

export interface CheckLine {
  ok: boolean;
  text: string;
}

export interface Verdict {
  /** intact: everything checks and it is signed; unsigned: the digest holds but nobody signed; broken: something fails. */
  status: 'intact' | 'unsigned' | 'broken';
  /** One sentence: "Intakt – signerad av …" or what fails. */
  summary: string;
  format: Format | null;
  checks: CheckLine[];
  digest: string | null;
  /** A public version: the digest of the full picture it is the redaction of (as its redaction statement says). */
  redactionOf?: string | null;
}

const SEAL_START = '<!-- est-seal ';
const EXPORT_NAMESPACE = 'est-live-export';
const REDACTION_NAMESPACE = 'est-live-redaction';
const enc = new TextEncoder();

/** Where the last line starting with `<!-- est-seal ` begins, in bytes, or -1. */
function sealOffset(bytes: Uint8Array): number {
  const pat = enc.encode(SEAL_START);
  for (let i = bytes.length - pat.length; i >= 0; --i) {
    if (i > 0 && bytes[i - 1] !== 0x0a) continue;
    let hit = true;
    for (let j = 0; j < pat.length && hit; ++j) hit = bytes[i + j] === pat[j];
    if (hit) return i;
  }
  return -1;
}

function detectFormat(text: string): Format | null {
  const t = text.trimStart();
  if (t.startsWith('{')) return 'json';
  if (/<script type="application\/json" id="est-record">/.test(text)) return 'html';
  if (/^```json est-record$/m.test(text)) return 'markdown';
  if (/^<!doctype html|^<html/i.test(t)) return 'html';
  return null;
}

/** The JSON record inside an HTML or Markdown export, as text. */
function embeddedRecord(text: string, format: Format): string | null {
  if (format === 'html') {
    const m = /<script type="application\/json" id="est-record">([\s\S]*?)<\/script>/.exec(text);
    // Inside, every "</" is written "<\/", which JSON reads back as "</".
    return m ? m[1] : null;
  }
  const m = /^```json est-record\n([\s\S]*?)\n```[ \t]*$/m.exec(text);
  return m ? m[1] : null;
}

interface Record {
  meeting?: { id?: string; title?: string };
  group?: { id?: string; name?: string; organisations?: { id: string; name: string }[] };
  rev?: number;
  digest?: string;
  picture?: unknown;
  lifecycle?: { signatures?: SignedRecord[]; closing?: SignedRecord | null; phase?: string };
  version?: string;
  redaction_of?: string;
  redacted?: unknown;
  redaction?: SignedRecord;
}

/** The record of an export, or null when the file holds none that can be read. */
function readRecord(text: string, format: Format): Record | null {
  const raw = format === 'json' ? text : embeddedRecord(text, format);
  try {
    if (raw === null) return null;
    const rec = JSON.parse(raw) as Record;
    if (!rec || typeof rec !== 'object' || rec.picture === undefined || typeof rec.digest !== 'string') return null;
    return rec;
  } catch {
    return null;
  }
}

interface RedactionFacts {
  type?: string;
  version?: number;
  meeting?: string;
  group?: string;
  rev?: number;
  digest?: string;
  redaction_of?: string;
  redacted?: unknown;
}

type Json = { [k: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The entries a public picture marks sekretess, as a redaction statement lists them ({entry, org, osl, topic}, in
 * canonical order), and whether any field of theirs still holds text.
 */
function markedEntries(picture: unknown): { list: string[]; textLeft: boolean } {
  const list: string[] = [];
  let textLeft = false;
  const topics = isObject(picture) && Array.isArray(picture.topics) ? picture.topics : [];
  for (const t of topics) {
    if (!isObject(t) || !isObject(t.cells)) continue;
    for (const [org, cell] of Object.entries(t.cells)) {
      if (!isObject(cell) || !Array.isArray(cell.entries)) continue;
      for (const e of cell.entries) {
        if (!isObject(e) || !isObject(e.secrecy) || typeof e.secrecy.osl !== 'string' || e.secrecy.osl === '') continue;
        list.push(canonicalJson({ entry: e.id, org, osl: e.secrecy.osl, topic: t.id }));
        for (const v of Object.values(isObject(e.fields) ? e.fields : {}))
          if (typeof v === 'string' ? v !== '' : !(isObject(v) && (v.value === '' || v.value === undefined))) textLeft = true;
      }
    }
  }
  return { list: list.sort(), textLeft };
}

function listed(v: unknown): string[] {
  return (Array.isArray(v) ? v : []).map((x) => canonicalJson(x)).sort();
}

function swedishTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('sv-SE', {
    timeZone: 'Europe/Stockholm',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

function roleWord(role: string): string {
  return (ROLE_LABELS[role as Role] ?? role).toLowerCase();
}

function sigProblem(c: SigCheck & { ok: false }, what: string): string {
  switch (c.reason) {
    case 'unknown_key':
      return `${what} är gjord med en nyckel som inte är den här serverns (${c.detail}).`;
    case 'namespace':
      return `${what} är gjord för något annat (namnrymd ${c.detail}).`;
    case 'bad_signature':
      return `${what} stämmer inte: texten har ändrats efter att den signerades.`;
    case 'no_ed25519':
      return `${what} gick inte att kontrollera: webbläsaren saknar stöd för Ed25519. Använd en nyare webbläsare eller est-cli verify.`;
    default:
      return `${what} går inte att läsa (${c.detail}).`;
  }
}

/** Checks an exported file against the server's keys (`public_key` lines of GET /api/keys). */
export async function checkExport(bytes: Uint8Array, serverKeys: { public_key: string }[]): Promise<Verdict> {
  const checks: CheckLine[] = [];
  const fail = (text: string) => checks.push({ ok: false, text });
  const pass = (text: string) => checks.push({ ok: true, text });
  const pinned: Uint8Array[] = [];
  for (const k of serverKeys) {
    try {
      pinned.push(publicKeyBlob(k.public_key));
    } catch {
      /* a key of another kind: not one we check with */
    }
  }
  const broken = (summary: string, format: Format | null, digest: string | null = null): Verdict => ({
    status: 'broken',
    summary,
    format,
    checks,
    digest,
  });

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('Filen är inte text i UTF-8.');
    return broken('Filen går inte att läsa som en export av en lägesbild.', null);
  }
  const format = detectFormat(text);
  if (!format) {
    fail('Filen är varken JSON, HTML eller Markdown från EST Live.');
    return broken('Filen är inte en export av en lägesbild från EST Live.', null);
  }

  // The record, read first: whether it is a public version decides the seal's namespace. The record is sealed with
  // the rest, so a file cannot change its kind without breaking its seal.
  const rec = readRecord(text, format);
  const isPublic = rec?.version === 'public';

  // The seal of HTML and Markdown: over every byte before its line.
  let sealOk = true;
  if (format !== 'json') {
    const at = sealOffset(bytes);
    if (at < 0) {
      sealOk = false;
      fail('Förseglingen (raden est-seal i slutet) saknas.');
    } else {
      const line = new TextDecoder().decode(bytes.subarray(at));
      const m = /^<!-- est-seal key=(\S+) sig=([A-Za-z0-9+/=]+) -->\n?$/.exec(line);
      if (!m) {
        sealOk = false;
        fail('Förseglingen är inte sista raden, eller går inte att läsa: något har lagts till eller ändrats i slutet.');
      } else {
        let blob: Uint8Array | null = null;
        try {
          blob = base64ToBytes(m[2]);
        } catch {
          blob = null;
        }
        const c = blob ? await verifySshSig(blob, bytes.subarray(0, at), isPublic ? REDACTION_NAMESPACE : EXPORT_NAMESPACE, pinned) : null;
        if (c?.ok) pass(`Förseglingen stämmer: inget tecken i filen har ändrats (nyckel ${c.keyId}).`);
        else {
          sealOk = false;
          if (c && !c.ok && c.reason === 'bad_signature')
            fail('Förseglingen stämmer inte: filen har ändrats efter exporten (minst ett tecken skiljer).');
          else fail(c && !c.ok ? sigProblem(c, 'Förseglingen') : 'Förseglingen går inte att läsa.');
        }
      }
    }
  }

  if (!rec) {
    fail('Lägesbildens data (JSON-posten) saknas eller går inte att läsa.');
    return broken('Filen saknar lägesbildens data och kan inte kontrolleras.', format);
  }

  const digest = await pictureDigest(rec.picture);
  let digestOk = digest === rec.digest;
  if (digestOk) pass(`Kontrollsumman stämmer med lägesbilden (${digest.slice(0, 16)}…).`);
  else fail(`Kontrollsumman stämmer inte: lägesbilden i filen har ändrats (räknad ${digest.slice(0, 16)}…, angiven ${String(rec.digest).slice(0, 16)}…).`);

  // A public version: the server's redaction statement binds this picture to the full one the signatures sign.
  let signedDigest = digest;
  let redactionOf: string | null = null;
  let redactionOk = true;
  if (isPublic) {
    const r = await checkRedaction(rec, digest, pinned);
    for (const c of r.checks) checks.push(c);
    redactionOk = r.ok;
    signedDigest = r.redactionOf ?? '';
    redactionOf = r.redactionOf;
  }

  const orgName = (id: string) => rec.group?.organisations?.find((o) => o.id === id)?.name ?? id;
  const meetingId = rec.meeting?.id;
  const signatures = rec.lifecycle?.signatures ?? [];
  const signers: string[] = [];
  let sigsOk = true;
  for (const [i, s] of signatures.entries()) {
    const what = `Underskrift ${i + 1}`;
    const facts = typeof s?.statement === 'string' ? readSignature(s.statement) : null;
    if (!facts) {
      sigsOk = false;
      fail(`${what} går inte att läsa.`);
      continue;
    }
    const who = `${facts.signer.name} (${roleWord(facts.signer.role)}${facts.signer.org ? `, ${orgName(facts.signer.org)}` : ''})`;
    const c = await verifySshSig(s.sshsig, s.statement, 'est-live-signature', pinned);
    if (!c.ok) {
      sigsOk = false;
      fail(sigProblem(c, `${what} av ${who}`));
      continue;
    }
    if (facts.digest !== signedDigest) {
      sigsOk = false;
      digestOk = false;
      fail(`${what} av ${who} gäller en annan version av lägesbilden (kontrollsumma ${facts.digest.slice(0, 16)}…).`);
      continue;
    }
    if (meetingId && facts.meeting !== meetingId) {
      sigsOk = false;
      fail(`${what} av ${who} gäller ett annat möte (${facts.meeting}).`);
      continue;
    }
    pass(`${what}: ${who}, ${swedishTime(facts.signed_at)} – stämmer.`);
    signers.push(`${who} ${swedishTime(facts.signed_at)}`);
  }

  let closedText = '';
  const closing = rec.lifecycle?.closing;
  let closingOk = true;
  if (closing) {
    const facts = typeof closing.statement === 'string' ? readClosing(closing.statement) : null;
    const c = facts ? await verifySshSig(closing.sshsig, closing.statement, 'est-live-closing', pinned) : null;
    if (!facts || !c) {
      closingOk = false;
      fail('Stängningen går inte att läsa.');
    } else if (!c.ok) {
      closingOk = false;
      fail(sigProblem(c, 'Stängningen'));
    } else {
      const expected = await Promise.all(signatures.map((s) => sha256Hex(s.statement)));
      if (facts.digest !== signedDigest) {
        closingOk = false;
        fail('Stängningen gäller en annan version av lägesbilden.');
      } else if (JSON.stringify(expected) !== JSON.stringify(facts.signatures)) {
        closingOk = false;
        fail('Stängningen räknar upp andra underskrifter än de som finns i filen.');
      } else {
        const by = facts.closed_by?.name ? ` av ${facts.closed_by.name}` : '';
        closedText = `stängd${by} ${swedishTime(facts.closed_at)} (nr ${facts.sequence} i gruppens kedja)`;
        pass(`Stängningen stämmer: ${closedText}.`);
      }
    }
  }

  const ok = sealOk && digestOk && redactionOk && sigsOk && closingOk;
  if (!ok) {
    const first = checks.find((c) => !c.ok)!;
    return { ...broken(`Inte intakt: ${first.text}`, format, digest), redactionOf };
  }
  const of = redactionOf ? `Offentlig version (maskad) av lägesbilden med kontrollsumma ${redactionOf.slice(0, 16)}…` : '';
  if (signers.length === 0)
    return {
      status: 'unsigned',
      summary: of
        ? `${of}: maskningen stämmer, men lägesbilden är inte signerad.`
        : 'Kontrollsumman stämmer, men lägesbilden är inte signerad.',
      format,
      checks,
      digest,
      redactionOf,
    };
  const list = signers.length > 1 ? `${signers.slice(0, -1).join(', ')} och ${signers[signers.length - 1]}` : signers[0];
  return {
    status: 'intact',
    summary: `${of ? `${of}: intakt` : 'Intakt'} – signerad av ${list}${closedText ? `; ${closedText}` : ''}.`,
    format,
    checks,
    digest,
    redactionOf,
  };
}

/**
 * A public version's redaction statement: its SSHSIG in est-live-redaction by a pinned key, and what it says against
 * the file. `redactionOf` is the full picture's digest it names (null when it cannot be read or trusted).
 */
async function checkRedaction(
  rec: Record,
  digest: string,
  pinned: Uint8Array[],
): Promise<{ ok: boolean; checks: CheckLine[]; redactionOf: string | null }> {
  const checks: CheckLine[] = [];
  const fail = (text: string) => {
    checks.push({ ok: false, text });
    return { ok: false, checks, redactionOf: null };
  };
  const r = rec.redaction;
  if (!r || typeof r.statement !== 'string' || typeof r.sshsig !== 'string')
    return fail('Den offentliga versionen saknar serverns maskningsintyg.');
  const c = await verifySshSig(r.sshsig, r.statement, REDACTION_NAMESPACE, pinned);
  if (!c.ok) return fail(sigProblem(c, 'Maskningsintyget'));
  let facts: RedactionFacts;
  try {
    facts = JSON.parse(r.statement) as RedactionFacts;
  } catch {
    return fail('Maskningsintyget går inte att läsa.');
  }
  if (facts.type !== 'est-live/redaction' || facts.version !== 1) return fail('Maskningsintyget är av fel typ.');
  const redactionOf = typeof facts.redaction_of === 'string' ? facts.redaction_of : '';
  let ok = true;
  const problem = (text: string) => {
    ok = false;
    checks.push({ ok: false, text });
  };
  if (facts.meeting !== rec.meeting?.id || facts.group !== rec.group?.id || facts.rev !== rec.rev)
    problem('Maskningsintyget gäller ett annat möte eller en annan revision.');
  if (facts.digest !== digest)
    problem('Den maskade lägesbilden är inte den som servern maskade: den har ändrats efter exporten.');
  if (rec.redaction_of !== redactionOf)
    problem(`Filen anger en annan fullständig lägesbild (${String(rec.redaction_of).slice(0, 16)}…) än maskningsintyget.`);
  const inStatement = listed(facts.redacted);
  if (canonicalJson(listed(rec.redacted)) !== canonicalJson(inStatement))
    problem('Filens lista över maskade uppgifter är inte maskningsintygets.');
  const marked = markedEntries(rec.picture);
  if (canonicalJson(marked.list) !== canonicalJson(inStatement))
    problem('Lägesbildens sekretessmarkeringar är inte de maskade uppgifter som maskningsintyget räknar upp.');
  if (marked.textLeft) problem('En uppgift som omfattas av sekretess har text kvar i den offentliga versionen.');
  if (ok)
    checks.push({
      ok: true,
      text: `Maskningsintyget stämmer (nyckel ${c.keyId}): en offentlig version av lägesbilden med kontrollsumma ${redactionOf.slice(0, 16)}…, ${inStatement.length} ${inStatement.length === 1 ? 'uppgift maskad' : 'uppgifter maskade'} enligt OSL.`,
    });
  return { ok, checks, redactionOf: redactionOf || null };
}
