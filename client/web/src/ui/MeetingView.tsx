// The live meeting: the situation picture (topics × organisations), who is here and where they write,
// the connection's state and the server's messages.
import { useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { api, ApiError, exportFileName, exportUrl, wsUrl } from '../api';
import { emitAuth, onAuth } from '../auth-events';
import type { FieldDef, FieldRef, Organisation, TopicDef, WelcomeMeeting } from '../model/types';
import { fieldKey } from '../model/types';
import { ROLE_LABELS, colourFor, initials, shortOrgName, swedishDate } from '../labels';
import { clientIdFor, renewClientId } from '../storage';
import { MeetingSession, type SessionCheck } from '../sync/session';
import { href } from '../routes';
import { EditableChoice, EditableText, ReadOnlyChoice, ReadOnlyText } from './Fields';
import { ErrorBox, Loading, Shell, useFocusOnMount } from './Shell';
import { DraftBanner } from './DraftBanner';
import { LockIcon, RescuedTexts, SignOffPanel, TopicLock, VersionBanner, useMeetingNow } from './SignOff';
import { PHASE_LABELS, topicLocked } from '../model/lifecycle';
import { ConfirmBox, useConfirm } from './ConfirmRemove';
import { DecisionItems } from './DecisionItems';
import { FollowUpSection } from './FollowUpSection';
import { PrivacyPanel, SecrecyBadge, SecrecyControl } from './PrivacyPanel';

declare global {
  interface Window {
    /** For the end-to-end tests and for support: the live session of this page. */
    __estLive?: MeetingSession;
  }
}

const MULTILINE = new Set(['handelse', 'bedomning', 'prioriteringar']);
/** Short fields share a row in an entry card. */
const HALF = new Set(['plats', 'tid', 'trend']);

function fieldClass(f: FieldDef): string {
  return HALF.has(f.id) || (f.kind === 'choice' && !MULTILINE.has(f.id)) ? 'slot slot-half' : 'slot';
}

function useChannel(session: MeetingSession, channel: 'structure' | 'presence' | 'sync' | 'notices' | 'lifecycle') {
  const [, force] = useReducer((x: number) => x + 1, 0);
  useEffect(() => session.on(channel, () => force(0)), [session, channel]);
}

/**
 * Is the session still there (after a 4003 or a connection that could not be opened)? GET /api/me: a 401
 * also tells the app, which asks the person to sign in again over the meeting; a 200 refreshes who they are
 * (their role may just have changed).
 */
async function checkSession(): Promise<SessionCheck> {
  try {
    const me = await api.me();
    emitAuth({ kind: 'refreshed', me });
    return 'ok';
  } catch (e) {
    return e instanceof ApiError && e.status === 401 ? 'signed_out' : 'unknown';
  }
}

export function MeetingView(props: { meetingId: string }) {
  const [clientId, setClientId] = useState(() => clientIdFor(props.meetingId));
  useDuplicateTabGuard(props.meetingId, clientId, setClientId);
  const session = useMemo(
    () => new MeetingSession(wsUrl(props.meetingId), clientId, props.meetingId, { checkSession }),
    [props.meetingId, clientId],
  );
  useChannel(session, 'structure');
  useChannel(session, 'lifecycle');
  const h1 = useFocusOnMount<HTMLHeadingElement>(!!session.meeting);
  // Signed in again (in the dialog over this page): reconnect, and resend what waited.
  useEffect(() => onAuth((e) => e.kind === 'signed_in' && session.resume()), [session]);

  useEffect(() => {
    session.start();
    window.__estLive = session;
    // The browser knows the network is gone before the socket does: say so at once and keep typing.
    const offline = () => session.dropConnection('offline');
    const online = () => session.online();
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (!session.replica.idle()) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    addEventListener('offline', offline);
    addEventListener('online', online);
    addEventListener('beforeunload', beforeUnload);
    return () => {
      removeEventListener('offline', offline);
      removeEventListener('online', online);
      removeEventListener('beforeunload', beforeUnload);
      session.stop();
      if (window.__estLive === session) delete window.__estLive;
    };
  }, [session]);

  const meeting = session.meeting;
  const now = useMeetingNow(props.meetingId, session.lifecycle().phase);
  const crumbs = [
    { label: 'Start', href: href.start() },
    ...(meeting ? [{ label: meeting.group.name, href: href.group(meeting.group.id) }] : []),
    { label: meeting?.title ?? 'Möte' },
  ];

  if (session.status === 'failed') {
    return (
      <Shell title="Mötet gick inte att öppna" crumbs={crumbs} groupId={meeting?.group_id}>
        <h1>Mötet gick inte att öppna</h1>
        <ErrorBox text={session.failure ?? 'Mötet gick inte att öppna.'}>
          <p>
            {meeting && (
              <>
                <a href={href.group(meeting.group_id)}>Till gruppens möten</a>
                {' · '}
              </>
            )}
            <a href={href.start()}>Till startsidan</a>
          </p>
        </ErrorBox>
      </Shell>
    );
  }

  if (!meeting) {
    return (
      <Shell title="Ansluter…" crumbs={crumbs}>
        <Loading text="Ansluter till mötet…" />
        <ConnectionBanner session={session} />
      </Shell>
    );
  }

  const me = session.you;
  const myOrg = me && meeting.group.organisations.find((o) => o.id === me.org);
  const panelLast = ['open', 'draft'].includes(session.lifecycle().phase);
  return (
    <Shell
      title={meeting.title}
      crumbs={crumbs}
      wide
      skipTo="lagesbild"
      groupId={meeting.group_id}
      headerExtra={<SyncStatus session={session} />}
    >
      <ConnectionBanner session={session} />
      <div class="meeting-head">
        <div>
          <h1 ref={h1} tabIndex={-1}>
            {meeting.title}
          </h1>
          <p class="lead">
            {swedishDate(meeting.date)} · {meeting.group.name} ·{' '}
            <a href="#underskrifter" class="phase-link">
              {PHASE_LABELS[session.lifecycle().phase]}
            </a>
          </p>
          <ExportLinks meetingId={props.meetingId} date={meeting.date} />
        </div>
        {me && (
          <div class="me-card" role="group" aria-label="Du i mötet" data-testid="me-card">
            <span class="avatar" style={{ background: colourFor(me.name + '|' + me.org) }} aria-hidden="true">
              {initials(me.name)}
            </span>
            <span class="me-text">
              <strong>{me.name}</strong>
              <span>
                {myOrg ? `${shortOrgName(myOrg.name)} · ` : ''}
                {ROLE_LABELS[me.role] ?? me.role}
              </span>
            </span>
          </div>
        )}
      </div>
      <VersionBanner now={now} />
      <DraftBanner meetingId={props.meetingId} lifecycle={session.lifecycle()} role={me?.role} />
      <PresenceBar session={session} meeting={meeting} />
      <PrivacyPanel session={session} meeting={meeting} />
      <Notices session={session} />
      {/* While the meeting is open the panel only tells the phase (the header links to it), so it follows the
          picture, which stays near the top on a phone; from the lock on, signing is the business and it leads.
          Two slots, so the picture is never remounted when the panel moves. */}
      {!panelLast && <SignOffPanel session={session} meeting={meeting} meetingId={props.meetingId} now={now} />}
      <Picture session={session} meeting={meeting} />
      <FollowUpSection meeting={meeting} />
      {panelLast && <SignOffPanel session={session} meeting={meeting} meetingId={props.meetingId} now={now} />}
    </Shell>
  );
}

/**
 * The exported situation picture, for anyone in the meeting: a printable page in a new tab, its public version
 * (sekretess-marked entries and personal identity numbers masked) and the JSON file. All show what the server has
 * saved (not changes still on their way).
 */
function ExportLinks(props: { meetingId: string; date: string }) {
  return (
    <p class="export-links">
      <a class="btn btn-small" href={exportUrl(props.meetingId)} target="_blank" rel="noopener">
        Exportera lägesbild
        <span aria-hidden="true">↗</span>
        <span class="visually-hidden"> (öppnas i ny flik)</span>
      </a>
      <a class="btn btn-small" href={exportUrl(props.meetingId, 'html', 'public')} target="_blank" rel="noopener" data-testid="export-public">
        Offentlig version (maskad)
        <span aria-hidden="true">↗</span>
        <span class="visually-hidden"> (öppnas i ny flik)</span>
      </a>
      <a class="btn btn-small" href={exportUrl(props.meetingId, 'json')} download={exportFileName(props.date, props.meetingId)}>
        Ladda ner som JSON
      </a>
    </p>
  );
}

/**
 * A duplicated tab copies sessionStorage, and with it the client id: two connections with one id would
 * take each other's changes for resends. The tab that was there first keeps the id; a newcomer that
 * hears "taken" within its first seconds picks a new one.
 */
function useDuplicateTabGuard(meetingId: string, clientId: string, setClientId: (id: string) => void) {
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return undefined;
    const channel = new BroadcastChannel('est-live.clients');
    const started = Date.now();
    channel.onmessage = (e: MessageEvent) => {
      const m = e.data as { type?: string; id?: string } | null;
      if (!m || m.id !== clientId) return;
      if (m.type === 'hello') channel.postMessage({ type: 'taken', id: clientId });
      else if (m.type === 'taken' && Date.now() - started < 5000) setClientId(renewClientId(meetingId));
    };
    channel.postMessage({ type: 'hello', id: clientId });
    return () => channel.close();
  }, [meetingId, clientId, setClientId]);
}

