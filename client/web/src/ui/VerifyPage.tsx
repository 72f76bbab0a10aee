// "Kontrollera lägesbild" (#/kontrollera): drop or pick an exported picture (JSON, Markdown or HTML) and see whether
// it is intact — its digest, every signature and, for HTML and Markdown, the seal — checked in the browser
// against this server's keys (GET /api/keys). A public (redacted) version is checked as the redaction of the full
// picture its signatures sign. The file never leaves the browser.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type ServerKey } from '../api';
import { href } from '../routes';
import { checkExport, type Verdict } from '../verify/record';
import { ErrorBox, Shell, useFocusOnMount } from './Shell';

const FORMAT_NAMES = { json: 'JSON', html: 'HTML', markdown: 'Markdown' } as const;

export function VerifyPage() {
  const h1 = useFocusOnMount<HTMLHeadingElement>();
  const [keys, setKeys] = useState<ServerKey[] | null>(null);
  const [keyError, setKeyError] = useState<string | null>(null);
  const [file, setFile] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [checking, setChecking] = useState(false);
  const [over, setOver] = useState(false);
  const result = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api.keys().then(
      (k) => setKeys(k.keys),
      (e: unknown) =>
        setKeyError(
          `Serverns nycklar gick inte att hämta, så underskrifterna kan inte kontrolleras just nu.${
            e instanceof ApiError && e.code === 'network' ? ' Kontrollera nätverksanslutningen och ladda om sidan.' : ' Försök igen senare.'
          }`,
        ),
    );
  }, []);

  const check = async (f: File) => {
    if (!keys) return;
    setChecking(true);
    setVerdict(null);
    setFile(f.name);
    const bytes = new Uint8Array(await f.arrayBuffer());
    const v = await checkExport(bytes, keys);
    setVerdict(v);
    setChecking(false);
    setTimeout(() => result.current?.focus());
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer?.files?.[0];
    if (f) void check(f);
  };

  return (
    <Shell title="Kontrollera lägesbild" crumbs={[{ label: 'Start', href: href.start() }, { label: 'Kontrollera lägesbild' }]}>
      <h1 ref={h1} tabIndex={-1}>
        Kontrollera lägesbild
      </h1>
      <p class="lead">
        Kontrollera att en exporterad lägesbild är oförändrad och vem som har signerat den – den fullständiga versionen
        eller den offentliga, där uppgifter som omfattas av sekretess är maskade. Filen läses bara i din webbläsare och
        skickas inte någonstans.
      </p>
      {keyError && <ErrorBox text={keyError} />}
      <div
        class={over ? 'dropzone dropzone-over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <p>Släpp en fil här, eller välj den:</p>
        <label for="verify-file" class="file-label">
          Exporterad lägesbild (JSON, Markdown eller HTML)
        </label>
        <input
          id="verify-file"
          type="file"
          accept=".json,.md,.markdown,.html,.htm,application/json,text/markdown,text/html"
          disabled={!keys}
          onChange={(e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) void check(f);
          }}
        />
        {!keys && !keyError && <p role="status">Hämtar serverns nycklar…</p>}
      </div>
      <div role="status" class="visually-hidden">
        {checking ? 'Kontrollerar…' : verdict ? verdict.summary : ''}
      </div>
      {verdict && (
        <div
          ref={result}
          tabIndex={-1}
          class={`verdict-box verdict-${verdict.status}`}
          data-testid="verdict"
          data-status={verdict.status}
          aria-labelledby="verdict-h"
        >
          <h2 id="verdict-h">
            <span class="verdict-icon" aria-hidden="true">
              {verdict.status === 'intact' ? '✓' : verdict.status === 'unsigned' ? '!' : '✗'}
            </span>
            {verdict.status === 'intact' ? 'Intakt' : verdict.status === 'unsigned' ? 'Inte signerad' : 'Inte intakt'}
          </h2>
          <p class="verdict-summary" data-testid="verdict-summary">
            {verdict.summary}
          </p>
          {verdict.redactionOf && (
            <p data-testid="verdict-public">
              Offentlig version: uppgifter som omfattas av sekretess är maskade. Den fullständiga lägesbilden har
              kontrollsumman <code>{verdict.redactionOf}</code>.
            </p>
          )}
          <p class="muted">
            Fil: {file}
            {verdict.format ? ` (${FORMAT_NAMES[verdict.format]})` : ''}
          </p>
          <h3>Det här kontrollerades</h3>
          <ul class="check-list">
            {verdict.checks.map((c, i) => (
              <li key={i} class={c.ok ? 'check-ok' : 'check-bad'}>
                <span class="check-mark" aria-hidden="true">
                  {c.ok ? '✓' : '✗'}
                </span>
                <span class="visually-hidden">{c.ok ? 'Stämmer: ' : 'Stämmer inte: '}</span>
                {c.text}
              </li>
            ))}
          </ul>
        </div>
      )}
      {keys && keys.length > 0 && (
        <details class="keys">
          <summary>Serverns nycklar ({keys.length})</summary>
          <ul>
            {keys.map((k) => (
              <li key={k.key_id}>
                <code>{k.key_id}</code>
                {k.current ? ' (används nu)' : ''}
                {k.created_at ? `, skapad ${k.created_at}` : ''}
              </li>
            ))}
          </ul>
          <p class="muted">
            En underskrift räknas bara om den är gjord med någon av de här nycklarna, oavsett vilka nycklar filen själv
            anger.
          </p>
        </details>
      )}
    </Shell>
  );
}
