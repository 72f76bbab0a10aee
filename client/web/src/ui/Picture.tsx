// The situation picture, one topic at a time: the topic bar (which stays on screen), and for the chosen topic
// each organisation's report as a section of its own, the chair's summary and the decision items. A section is
// as wide as the page allows (two or three side by side on a laptop, one on a phone), so no word is ever broken
// in a column of 200 px, whatever the number of organisations.
import type { ComponentChildren } from 'preact';
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { FieldDef, FieldRef, Organisation, TopicDef, WelcomeMeeting } from '../model/types';
import { fieldKey } from '../model/types';
import { orgLabel } from '../labels';
import type { MeetingSession } from '../sync/session';
import { EditableChoice, EditableText, ReadOnlyChoice, ReadOnlyText } from './Fields';
import { LockIcon, RescuedTexts, TopicLock } from './SignOff';
import { topicLocked } from '../model/lifecycle';
import { ConfirmBox, useConfirm } from './ConfirmRemove';
import { DecisionItems } from './DecisionItems';
import { SecrecyBadge, SecrecyControl } from './PrivacyPanel';
import { TopicBar, topicStats } from './TopicBar';
import { EntryHistoryPanel, HistoryContext, RemovedEntries, useEntryHistory } from './EntryHistory';

const MULTILINE = new Set(['handelse', 'bedomning', 'prioriteringar']);
/** Short fields share a row in an entry card. */
const HALF = new Set(['plats', 'tid', 'trend']);

function fieldClass(f: FieldDef): string {
  return HALF.has(f.id) || (f.kind === 'choice' && !MULTILINE.has(f.id)) ? 'slot slot-half' : 'slot';
}

export function useChannel(session: MeetingSession, channel: 'structure' | 'presence' | 'sync' | 'notices' | 'lifecycle') {
  const [, force] = useReducer((x: number) => x + 1, 0);
  useEffect(() => session.on(channel, () => force(0)), [session, channel]);
}

/** Whether this tab follows the chair's current topic (kept per meeting for the tab). */
function useFollow(meetingId: string): [boolean, (on: boolean) => void] {
  const storageKey = `est-live.follow.${meetingId}`;
  const [follow, setFollow] = useState(() => sessionStorage.getItem(storageKey) !== 'no');
  return [
    follow,
    (on) => {
      sessionStorage.setItem(storageKey, on ? 'yes' : 'no');
      setFollow(on);
    },
  ];
}

/** The topic shown, kept per meeting for this tab (a reload stays where it was). */
function useChosenTopic(meetingId: string, topics: TopicDef[]): [string, (id: string) => void] {
  const storageKey = `est-live.topic.${meetingId}`;
  const [chosen, setChosen] = useState<string>(() => {
    const kept = sessionStorage.getItem(storageKey);
    return kept && topics.some((t) => t.id === kept) ? kept : topics[0]?.id ?? '';
  });
  const choose = (id: string) => {
    sessionStorage.setItem(storageKey, id);
    setChosen(id);
  };
  return [chosen, choose];
}

export type TopicView = 'one' | 'all';
const VIEW_KEY = 'est-live.topic-view';

/** One topic at a time (the default: a meeting goes through the topics in turn) or all of them, one under another. */
function useTopicView(): [TopicView, (v: TopicView) => void] {
  const [view, setView] = useState<TopicView>(() => (localStorage.getItem(VIEW_KEY) === 'all' ? 'all' : 'one'));
  return [
    view,
    (v) => {
      localStorage.setItem(VIEW_KEY, v);
      setView(v);
    },
  ];
}

type PictureProps = { session: MeetingSession; meeting: WelcomeMeeting; syncStatus: ComponentChildren };

export function Picture(props: PictureProps) {
  // The meeting's entry history, for every entry's Historik and every own cell's removed entries.
  const history = useEntryHistory(props.session, props.meeting.id);
  return (
    <HistoryContext.Provider value={history}>
      <PictureBody {...props} />
    </HistoryContext.Provider>
  );
}

