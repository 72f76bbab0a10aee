// The export checker ("Kontrollera lägesbild"): canonical JSON and digest against the shared vector, SSHSIG parsing
// and Ed25519 checks against a signature made by OpenSSH's ssh-keygen, and whole exports (JSON, HTML, Markdown)
// signed here with WebCrypto and an SSHSIG encoder of the test's own — then changed by one byte, or signed by
// another key, and refused.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buf, canonicalJson, compareUtf8, pictureDigest, sha256Hex } from '../../src/verify/canonical';
import { checkExport } from '../../src/verify/record';
import {
  bytesToBase64,
  concatBytes,
  dearmor,
  keyIdOf,
  parseSshSig,
  publicKeyBlob,
  signedData,
  sshString,
  verifySshSig,
} from '../../src/verify/sshsig';

const vectors = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../tests/vectors');

// Made with: ssh-keygen -t ed25519 -C est-live -f k; printf '<MSG>' > msg; ssh-keygen -Y sign -f k -n est-live-signature msg
const OPENSSH = {
  message: '{"digest":"abc","type":"est-live/signature","version":1}',
  publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPI//bvYybgf54PURIOID6JCJhnkFe3df7PfYKKIuELu est-live',
  keyId: 'SHA256:xlPpB3I26jsF3W78QLF7Lhfg/nbhFV7pSHceGqhUrj8',
  sshsig: `-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg8j/9u9jJuB/ng9REg4gPokImGe
QV7d1/s99gooi4Qu4AAAASZXN0LWxpdmUtc2lnbmF0dXJlAAAAAAAAAAZzaGE1MTIAAABT
AAAAC3NzaC1lZDI1NTE5AAAAQNQcY6KBZsGcjcWMFXNqlZlCUOI6qB0ZRTMvEQLFKjhA+O
XYswLZnirkirko9UKJPdUH2DlBgDMQdRajyBFHVg0=
-----END SSH SIGNATURE-----
`,
};

describe('canonical JSON and the picture digest', () => {
  it('matches tests/vectors/export_digest.json', async () => {
    const v = JSON.parse(readFileSync(path.join(vectors, 'export_digest.json'), 'utf8')) as { canonical: string; sha256: string };
    const picture = JSON.parse(v.canonical) as unknown;
    expect(canonicalJson(picture)).toBe(v.canonical);
    expect(await pictureDigest(picture)).toBe(v.sha256);
    // Key order does not matter in the input.
    const shuffled = JSON.parse(JSON.stringify(picture, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x)));
    expect(await pictureDigest(shuffled)).toBe(v.sha256);
  });

  it('sorts keys by UTF-8 bytes (code points), not UTF-16 units, and escapes like nlohmann', () => {
    // U+FF5E (one unit, 0xFF5E) sorts before U+1F600 (surrogates 0xD83D…) in UTF-8; in UTF-16 order it would not.
    expect(compareUtf8('\uff5e', '😀')).toBe(-1);
    expect(canonicalJson({ '😀': 1, '\uff5e': 2, b: 3, a: 4, B: 5, å: 6 })).toBe('{"B":5,"a":4,"b":3,"å":6,"～":2,"😀":1}');
    expect(canonicalJson('a"\\\n\t\b\f\r\u0001\u001f\u007f\u0085/<')).toBe('"a\\"\\\\\\n\\t\\b\\f\\r\\u0001\\u001f\u007f\u0085/<"');
    expect(canonicalJson([1, -2, 0, true, false, null, 'x'])).toBe('[1,-2,0,true,false,null,"x"]');
  });
});

