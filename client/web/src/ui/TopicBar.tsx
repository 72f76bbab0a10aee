// The topic bar: the template's topics as tabs (number, title, how many events and how many organisations have
// reported nothing), and the save state, in one strip that stays at the top of the screen while the page scrolls.
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import type { WelcomeMeeting } from '../model/types';
import type { MeetingSession } from '../sync/session';
import { topicLocked } from '../model/lifecycle';
import { LockIcon } from './SignOff';

export interface TopicStats {
  /** Entries of every organisation in the topic. */
  entries: number;
  /** Organisations (ids) without an entry in the topic. */
  silent: string[];
}

export function topicStats(session: MeetingSession, meeting: WelcomeMeeting, topic: string): TopicStats {
  let entries = 0;
  const silent: string[] = [];
  for (const o of meeting.group.organisations) {
    const n = session.replica.visibleEntries(topic, o.id).length;
    entries += n;
    if (n === 0) silent.push(o.id);
  }
  return { entries, silent };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function TopicBar(props: {
  session: MeetingSession;
  meeting: WelcomeMeeting;
  chosen: string;
  onChoose: (topic: string) => void;
  /** Tabs of one topic panel; otherwise buttons that scroll to a topic of the page (all topics shown). */
  tabs: boolean;
  /** The chair's current topic ("" none): its tab says so. */
  lead: string;
  syncStatus: ComponentChildren;
  children?: ComponentChildren;
}) {
  const { session, meeting } = props;
  const topics = meeting.template.topics;
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  // Arrow keys move between the tabs (and show the topic), Home and End to the first and last: the tabs pattern.
  const onKey = (e: KeyboardEvent, i: number) => {
    const next =
      e.key === 'ArrowRight' ? (i + 1) % topics.length
      : e.key === 'ArrowLeft' ? (i - 1 + topics.length) % topics.length
      : e.key === 'Home' ? 0
      : e.key === 'End' ? topics.length - 1
      : -1;
    if (next < 0) return;
    e.preventDefault();
    props.onChoose(topics[next].id);
    tabs.current[next]?.focus();
  };
  const total = meeting.group.organisations.length;
  return (
    <div class="topic-bar" data-testid="topic-bar">
      <div class="topic-tabs" role={props.tabs ? 'tablist' : 'group'} aria-label="Ämnen i lägesbilden">
        {topics.map((t, i) => {
          const s = topicStats(session, meeting, t.id);
          const selected = t.id === props.chosen;
          const locked = topicLocked(session.lifecycle(), t.id);
          return (
            <button
              key={t.id}
              type="button"
              role={props.tabs ? 'tab' : undefined}
              id={`tab-${t.id}`}
              aria-selected={props.tabs ? selected : undefined}
              aria-current={!props.tabs && selected ? 'true' : undefined}
              aria-controls={props.tabs ? 'amne' : undefined}
              tabIndex={props.tabs && !selected ? -1 : 0}
              class={`topic-tab${selected ? ' topic-tab-selected' : ''}${props.lead === t.id ? ' topic-tab-is-lead' : ''}`}
              data-tab={t.id}
              ref={(el) => {
                tabs.current[i] = el;
              }}
              onClick={() => props.onChoose(t.id)}
              onKeyDown={props.tabs ? (e) => onKey(e, i) : undefined}
            >
              <span class="topic-tab-num" aria-hidden="true">
                {i + 1}
              </span>
              <span class="topic-tab-short" aria-hidden="true">
                {s.entries} st
              </span>
              {props.lead === t.id && (
                <span class="topic-tab-short topic-tab-short-lead" aria-hidden="true">
                  nu
                </span>
              )}
              <span class="topic-tab-text">
                <span class="topic-tab-title">
                  {t.title}
                  {props.lead === t.id && (
                    <span class="topic-tab-lead" data-testid="lead-mark">
                      {' '}
                      · Nu
                      <span class="visually-hidden"> (ordföranden leder mötet här)</span>
                    </span>
                  )}
                  {locked && (
                    <>
                      {' '}
                      <LockIcon />
                      <span class="visually-hidden"> (låst)</span>
                    </>
                  )}
                </span>
                <span class="topic-tab-counts" data-entries={s.entries} data-silent={s.silent.length}>
                  {plural(s.entries, 'händelse', 'händelser')}
                  {s.silent.length > 0 && (
                    <>
                      <span aria-hidden="true"> · </span>
                      <span class="visually-hidden">, </span>
                      <span class="topic-tab-silent">
                        {s.silent.length === total ? 'ingen rapport' : `${s.silent.length} av ${total} saknas`}
                      </span>
                    </>
                  )}
                </span>
              </span>
            </button>
          );
        })}
      </div>
      <div class="topic-bar-side">
        {props.children}
        {props.syncStatus}
      </div>
    </div>
  );
}