function PictureBody(props: PictureProps) {
  const { session, meeting } = props;
  useChannel(session, 'structure');
  const orgs = meeting.group.organisations;
  const topics = meeting.template.topics;
  const [chosen, chooseTopic] = useChosenTopic(meeting.id, topics);
  // Following the chair: on by default for everyone but the chair; choosing another topic leaves it.
  const [follow, setFollow] = useFollow(meeting.id);
  const lead = session.currentTopic();
  const leads = session.canLead();
  useEffect(() => {
    if (follow && !leads && lead && topics.some((t) => t.id === lead) && lead !== chosen) chooseTopic(lead);
  }, [follow, lead, leads]);
  const choose = (id: string) => {
    if (!leads && follow && lead && id !== lead) setFollow(false);
    chooseTopic(id);
  };
  const [onlyMine, setOnlyMine] = useState(false);
  const [view, setView] = useTopicView();
  const [autoFocus, setAutoFocus] = useState<string | null>(null);
  const myOrg = session.you?.org ?? '';
  const phase = session.lifecycle().phase;
  const topic = topics.find((t) => t.id === chosen) ?? topics[0];
  const index = topics.indexOf(topic);
  return (
    <section id="lagesbild" class="picture" aria-labelledby="picture-h" tabIndex={-1}>
      <div class="picture-head">
        <h2 id="picture-h">Lägesbild</h2>
        {phase !== 'open' && phase !== 'draft' && (
          <p class="picture-locked" data-testid="picture-locked">
            <LockIcon />{' '}
            {phase === 'closed'
              ? 'Mötet är stängt: lägesbilden kan inte ändras.'
              : session.canWriteTopicFields()
                ? 'Lägesbilden är låst. Du kan ändra samlad bedömning och beslutsförslag, men då dras underskrifterna tillbaka.'
                : session.canWriteItems()
                  ? 'Lägesbilden är låst. Beslutsförslag kan fortfarande ändras, men då dras underskrifterna tillbaka.'
                  : 'Lägesbilden är låst och kan inte ändras.'}
          </p>
        )}
      </div>
      <TopicBar
        session={session}
        meeting={meeting}
        chosen={topic.id}
        onChoose={(id) => {
          choose(id);
          if (view === 'all') document.getElementById(`topic-${id}`)?.scrollIntoView({ block: 'start' });
        }}
        tabs={view === 'one'}
        lead={lead}
        syncStatus={props.syncStatus}
      >
        {leads && (
          <button
            type="button"
            class="btn btn-small"
            onClick={() => session.lead(lead === topic.id ? '' : topic.id)}
            aria-pressed={lead === topic.id}
            data-testid="lead"
          >
            {lead === topic.id ? 'Alla följer detta ämne' : 'Visa ämnet för alla'}
          </button>
        )}
        {!leads && lead && (
          <label class="only-mine follow">
            <input
              type="checkbox"
              checked={follow}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                setFollow(on);
                if (on && lead) chooseTopic(lead);
              }}
              data-testid="follow"
            />
            Följ ordföranden
          </label>
        )}
        <button type="button" class="btn btn-small btn-quiet" onClick={() => setView(view === 'one' ? 'all' : 'one')} data-testid="topic-view">
          {view === 'one' ? 'Visa alla ämnen' : 'Visa ett ämne i taget'}
        </button>
      </TopicBar>
      <div
        id="amne"
        role={view === 'one' ? 'tabpanel' : undefined}
        aria-labelledby={view === 'one' ? `tab-${topic.id}` : undefined}
        class="topic-panel"
        tabIndex={-1}
      >
        <p class="hint">
          {session.canWriteCell(myOrg)
            ? 'Du skriver i din organisations del. De andras text syns medan de skriver.'
            : session.canWriteTopicFields()
              ? 'Som ordförande skriver du samlad bedömning, nivå och prioriteringar för varje ämne.'
              : 'Du följer lägesbilden. De andras text syns medan de skriver.'}
        </p>
        {myOrg && orgs.some((o) => o.id === myOrg) && (
          <label class="only-mine">
            <input type="checkbox" checked={onlyMine} onChange={(e) => setOnlyMine((e.target as HTMLInputElement).checked)} />
            Visa bara min organisation
          </label>
        )}
        {(view === 'one' ? [topic] : topics).map((t) => (
          <Topic
            key={t.id}
            index={topics.indexOf(t) + 1}
            topic={t}
            session={session}
            meeting={meeting}
            orgs={onlyMine ? orgs.filter((o) => o.id === myOrg) : orgs}
            myOrg={myOrg}
            autoFocus={autoFocus}
            onAdded={setAutoFocus}
          />
        ))}
        {view === 'one' && (
          <nav class="topic-steps" aria-label="Bläddra mellan ämnen">
            {index > 0 && (
              <button type="button" class="btn btn-quiet" onClick={() => choose(topics[index - 1].id)}>
                <span aria-hidden="true">← </span>
                {index}. {topics[index - 1].title}
              </button>
            )}
            {index < topics.length - 1 && (
              <button type="button" class="btn btn-quiet topic-next" onClick={() => choose(topics[index + 1].id)}>
                {index + 2}. {topics[index + 1].title}
                <span aria-hidden="true"> →</span>
              </button>
            )}
            {/* The last topic done, the chair's way on: lock, sign and close. */}
            {index === topics.length - 1 && session.you?.role === 'chair' && phase === 'open' && (
              <a class="btn topic-next" href="#underskrifter" data-testid="to-signoff">
                Avsluta mötet: lås och skriv under
                <span aria-hidden="true"> →</span>
              </a>
            )}
          </nav>
        )}
      </div>
    </section>
  );
}