describe('SSHSIG', () => {
  it('reads and checks a signature made by ssh-keygen -Y sign', async () => {
    const blob = publicKeyBlob(OPENSSH.publicKey);
    expect(await keyIdOf(blob)).toBe(OPENSSH.keyId);
    const s = parseSshSig(dearmor(OPENSSH.sshsig));
    expect(s.namespace).toBe('est-live-signature');
    expect(s.hashAlgorithm).toBe('sha512');
    expect(await verifySshSig(OPENSSH.sshsig, OPENSSH.message, 'est-live-signature', [blob])).toEqual({ ok: true, keyId: OPENSSH.keyId });
    // One changed character of the statement, another namespace, a key that is not pinned: each fails.
    const changed = OPENSSH.message.replace('abc', 'abd');
    expect(await verifySshSig(OPENSSH.sshsig, changed, 'est-live-signature', [blob])).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(await verifySshSig(OPENSSH.sshsig, OPENSSH.message, 'est-live-closing', [blob])).toMatchObject({ ok: false, reason: 'namespace' });
    const other = await newKey();
    expect(await verifySshSig(OPENSSH.sshsig, OPENSSH.message, 'est-live-signature', [other.blob])).toMatchObject({
      ok: false,
      reason: 'unknown_key',
    });
    expect(await verifySshSig('not a signature', OPENSSH.message, 'est-live-signature', [blob])).toMatchObject({ ok: false, reason: 'malformed' });
  });

  const shared = path.join(vectors, 'signature.json');
  it.skipIf(!existsSync(shared))('checks the shared vectors of tests/vectors/signature.json', async () => {
    interface Signed {
      namespace: string;
      sha256: string;
      sshsig: string;
      statement: string;
    }
    const v = JSON.parse(readFileSync(shared, 'utf8')) as {
      public_key: string;
      key_id: string;
      picture: unknown;
      picture_digest: string;
      signatures: Signed[];
      closing: Signed;
    };
    const blob = publicKeyBlob(v.public_key);
    expect(await keyIdOf(blob)).toBe(v.key_id);
    expect(await pictureDigest(v.picture)).toBe(v.picture_digest);
    for (const s of [...v.signatures, v.closing]) {
      expect(await sha256Hex(s.statement)).toBe(s.sha256);
      expect(await verifySshSig(s.sshsig, s.statement, s.namespace, [blob])).toEqual({ ok: true, keyId: v.key_id });
      expect(await verifySshSig(s.sshsig, s.statement + ' ', s.namespace, [blob])).toMatchObject({ ok: false, reason: 'bad_signature' });
    }
    // As a JSON export: intact, signed by both, closed.
    const record = {
      meeting: { id: (JSON.parse(v.signatures[0].statement) as { meeting: string }).meeting },
      digest: v.picture_digest,
      picture: v.picture,
      lifecycle: { signatures: v.signatures, closing: v.closing },
    };
    const verdict = await checkExport(new TextEncoder().encode(JSON.stringify(record)), [{ public_key: v.public_key }]);
    expect(verdict.checks.filter((c) => !c.ok)).toEqual([]);
    expect(verdict.status).toBe('intact');
  });
});

// ---- a signing server of the test's own ----

interface TestKey {
  blob: Uint8Array;
  line: string;
  keyId: string;
  priv: CryptoKey;
}

async function newKey(): Promise<TestKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const blob = concatBytes(sshString('ssh-ed25519'), sshString(raw));
  return { blob, line: `ssh-ed25519 ${bytesToBase64(blob)} est-live`, keyId: await keyIdOf(blob), priv: pair.privateKey };
}

/** The binary SSHSIG blob over `message` (PROTOCOL.sshsig), hash sha512. */
async function sshsigBlob(key: TestKey, namespace: string, message: Uint8Array | string): Promise<Uint8Array> {
  const msg = typeof message === 'string' ? new TextEncoder().encode(message) : message;
  const data = await signedData(namespace, 'sha512', msg);
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.priv, buf(data)));
  return concatBytes(
    new TextEncoder().encode('SSHSIG'),
    new Uint8Array([0, 0, 0, 1]),
    sshString(key.blob),
    sshString(namespace),
    sshString(''),
    sshString('sha512'),
    sshString(concatBytes(sshString('ssh-ed25519'), sshString(sig))),
  );
}

