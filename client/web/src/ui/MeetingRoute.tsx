// #/m/<meeting>: the join form (name, organisation, role), then the live meeting.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { Group, MeetingInfo, Role } from '../model/types';
import { ROLES } from '../model/types';
import { ROLE_HINTS, ROLE_LABELS, swedishDate } from '../labels';
import { joinedAs, loadIdentity, saveIdentity, setJoined, type SavedIdentity } from '../storage';
import { href } from './App';
import { MeetingView } from './MeetingView';
import { ErrorBox, Loading, Shell, useFocusOnMount } from './Shell';

export function MeetingRoute(props: { meetingId: string }) {
  const [identity, setIdentity] = useState<SavedIdentity | null>(() => joinedAs(props.meetingId));
  if (identity)
    return (
      <MeetingView
        meetingId={props.meetingId}
        identity={identity}
        onLeave={() => {
          setJoined(props.meetingId, null);
          setIdentity(null);
        }}
      />
    );
  return (
    <JoinPage
      meetingId={props.meetingId}
      onJoin={(id) => {
        saveIdentity(id);
        setJoined(props.meetingId, id);
        setIdentity(id);
      }}
    />
  );
}

function JoinPage(props: { meetingId: string; onJoin: (id: SavedIdentity) => void }) {
  const [meeting, setMeeting] = useState<MeetingInfo | null>(null);
  const [group, setGroup] = useState<Group | null>(null);
  const [error, setError] = useState<string | null>(null);
  const saved = loadIdentity();
  const [name, setName] = useState(saved?.name ?? '');
  const [org, setOrg] = useState(saved?.org ?? '');
  const [role, setRole] = useState<Role>(saved?.role ?? 'participant');
  const [nameError, setNameError] = useState<string | null>(null);
  const h1 = useFocusOnMount<HTMLHeadingElement>();

  useEffect(() => {
    api
      .meeting(props.meetingId)
      .then((m) => {
        setMeeting(m);
        return api.group(m.group_id);
      })
      .then((g) => {
        setGroup(g);
        setOrg((o) => (g.organisations.some((x) => x.id === o) ? o : g.organisations[0]?.id ?? ''));
      })
      .catch((e: unknown) =>
        setError(
          e instanceof ApiError && e.code === 'not_found'
            ? 'Mötet finns inte. Kontrollera länken eller välj mötet från startsidan.'
            : e instanceof ApiError
              ? e.swedish
              : 'Mötet gick inte att hämta.',
        ),
      );
  }, [props.meetingId]);

  const submit = (e: Event) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) {
      setNameError('Skriv ditt namn, så att de andra ser vem som skriver.');
      document.getElementById('join-name')?.focus();
      return;
    }
    props.onJoin({ name: n.slice(0, 100), org, role });
  };

  const crumbs = [
    { label: 'Start', href: href.start() },
    ...(group ? [{ label: group.name, href: href.group(group.id) }] : []),
    { label: meeting?.title ?? 'Möte' },
  ];

  return (
    <Shell title={meeting ? `Gå med: ${meeting.title}` : 'Möte'} crumbs={crumbs}>
      <div class="page-head">
        <h1 ref={h1} tabIndex={-1}>
          {meeting?.title ?? 'Möte'}
        </h1>
        {meeting && group && (
          <p class="lead">
            {swedishDate(meeting.date)} · {group.name}
          </p>
        )}
      </div>
      {error && (
        <ErrorBox text={error}>
          <p>
            <a href={href.start()}>Till startsidan</a>
          </p>
        </ErrorBox>
      )}
      {!error && (!meeting || !group) && <Loading text="Hämtar mötet…" />}
      {!error && meeting && group && (
        <section class="panel join-panel" aria-labelledby="join-h">
          <h2 id="join-h">Gå med i mötet</h2>
          <p class="hint">Berätta vem du är och vilken organisation du företräder. Du skriver i din organisations rutor i lägesbilden.</p>
          <form onSubmit={submit} noValidate>
            <div class="form-row">
              <label for="join-name">Namn</label>
              <input
                id="join-name"
                type="text"
                autoComplete="name"
                maxLength={100}
                required
                aria-invalid={nameError ? 'true' : undefined}
                aria-describedby={nameError ? 'join-name-error' : undefined}
                value={name}
                onInput={(e) => {
                  setName((e.target as HTMLInputElement).value);
                  setNameError(null);
                }}
              />
              {nameError && (
                <p id="join-name-error" class="field-error">
                  {nameError}
                </p>
              )}
            </div>
            <div class="form-row">
              <label for="join-org">Organisation</label>
              <select id="join-org" value={org} onChange={(e) => setOrg((e.target as HTMLSelectElement).value)}>
                {group.organisations.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="form-row">
              <label for="join-role">Roll</label>
              <select
                id="join-role"
                value={role}
                aria-describedby="join-role-hint"
                onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </option>
                ))}
              </select>
              <p id="join-role-hint" class="hint">
                {ROLE_HINTS[role]}
              </p>
            </div>
            <button type="submit" class="btn btn-primary">
              Gå med i mötet
            </button>
          </form>
        </section>
      )}
    </Shell>
  );
}