function Topic(props: {
  index: number;
  topic: TopicDef;
  session: MeetingSession;
  meeting: WelcomeMeeting;
  orgs: Organisation[];
  myOrg: string;
  autoFocus: string | null;
  onAdded: (key: string) => void;
}) {
  const { topic, session, meeting } = props;
  const hid = `topic-${topic.id}`;
  // Own organisation first; then those that reported, in the group's order; the silent ones as one line.
  const stats = topicStats(session, meeting, topic.id);
  const own = props.orgs.filter((o) => session.canWriteCell(o.id, topic.id));
  const reported = props.orgs.filter((o) => !own.includes(o) && !stats.silent.includes(o.id));
  const silent = props.orgs.filter((o) => !own.includes(o) && stats.silent.includes(o.id));
  return (
    <section
      class={topicLocked(session.lifecycle(), topic.id) ? 'topic topic-locked' : 'topic'}
      aria-labelledby={hid}
      data-topic={topic.id}
    >
      <header class="topic-head">
        <h3 id={hid}>
          <span class="topic-num" aria-hidden="true">
            {props.index}
          </span>
          {topic.title}
        </h3>
        {topic.description && <p class="topic-desc">{topic.description}</p>}
        <TopicLock session={session} topic={topic} />
      </header>
      <RescuedTexts session={session} meeting={meeting} topic={topic.id} />
      <div class="org-sections">
        {[...own, ...reported].map((o) => (
          <OrgSection
            key={o.id}
            topic={topic}
            org={o}
            session={session}
            meeting={meeting}
            autoFocus={props.autoFocus}
            onAdded={props.onAdded}
          />
        ))}
      </div>
      {silent.length > 0 && (
        <p class="silent-orgs" data-testid="silent-orgs">
          <strong>Inga händelser från:</strong> {silent.map((o) => orgLabel(o)).join(' · ')}
        </p>
      )}
      <TopicSummary topic={topic} session={session} meeting={meeting} />
      <DecisionItems topic={topic} session={session} meeting={meeting} />
    </section>
  );
}