async function armored(key: TestKey, namespace: string, message: string): Promise<string> {
  const b64 = bytesToBase64(await sshsigBlob(key, namespace, message));
  return `-----BEGIN SSH SIGNATURE-----\n${b64.replace(/(.{70})/g, '$1\n')}\n-----END SSH SIGNATURE-----\n`;
}

const PICTURE = {
  retired: [],
  topics: [
    {
      id: 'andt',
      fields: { bedomning: 'Oförändrat läge.', niva: { rev: 3, value: 'låg' } },
      cells: { polis: { entries: [{ id: 'e1', fields: { handelse: 'Langning vid "torget" </script>', trend: { rev: 2, value: 'ökar' } } }] } },
    },
  ],
};

async function signedExport(key: TestKey, opts: { closed?: boolean } = {}) {
  const digest = await pictureDigest(PICTURE);
  const statement = (name: string, role: string, org: string, at: string) =>
    canonicalJson({
      digest,
      group: 'fagersta',
      meeting: 'm1',
      rev: 12,
      signed_at: at,
      signer: { account: 'a-' + role, name, org, role },
      type: 'est-live/signature',
      version: 1,
    });
  const s1 = statement('Eva Ek', 'chair', 'kommun', '2026-12-04T10:15:00Z');
  const s2 = statement('Olle Polis', 'cosigner', 'polis', '2026-12-04T10:17:00Z');
  const signatures = [
    { statement: s1, sshsig: await armored(key, 'est-live-signature', s1), key_id: key.keyId },
    { statement: s2, sshsig: await armored(key, 'est-live-signature', s2), key_id: key.keyId },
  ];
  let closing = null;
  if (opts.closed) {
    const c = canonicalJson({
      closed_at: '2026-12-04T10:20:00Z',
      closed_by: { account: 'a-chair', name: 'Eva Ek', org: 'kommun', role: 'chair' },
      digest,
      group: 'fagersta',
      meeting: 'm1',
      previous: '',
      rev: 12,
      sequence: 1,
      signatures: [await sha256Hex(s1), await sha256Hex(s2)],
      type: 'est-live/closing',
      version: 1,
    });
    closing = { statement: c, sshsig: await armored(key, 'est-live-closing', c), key_id: key.keyId };
  }
  return {
    meeting: { id: 'm1', title: 'EST-möte vecka 49' },
    group: { id: 'fagersta', name: 'EST Fagersta', organisations: [{ id: 'kommun', name: 'Fagersta kommun' }, { id: 'polis', name: 'Polisen' }] },
    rev: 14,
    digest,
    picture: PICTURE,
    state: opts.closed ? 'closed' : 'signed',
    lifecycle: { phase: opts.closed ? 'closed' : 'signed', locked_topics: [], required: ['chair', 'cosigner'], signatures, closing },
    keys: [{ key_id: key.keyId, public_key: key.line }],
  };
}

async function sealed(key: TestKey, body: string, namespace = 'est-live-export'): Promise<Uint8Array> {
  const bytes = new TextEncoder().encode(body);
  const sig = bytesToBase64(await sshsigBlob(key, namespace, bytes));
  return new TextEncoder().encode(`${body}<!-- est-seal key=${key.keyId} sig=${sig} -->\n`);
}

