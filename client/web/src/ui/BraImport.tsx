// Importera åtgärder (#/bra/importera): a municipality moving from its spreadsheet puts its open measures into the
// BRÅ queue. The file has the columns of the queue's own CSV export (or is JSON as the queue's list), so a file
// exported here can be imported anywhere (docs/protocol.md, "The queue as CSV and JSON: export and import"). All or
// nothing: the server refuses the whole file when one row is wrong, and says which.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, braCsvUrl } from '../api';
import { importErrorPlace, importMayIn } from '../bra/import';
import type { Group } from '../model/types';
import { href } from '../routes';
import { useAccount } from './account-context';
import { FormError, GroupSelect } from './Form';
import { Shell, useFocusOnMount } from './Shell';

export function BraImportPage(props: { query: string }) {
  const h1 = useFocusOnMount<HTMLHeadingElement>();
  const { me } = useAccount();
  const [groups, setGroups] = useState<Group[]>([]);
  const [group, setGroup] = useState(() => new URLSearchParams(props.query).get('grupp') ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<{ text: string; place: string | null; detail: string } | null>(null);
  const [done, setDone] = useState<{ count: number; group: string } | null>(null);
  const result = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api.groups().then(
      (all) => {
        const mine = all.filter((g) => importMayIn(me, g.id));
        setGroups(mine);
        setGroup((g) => (mine.some((x) => x.id === g) ? g : (mine[0]?.id ?? '')));
      },
      () => setError({ text: 'Grupperna gick inte att hämta. Ladda om sidan.', place: null, detail: '' }),
    );
  }, [me]);
  useEffect(() => {
    if (error || done) result.current?.focus();
  }, [error, done]);

  const groupName = (id: string) => groups.find((g) => g.id === id)?.name ?? id;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || !group || sending) return;
    setSending(true);
    setError(null);
    setDone(null);
    try {
      const json = /\.json$/i.test(file.name) || file.type === 'application/json';
      const answer = await api.braImport(group, await file.text(), json ? 'application/json' : 'text/csv');
      setDone({ count: answer.count, group });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'bad_message')
        setError({ text: 'Filen importerades inte – ingenting har ändrats.', place: importErrorPlace(err.message), detail: err.message });
      else if (err instanceof ApiError && err.code === 'too_large')
        setError({ text: 'Filen är för stor. Dela upp den i flera filer och importera dem en i taget.', place: null, detail: '' });
      else if (err instanceof ApiError && (err.code === 'forbidden' || err.code === 'not_found'))
        setError({
          text: 'Du får inte importera den här filen till gruppen. En BRÅ-ledamot importerar alla åtgärder; en administratör som inte är BRÅ-ledamot importerar bara inkomna (status awaiting), inte BRÅ:s beslut.',
          place: null,
          detail: '',
        });
      else setError({ text: err instanceof ApiError ? err.swedish : 'Importen misslyckades.', place: null, detail: '' });
    } finally {
      setSending(false);
    }
  };

  return (
    <Shell
      title="Importera åtgärder"
      crumbs={[{ label: 'Start', href: href.start() }, { label: 'BRÅ-kö', href: href.bra() }, { label: 'Importera åtgärder' }]}
    >
      <h1 ref={h1} tabIndex={-1}>
        Importera åtgärder
      </h1>
      <p class="lead">
        Flytta in pågående åtgärder från ett kalkylark till BRÅ-kön. Filen ska ha samma kolumner som BRÅ-köns
        CSV-export, eller vara JSON i samma form som kön. Är någon rad fel importeras ingenting, och du får veta vilken
        rad och kolumn som behöver rättas.
      </p>
      {groups.length === 0 && !error && (
        <p class="notice">Du kan inte importera till någon grupp. Det får BRÅ-ledamöter och administratörer.</p>
      )}
      {groups.length > 0 && (
        <form class="card bra-page-card" onSubmit={(e) => void submit(e)} aria-labelledby="import-form">
          <h2 id="import-form">Fil att importera</h2>
          <GroupSelect id="import-group" value={group} onValue={setGroup} groups={groups} />
          <p>
            <a href={braCsvUrl(group || undefined)} download>
              Ladda ner gruppens kö som CSV
            </a>
            <span class="hint"> – samma kolumner som en fil att importera.</span>
          </p>
          <div class="form-row">
            <label for="import-file">Fil (CSV eller JSON)</label>
            <input
              id="import-file"
              type="file"
              accept=".csv,.json,text/csv,application/json"
              aria-describedby="import-file-hint"
              onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
            />
            <p id="import-file-hint" class="hint">
              Högst 500 åtgärder och 64 KiB per fil. Importerade åtgärder får historiken ”Importerad” med ditt namn.
            </p>
          </div>
          <p>
            <button type="submit" class="btn btn-primary" disabled={!file || !group || sending} aria-disabled={!file || sending}>
              {sending ? 'Importerar…' : 'Importera'}
            </button>
          </p>
        </form>
      )}
      <div ref={result} tabIndex={-1} aria-live="polite">
        {error && (
          <div class="error-box" role="alert">
            <FormError text={error.text} />
            {error.place && <p>{error.place}</p>}
            {error.detail && (
              <details>
                <summary>Serverns besked (engelska)</summary>
                <p class="import-detail">{error.detail}</p>
              </details>
            )}
          </div>
        )}
        {done && (
          <div class="import-done">
            <p>
              {done.count === 1 ? '1 åtgärd' : `${done.count} åtgärder`} importerades till {groupName(done.group)}.
            </p>
            <p>
              <a href={href.bra(`grupp=${encodeURIComponent(done.group)}`)}>Visa gruppens BRÅ-kö</a>
            </p>
          </div>
        )}
      </div>
    </Shell>
  );
}
