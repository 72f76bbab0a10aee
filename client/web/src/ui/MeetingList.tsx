// A group's meetings as a coordinator looks for them: today's first, then the coming ones (nearest first), then the
// earlier ones (newest first), and the archived ones folded away. The chair changes a meeting's title and date
// (until its picture is signed) and archives it or brings it back, each from the meeting's own card.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { mayArchiveMeeting, mayEditMeeting } from '../access';
import { swedishDate } from '../labels';
import { stateWord } from '../model/lifecycle';
import type { MeetingInfo, Role } from '../model/types';
import { href } from '../routes';

export interface MeetingGroups {
  today: MeetingInfo[];
  upcoming: MeetingInfo[];
  earlier: MeetingInfo[];
  archived: MeetingInfo[];
}

/** Sorts a group's meetings into today's, the coming ones (nearest first), the earlier ones and the archived ones. */
export function groupMeetings(meetings: MeetingInfo[], today: string): MeetingGroups {
  const out: MeetingGroups = { today: [], upcoming: [], earlier: [], archived: [] };
  for (const m of meetings) {
    if (m.archived_at) out.archived.push(m);
    else if (m.date === today) out.today.push(m);
    else if (m.date > today) out.upcoming.push(m);
    else out.earlier.push(m);
  }
  // The list comes newest first; the coming meetings read better nearest first.
  out.upcoming.sort((a, b) => (a.date === b.date ? a.created_at.localeCompare(b.created_at) : a.date.localeCompare(b.date)));
  return out;
}

export function MeetingList(props: {
  meetings: MeetingInfo[];
  today: string;
  role: Role | null | undefined;
  onChanged: (m: MeetingInfo) => void;
}) {
  const g = groupMeetings(props.meetings, props.today);
  const section = (id: string, heading: string, list: MeetingInfo[]) =>
    list.length > 0 && (
      <section aria-labelledby={`meetings-${id}`} class="meeting-section" data-testid={`meetings-${id}`}>
        <h3 id={`meetings-${id}`}>
          {heading} <span class="count">({list.length})</span>
        </h3>
        <ul class="card-list">
          {list.map((m) => (
            <MeetingCard key={m.id} meeting={m} role={props.role} onChanged={props.onChanged} />
          ))}
        </ul>
      </section>
    );
  return (
    <>
      {section('today', 'I dag', g.today)}
      {section('upcoming', 'Kommande', g.upcoming)}
      {section('earlier', 'Tidigare', g.earlier)}
      {g.today.length + g.upcoming.length + g.earlier.length === 0 && <p>Alla gruppens möten är arkiverade.</p>}
      {g.archived.length > 0 && (
        <details class="meeting-archive" data-testid="meetings-archived">
          <summary>Arkiverade möten ({g.archived.length})</summary>
          <ul class="card-list">
            {g.archived.map((m) => (
              <MeetingCard key={m.id} meeting={m} role={props.role} onChanged={props.onChanged} />
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

function MeetingCard(props: { meeting: MeetingInfo; role: Role | null | undefined; onChanged: (m: MeetingInfo) => void }) {
  const m = props.meeting;
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const edits = mayEditMeeting(props.role, m.state);
  const archives = mayArchiveMeeting(props.role);
  const archive = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      props.onChanged(await api.editMeeting(m.id, { archived: !m.archived_at }));
    } catch (err) {
      setError(err instanceof ApiError ? err.swedish : 'Mötet gick inte att ändra.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="card link-card meeting-card" data-testid="meeting-card" data-meeting={m.id}>
      <a class="card-link" href={href.meeting(m.id)}>
        <span class="card-title">{m.title}</span>
      </a>
      <span class="card-meta">
        {swedishDate(m.date)} · <span data-testid="meeting-state">{stateWord(m.state)}</span>
      </span>
      {m.corrected_by && (
        <span class="card-meta card-version" data-testid="corrected-by">
          Rättad – se <a href={href.meeting(m.corrected_by.id)}>{m.corrected_by.title}</a>
        </span>
      )}
      {(edits || archives) && !editing && (
        <span class="card-actions">
          {edits && (
            <button type="button" class="btn btn-small btn-quiet" onClick={() => setEditing(true)} aria-label={`Ändra titel eller datum för ${m.title}`}>
              Ändra
            </button>
          )}
          {archives && (
            <button type="button" class="btn btn-small btn-quiet" disabled={busy} onClick={archive} aria-label={`${m.archived_at ? 'Ta tillbaka' : 'Arkivera'} ${m.title}`}>
              {m.archived_at ? 'Ta tillbaka' : 'Arkivera'}
            </button>
          )}
        </span>
      )}
      {editing && (
        <EditMeetingForm
          meeting={m}
          onDone={(changed) => {
            setEditing(false);
            if (changed) props.onChanged(changed);
          }}
        />
      )}
      {error && !editing && (
        <p class="field-error card-actions" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

function EditMeetingForm(props: { meeting: MeetingInfo; onDone: (changed: MeetingInfo | null) => void }) {
  const m = props.meeting;
  const [title, setTitle] = useState(m.title);
  const [date, setDate] = useState(m.date);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `edit-${m.id}`;
  const first = useRef<HTMLInputElement>(null);
  // Before the browser paints: with useEffect the form showed a frame before its field took the focus, and what
  // was typed at once went elsewhere.
  useLayoutEffect(() => first.current?.focus(), []);
  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: { title?: string; date?: string } = {};
    if (title.trim() !== m.title) body.title = title.trim();
    if (date !== m.date) body.date = date;
    if (!body.title && !body.date) {
      if (!title.trim()) return setError('Skriv en titel.');
      return props.onDone(null);
    }
    setBusy(true);
    setError(null);
    try {
      props.onDone(await api.editMeeting(m.id, body));
    } catch (err) {
      setError(err instanceof ApiError ? err.swedish : 'Mötet gick inte att ändra.');
      setBusy(false);
    }
  };
  return (
    <form class="card-actions meeting-edit" onSubmit={save} data-testid="meeting-edit">
      <div class="form-row">
        <label for={`${id}-title`}>Titel</label>
        <input
          id={`${id}-title`}
          type="text"
          maxLength={200}
          required
          value={title}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
          ref={first}
        />
      </div>
      <div class="form-row">
        <label for={`${id}-date`}>Datum</label>
        <input id={`${id}-date`} type="date" required value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
      </div>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary btn-small" disabled={busy}>
          {busy ? 'Sparar…' : 'Spara'}
        </button>
        <button type="button" class="btn btn-small" onClick={() => props.onDone(null)}>
          Avbryt
        </button>
      </div>
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
