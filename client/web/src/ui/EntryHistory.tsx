// Who wrote what (issue 16): the meeting's entry history from the server (GET /api/meetings/{id}/history), the
// history of one entry behind its Historik button, and an organisation's removed entries with Återställ.
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { EntryHistory, EntryHistoryItem, FieldDef, TopicDef } from '../model/types';
import type { MeetingSession } from '../sync/session';

export interface HistoryState {
  history: EntryHistory | null;
  /** Asks for the history again (at most one request under way; a failure keeps what was there). */
  refresh: () => void;
}

export const HistoryContext = createContext<HistoryState>({ history: null, refresh: () => undefined });

/**
 * The meeting's entry history: read once the picture is there, and again soon after an entry disappears from the
 * picture (someone removed it), so the removed list follows without polling.
 */
export function useEntryHistory(session: MeetingSession, meetingId: string): HistoryState {
  const [history, setHistory] = useState<EntryHistory | null>(null);
  const busy = useRef(false);
  const again = useRef(false);
  const refresh = () => {
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    api.history(meetingId).then(
      (h) => setHistory(h),
      () => undefined,
    ).finally(() => {
      busy.current = false;
      if (again.current) {
        again.current = false;
        refresh();
      }
    });
  };
  const count = useRef(-1);
  useEffect(() => {
    refresh();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = session.on('structure', () => {
      const n = countEntries(session);
      if (count.current >= 0 && n < count.current && !timer) {
        timer = setTimeout(() => {
          timer = null;
          refresh();
        }, 400);
      }
      count.current = n;
    });
    count.current = countEntries(session);
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [session, meetingId]);
  return { history, refresh };
}

function countEntries(session: MeetingSession): number {
  const meeting = session.meeting;
  if (!meeting) return 0;
  let n = 0;
  for (const t of meeting.template.topics)
    for (const o of meeting.group.organisations) n += session.replica.visibleEntries(t.id, o.id).length;
  return n;
}

/** "08.42" today, "3 dec 08.42" another day. */
function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit' }).replace(':', '.');
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString('sv-SE', { day: 'numeric', month: 'short' })} ${time}`;
}

function eventText(what: string, field: string | undefined, fields: FieldDef[]): string {
  const label = fields.find((f) => f.id === field)?.label ?? field ?? '';
  switch (what) {
    case 'add_entry': return 'lade till händelsen';
    case 'remove_entry': return 'tog bort händelsen';
    case 'text': return `skrev i ${label}`;
    case 'set': return `valde ${label}`;
    case 'secrecy': return 'ändrade sekretessmarkeringen';
    default: return what;
  }
}

/** Historik: who wrote in the entry and when, from the meeting's history (asked for again when opened). */
export function EntryHistoryPanel(props: { topic: string; org: string; entry: string; fields: FieldDef[]; context: string }) {
  const { history, refresh } = useContext(HistoryContext);
  const [open, setOpen] = useState(false);
  const item = history?.entries.find((e) => e.topic === props.topic && e.org === props.org && e.entry === props.entry);
  const id = `hist-${props.topic}-${props.org}-${props.entry}`;
  return (
    <div class="entry-history">
      <button
        type="button"
        class="btn btn-small btn-quiet"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => {
          if (!open) refresh();
          setOpen(!open);
        }}
      >
        Historik<span class="visually-hidden"> för {props.context}</span>
      </button>
      {open && (
        <div id={id} class="entry-history-panel" data-testid="entry-history">
          {!item && <p class="muted">{history ? 'Ingen historik finns för händelsen.' : 'Hämtar historiken…'}</p>}
          {item && (
            <>
              <p>
                Skriven av {item.authors.join(', ') || 'okänd'}
                {item.changed && <> · senast ändrad {when(item.changed.at)}</>}
              </p>
              <ol class="history-events">
                {item.events.map((ev) => (
                  <li key={ev.rev}>
                    <span class="history-time">{when(ev.at)}</span> {ev.by} {eventText(ev.what, ev.field, props.fields)}
                  </li>
                ))}
              </ol>
            </>
          )}
        </div>
      )}
    </div>
  );
}

/** The first filled text of a removed entry, for its line in the list. */
function preview(item: EntryHistoryItem, fields: FieldDef[]): string {
  for (const f of fields) {
    const v = item.content?.fields[f.id];
    if (f.kind === 'text' && v) return v.length > 80 ? `${v.slice(0, 79)}…` : v;
  }
  return 'Tom händelse';
}

/**
 * An organisation's removed entries in a topic, each with Återställ while the cell may be written. One that is back
 * already (an entry of the cell holds the same fields) is not offered again.
 */
export function RemovedEntries(props: {
  session: MeetingSession;
  topic: TopicDef;
  org: string;
  fields: FieldDef[];
  onRestored: (entry: string) => void;
}) {
  const { history } = useContext(HistoryContext);
  const { session, topic, org } = props;
  if (!history) return null;
  const live = session.replica.visibleEntries(topic.id, org).map((e) => e.id);
  const same = (item: EntryHistoryItem, entry: string) =>
    props.fields.every((f) => {
      const target = { topic: topic.id, org, entry, field: f.id };
      const now = f.kind === 'choice' ? session.replica.visibleChoice(target) : session.text(target);
      return now === (item.content?.fields[f.id] ?? '');
    });
  const removed = history.entries.filter(
    (e) => e.topic === topic.id && e.org === org && e.removed && e.content && !live.includes(e.entry) && !live.some((id) => same(e, id)),
  );
  if (removed.length === 0) return null;
  return (
    <details class="removed-entries" data-testid="removed-entries">
      <summary>Borttagna händelser ({removed.length})</summary>
      <ul>
        {removed.map((e) => {
          const text = preview(e, props.fields);
          return (
            <li key={e.entry}>
              <span class="removed-text">{text}</span>
              <span class="muted">
                Borttagen av {e.removed!.by} {when(e.removed!.at)}
              </span>
              <button
                type="button"
                class="btn btn-small"
                aria-label={`Återställ händelsen ”${text}”`}
                onClick={() => props.onRestored(session.restoreEntry(topic.id, org, e.content!, (id) => props.fields.find((f) => f.id === id)?.kind === 'choice'))}
              >
                Återställ
              </button>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