function OrgSection(props: {
  topic: TopicDef;
  org: Organisation;
  session: MeetingSession;
  meeting: WelcomeMeeting;
  autoFocus: string | null;
  onAdded: (key: string) => void;
}) {
  const { topic, org, session, meeting } = props;
  const editable = session.canWriteCell(org.id, topic.id);
  const entries = session.replica.visibleEntries(topic.id, org.id);
  const addRef = useRef<HTMLButtonElement>(null);
  const hid = `cell-${topic.id}-${org.id}`;
  const add = () => {
    const id = session.addEntry(topic.id, org.id);
    props.onAdded(fieldKey({ topic: topic.id, org: org.id, entry: id, field: meeting.template.entry_fields[0]?.id ?? '' }));
  };
  const short = orgLabel(org);
  return (
    <section class={editable ? 'cell cell-own' : 'cell'} aria-labelledby={hid} data-cell={`${topic.id}/${org.id}`}>
      <h4 id={hid} class="cell-title">
        <span class="cell-org">{short}</span>
        {short !== org.name && <span class="cell-org-full">{org.name}</span>}
        <span class="visually-hidden">, {topic.title}</span>
        {editable && <span class="own-tag">Din organisation</span>}
      </h4>
      {entries.length === 0 && <p class="cell-empty">{editable ? 'Inga händelser än.' : 'Inga händelser.'}</p>}
      {entries.length > 0 && (
        <ol class="entries">
          {entries.map((e, i) => (
            <EntryCard
              key={e.id}
              n={i + 1}
              entryId={e.id}
              pending={e.pending}
              topic={topic}
              org={org}
              session={session}
              fields={meeting.template.entry_fields}
              editable={editable}
              autoFocus={props.autoFocus}
              onRemoved={() => addRef.current?.focus()}
            />
          ))}
        </ol>
      )}
      {editable && (
        <RemovedEntries
          session={session}
          topic={topic}
          org={org.id}
          fields={meeting.template.entry_fields}
          onRestored={(id) => props.onAdded(fieldKey({ topic: topic.id, org: org.id, entry: id, field: meeting.template.entry_fields[0]?.id ?? '' }))}
        />
      )}
      {editable && (
        <button type="button" class="btn btn-add" ref={addRef} onClick={add} data-add={`${topic.id}/${org.id}`}>
          <span aria-hidden="true">+ </span>Lägg till händelse<span class="visually-hidden"> i {topic.title}</span>
        </button>
      )}
    </section>
  );
}

/** Which of the targets hold text now: follows typing, so a field shows up as soon as someone fills it. */
function useFilled(session: MeetingSession, targets: FieldRef[]): boolean[] {
  const [, force] = useReducer((x: number) => x + 1, 0);
  const keys = targets.map(fieldKey);
  const filled = targets.map((t) => session.text(t) !== '');
  useEffect(() => {
    const offs = keys.map((k, i) =>
      session.onText(k, () => {
        if ((session.text(targets[i]) !== '') !== filled[i]) force(0);
      }),
    );
    return () => offs.forEach((off) => off());
  });
  return filled;
}