function htmlOf(record: unknown): string {
  const json = JSON.stringify(record).replace(/<\//g, '<\\/');
  return `<!doctype html>\n<html lang="sv"><body><h1>Lägesbild</h1>\n<script type="application/json" id="est-record">${json}</script>\n</body></html>\n`;
}

function markdownOf(record: unknown): string {
  return `# Lägesbild – EST-möte vecka 49\n\nText.\n\n\`\`\`json est-record\n${JSON.stringify(record, null, 1)}\n\`\`\`\n`;
}

const enc = (s: string) => new TextEncoder().encode(s);

describe('checkExport', () => {
  it('finds a signed and closed JSON export intact, naming the signers', async () => {
    const key = await newKey();
    const rec = await signedExport(key, { closed: true });
    const v = await checkExport(enc(JSON.stringify(rec)), [{ public_key: key.line }]);
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.status).toBe('intact');
    expect(v.format).toBe('json');
    expect(v.summary).toMatch(/^Intakt – signerad av Eva Ek \(ordförande, Fagersta kommun\) .* och Olle Polis \(medundertecknare, Polisen\) /);
    expect(v.summary).toContain('stängd av Eva Ek');
  });

  it('refuses a changed picture, a signature by another key and a statement about another picture', async () => {
    const key = await newKey();
    const rec = await signedExport(key);
    const changed = JSON.parse(JSON.stringify(rec));
    changed.picture.topics[0].fields.bedomning = 'Oförändrat läge!';
    let v = await checkExport(enc(JSON.stringify(changed)), [{ public_key: key.line }]);
    expect(v.status).toBe('broken');
    expect(v.summary).toMatch(/^Inte intakt: Kontrollsumman stämmer inte/);

    // The file's own `keys` are never trusted: the server's pinned key is another.
    const other = await newKey();
    v = await checkExport(enc(JSON.stringify(rec)), [{ public_key: other.line }]);
    expect(v.status).toBe('broken');
    expect(v.summary).toContain('nyckel som inte är den här serverns');

    // Digest and picture changed together (so the digest holds): the signatures name the old digest.
    changed.digest = await pictureDigest(changed.picture);
    v = await checkExport(enc(JSON.stringify(changed)), [{ public_key: key.line }]);
    expect(v.status).toBe('broken');
    expect(v.checks.some((c) => !c.ok && c.text.includes('annan version av lägesbilden'))).toBe(true);
  });

  it('says when a picture is intact but not signed', async () => {
    const digest = await pictureDigest(PICTURE);
    const v = await checkExport(enc(JSON.stringify({ meeting: { id: 'm1' }, rev: 3, digest, picture: PICTURE })), []);
    expect(v.status).toBe('unsigned');
    expect(v.summary).toBe('Kontrollsumman stämmer, men lägesbilden är inte signerad.');
  });

  it.each(['html', 'markdown'] as const)('checks the seal of a %s export over every byte before it', async (format) => {
    const key = await newKey();
    const rec = await signedExport(key, { closed: true });
    const body = format === 'html' ? htmlOf(rec) : markdownOf(rec);
    const file = await sealed(key, body);
    const v = await checkExport(file, [{ public_key: key.line }]);
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.format).toBe(format);
    expect(v.status).toBe('intact');
    expect(v.checks[0].text).toMatch(/^Förseglingen stämmer/);

    // One byte changed in the visible text (not in the record): only the seal catches it.
    const tampered = file.slice();
    const at = new TextDecoder().decode(file).indexOf('Lägesbild');
    tampered[at] = 'l'.charCodeAt(0);
    const t = await checkExport(tampered, [{ public_key: key.line }]);
    expect(t.status).toBe('broken');
    expect(t.summary).toBe('Inte intakt: Förseglingen stämmer inte: filen har ändrats efter exporten (minst ett tecken skiljer).');

    // A line added after the seal.
    const appended = concatBytes(file, enc('<p>tillägg</p>\n'));
    expect((await checkExport(appended, [{ public_key: key.line }])).status).toBe('broken');
    // No seal at all.
    expect((await checkExport(enc(body), [{ public_key: key.line }])).summary).toContain('Förseglingen');
  });

  it('says what a file that is no export is', async () => {
    expect((await checkExport(enc('hej'), [])).summary).toBe('Filen är inte en export av en lägesbild från EST Live.');
    expect((await checkExport(new Uint8Array([0xff, 0xfe, 0x00]), [])).status).toBe('broken');
    expect((await checkExport(enc('{"a":1}'), [])).summary).toBe('Filen saknar lägesbildens data och kan inte kontrolleras.');
  });
});

