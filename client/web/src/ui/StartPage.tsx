import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { roleIn } from '../access';
import { ROLE_LABELS, orgLabel } from '../labels';
import type { Group } from '../model/types';
import { href } from '../routes';
import { useAccount } from './account-context';
import { ErrorBox, Loading, Shell, useFocusOnMount } from './Shell';

export function StartPage(props: { notFound?: boolean }) {
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const h1 = useFocusOnMount<HTMLHeadingElement>();
  const { me } = useAccount();
  useEffect(() => {
    api.groups().then(setGroups, (e: unknown) => setError(e instanceof ApiError ? e.swedish : 'Grupperna gick inte att hämta.'));
  }, []);
  return (
    <Shell title="" crumbs={[{ label: 'Start' }]}>
      <div class="page-head">
        <h1 ref={h1} tabIndex={-1}>
          {me ? `Välkommen, ${me.name}` : 'Välj EST-grupp'}
        </h1>
        <p class="lead">
          Här fyller EST-gruppens organisationer i lägesbilden tillsammans under mötet. Välj din grupp, sedan mötet.
        </p>
      </div>
      {props.notFound && <ErrorBox text="Sidan finns inte. Välj en grupp nedan." />}
      {error && <ErrorBox text={error} />}
      {!groups && !error && <Loading text="Hämtar grupper…" />}
      {groups && groups.length === 0 && (
        <p>
          {me?.is_admin ? (
            <>
              Det finns inga EST-grupper än. Lägg upp den första på <a href={href.admin()}>administrationssidan</a>.
            </>
          ) : (
            'Du ingår inte i någon EST-grupp än. Be gruppens ordförande eller en administratör om en inbjudan.'
          )}
        </p>
      )}
      {groups && groups.length > 0 && (
        <section aria-labelledby="groups-h">
          <h2 id="groups-h">{me?.is_admin ? 'EST-grupper' : 'Dina EST-grupper'}</h2>
          <ul class="card-list">
            {groups.map((g) => (
              <li key={g.id} class="card link-card">
                <a href={href.group(g.id)} class="card-link">
                  <span class="card-title">{g.name}</span>
                </a>
                <span class="card-meta">
                  {g.municipality ? `${g.municipality} · ` : ''}
                  {g.organisations.length} organisationer
                  {roleLine(me, g)}
                </span>
                <span class="card-orgs">{g.organisations.map((o) => o.name).join(' · ')}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <p class="start-verify">
        Har du fått en exporterad lägesbild? <a href={href.verify()}>Kontrollera att den är oförändrad och vem som signerat den</a>.
      </p>
    </Shell>
  );
}

/** " · Du: Deltagare för Polisen" — the person's role in the group, if they have one. */
function roleLine(me: ReturnType<typeof useAccount>['me'], g: Group): string {
  const r = roleIn(me, g.id);
  if (!r) return '';
  const org = r.org ? g.organisations.find((o) => o.id === r.org) : undefined;
  return ` · Du: ${ROLE_LABELS[r.role]}${org ? ` för ${orgLabel(org)}` : ''}`;
}
