// The live meeting: the situation picture (topics × organisations), who is here and where they write,
// the connection's state and the server's messages.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, exportFileName, exportUrl, wsUrl } from '../api';
import { emitAuth, onAuth } from '../auth-events';
import type { FieldRef, WelcomeMeeting } from '../model/types';
import { ROLE_LABELS, colourFor, initials, orgLabel, swedishDate } from '../labels';
import { clientIdFor, renewClientId } from '../storage';
import { MeetingSession, type SessionCheck } from '../sync/session';
import { href } from '../routes';
import { ErrorBox, Loading, Shell } from './Shell';
import { DraftBanner } from './DraftBanner';
import { SignOffPanel, VersionBanner, useMeetingNow } from './SignOff';
import { PHASE_LABELS } from '../model/lifecycle';
import { FollowUpSection } from './FollowUpSection';
import { PrivacyPanel } from './PrivacyPanel';
import { Picture, useChannel } from './Picture';
import { useNarrow } from './useNarrow';
import { copy } from './GroupAdmin';

declare global {
  interface Window {
    /** For the end-to-end tests and for support: the live session of this page. */
    __estLive?: MeetingSession;
  }
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
  // Once joined, keyboard focus goes to the meeting's heading (not left on the page's body while it loaded), unless
  // the person has already moved it somewhere.
  const h1 = useRef<HTMLHeadingElement>(null);
  const joined = !!session.meeting;
  useEffect(() => {
    if (!joined) return;
    const active = document.activeElement;
    if (!active || active === document.body || active.id === 'main') h1.current?.focus();
  }, [joined]);
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
          {me && (
            <p class="me-line" data-testid="me-card">
              Du är med som <strong>{me.name}</strong>
              {myOrg ? `, ${orgLabel(myOrg)}` : ''} · {ROLE_LABELS[me.role] ?? me.role}
            </p>
          )}
          <div class="meeting-actions">
            <ExportLinks meetingId={props.meetingId} date={meeting.date} />
            <CopyMeetingLink meetingId={props.meetingId} />
            <LeaveButton session={session} groupId={meeting.group_id} />
          </div>
        </div>
      </div>
      <VersionBanner now={now} />
      <DraftBanner meetingId={props.meetingId} lifecycle={session.lifecycle()} role={me?.role} />
      <div class="meeting-status">
        <PresenceBar session={session} meeting={meeting} />
        <PrivacyPanel session={session} meeting={meeting} />
      </div>
      <Notices session={session} />
      {/* While the meeting is open the panel only tells the phase (the header links to it), so it follows the
          picture, which stays near the top on a phone; from the lock on, signing is the business and it leads.
          Two slots, so the picture is never remounted when the panel moves. */}
      {!panelLast && <SignOffPanel session={session} meeting={meeting} meetingId={props.meetingId} now={now} />}
      <Picture session={session} meeting={meeting} syncStatus={<SyncStatus session={session} />} />
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
  // On a phone the three links would take a screen's third before the picture: behind one "Exportera".
  const narrow = useNarrow();
  const links = (
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
  if (!narrow) return links;
  return (
    <details class="export-menu">
      <summary>Exportera</summary>
      {links}
    </details>
  );
}

/** Kopiera möteslänk: the meeting's address, for the chair to send round before the meeting. */
function CopyMeetingLink(props: { meetingId: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const url = `${location.origin}${location.pathname}${href.meeting(props.meetingId)}`;
  return (
    <div class="leave">
      <button type="button" class="btn btn-small" onClick={async () => setCopied(await copy(url, null))} data-testid="copy-meeting-link">
        Kopiera möteslänk
      </button>
      <span role="status" class="leave-status">
        {copied === true ? 'Länken är kopierad.' : copied === false ? `Kopiera länken själv: ${url}` : ''}
      </span>
    </div>
  );
}

/**
 * Lämna mötet: back to the group's meetings once everything typed is saved (the others then see this person as
 * disconnected). While changes are on their way it waits for them; without a connection it asks first: what has not
 * reached the server is kept only by this page, and is lost when it is left.
 */
function LeaveButton(props: { session: MeetingSession; groupId: string }) {
  useChannel(props.session, 'sync');
  const [leaving, setLeaving] = useState(false);
  const [asking, setAsking] = useState(false);
  const { status, pending } = props.session.syncState();
  const go = () => {
    location.hash = href.group(props.groupId);
  };
  useEffect(() => {
    if (leaving && status === 'live' && pending === 0) go();
  }, [leaving, status, pending]);
  const leave = () => {
    if (pending === 0) return go();
    if (status === 'live') return setLeaving(true);
    setAsking(true);
  };
  return (
    <div class="leave">
      <button type="button" class="btn btn-small" onClick={leave} disabled={leaving} data-testid="leave">
        Lämna mötet
      </button>
      <span role="status" class="leave-status">
        {leaving ? 'Sparar det sista innan du lämnar…' : ''}
      </span>
      {asking && (
        <div class="confirm" role="alertdialog" aria-label="Lämna utan anslutning">
          <p>
            Anslutningen är bruten och {pending === 1 ? '1 ändring' : `${pending} ändringar`} har inte sparats. Lämnar du
            mötet nu går {pending === 1 ? 'den' : 'de'} förlorad{pending === 1 ? '' : 'e'}. Lämna ändå?
          </p>
          <button type="button" class="btn btn-small" onClick={go}>
            Lämna ändå
          </button>{' '}
          <button type="button" class="btn btn-small btn-quiet" onClick={() => setAsking(false)}>
            Stanna kvar
          </button>
        </div>
      )}
    </div>
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
  const here = all.filter((p) => p.leftAt === undefined);
  const orgName = (id: string) => {
    const o = meeting.group.organisations.find((x) => x.id === id);
    return o ? orgLabel(o) : id;
  };
  const narrow = useNarrow();
  const list = (
      <ul class="presence-list">
        {all.map((p) => {
          const where = p.leftAt === undefined ? describeFocus(meeting, p.focus) : null;
          const cls = `person${p.me ? ' person-me' : ''}${p.leftAt !== undefined ? ' person-gone' : ''}`;
          return (
            <li key={p.session} class={cls} data-session={p.session} data-gone={p.leftAt !== undefined ? 'true' : undefined}>
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
                {p.leftAt !== undefined && <span class="person-where person-away">Frånkopplad sedan {clock(p.leftAt)}</span>}
                {where && (
                  <span class="person-where">
                    <span aria-hidden="true">✎ </span>
                    <span class="visually-hidden">Skriver i </span>
                    {where}
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ul>
  );
  const title = (
    <>
      I mötet <span class="count">{here.length}</span>
      {all.length > here.length && <span class="presence-gone-count">{all.length - here.length} frånkopplad</span>}
    </>
  );
  // On a phone the list folds away behind its count, so the picture is near the top.
  if (narrow)
    return (
      <details class="presence presence-fold">
        <summary class="presence-title">{title}</summary>
        {list}
      </details>
    );
  return (
    <section class="presence" aria-labelledby="presence-h">
      <h2 id="presence-h" class="presence-title">
        {title}
      </h2>
      {list}
    </section>
  );
}

/** "08.42": Swedish clock time, local. */
function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}.${String(d.getMinutes()).padStart(2, '0')}`;
}