// ---- the public version, as the server makes it (docs/records.md, "The public version") ----

const OSL = '35 kap. 1 § OSL';

/** PICTURE with entry e1 marked sekretess: the full picture, and its redaction with e1's fields emptied. */
function markedPictures() {
  const full = JSON.parse(JSON.stringify(PICTURE));
  full.topics[0].cells.polis.entries[0].secrecy = { osl: OSL, rev: 9 };
  full.topics[0].cells.polis.entries.push({ id: 'e2', fields: { handelse: 'Klotter vid torget' } });
  const pub = JSON.parse(JSON.stringify(full));
  pub.topics[0].cells.polis.entries[0].fields = { handelse: '', trend: { rev: 0, value: '' } };
  return { full, pub };
}

/** A signed (or closed) meeting's public version: signatures over the full picture, the redaction statement. */
async function publicExport(key: TestKey, opts: { closed?: boolean; signed?: boolean } = {}) {
  const { full, pub } = markedPictures();
  const signed = opts.signed ?? true;
  const rec = signed
    ? await signedExportOf(key, full, opts)
    : { meeting: { id: 'm1' }, group: { id: 'fagersta' }, rev: 14, lifecycle: { phase: 'open', signatures: [], closing: null } };
  const fullDigest = await pictureDigest(full);
  const digest = await pictureDigest(pub);
  const redacted = [{ entry: 'e1', org: 'polis', osl: OSL, topic: 'andt' }];
  const statement = canonicalJson({
    digest,
    group: 'fagersta',
    meeting: 'm1',
    redacted,
    redaction_of: fullDigest,
    rev: 14,
    type: 'est-live/redaction',
    version: 1,
  });
  return {
    ...rec,
    digest,
    picture: pub,
    version: 'public',
    redaction_of: fullDigest,
    redacted,
    redaction: { statement, sshsig: await armored(key, 'est-live-redaction', statement), key_id: key.keyId },
    fullDigest,
  };
}

async function signedExportOf(key: TestKey, picture: unknown, opts: { closed?: boolean }) {
  const rec = await signedExport(key, opts);
  // Re-sign for `picture`: signedExport signs PICTURE's digest.
  const digest = await pictureDigest(picture);
  const resign = async (r: { statement: string }, ns: string) => {
    const facts = JSON.parse(r.statement) as { digest: string };
    facts.digest = digest;
    const statement = canonicalJson(facts);
    return { statement, sshsig: await armored(key, ns, statement), key_id: key.keyId };
  };
  const signatures = await Promise.all(rec.lifecycle.signatures.map((s) => resign(s, 'est-live-signature')));
  let closing = null;
  if (rec.lifecycle.closing) {
    const c = JSON.parse(rec.lifecycle.closing.statement) as { digest: string; signatures: string[] };
    c.signatures = await Promise.all(signatures.map((s) => sha256Hex(s.statement)));
    closing = await resign({ statement: canonicalJson(c) }, 'est-live-closing');
  }
  return { ...rec, digest, picture, lifecycle: { ...rec.lifecycle, signatures, closing } };
}

