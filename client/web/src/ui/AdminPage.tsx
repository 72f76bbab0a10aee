// #/admin, for server administrators: groups with their members and roles (change, remove, invite), new
// groups, accounts (disable, enable, password-reset link) and the audit log with its chain check.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { auditActionText, parseOrganisations, swedishDateTime } from '../access';
import { ROLE_LABELS } from '../labels';
import type { Account, AuditRow, AuditVerdict, Group, IssuedLink } from '../model/types';
import { href } from '../routes';
import { useAccount } from './account-context';
import { CopyLink, InviteForm, MembersTable, PendingInvitations, roleText, ShortNamesSetting, SignersSetting } from './GroupAdmin';
import { describedBy, FormError, GroupSelect, TextField } from './Form';
import { ErrorBox, Loading, Shell, useFocusOnMount } from './Shell';

const AUDIT_PAGE = 50;

function errorText(e: unknown, fallback: string): string {
  return e instanceof ApiError ? e.swedish : fallback;
}

export function AdminPage() {
  const { me } = useAccount();
  const h1 = useFocusOnMount<HTMLHeadingElement>();
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [groupsTick, setGroupsTick] = useState(0);
  const [accountsTick, setAccountsTick] = useState(0);

  useEffect(() => {
    if (!me?.is_admin) return;
    api.groups().then(setGroups, (e: unknown) => setError(errorText(e, 'Grupperna gick inte att hämta.')));
  }, [me?.is_admin, groupsTick]);
  useEffect(() => {
    if (!me?.is_admin) return;
    api.accounts().then(
      (a) => setAccounts(a),
      (e: unknown) => setError(errorText(e, 'Kontona gick inte att hämta.')),
    );
  }, [me?.is_admin, accountsTick]);

  const crumbs = [{ label: 'Start', href: href.start() }, { label: 'Administration' }];
  if (!me?.is_admin)
    return (
      <Shell title="Administration" crumbs={crumbs}>
        <h1 ref={h1} tabIndex={-1}>
          Administration
        </h1>
        <ErrorBox text="Den här sidan är bara för administratörer av EST Live.">
          <p>
            <a href={href.start()}>Till startsidan</a>
          </p>
        </ErrorBox>
      </Shell>
    );

  return (
    <Shell title="Administration" crumbs={crumbs}>
      <div class="page-head">
        <h1 ref={h1} tabIndex={-1}>
          Administration
        </h1>
        <p class="lead">Grupper, medlemmar och roller, konton och granskningsloggen.</p>
        <nav aria-label="På sidan" class="page-nav">
          <ul>
            {[
              ['admin-groups-h', 'Grupper och medlemmar'],
              ['admin-new-group-h', 'Ny grupp'],
              ['admin-accounts-h', 'Konton'],
              ['admin-audit-h', 'Granskningslogg'],
            ].map(([id, label]) => (
              <li key={id}>
                <button type="button" class="btn btn-small btn-quiet" onClick={() => focusHeading(id)}>
                  {label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      {error && <ErrorBox text={error} />}
      <GroupsSection
        groups={groups}
        selfId={me.id}
        onMembersChanged={() => setAccountsTick((t) => t + 1)}
      />
      <NewGroupSection
        onCreated={() => {
          setGroupsTick((t) => t + 1);
        }}
      />
      <AccountsSection accounts={accounts} groups={groups ?? []} selfId={me.id} onChanged={() => setAccountsTick((t) => t + 1)} />
      <AuditSection accounts={accounts ?? []} groups={groups ?? []} />
    </Shell>
  );
}

function focusHeading(id: string) {
  const el = document.getElementById(id);
  if (!el) return;
  el.focus();
  el.scrollIntoView({ block: 'start' });
}

// ---- groups and members ----

function GroupsSection(props: { groups: Group[] | null; selfId: string; onMembersChanged: () => void }) {
  const [selected, setSelected] = useState<string>('');
  const [invited, setInvited] = useState(0);
  const groups = props.groups;
  useEffect(() => {
    if (groups && groups.length > 0 && !groups.some((g) => g.id === selected)) setSelected(groups[0].id);
  }, [groups]);
  const group = groups?.find((g) => g.id === selected) ?? null;
  return (
    <section class="admin-section panel" aria-labelledby="admin-groups-h">
      <h2 id="admin-groups-h" tabIndex={-1}>
        Grupper och medlemmar
      </h2>
      {!groups && <Loading text="Hämtar grupper…" />}
      {groups && groups.length === 0 && <p>Det finns inga grupper än. Lägg upp den första under Ny grupp.</p>}
      {groups && groups.length > 0 && (
        <>
          <GroupSelect id="admin-group" value={selected} onValue={setSelected} groups={groups} />
          {group && (
            <div class="admin-group" key={group.id}>
              <p class="hint">
                {group.municipality ? `${group.municipality}. ` : ''}
                {group.organisations.length} organisationer: {group.organisations.map((o) => o.name).join(', ')}.{' '}
                <a href={href.group(group.id)}>Gruppens möten</a>
              </p>
              <h3>Underskrifter</h3>
              <SignersSetting group={group} />
              <h3>Kortnamn</h3>
              <ShortNamesSetting group={group} />
              <h3>Medlemmar</h3>
              <MembersTable
                group={group}
                editable
                selfId={props.selfId}
                reload={invited}
                caption={`Medlemmar i ${group.name}`}
              />
              <PendingInvitations group={group} reload={invited} headingLevel={3} />
              <h3>Bjud in till {group.name}</h3>
              <InviteForm
                idPrefix="admin-invite"
                group={group}
                roles={['participant', 'chair', 'cosigner', 'bra_member', 'admin']}
                onInvited={() => {
                  setInvited((n) => n + 1);
                  props.onMembersChanged();
                }}
              />
            </div>
          )}
        </>
      )}
    </section>
  );
}

function NewGroupSection(props: { onCreated: (g: Group) => void }) {
  const [name, setName] = useState('');
  const [municipality, setMunicipality] = useState('');
  const [orgText, setOrgText] = useState('');
  const [errors, setErrors] = useState<{ name?: string; orgs?: string; form?: string }>({});
  const [created, setCreated] = useState<Group | null>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const orgsRef = useRef<HTMLTextAreaElement>(null);
  const parsed = parseOrganisations(orgText);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: typeof errors = {};
    if (!name.trim()) found.name = 'Skriv gruppens namn.';
    if (parsed.problem) found.orgs = parsed.problem;
    setErrors(found);
    if (found.name) return nameRef.current?.focus();
    if (found.orgs) return orgsRef.current?.focus();
    setBusy(true);
    setCreated(null);
    try {
      const g = await api.createGroup({
        name: name.trim(),
        ...(municipality.trim() ? { municipality: municipality.trim() } : {}),
        organisations: parsed.organisations,
      });
      setCreated(g);
      setName('');
      setMunicipality('');
      setOrgText('');
      props.onCreated(g);
    } catch (err) {
      setErrors({
        form:
          err instanceof ApiError && err.code === 'conflict'
            ? 'Det finns redan en grupp med den identiteten.'
            : err instanceof ApiError && err.code === 'bad_message'
              ? `Gruppen gick inte att skapa: ${err.message}`
              : errorText(err, 'Gruppen gick inte att skapa.'),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="admin-section panel" aria-labelledby="admin-new-group-h">
      <h2 id="admin-new-group-h" tabIndex={-1}>
        Ny grupp
      </h2>
      <form onSubmit={submit} noValidate class="new-group">
        <TextField
          id="new-group-name"
          label="Gruppens namn"
          inputRef={nameRef}
          type="text"
          maxLength={200}
          value={name}
          placeholder="t.ex. EST-gruppen Sala"
          error={errors.name}
          onValue={setName}
        />
        <TextField id="new-group-municipality" label="Kommun (valfritt)" type="text" maxLength={200} value={municipality} onValue={setMunicipality} />
        <div class="form-row">
          <label for="new-group-orgs">Organisationer, en per rad</label>
          <textarea
            id="new-group-orgs"
            ref={orgsRef}
            class="input"
            rows={6}
            value={orgText}
            aria-invalid={errors.orgs ? 'true' : undefined}
            aria-describedby={describedBy('new-group-orgs-hint', errors.orgs && 'new-group-orgs-error')}
            onInput={(e) => setOrgText((e.target as HTMLTextAreaElement).value)}
          />
          <p id="new-group-orgs-hint" class="hint">
            Till exempel ”Polisen, lokalpolisområde Norra Västmanland”. Varje organisation får en kolumn i lägesbilden, i
            den här ordningen.
          </p>
          {errors.orgs && (
            <p id="new-group-orgs-error" class="field-error">
              {errors.orgs}
            </p>
          )}
        </div>
        <FormError text={errors.form} />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Skapar…' : 'Skapa grupp'}
        </button>
        <p role="status" class="row-status">
          {created && `Gruppen ${created.name} är skapad med ${created.organisations.length} organisationer. Välj den ovan för att bjuda in.`}
        </p>
      </form>
    </section>
  );
}

// ---- accounts ----

function AccountRow(props: { account: Account; groups: Group[]; self: boolean; onIssued: (a: Account, l: IssuedLink) => void; onChanged: (done: string) => void }) {
  const a = props.account;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const groupOf = (id: string) => props.groups.find((g) => g.id === id);
  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'conflict' ? 'Du kan inte stänga av ditt eget konto.' : errorText(err, 'Det gick inte.'),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr data-account={a.email}>
      <th scope="row">
        {a.name}
        {props.self && <span class="me-tag"> (du)</span>}
        <span class="cell-sub">{a.email}</span>
      </th>
      <td data-label="Grupper och roller">
        {a.is_admin && <span class="tag">Administratör</span>}
        {a.memberships.length === 0 && !a.is_admin && <span class="cell-sub">Ingen grupp</span>}
        {a.memberships.length > 0 && (
          <ul class="plain-list">
            {a.memberships.map((m) => {
              const g = groupOf(m.group_id);
              return (
                <li key={m.group_id}>
                  {g?.name ?? m.group_id}: {g ? roleText(g, m.role, m.org) : ROLE_LABELS[m.role] ?? m.role}
                </li>
              );
            })}
          </ul>
        )}
      </td>
      <td data-label="Status">{a.disabled ? <span class="tag tag-off">Avstängt</span> : <span class="tag tag-on">Aktivt</span>}</td>
      <td data-label="Åtgärder">
        <div class="actions">
          <button
            type="button"
            class={a.disabled ? 'btn btn-small' : 'btn btn-small btn-danger-outline'}
            disabled={busy || props.self}
            onClick={() =>
              void act(async () => {
                await api.setDisabled(a.id, !a.disabled);
                props.onChanged(a.disabled ? `${a.name}s konto är aktivt igen.` : `${a.name}s konto är avstängt. Alla inloggningar avslutades.`);
              })
            }
          >
            {a.disabled ? 'Aktivera' : 'Stäng av'}
            <span class="visually-hidden"> kontot för {a.name}</span>
          </button>
          <button
            type="button"
            class="btn btn-small"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                props.onIssued(a, await api.issuePasswordReset(a.id));
              })
            }
          >
            Länk för nytt lösenord<span class="visually-hidden"> till {a.name}</span>
          </button>
          {error && (
            <p class="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
      </td>
    </tr>
  );
}

function AccountsSection(props: { accounts: Account[] | null; groups: Group[]; selfId: string; onChanged: () => void }) {
  const [issued, setIssued] = useState<{ account: Account; link: IssuedLink } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const issuedRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (issued) issuedRef.current?.focus();
  }, [issued]);
  return (
    <section class="admin-section panel" aria-labelledby="admin-accounts-h">
      <h2 id="admin-accounts-h" tabIndex={-1}>
        Konton
      </h2>
      <p class="hint">
        Ett avstängt konto kan inte logga in, och dess inloggningar och öppna möten avslutas direkt. En länk för nytt
        lösenord gäller i sju dagar.
      </p>
      <p role="status" class="row-status">
        {status}
      </p>
      {!props.accounts && <Loading text="Hämtar konton…" />}
      {props.accounts && (
        <div class="table-wrap">
          <table class="data-table data-table-stack">
            <caption class="visually-hidden">Konton i EST Live</caption>
            <thead>
              <tr>
                <th scope="col">Namn</th>
                <th scope="col">Grupper och roller</th>
                <th scope="col">Status</th>
                <th scope="col">Åtgärder</th>
              </tr>
            </thead>
            <tbody>
              {props.accounts.map((a) => (
                <AccountRow
                  key={a.id}
                  account={a}
                  groups={props.groups}
                  self={a.id === props.selfId}
                  onIssued={(account, link) => setIssued({ account, link })}
                  onChanged={(done) => {
                    setStatus(done);
                    props.onChanged();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {issued && (
        <CopyLink id="reset-link" label="Länk för nytt lösenord" link={issued.link}>
          <h3 ref={issuedRef} tabIndex={-1}>
            Länk för nytt lösenord till {issued.account.name}
          </h3>
        </CopyLink>
      )}
    </section>
  );
}

// ---- the audit log ----

/** The subject of an audit row in words: an account's e-mail, a group's name, else as it is. */
function subjectText(subject: string, accounts: Account[], groups: Group[]): string {
  if (!subject) return '–';
  const a = accounts.find((x) => x.id === subject);
  if (a) return a.email;
  const g = groups.find((x) => x.id === subject);
  if (g) return g.name;
  return subject;
}

function AuditSection(props: { accounts: Account[]; groups: Group[] }) {
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [more, setMore] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verifyError, setVerifyError] = useState<string | null>(null);

  const load = async (after?: number) => {
    setBusy(true);
    setError(null);
    try {
      const page = await api.audit(AUDIT_PAGE, after);
      setRows((old) => (after === undefined ? page : [...(old ?? []), ...page]));
      setMore(page.length >= AUDIT_PAGE);
    } catch (e) {
      setError(errorText(e, 'Loggen gick inte att hämta.'));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const verify = async () => {
    setVerifying(true);
    setVerdict(null);
    setVerifyError(null);
    try {
      setVerdict(await api.verifyAudit());
    } catch (e) {
      setVerifyError(errorText(e, 'Loggen gick inte att kontrollera.'));
    } finally {
      setVerifying(false);
    }
  };

  return (
    <section class="admin-section panel" aria-labelledby="admin-audit-h">
      <h2 id="admin-audit-h" tabIndex={-1}>
        Granskningslogg
      </h2>
      <p class="hint">
        Vem som gjorde vad, när och varifrån: inloggningar, inbjudningar, rolländringar, konton, grupper och möten. Loggen
        går bara att lägga till i, och varje rad bär en kontrollsumma av raden före, så en ändrad eller borttagen rad
        märks.
      </p>
      <div class="verify-row">
        <button type="button" class="btn" onClick={() => void verify()} disabled={verifying}>
          {verifying ? 'Kontrollerar…' : 'Kontrollera loggen'}
        </button>
        <p role="status" class={verdict ? (verdict.ok ? 'verdict verdict-ok' : 'verdict verdict-bad') : 'verdict'} data-testid="audit-verdict">
          {verdict &&
            (verdict.ok
              ? `Loggen är hel: alla ${verdict.rows} rader stämmer med kedjan av kontrollsummor.`
              : `Loggen har ändrats: rad ${verdict.first_bad ?? '?'} stämmer inte (${verdict.message}). Kontakta den som ansvarar för servern.`)}
          {verifyError}
        </p>
      </div>
      <FormError text={error} />
      {!rows && !error && <Loading text="Hämtar loggen…" />}
      {rows && rows.length === 0 && <p>Loggen är tom.</p>}
      {rows && rows.length > 0 && (
        <div class="table-wrap">
          <table class="data-table data-table-stack audit-table">
            <caption class="visually-hidden">Granskningslogg, nyast först</caption>
            <thead>
              <tr>
                <th scope="col">Tid</th>
                <th scope="col">Vem</th>
                <th scope="col">Adress</th>
                <th scope="col">Händelse</th>
                <th scope="col">Gäller</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.seq} data-seq={r.seq} data-action={r.action}>
                  <td class="nowrap" data-label="Tid">
                    {swedishDateTime(r.at)}
                  </td>
                  <td data-label="Vem">{r.actor_email || r.actor || '–'}</td>
                  <td class="nowrap" data-label="Adress">
                    {r.address || '–'}
                  </td>
                  <td data-label="Händelse">{auditActionText(r.action)}</td>
                  <td data-label="Gäller">{subjectText(r.subject, props.accounts, props.groups)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows && more && (
        <button type="button" class="btn" disabled={busy} onClick={() => void load(rows[rows.length - 1]?.seq)}>
          {busy ? 'Hämtar…' : 'Visa äldre händelser'}
        </button>
      )}
    </section>
  );
}
