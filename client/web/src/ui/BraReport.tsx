// The monthly report to BRÅ and Länsstyrelsen (#/bra/rapport): a month and a group (or all of the person's
// groups) chosen here; the report itself is the server's (GET /api/bra/report, docs/protocol.md "The monthly
// report"), a printable page that needs no script, signed like a picture, or the same as Markdown or JSON.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, reportUrl } from '../api';
import { previousMonth, swedishMonth, validMonth } from '../bra/report';
import type { Group } from '../model/types';
import { href } from '../routes';
import { GroupSelect } from './Form';
import { ErrorBox, Shell, useFocusOnMount } from './Shell';

export function BraReportPage(props: { query: string }) {
  const h1 = useFocusOnMount<HTMLHeadingElement>();
  const initial = useMemo(() => new URLSearchParams(props.query), []);
  const [month, setMonth] = useState(() => {
    const m = initial.get('manad') ?? '';
    return validMonth(m) ? m : previousMonth(new Date());
  });
  const [group, setGroup] = useState(initial.get('grupp') ?? '');
  const [groups, setGroups] = useState<Group[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.groups().then(setGroups, () => setError('Grupperna gick inte att hämta. Ladda om sidan.'));
  }, []);
  // The choice lives in the address, so a report's page can be shared and survives a reload.
  useEffect(() => {
    const q = new URLSearchParams();
    if (validMonth(month)) q.set('manad', month);
    if (group) q.set('grupp', group);
    const want = href.braReport(q.toString());
    if (location.hash !== want) history.replaceState(null, '', want);
  }, [month, group]);

  const ok = validMonth(month);
  const groupName = group ? (groups.find((g) => g.id === group)?.name ?? group) : 'alla dina grupper';
  const target = group || undefined;

  return (
    <Shell
      title="Månadsrapport"
      crumbs={[{ label: 'Start', href: href.start() }, { label: 'BRÅ-kö', href: href.bra() }, { label: 'Månadsrapport' }]}
    >
      <h1 ref={h1} tabIndex={-1}>
        Månadsrapport till BRÅ och Länsstyrelsen
      </h1>
      <p class="lead">
        Månadens stängda lägesbilder per område (nivå och samlad bedömning), beslutspunkterna och hur det går med dem,
        och för varje område ett diagram över nivån vid de senaste mötena. Servern signerar rapporten som en lägesbild.
      </p>
      {error && <ErrorBox text={error} />}
      <form class="card bra-page-card" onSubmit={(e) => e.preventDefault()} aria-labelledby="report-choice">
        <h2 id="report-choice">Välj månad och grupp</h2>
        <div class="form-row">
          <label for="report-month">Månad</label>
          <input
            id="report-month"
            type="month"
            required
            value={month}
            aria-invalid={ok ? undefined : 'true'}
            aria-describedby={ok ? 'report-month-hint' : 'report-month-error report-month-hint'}
            onInput={(e) => setMonth((e.target as HTMLInputElement).value)}
          />
          <p id="report-month-hint" class="hint">
            År och månad, till exempel 2026-11.
          </p>
          {!ok && (
            <p id="report-month-error" class="field-error">
              Välj en månad.
            </p>
          )}
        </div>
        <GroupSelect id="report-group" value={group} onValue={setGroup} groups={groups} all="Alla mina grupper" />
      </form>
      {ok && (
        <section class="card bra-page-card" aria-labelledby="report-links">
          <h2 id="report-links">
            Rapporten för {swedishMonth(month)}, {groupName}
          </h2>
          <ul class="report-links">
            <li>
              <a class="btn btn-primary" href={reportUrl(month, target, 'html')} target="_blank" rel="noopener">
                Öppna rapporten
              </a>
              <span class="hint"> En sida att läsa och skriva ut (öppnas i en ny flik).</span>
            </li>
            <li>
              <a href={reportUrl(month, target, 'markdown')} download>
                Ladda ner som Markdown
              </a>
            </li>
            <li>
              <a href={reportUrl(month, target, 'json')} download>
                Ladda ner som JSON
              </a>
              <span class="hint"> Maskinläsbar, med serverns signatur.</span>
            </li>
          </ul>
        </section>
      )}
    </Shell>
  );
}
