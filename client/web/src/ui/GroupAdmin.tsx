// Managing who is in a group: the invitation form (chair and administrators), the link it gives to copy, the
// invitations not yet accepted (each can be revoked), and the member list — read-only for the chair, with role
// changes and removal for administrators.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { absoluteLink, api, ApiError } from '../api';
import { defaultOrgFor, looksLikeEmail, roleMayHaveOrg, roleNeedsOrg, swedishDay } from '../access';
import { ROLE_HINTS, ROLE_LABELS, orgLabel } from '../labels';
import type { Group, IssuedLink, Member, PendingInvitation, Role } from '../model/types';
import { FormError, TextField } from './Form';

function orgName(group: Group, id: string): string {
  const o = group.organisations.find((x) => x.id === id);
  return o ? orgLabel(o) : id;
}

/** "Deltagare för Polisen", "Ordförande". */
export function roleText(group: Group, role: Role, org: string): string {
  return org ? `${ROLE_LABELS[role] ?? role} för ${orgName(group, org)}` : ROLE_LABELS[role] ?? role;
}

/** Copies `text` to the clipboard; falls back to selecting the input for the person to copy. */
export async function copy(text: string, input: HTMLInputElement | HTMLTextAreaElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* not allowed: fall back */
  }
  if (!input) return false;
  input.focus();
  input.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

/** A link to hand over (invitation, password reset): shown in full, with "Kopiera länk". */
export function CopyLink(props: { id: string; label: string; link: IssuedLink; children?: ComponentChildren }) {
  const url = absoluteLink(props.link.link);
  const ref = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <div class="issued-link" data-testid="issued-link">
      {props.children}
      <div class="form-row">
        <label for={props.id}>{props.label}</label>
        <div class="copy-row">
          <input id={props.id} ref={ref} type="text" readOnly value={url} aria-describedby={`${props.id}-hint`} onFocus={(e) => (e.target as HTMLInputElement).select()} />
          <button
            type="button"
            class="btn"
            onClick={async () => setCopied(await copy(url, ref.current))}
          >
            Kopiera länk
          </button>
        </div>
        <p id={`${props.id}-hint`} class="hint">
          Gäller till {swedishDay(props.link.expires_at)} och kan bara användas en gång. Skicka den till personen själv,
          till exempel i ett e-postmeddelande.
        </p>
        <p role="status" class="copy-status">
          {copied === true && 'Länken är kopierad.'}
          {copied === false && 'Länken gick inte att kopiera automatiskt. Markera den och kopiera med Ctrl+C.'}
        </p>
      </div>
    </div>
  );
}