// ---- header status, banner, notices ----

function SyncStatus(props: { session: MeetingSession }) {
  useChannel(props.session, 'sync');
  const { status, pending } = props.session.syncState();
  let text: string;
  let tone: string;
  if (status === 'live') {
    tone = pending > 0 ? 'saving' : 'ok';
    text = pending > 0 ? 'Sparar…' : 'Allt sparat';
  } else if (status === 'reconnecting') {
    tone = 'offline';
    text = pending > 0 ? `Frånkopplad · ${pending} ${pending === 1 ? 'ändring väntar' : 'ändringar väntar'}` : 'Frånkopplad';
  } else if (status === 'signed_out') {
    tone = 'offline';
    text = pending > 0 ? `Utloggad · ${pending} ${pending === 1 ? 'ändring väntar' : 'ändringar väntar'}` : 'Utloggad';
  } else {
    tone = 'connecting';
    text = 'Ansluter…';
  }
  return (
    <p
      class={`sync sync-${tone}`}
      data-testid="sync"
      data-status={status}
      data-pending={pending}
      data-rev={props.session.replica.rev()}
      data-reconnects={props.session.reconnects}
    >
      <span class="sync-dot" aria-hidden="true" />
      {text}
    </p>
  );
}

function ConnectionBanner(props: { session: MeetingSession }) {
  useChannel(props.session, 'sync');
  useChannel(props.session, 'notices');
  const status = props.session.status;
  const [back, setBack] = useState(false);
  const prev = useRef(status);
  useEffect(() => {
    if (prev.current === 'reconnecting' && status === 'live') {
      setBack(true);
      const t = setTimeout(() => setBack(false), 5000);
      prev.current = status;
      return () => clearTimeout(t);
    }
    prev.current = status;
    return undefined;
  }, [status]);
  return (
    <div class="banner-slot">
      <div role="alert" class={status === 'reconnecting' ? 'banner banner-offline' : 'banner-empty'}>
        {status === 'reconnecting' && (
          <>
            <strong>Anslutningen bröts.</strong> Det du skriver sparas och skickas när anslutningen är tillbaka. Försöker
            ansluta igen…
          </>
        )}
      </div>
      <div role="status" class={back && status === 'live' ? 'banner banner-back' : 'banner-empty'}>
        {back &&
          status === 'live' &&
          (props.session.rescued.length > 0
            ? 'Anslutningen är tillbaka. En del av det du skrev kunde inte sparas eftersom det låstes under tiden – din text finns kvar att kopiera i ämnet.'
            : 'Anslutningen är tillbaka. Allt du skrev under avbrottet har skickats.')}
      </div>
    </div>
  );
}

