import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { invitableRoles, mayCreateMeeting, mayInvite, roleIn } from '../access';
import type { Group, MeetingInfo } from '../model/types';
import { defaultMeetingTitle, localDay } from '../labels';
import { href } from '../routes';
import { useAccount } from './account-context';
import { InviteForm, MembersTable, PendingInvitations, roleText } from './GroupAdmin';
import { MeetingList } from './MeetingList';
import { ErrorBox, Loading, Shell, useFocusOnMount } from './Shell';

export function GroupPage(props: { groupId: string }) {
  const [group, setGroup] = useState<Group | null>(null);
  const [meetings, setMeetings] = useState<MeetingInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const today = localDay(new Date());
  const [date, setDate] = useState(today);
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);
  const h1 = useFocusOnMount<HTMLHeadingElement>();
  const { me } = useAccount();
  const mine = roleIn(me, props.groupId);
  const [invited, setInvited] = useState(0);
  const hasSide = mayCreateMeeting(mine?.role) || (!!group && mayInvite(mine?.role));

  useEffect(() => {
    const fail = (e: unknown) => setError(e instanceof ApiError ? e.swedish : 'Gruppen gick inte att hämta.');
    api.group(props.groupId).then(setGroup, fail);
    api.meetings(props.groupId).then(setMeetings, fail);
  }, [props.groupId]);

  const create = async (e: Event) => {
    e.preventDefault();
    if (creating) return;
    setCreating(true);
    setCreateError(null);
    try {
      const m = await api.createMeeting(props.groupId, title.trim() ? { title: title.trim(), date } : { date });
      location.hash = href.meeting(m.id);
    } catch (err) {
      setCreateError(err instanceof ApiError ? err.swedish : 'Mötet gick inte att skapa.');
      setCreating(false);
    }
  };

  return (
    <Shell
      title={group?.name ?? 'EST-grupp'}
      crumbs={[{ label: 'Start', href: href.start() }, { label: group?.name ?? 'EST-grupp' }]}
      groupId={props.groupId}
    >
      <div class="page-head">
        <h1 ref={h1} tabIndex={-1}>
          {group?.name ?? 'EST-grupp'}
        </h1>
        {group && (
          <p class="lead">
            {group.municipality ? `${group.municipality}. ` : ''}
            Organisationer: {group.organisations.map((o) => o.name).join(', ')}.
          </p>
        )}
        {group && mine && <p class="my-role">Din roll: {roleText(group, mine.role, mine.org)}</p>}
      </div>
      {error && (
        <ErrorBox text={error}>
          <p>
            <a href={href.start()}>Till startsidan</a>
          </p>
        </ErrorBox>
      )}
      {!error && (
        <div class={hasSide ? 'two-col' : 'one-col'}>
          <section aria-labelledby="meetings-h" class="col-main">
            <h2 id="meetings-h">Möten</h2>
            {!meetings && <Loading text="Hämtar möten…" />}
            {meetings && meetings.length === 0 && (
              <p>
                {mayCreateMeeting(mine?.role)
                  ? 'Gruppen har inga möten än. Skapa det första med knappen Nytt möte.'
                  : 'Gruppen har inga möten än. Ordföranden lägger upp mötena.'}
              </p>
            )}
            {meetings && meetings.length > 0 && (
              <MeetingList
                meetings={meetings}
                today={today}
                role={mine?.role}
                onChanged={(changed) => setMeetings((list) => (list ?? []).map((x) => (x.id === changed.id ? changed : x)))}
              />
            )}
          </section>
          {hasSide && (
            <div class="col-side">
              {mayCreateMeeting(mine?.role) && (
                <section aria-labelledby="new-h" class="panel">
                  <h2 id="new-h">Nytt möte</h2>
                  <p class="hint">
                    Mötet får lägesbildens sex ämnen från mallen. Det börjar som ett utkast som du förbereder och öppnar när
                    mötet börjar.
                  </p>
                  <form onSubmit={create}>
                    <div class="form-row">
                      <label for="new-date">Datum</label>
                      <input id="new-date" type="date" required value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
                    </div>
                    <div class="form-row">
                      <label for="new-title">Titel (valfritt)</label>
                      <input
                        id="new-title"
                        type="text"
                        maxLength={200}
                        value={title}
                        placeholder={defaultMeetingTitle(date)}
                        aria-describedby="new-title-hint"
                        onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
                      />
                      <p class="hint" id="new-title-hint">
                        Tom titel blir ”{defaultMeetingTitle(date)}”.
                      </p>
                    </div>
                    <button type="submit" class="btn btn-primary" disabled={creating}>
                      {creating ? 'Skapar…' : 'Nytt möte'}
                    </button>
                    {createError && (
                      <p class="field-error" role="alert">
                        {createError}
                      </p>
                    )}
                  </form>
                </section>
              )}
              {group && mayInvite(mine?.role) && (
                <section aria-labelledby="invite-h" class="panel">
                  <h2 id="invite-h">Bjud in till gruppen</h2>
                  <p class="hint">Du får en länk att skicka till personen. Med den väljer de sitt lösenord och kommer till gruppen.</p>
                  <InviteForm idPrefix="invite" group={group} roles={invitableRoles(mine?.role)} onInvited={() => setInvited((n) => n + 1)} />
                </section>
              )}
            </div>
          )}
        </div>
      )}
      {!error && group && mayInvite(mine?.role) && (
        <section aria-labelledby="members-h" class="members">
          <h2 id="members-h">Medlemmar</h2>
          <MembersTable group={group} editable={false} selfId={me?.id ?? null} reload={invited} caption={`Medlemmar i ${group.name}`} />
          <PendingInvitations group={group} reload={invited} headingLevel={3} />
          {mine?.role === 'admin' && (
            <p class="hint">
              Roller ändras och personer tas bort på <a href={href.admin()}>administrationssidan</a>.
            </p>
          )}
        </section>
      )}
    </Shell>
  );
}