function EntryCard(props: {
  n: number;
  entryId: string;
  pending: boolean;
  topic: TopicDef;
  org: Organisation;
  session: MeetingSession;
  fields: FieldDef[];
  editable: boolean;
  autoFocus: string | null;
  onRemoved: () => void;
}) {
  const { session, topic, org, entryId } = props;
  const confirm = useConfirm();
  const context = `händelse ${props.n}, ${orgLabel(org)}, ${topic.title}`;
  const ref = (f: FieldDef): FieldRef => ({ topic: topic.id, org: org.id, entry: entryId, field: f.id });
  const textFields = props.fields.filter((f) => f.kind === 'text');
  const choiceFields = props.fields.filter((f) => f.kind === 'choice');
  const filled = useFilled(session, textFields.map(ref));
  const shownText = textFields.filter((_, i) => filled[i]);
  const shownChoice = choiceFields.filter((f) => session.replica.visibleChoice(ref(f)) !== '');
  return (
    <li class={props.pending ? 'entry entry-pending' : 'entry'} data-entry={entryId}>
      <div class="entry-head">
        <span class="entry-num" aria-hidden="true">
          {props.n}
        </span>
        <span class="visually-hidden">Händelse {props.n}</span>
        {props.pending && <span class="entry-saving">sparas…</span>}
        <SecrecyBadge session={session} topic={topic.id} org={org.id} entry={entryId} />
        {props.editable && !confirm.confirming && (
          <button type="button" class="btn btn-small btn-quiet" ref={confirm.triggerRef} onClick={confirm.open}>
            Ta bort<span class="visually-hidden"> händelse {props.n} i {topic.title}</span>
          </button>
        )}
      </div>
      <ConfirmBox
        confirm={confirm}
        label={`Bekräfta borttagning av händelse ${props.n}`}
        question="Ta bort händelsen och allt som står i den? Din organisation kan återställa den under Borttagna händelser tills ämnet låses."
        onConfirm={() => {
          session.removeEntry(topic.id, org.id, entryId);
          props.onRemoved();
        }}
      />
      {props.editable ? (
        <div class="entry-fields">
          {props.fields.map((f) => (
            <div key={f.id} class={fieldClass(f)}>
              {f.kind === 'choice' ? (
                <EditableChoice session={session} target={ref(f)} def={f} label={f.label} context={context} />
              ) : (
                <EditableText
                  session={session}
                  target={ref(f)}
                  def={f}
                  label={f.label}
                  context={context}
                  multiline={MULTILINE.has(f.id)}
                  autoFocus={props.autoFocus === fieldKey(ref(f))}
                />
              )}
            </div>
          ))}
        </div>
      ) : (
        <div class="entry-fields ro">
          {shownText.length + shownChoice.length === 0 && <p class="cell-empty">Inget ifyllt än.</p>}
          {shownText.map((f) => (
            <div key={f.id} class={fieldClass(f)}>
              <ReadOnlyText session={session} target={ref(f)} def={f} label={f.label} context={context} />
            </div>
          ))}
          {shownChoice.map((f) => (
            <div key={f.id} class={fieldClass(f)}>
              <ReadOnlyChoice session={session} target={ref(f)} def={f} label={f.label} context={context} badge />
            </div>
          ))}
        </div>
      )}
      {!props.pending && <SecrecyControl session={session} topic={topic.id} org={org.id} entry={entryId} context={context} />}
      {!props.pending && <EntryHistoryPanel topic={topic.id} org={org.id} entry={entryId} fields={props.fields} context={context} />}
    </li>
  );
}

function TopicSummary(props: { topic: TopicDef; session: MeetingSession; meeting: WelcomeMeeting }) {
  const { topic, session, meeting } = props;
  const editable = session.canWriteTopicFields();
  const context = `${topic.title}`;
  return (
    <div class={editable ? 'summary summary-own' : 'summary'} data-summary={topic.id}>
      <h4 class="summary-title">
        Ordförandens sammanfattning<span class="visually-hidden">, {topic.title}</span>
      </h4>
      <div class="summary-fields">
        {meeting.template.topic_fields.map((f) => {
          const target: FieldRef = { topic: topic.id, field: f.id };
          const cls = `summary-field summary-${f.kind}`;
          if (editable)
            return (
              <div class={cls} key={f.id}>
                {f.kind === 'choice' ? (
                  <EditableChoice session={session} target={target} def={f} label={f.label} context={context} />
                ) : (
                  <EditableText session={session} target={target} def={f} label={f.label} context={context} multiline />
                )}
              </div>
            );
          return (
            <div class={cls} key={f.id}>
              {f.kind === 'choice' ? (
                <ReadOnlyChoice session={session} target={target} def={f} label={f.label} context={context} badge />
              ) : (
                <ReadOnlyText
                  session={session}
                  target={target}
                  def={f}
                  label={f.label}
                  context={context}
                  empty="Inte ifylld än."
                />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