describe('checkExport on a public version', () => {
  it('finds a closed public version intact as the redaction of the signed picture, in every format', async () => {
    const key = await newKey();
    const rec = await publicExport(key, { closed: true });
    for (const [format, file] of [
      ['json', enc(JSON.stringify(rec))],
      ['html', await sealed(key, htmlOf(rec), 'est-live-redaction')],
      ['markdown', await sealed(key, markdownOf(rec), 'est-live-redaction')],
    ] as const) {
      const v = await checkExport(file, [{ public_key: key.line }]);
      expect(v.checks.filter((c) => !c.ok), format).toEqual([]);
      expect(v.status).toBe('intact');
      expect(v.redactionOf).toBe(rec.fullDigest);
      expect(v.summary).toMatch(
        new RegExp(`^Offentlig version \\(maskad\\) av lägesbilden med kontrollsumma ${rec.fullDigest.slice(0, 16)}…: intakt – signerad av Eva Ek`),
      );
      expect(v.summary).toContain('stängd av Eva Ek');
      expect(v.checks.some((c) => c.ok && c.text.startsWith('Maskningsintyget stämmer'))).toBe(true);
    }
  });

  it('says an open meeting\'s public version is a genuine redaction but not signed', async () => {
    const key = await newKey();
    const rec = await publicExport(key, { signed: false });
    const v = await checkExport(enc(JSON.stringify(rec)), [{ public_key: key.line }]);
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.status).toBe('unsigned');
    expect(v.summary).toMatch(/^Offentlig version \(maskad\) .*: maskningen stämmer, men lägesbilden är inte signerad\.$/);
  });

  it('refuses changed text, a removed marker, text where the marker is, another redaction_of and a posing copy', async () => {
    const key = await newKey();
    const rec = await publicExport(key, { closed: true });
    const keys = [{ public_key: key.line }];
    const check = async (r: unknown) => checkExport(enc(JSON.stringify(r)), keys);
    const copy = () => JSON.parse(JSON.stringify(rec));
    const redigested = async (r: { picture: unknown; digest: string }) => ({ ...r, digest: await pictureDigest(r.picture) });
    const failing = (v: Awaited<ReturnType<typeof checkExport>>) => v.checks.filter((c) => !c.ok).map((c) => c.text);

    const changed = copy();
    changed.picture.topics[0].cells.polis.entries[1].fields.handelse = 'Klotter vid bron';
    let v = await check(await redigested(changed));
    expect(v.status).toBe('broken');
    expect(failing(v)).toContain('Den maskade lägesbilden är inte den som servern maskade: den har ändrats efter exporten.');

    const unmarked = copy();
    delete unmarked.picture.topics[0].cells.polis.entries[0].secrecy;
    v = await check(await redigested(unmarked));
    expect(v.status).toBe('broken');
    expect(failing(v)).toContain('Lägesbildens sekretessmarkeringar är inte de maskade uppgifter som maskningsintyget räknar upp.');

    const filled = copy();
    filled.picture.topics[0].cells.polis.entries[0].fields.handelse = 'Något annat';
    v = await check(await redigested(filled));
    expect(failing(v)).toContain('En uppgift som omfattas av sekretess har text kvar i den offentliga versionen.');

    const other = copy();
    other.redaction_of = 'a'.repeat(64);
    v = await check(other);
    expect(v.status).toBe('broken');
    expect(v.summary).toMatch(/^Inte intakt: Filen anger en annan fullständig lägesbild/);

    const posing = copy();
    delete posing.version;
    delete posing.redaction;
    v = await check(posing);
    expect(v.status).toBe('broken');
    expect(failing(v).some((t) => t.includes('annan version av lägesbilden'))).toBe(true);
  });

  it('never takes a public page under an export seal, nor a full page under a redaction seal', async () => {
    const key = await newKey();
    const pub = await publicExport(key, { closed: true });
    const asExport = await checkExport(await sealed(key, htmlOf(pub), 'est-live-export'), [{ public_key: key.line }]);
    expect(asExport.status).toBe('broken');
    expect(asExport.summary).toBe('Inte intakt: Förseglingen är gjord för något annat (namnrymd est-live-export).');
    const full = await signedExport(key, { closed: true });
    const asPublic = await checkExport(await sealed(key, markdownOf(full), 'est-live-redaction'), [{ public_key: key.line }]);
    expect(asPublic.status).toBe('broken');
    expect(asPublic.summary).toBe('Inte intakt: Förseglingen är gjord för något annat (namnrymd est-live-redaction).');
  });
});