/** Invite by e-mail with a role (and an organisation when the role has one); shows the link to send. */
export function InviteForm(props: { idPrefix: string; group: Group; roles: Role[]; onInvited?: () => void }) {
  const p = props.idPrefix;
  const { group } = props;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>(props.roles[0] ?? 'participant');
  const [org, setOrg] = useState(() => defaultOrgFor(props.roles[0] ?? 'participant', group.organisations));
  const [emailError, setEmailError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedLink | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (issued) resultRef.current?.focus();
  }, [issued]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const mail = email.trim();
    if (!looksLikeEmail(mail)) {
      setEmailError(mail ? 'Skriv en hel e-postadress, till exempel namn@kommun.se.' : 'Skriv e-postadressen till den du bjuder in.');
      emailRef.current?.focus();
      return;
    }
    setBusy(true);
    setFormError(null);
    setIssued(null);
    try {
      const link = await api.invite(group.id, roleMayHaveOrg(role) && org ? { email: mail, role, org } : { email: mail, role });
      setIssued(link);
      setEmail('');
      props.onInvited?.();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'bad_message')
        setFormError('Inbjudan gick inte att skapa: kontrollera e-postadressen, och att rollen har en av gruppens organisationer.');
      else if (err instanceof ApiError && err.code === 'forbidden') setFormError('Du får inte bjuda in någon med den rollen.');
      else setFormError(err instanceof ApiError ? err.swedish : 'Inbjudan gick inte att skapa.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form onSubmit={submit} noValidate>
        <TextField
          id={`${p}-email`}
          label="E-postadress"
          inputRef={emailRef}
          type="email"
          autoComplete="off"
          spellcheck={false}
          required
          value={email}
          error={emailError}
          onValue={(v) => {
            setEmail(v);
            setEmailError(null);
          }}
        />
        <div class="form-row">
          <label for={`${p}-role`}>Roll</label>
          <select
            id={`${p}-role`}
            value={role}
            aria-describedby={`${p}-role-hint`}
            onChange={(e) => {
              const r = (e.target as HTMLSelectElement).value as Role;
              setRole(r);
              setOrg(defaultOrgFor(r, group.organisations));
            }}
          >
            {props.roles.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
          <p id={`${p}-role-hint`} class="hint">
            {ROLE_HINTS[role]}
          </p>
        </div>
        {roleMayHaveOrg(role) && (
          <div class="form-row">
            <label for={`${p}-org`}>{roleNeedsOrg(role) ? 'Organisation' : 'Organisation (valfri)'}</label>
            <select id={`${p}-org`} value={org} onChange={(e) => setOrg((e.target as HTMLSelectElement).value)}>
              {!roleNeedsOrg(role) && <option value="">Ingen – leder bara mötet</option>}
              {group.organisations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <FormError text={formError} />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Skapar…' : 'Skapa inbjudan'}
        </button>
      </form>
      {issued && (
        <CopyLink id={`${p}-link`} label="Länk till inbjudan" link={issued}>
          <h3 ref={resultRef} tabIndex={-1}>
            Inbjudan är skapad
          </h3>
          <p>
            Till {issued.email} som {roleText(group, issued.role ?? role, issued.org ?? '')}.
          </p>
        </CopyLink>
      )}
    </>
  );
}

/**
 * A button that asks once more before it acts: "Ja, …" or "Avbryt" (or Escape). The focus follows the keyboard:
 * to the confirmation when it opens, back to the button when it is cancelled. With `warning`, the confirmation is a
 * box that says what will happen (the question in bold, then the warning); `askClass` styles the first button.
 */
export function ConfirmButton(props: {
  ask: ComponentChildren;
  question: string;
  confirm: string;
  busy: boolean;
  onConfirm: () => Promise<void>;
  warning?: string;
  askClass?: string;
}) {
  const [confirming, setConfirming] = useState(false);
  const [backToAsk, setBackToAsk] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (backToAsk) askRef.current?.focus();
  }, [confirming, backToAsk]);
  const cancel = () => {
    setBackToAsk(true);
    setConfirming(false);
  };
  if (!confirming)
    return (
      <button
        type="button"
        class={props.askClass ?? 'btn btn-small btn-quiet'}
        ref={askRef}
        disabled={props.busy}
        onClick={() => {
          setBackToAsk(false);
          setConfirming(true);
        }}
      >
        {props.ask}
      </button>
    );
  const Box = props.warning ? 'div' : 'span';
  return (
    <Box
      class={props.warning ? 'confirm' : 'confirm-inline'}
      role="group"
      aria-label={props.question}
      onKeyDown={(e: KeyboardEvent) => {
        if (e.key === 'Escape') cancel();
      }}
    >
      {props.warning && (
        <p>
          <strong>{props.question}</strong> {props.warning}
        </p>
      )}
      <button
        type="button"
        class="btn btn-small btn-danger"
        ref={confirmRef}
        disabled={props.busy}
        onClick={() => void props.onConfirm().finally(() => setConfirming(false))}
      >
        {props.confirm}
      </button>
      <button type="button" class="btn btn-small" onClick={cancel}>
        Avbryt
      </button>
    </Box>
  );
}

/** One member's row: for administrators, role and organisation can change, and the member can be removed. */
function MemberRow(props: { group: Group; member: Member; editable: boolean; selfId: string | null; onChanged: (done: string) => void }) {
  const { group, member } = props;
  const [role, setRole] = useState<Role>(member.role);
  const [org, setOrg] = useState(member.org || defaultOrgFor(member.role, group.organisations));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `member-${member.id}`;
  const changed = role !== member.role || (roleMayHaveOrg(role) && org !== member.org);

  const run = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      props.onChanged(done);
    } catch (err) {
      setError(err instanceof ApiError ? (err.code === 'forbidden' ? 'Du får inte ändra den här personens roll.' : err.swedish) : 'Ändringen gick inte att spara.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr data-member={member.email}>
      <th scope="row">
        {member.name}
        {member.id === props.selfId && <span class="me-tag"> (du)</span>}
        <span class="cell-sub">{member.email}</span>
      </th>
      <td data-label="Roll">
        {props.editable ? (
          <div class="member-role">
            <label class="visually-hidden" for={`${id}-role`}>
              Roll för {member.name}
            </label>
            <select
              id={`${id}-role`}
              value={role}
              onChange={(e) => {
                const r = (e.target as HTMLSelectElement).value as Role;
                setRole(r);
                if (roleNeedsOrg(r) && !org) setOrg(defaultOrgFor(r, group.organisations));
              }}
            >
              {(['participant', 'chair', 'cosigner', 'bra_member', 'admin'] as Role[]).map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
            {roleMayHaveOrg(role) && (
              <>
                <label class="visually-hidden" for={`${id}-org`}>
                  Organisation för {member.name}
                </label>
                <select id={`${id}-org`} value={org} onChange={(e) => setOrg((e.target as HTMLSelectElement).value)}>
                  {!roleNeedsOrg(role) && <option value="">Ingen organisation</option>}
                  {group.organisations.map((o) => (
                    <option key={o.id} value={o.id}>
                      {orgLabel(o)}
                    </option>
                  ))}
                </select>
              </>
            )}
          </div>
        ) : (
          roleText(group, member.role, member.org)
        )}
      </td>
      <td data-label="Konto">{member.disabled ? <span class="tag tag-off">Avstängt</span> : <span class="tag tag-on">Aktivt</span>}</td>
      {props.editable && (
        <td data-label="Ändra">
          <div class="actions">
            <button
              type="button"
              class="btn btn-small"
              disabled={busy || !changed}
              onClick={() =>
                void run(
                  () => api.setMember(group.id, member.id, roleMayHaveOrg(role) && org ? { role, org } : { role }),
                  `Rollen är ändrad till ${roleText(group, role, roleMayHaveOrg(role) ? org : '')}.`,
                )
              }
            >
              Spara roll<span class="visually-hidden"> för {member.name}</span>
            </button>
            <ConfirmButton
              ask={
                <>
                  Ta bort<span class="visually-hidden"> {member.name} ur gruppen</span>
                </>
              }
              question={`Bekräfta att ${member.name} tas bort ur gruppen`}
              confirm="Ja, ta bort"
              busy={busy}
              onConfirm={() => run(() => api.removeMember(group.id, member.id), `${member.name} är borttagen ur gruppen.`)}
            />
            {error && (
              <p class="field-error" role="alert">
                {error}
              </p>
            )}
          </div>
        </td>
      )}
    </tr>
  );
}

/** The group's members (GET /api/groups/{id}/members). `reload` changes when the list should be fetched again. */
export function MembersTable(props: { group: Group; editable: boolean; selfId: string | null; reload?: number; caption: string }) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    api.members(props.group.id).then(
      (m) => {
        setMembers([...m].sort((a, b) => a.name.localeCompare(b.name, 'sv')));
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiError ? e.swedish : 'Medlemmarna gick inte att hämta.'),
    );
  }, [props.group.id, props.reload, tick]);
  const statusLine = (
    <p class="row-status" role="status">
      {status}
    </p>
  );
  if (error) return <FormError text={error} />;
  if (!members) return <p class="loading">Hämtar medlemmar…</p>;
  if (members.length === 0)
    return (
      <>
        {statusLine}
        <p>Gruppen har inga medlemmar än. Bjud in den första.</p>
      </>
    );
  return (
    <div class="table-wrap">
      {statusLine}
      <table class="data-table data-table-stack">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Namn</th>
            <th scope="col">Roll</th>
            <th scope="col">Konto</th>
            {props.editable && <th scope="col">Ändra</th>}
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <MemberRow
              key={m.id}
              group={props.group}
              member={m}
              editable={props.editable}
              selfId={props.selfId}
              onChanged={(done) => {
                setStatus(done);
                setTick((t) => t + 1);
              }}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "ny@kommun.se, Deltagare för Polisen. Inbjuden av Anna Berg, gäller till 12 december." */
export function pendingInvitationText(group: Group, inv: PendingInvitation): string {
  const by = inv.created_by_name ? `Inbjuden av ${inv.created_by_name}` : 'Inbjuden från serverns kommandorad';
  return `${inv.email}, ${roleText(group, inv.role, inv.org)}. ${by}, gäller till ${swedishDay(inv.expires_at)}.`;
}

/** One pending invitation with "Återkalla" and its confirmation, both reachable and answerable by keyboard. */
function PendingRow(props: { group: Group; invitation: PendingInvitation; onRevoked: (done: string) => void }) {
  const { group, invitation: inv } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.revokeInvitation(group.id, inv.id);
      props.onRevoked(`Inbjudan till ${inv.email} är återkallad. Länken fungerar inte längre.`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') props.onRevoked(`Inbjudan till ${inv.email} är redan använd eller återkallad.`);
      else setError(err instanceof ApiError ? err.swedish : 'Inbjudan gick inte att återkalla.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <li data-invitation={inv.email}>
      <span>{pendingInvitationText(group, inv)}</span>{' '}
      <ConfirmButton
        ask={
          <>
            Återkalla<span class="visually-hidden"> inbjudan till {inv.email}</span>
          </>
        }
        question={`Bekräfta att inbjudan till ${inv.email} återkallas`}
        confirm="Ja, återkalla"
        busy={busy}
        onConfirm={revoke}
      />
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/**
 * "Väntande inbjudningar" (GET /api/groups/{id}/invitations): those of the roles the viewer may invite, oldest
 * first, each with "Återkalla". `reload` changes when the list should be fetched again (a new invitation).
 */
export function PendingInvitations(props: { group: Group; reload?: number; headingLevel?: 2 | 3 }) {
  const [items, setItems] = useState<PendingInvitation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api.pendingInvitations(props.group.id).then(
      (list) => {
        setItems(list);
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiError ? e.swedish : 'Inbjudningarna gick inte att hämta.'),
    );
  }, [props.group.id, props.reload, tick]);
  const headingId = `pending-${props.group.id}-h`;
  const Heading = props.headingLevel === 3 ? 'h3' : 'h2';
  return (
    <section aria-labelledby={headingId} class="pending-invitations">
      <Heading id={headingId}>Väntande inbjudningar</Heading>
      <p class="row-status" role="status">
        {status}
      </p>
      {error ? (
        <FormError text={error} />
      ) : !items ? (
        <p class="loading">Hämtar inbjudningar…</p>
      ) : items.length === 0 ? (
        <p>Inga inbjudningar väntar på svar.</p>
      ) : (
        <ul class="pending-list">
          {items.map((inv) => (
            <PendingRow
              key={inv.id}
              group={props.group}
              invitation={inv}
              onRevoked={(done) => {
                setStatus(done);
                setTick((t) => t + 1);
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

const SIGNER_CHOICES: { cosigners: number; label: string }[] = [
  { cosigners: 0, label: 'Bara ordföranden' },
  { cosigners: 1, label: 'Ordföranden och en medundertecknare' },
  { cosigners: 2, label: 'Ordföranden och två olika medundertecknare' },
  { cosigners: 3, label: 'Ordföranden och tre olika medundertecknare' },
];

/** ["chair", "cosigner", …]: the chair and `cosigners` co-signers, the group setting's form. */
export function signersOf(cosigners: number): Role[] {
  return ['chair', ...Array.from({ length: cosigners }, () => 'cosigner' as const)];
}

/**
 * Vem signerar lägesbilden: the group's setting (administrators only, PUT /api/groups/{id}/settings). A meeting keeps
 * what it was made with; the setting counts for meetings made from now on.
 */
export function SignersSetting(props: { group: Group }) {
  const id = `signers-${props.group.id}`;
  const count = (signers: Role[] | undefined) => (signers ?? ['chair', 'cosigner']).filter((r) => r === 'cosigner').length;
  const [saved, setSaved] = useState(count(props.group.signers));
  const [chosen, setChosen] = useState(saved);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState('');
  useEffect(() => {
    // The list may be older than the setting: read the group as it is now.
    let live = true;
    api
      .group(props.group.id)
      .then((g) => {
        if (!live) return;
        const shown = count(props.group.signers);
        setSaved(count(g.signers));
        // A choice made while the group was read stays: only an untouched setting takes the fresh value.
        setChosen((c) => (c === shown ? count(g.signers) : c));
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [props.group.id]);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone('');
    try {
      const g = await api.setGroupSettings(props.group.id, { signers: signersOf(chosen) });
      setSaved(count(g.signers));
      setDone(`Sparat. Nya möten signeras av ${SIGNER_CHOICES[count(g.signers)].label.toLowerCase()}. Möten som redan finns behåller sina.`);
    } catch (err) {
      setError(err instanceof ApiError ? err.swedish : 'Det gick inte att spara. Försök igen.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="signers-setting" onSubmit={save} data-testid="signers-setting">
      <fieldset aria-describedby={`${id}-hint`}>
        <legend>Vem signerar lägesbilden</legend>
        <p id={`${id}-hint`} class="hint">
          Lägesbilden är signerad när alla dessa har signerat. Varje medundertecknare är en egen person. Gäller möten som
          skapas efter ändringen.
        </p>
        {SIGNER_CHOICES.map((c) => (
          <label key={c.cosigners}>
            <input
              type="radio"
              name={id}
              value={String(c.cosigners)}
              checked={chosen === c.cosigners}
              onChange={() => setChosen(c.cosigners)}
            />
            {c.label}
          </label>
        ))}
      </fieldset>
      <button type="submit" class="btn" disabled={busy || chosen === saved}>
        Spara
      </button>
      <div role="status" class="hint" data-testid="signers-status">
        {done}
      </div>
      {error && <FormError text={error} />}
    </form>
  );
}

/** The server's bound on a short name (docs/protocol.md, "Group settings"). */
export const MAX_SHORT_NAME_BYTES = 40;

/**
 * Kortnamn: what each organisation is called in headers, presence and the record (administrators only, PUT
 * /api/groups/{id}/settings "short_names"). Empty: the server's label (the name up to a comma, when unique).
 */
export function ShortNamesSetting(props: { group: Group; onSaved?: (g: Group) => void }) {
  const idOf = (org: string) => `short-${props.group.id}-${org}`;
  const shortsOf = (g: Group) => Object.fromEntries(g.organisations.map((o) => [o.id, o.short_name ?? '']));
  const [group, setGroup] = useState(props.group);
  const [values, setValues] = useState<Record<string, string>>(shortsOf(props.group));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState('');
  useEffect(() => {
    let live = true;
    api
      .group(props.group.id)
      .then((g) => {
        if (!live) return;
        const shown = shortsOf(props.group);
        const fresh = shortsOf(g);
        setGroup(g);
        // What the administrator typed while the group was read stays (it used to be wiped when the answer came
        // late); only fields still as first shown take the fresh value.
        setValues((typed) =>
          Object.fromEntries(
            g.organisations.map((o) => {
              const v = typed[o.id] ?? '';
              return [o.id, v !== (shown[o.id] ?? '') ? v : fresh[o.id]];
            }),
          ),
        );
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [props.group.id]);

  const saved = shortsOf(group);
  const changed = Object.fromEntries(
    Object.entries(values)
      .map(([org, v]) => [org, v.trim()] as const)
      .filter(([org, v]) => v !== saved[org]),
  );
  const tooLong = (v: string) => new TextEncoder().encode(v.trim()).length > MAX_SHORT_NAME_BYTES;
  const taken = (org: string, v: string) =>
    v.trim() !== '' && Object.entries(values).some(([other, w]) => other !== org && w.trim() === v.trim());
  const fieldError = (org: string) => {
    const v = values[org] ?? '';
    if (tooLong(v)) return `Högst ${MAX_SHORT_NAME_BYTES} tecken.`;
    if (taken(org, v)) return 'En annan organisation har redan det kortnamnet.';
    return null;
  };
  const invalid = group.organisations.some((o) => fieldError(o.id));

  const save = async (e: Event) => {
    e.preventDefault();
    if (invalid || Object.keys(changed).length === 0) return;
    setBusy(true);
    setError(null);
    setDone('');
    try {
      const g = await api.setGroupSettings(group.id, { short_names: changed });
      setGroup(g);
      setValues(shortsOf(g));
      setDone('Sparat. Ett möte som pågår just nu visar de nya kortnamnen när det öppnas nästa gång.');
      props.onSaved?.(g);
    } catch (err) {
      setError(err instanceof ApiError ? err.swedish : 'Det gick inte att spara. Försök igen.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="short-names-setting" onSubmit={save} data-testid="short-names-setting" noValidate>
      <p id={`short-${group.id}-hint`} class="hint">
        Ett kortnamn visas i rubriker, närvarolistan och protokollet där hela namnet inte får plats. Lämna tomt för att
        använda namnet fram till första kommatecknet.
      </p>
      {group.organisations.map((o) => (
        <TextField
          key={o.id}
          id={idOf(o.id)}
          label={`Kortnamn för ${o.name}`}
          value={values[o.id] ?? ''}
          onValue={(v) => setValues({ ...values, [o.id]: v })}
          error={fieldError(o.id)}
          placeholder={o.label ?? ''}
          autoComplete="off"
          describedByIds={[`short-${group.id}-hint`]}
        />
      ))}
      <button type="submit" class="btn" disabled={busy || invalid || Object.keys(changed).length === 0}>
        Spara kortnamn
      </button>
      <div role="status" class="hint" data-testid="short-names-status">
        {done}
      </div>
      {error && <FormError text={error} />}
    </form>
  );
}