function Notices(props: { session: MeetingSession }) {
  useChannel(props.session, 'notices');
  const notices = props.session.notices;
  return (
    <section class={notices.length ? 'notices' : 'notices notices-empty'} aria-label="Meddelanden från servern">
      <ul aria-live="polite" aria-relevant="additions" class="notice-list">
        {notices.map((n) => (
          <li key={n.id} class="notice" data-code={n.code}>
            <span class="notice-icon" aria-hidden="true">
              !
            </span>
            <span class="notice-text">{n.text}</span>
            <button type="button" class="btn btn-small btn-quiet" onClick={() => props.session.dismissNotice(n.id)}>
              Stäng<span class="visually-hidden"> meddelandet</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

// ---- presence ----

function describeFocus(meeting: WelcomeMeeting, f: FieldRef | null): string | null {
  if (!f) return null;
  const topic = meeting.template.topics.find((t) => t.id === f.topic);
  const defs = f.item ? meeting.template.decision_item_fields ?? [] : f.org ? meeting.template.entry_fields : meeting.template.topic_fields;
  const def = defs.find((d) => d.id === f.field);
  if (!topic || !def) return null;
  return f.item ? `${topic.title} › Beslutsförslag › ${def.label}` : `${topic.title} › ${def.label}`;
}

function PresenceBar(props: { session: MeetingSession; meeting: WelcomeMeeting }) {
  useChannel(props.session, 'presence');
  const { session, meeting } = props;
  const all = session.people();
  const orgName = (id: string) => shortOrgName(meeting.group.organisations.find((o) => o.id === id)?.name ?? id);
  return (
    <section class="presence" aria-labelledby="presence-h">
      <h2 id="presence-h" class="presence-title">
        I mötet <span class="count">{all.length}</span>
      </h2>
      <ul class="presence-list">
        {all.map((p) => {
          const where = describeFocus(meeting, p.focus);
          return (
            <li key={p.session} class={p.me ? 'person person-me' : 'person'} data-session={p.session}>
              <span class="avatar" style={{ background: colourFor(p.name + '|' + p.org) }} aria-hidden="true">
                {initials(p.name)}
              </span>
              <span class="person-text">
                <span class="person-name">
                  {p.name}
                  {p.me && <span class="me-tag"> (du)</span>}
                </span>
                <span class="person-meta">
                  {p.org ? `${orgName(p.org)} · ` : ''}
                  {ROLE_LABELS[p.role] ?? p.role}
                </span>
                <span class={where ? 'person-where' : 'person-where person-idle'}>
                  {where ? (
                    <>
                      <span aria-hidden="true">✎ </span>
                      <span class="visually-hidden">Skriver i </span>
                      {where}
                    </>
                  ) : (
                    'Skriver inte just nu'
                  )}
                </span>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

// ---- the picture ----

function Picture(props: { session: MeetingSession; meeting: WelcomeMeeting }) {
  const { session, meeting } = props;
  const orgs = meeting.group.organisations;
  const [autoFocus, setAutoFocus] = useState<string | null>(null);
  const myOrg = session.you?.org ?? '';
  const phase = session.lifecycle().phase;
  return (
    <section id="lagesbild" class="picture" aria-labelledby="picture-h" tabIndex={-1} style={{ '--cols': String(orgs.length) } as Record<string, string>}>
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
        <p class="hint">
          {session.canWriteCell(myOrg)
            ? 'Du skriver i din organisations kolumn. De andras text syns medan de skriver.'
            : session.canWriteTopicFields()
              ? 'Som ordförande skriver du samlad bedömning, nivå och prioriteringar för varje ämne.'
              : 'Du följer lägesbilden. De andras text syns medan de skriver.'}
        </p>
      </div>
      <div class="grid-head" aria-hidden="true">
        {orgs.map((o) => (
          <div key={o.id} class={o.id === myOrg ? 'grid-col-head own' : 'grid-col-head'}>
            {o.name}
            {o.id === myOrg && <span class="own-tag">Din organisation</span>}
          </div>
        ))}
      </div>
      {meeting.template.topics.map((t, i) => (
        <Topic
          key={t.id}
          index={i + 1}
          topic={t}
          session={session}
          meeting={meeting}
          orgs={orgs}
          autoFocus={autoFocus}
          onAdded={setAutoFocus}
        />
      ))}
    </section>
  );
}

function Topic(props: {
  index: number;
  topic: TopicDef;
  session: MeetingSession;
  meeting: WelcomeMeeting;
  orgs: Organisation[];
  autoFocus: string | null;
  onAdded: (key: string) => void;
}) {
  const { topic, session, meeting } = props;
  const hid = `topic-${topic.id}`;
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
      <div class="cells">
        {props.orgs.map((o) => (
          <Cell
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
      <TopicSummary topic={topic} session={session} meeting={meeting} />
      <DecisionItems topic={topic} session={session} meeting={meeting} />
    </section>
  );
}

function Cell(props: {
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
  return (
    <section
      class={editable ? 'cell cell-own' : 'cell'}
      aria-labelledby={hid}
      data-cell={`${topic.id}/${org.id}`}
    >
      <h4 id={hid} class="cell-title">
        {shortOrgName(org.name)}
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
        <button type="button" class="btn btn-add" ref={addRef} onClick={add} data-add={`${topic.id}/${org.id}`}>
          <span aria-hidden="true">+ </span>Lägg till händelse<span class="visually-hidden"> i {topic.title}</span>
        </button>
      )}
    </section>
  );
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
  const context = `händelse ${props.n}, ${shortOrgName(org.name)}, ${topic.title}`;
  const ref = (f: FieldDef): FieldRef => ({ topic: topic.id, org: org.id, entry: entryId, field: f.id });
  const textFields = props.fields.filter((f) => f.kind === 'text');
  const choiceFields = props.fields.filter((f) => f.kind === 'choice');
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
        question="Ta bort händelsen och allt som står i den? Det går inte att ångra."
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
          {textFields.map((f) => (
            <div key={f.id} class={fieldClass(f)}>
              <ReadOnlyText session={session} target={ref(f)} def={f} label={f.label} context={context} />
            </div>
          ))}
          {choiceFields.map((f) => (
            <div key={f.id} class={fieldClass(f)}>
              <ReadOnlyChoice session={session} target={ref(f)} def={f} label={f.label} context={context} badge />
            </div>
          ))}
        </div>
      )}
      {!props.pending && <SecrecyControl session={session} topic={topic.id} org={org.id} entry={entryId} context={context} />}
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

