// Locking, signing and closing a meeting (DESIGN.md §4): the sign-off panel (Underskrifter) with the phase, who
// has signed and who must still sign, the chair's buttons and the password dialog that signs; a topic's lock
// state and the chair's lock button; and text the server refused because a lock came first, kept to copy.
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { api, ApiError, exportUrl, type JsonExport, type LifecycleAction } from '../api';
import { ROLE_LABELS, orgLabel, swedishDate } from '../labels';
import {
  PHASE_HINTS,
  PHASE_LABELS,
  missingSigners,
  readClosing,
  readSignature,
  topicLocked,
  type Lifecycle,
  type SignatureFacts,
} from '../model/lifecycle';
import type { MeetingInfo, Role, TopicDef, WelcomeMeeting } from '../model/types';
import { href } from '../routes';
import type { MeetingSession } from '../sync/session';
import { pictureDigest } from '../verify/canonical';
import { useAccount } from './account-context';
import { ConfirmButton, copy } from './GroupAdmin';
import { openPrivacyPanel, waitingText } from './PrivacyPanel';

function useChannels(session: MeetingSession, ...channels: ('structure' | 'lifecycle' | 'notices')[]) {
  const [, force] = useReducer((x: number) => x + 1, 0);
  useEffect(() => {
    const offs = channels.map((c) => session.on(c, () => force(0)));
    return () => offs.forEach((off) => off());
  }, [session]);
}

/** A padlock drawn in the text's colour: the lock state is said in words too ("Låst"), never by colour alone. */
export function LockIcon() {
  return (
    <svg class="lock-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M8 1a3.5 3.5 0 0 0-3.5 3.5V7H3.5A1.5 1.5 0 0 0 2 8.5v5A1.5 1.5 0 0 0 3.5 15h9a1.5 1.5 0 0 0 1.5-1.5v-5A1.5 1.5 0 0 0 12.5 7H11.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 6V4.5a2 2 0 1 1 4 0V7H6Z"
      />
    </svg>
  );
}

/** "Eva Ek (ordförande, Fagersta kommun)" */
function signerText(meeting: WelcomeMeeting, s: { name: string; role: Role | string; org: string }): string {
  const org = meeting.group.organisations.find((o) => o.id === s.org);
  const role = (ROLE_LABELS[s.role as Role] ?? s.role).toLowerCase();
  return `${s.name} (${role}${org ? `, ${orgLabel(org)}` : s.org ? `, ${s.org}` : ''})`;
}

export function swedishDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('sv-SE', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** The digest in short, with the whole of it one click away (and for screen readers and copying). */
export function Digest(props: { value: string; label?: string }) {
  return (
    <span class="digest">
      {props.label ?? 'Kontrollsumma'}: <code title={props.value}>{props.value.slice(0, 12)}…</code>{' '}
      <details class="digest-full">
        <summary>Visa hela</summary>
        <code>{props.value}</code>
      </details>
    </span>
  );
}

/** Did this person make this signature (their account, else their name and role in the meeting)? */
function isMine(s: SignatureFacts, accountId: string | undefined, you: { name: string; role: Role } | null): boolean {
  if (s.signer.account && accountId) return s.signer.account === accountId;
  return !!you && s.signer.name === you.name && s.signer.role === you.role;
}

// ---- the panel ----

/**
 * The phase this person's own move (lock, unlock, close) leads to: once the panel shows it, the focus goes to the
 * panel's heading, since the button pressed is gone (and the panel may have moved: see MeetingView). Kept outside
 * the component, as the panel is mounted anew when it moves.
 */
let focusOnPhase: Lifecycle['phase'] | null = null;
const PHASE_AFTER: Partial<Record<LifecycleAction['action'], Lifecycle['phase']>> = {
  lock_picture: 'locked',
  unlock_picture: 'open',
  close: 'closed',
};

export function SignOffPanel(props: {
  session: MeetingSession;
  meeting: WelcomeMeeting;
  meetingId: string;
  /** The meeting as the server lists it now (useMeetingNow): whether a closed one has a correction already. */
  now?: MeetingInfo | null;
}) {
  const { session, meeting, meetingId } = props;
  useChannels(session, 'lifecycle', 'structure');
  const account = useAccount();
  const lc = session.lifecycle();
  const you = session.you;
  const role = you?.role;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [signing, setSigning] = useState(false);
  const signRef = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusOnPhase && focusOnPhase === lc.phase) {
      focusOnPhase = null;
      heading.current?.focus();
    }
  });

  const signatures = lc.signatures.map((s) => readSignature(s.statement)).filter((s): s is SignatureFacts => !!s);
  const missing = missingSigners(lc);
  const iSigned = signatures.some((s) => isMine(s, account.me?.id, you));
  const canSign = (role === 'chair' || role === 'cosigner') && lc.phase === 'locked' && !iSigned && missing.includes(role);
  const isChair = role === 'chair';
  const closing = lc.closing ? readClosing(lc.closing.statement) : null;
  const waiting = session.replica.privacyReview().unresolved();
  const signedDigest = closing?.digest ?? signatures[signatures.length - 1]?.digest ?? null;

  const act = async (body: LifecycleAction) => {
    setBusy(true);
    setError(null);
    try {
      await api.lifecycle(meetingId, body);
      const next = PHASE_AFTER[body.action];
      if (next === session.lifecycle().phase) document.getElementById('signoff-h')?.focus();
      else if (next) focusOnPhase = next;
    } catch (e) {
      setError(e instanceof ApiError ? e.swedish : 'Det gick inte. Försök igen.');
    } finally {
      setBusy(false);
    }
  };

  // Rättelse: the closed picture stays as it was signed; the correction is a new meeting, which this page opens.
  const correct = async () => {
    setBusy(true);
    setError(null);
    try {
      const made = await api.correct(meetingId);
      location.hash = href.meeting(made.id);
    } catch (e) {
      setError(
        e instanceof ApiError && e.code === 'conflict'
          ? 'Mötet har redan en rättelse. Ladda om sidan för att se den.'
          : e instanceof ApiError
            ? e.swedish
            : 'Det gick inte. Försök igen.',
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section id="underskrifter" class={`signoff signoff-${lc.phase}`} aria-labelledby="signoff-h" data-phase={lc.phase} data-testid="signoff">
      <div class="signoff-head">
        <h2 id="signoff-h" ref={heading} tabIndex={-1}>
          Underskrifter
        </h2>
        <span class="phase-badge" data-testid="phase">
          {lc.phase !== 'open' && lc.phase !== 'draft' && <LockIcon />}
          <span class="visually-hidden">Mötets skede: </span>
          {PHASE_LABELS[lc.phase]}
        </span>
      </div>
      <p class="signoff-hint">{PHASE_HINTS[lc.phase]}</p>
      {(lc.phase === 'open' || lc.phase === 'locked') && waiting > 0 && (
        <p class="signoff-privacy" data-testid="signoff-privacy">
          <strong>{waitingText(waiting)}.</strong> Lägesbilden kan inte signeras förrän varje flaggat personnummer är
          borttaget ur texten eller godkänt av ordföranden. <button type="button" class="btn btn-small" onClick={openPrivacyPanel}>
            Visa personuppgifter
          </button>
        </p>
      )}

      {lc.phase !== 'open' && lc.phase !== 'draft' && (
        <div class="signoff-grid">
          <div>
            <h3>Har signerat</h3>
            {signatures.length === 0 ? (
              <p class="muted">Ingen har signerat än.</p>
            ) : (
              <ul class="signers" data-testid="signers">
                {signatures.map((s, i) => (
                  <li key={i}>
                    <span class="signed-mark" aria-hidden="true">
                      ✓
                    </span>
                    <span>
                      <strong>{signerText(meeting, s.signer)}</strong>
                      <br />
                      <span class="muted">
                        signerade {swedishDateTime(s.signed_at)} (version {s.rev})
                      </span>
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </div>
          {missing.length > 0 && (
            <div>
              <h3>Ska signera</h3>
              <ul class="to-sign" data-testid="to-sign">
                {missing.map((r, i) => (
                  <li key={`${r}-${i}`}>{ROLE_LABELS[r] ?? r} – inte signerat än</li>
                ))}
              </ul>
            </div>
          )}
          {signedDigest && (
            <p class="signoff-digest">
              <Digest value={signedDigest} label="Signerad kontrollsumma" />
            </p>
          )}
          {closing && (
            <p class="closing-line" data-testid="closing">
              Stängt av {signerText(meeting, closing.closed_by)} {swedishDateTime(closing.closed_at)} – nummer {closing.sequence} i
              gruppens kedja av stängda möten.
            </p>
          )}
        </div>
      )}

      <div class="signoff-actions">
        {isChair && lc.phase === 'open' && (
          <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void act({ action: 'lock_picture' })}>
            <LockIcon /> Lås lägesbilden
          </button>
        )}
        {canSign && (
          <button type="button" class="btn btn-primary" ref={signRef} disabled={busy} onClick={() => setSigning(true)}>
            Signera
          </button>
        )}
        {iSigned && lc.phase === 'locked' && <p class="muted">Du har signerat. Väntar på {missing.map((r) => ROLE_LABELS[r].toLowerCase()).join(' och ')}.</p>}
        {isChair && lc.phase === 'locked' && (
          <ConfirmButton
            askClass="btn"
            ask="Lås upp lägesbilden"
            question="Lås upp lägesbilden?"
            warning={
              signatures.length > 0
                ? `Alla underskrifter (${signatures.length}) dras tillbaka, och alla kan ändra i lägesbilden igen. Den måste låsas och signeras på nytt.`
                : 'Alla kan ändra i lägesbilden igen. Den måste låsas och signeras på nytt.'
            }
            confirm="Ja, lås upp"
            busy={busy}
            onConfirm={() => act({ action: 'unlock_picture' })}
          />
        )}
        {isChair && lc.phase === 'signed' && (
          <ConfirmButton
            askClass="btn btn-primary"
            ask="Stäng mötet"
            question="Stäng mötet för gott?"
            warning="När mötet är stängt kan lägesbilden aldrig ändras igen. Underskrifterna och lägesbilden blir slutgiltiga och går vidare till BRÅ."
            confirm="Ja, stäng mötet"
            busy={busy}
            onConfirm={() => act({ action: 'close' })}
          />
        )}
        {isChair && lc.phase === 'closed' && props.now && !props.now.corrected_by && (
          <ConfirmButton
            askClass="btn"
            ask="Gör en rättelse"
            question="Gör en rättelse av lägesbilden?"
            warning="Den stängda lägesbilden och dess underskrifter ändras inte: den finns kvar som den signerades. Rättelsen blir ett nytt möte med en kopia av lägesbilden, som ni ändrar, signerar och stänger på nytt. Båda visar att den ena rättar den andra."
            confirm="Ja, gör en rättelse"
            busy={busy}
            onConfirm={correct}
          />
        )}
      </div>
      {lc.phase === 'closed' && <ClosedLinks meetingId={meetingId} date={meeting.date} />}
      <div role="alert" class={error ? 'form-error' : 'banner-empty'}>
        {error}
      </div>
      {signing && (
        <SignDialog
          session={session}
          meetingId={meetingId}
          role={role as Role}
          onClose={(signed) => {
            setSigning(false);
            // Signed: the button is gone, so the focus goes to the heading of the panel that now lists the signature.
            setTimeout(() => (signed ? heading.current : signRef.current)?.focus());
          }}
        />
      )}
    </section>
  );
}

/**
 * The meeting as the server lists it now, read again whenever the phase changes: a correction made since the
 * welcome (by the chair, in another tab) shows on the closed meeting without a reload of the live session.
 */
export function useMeetingNow(meetingId: string, phase: Lifecycle['phase']): MeetingInfo | null {
  const [now, setNow] = useState<MeetingInfo | null>(null);
  useEffect(() => {
    let live = true;
    api.meeting(meetingId).then(
      (m) => live && setNow(m),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [meetingId, phase]);
  return now;
}

/**
 * Versions of a picture (docs/records.md, "Corrections"): a correction says what it corrects, a corrected meeting
 * where it was corrected. Both link to the other; the closed one itself never changes.
 */
export function VersionBanner(props: { now: MeetingInfo | null }) {
  const c = props.now?.corrects;
  const by = props.now?.corrected_by;
  if (!c && !by) return null;
  return (
    <div class="version-banner" role="note" aria-label="Versioner av lägesbilden">
      {c && (
        <p data-testid="corrects">
          Rättelse av <a href={href.meeting(c.meeting)}>{c.title ?? `möte ${c.meeting}`}</a>
          {c.date ? `, ${swedishDate(c.date)}` : ''} (lägesbild <code title={c.digest}>{c.digest.slice(0, 12)}…</code>). Den
          lägesbilden är oförändrad; det här är den nya versionen.
        </p>
      )}
      {by && (
        <p data-testid="corrected-by">
          Rättad i <a href={href.meeting(by.id)}>{by.title}</a>
          {by.state === 'closed' ? '.' : ' (rättelsen är inte stängd än).'} Den här lägesbilden är oförändrad, som den
          signerades.
        </p>
      )}
    </div>
  );
}

/** The closed meeting's picture to print or keep: the server's exports, sealed and signed. */
function ClosedLinks(props: { meetingId: string; date: string }) {
  const base = `lagesbild-${props.date}-${props.meetingId}`;
  return (
    <div class="closed-links">
      <h3>Skriv ut eller ladda ner</h3>
      <ul class="link-row">
        <li>
          <a class="btn btn-small" href={exportUrl(props.meetingId)} target="_blank" rel="noopener" data-testid="export-html">
            Skriv ut (HTML)
            <span aria-hidden="true"> ↗</span>
            <span class="visually-hidden"> (öppnas i ny flik)</span>
          </a>
        </li>
        <li>
          <a class="btn btn-small" href={exportUrl(props.meetingId, 'html', 'public')} target="_blank" rel="noopener">
            Offentlig version (maskad)
            <span aria-hidden="true"> ↗</span>
            <span class="visually-hidden"> (öppnas i ny flik)</span>
          </a>
        </li>
        <li>
          <a class="btn btn-small" href={exportUrl(props.meetingId, 'markdown')} download={`${base}.md`}>
            Ladda ner som Markdown
          </a>
        </li>
        <li>
          <a class="btn btn-small" href={exportUrl(props.meetingId, 'json')} download={`${base}.json`}>
            Ladda ner som JSON
          </a>
        </li>
        <li>
          <a class="btn btn-small btn-quiet" href="#/kontrollera">
            Kontrollera en exporterad lägesbild
          </a>
        </li>
      </ul>
    </div>
  );
}

// ---- signing ----

type Target = { rev: number; digest: string } | { error: string } | null;

/**
 * What a signature covers: the saved picture as the server exports it (GET …/export?format=json: `rev`, `digest`,
 * `picture`). The digest is computed again here from the picture (canonical JSON, SHA-256), so the browser itself
 * vouches that the digest signed is that of the picture it was given; the server checks rev and digest once more
 * and answers stale_revision when the picture changed in between.
 */
async function signTarget(meetingId: string): Promise<Target> {
  let ex: JsonExport;
  try {
    ex = await api.exportJson(meetingId);
  } catch (e) {
    return { error: e instanceof ApiError ? e.swedish : 'Lägesbilden gick inte att hämta. Försök igen.' };
  }
  const mine = await pictureDigest(ex.picture);
  if (mine !== ex.digest)
    return { error: 'Kontrollsumman gick inte att bekräfta i webbläsaren, så lägesbilden kan inte signeras härifrån. Kontakta den som ansvarar för EST Live.' };
  return { rev: ex.rev, digest: ex.digest };
}

function SignDialog(props: { session: MeetingSession; meetingId: string; role: Role; onClose: (signed: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const pw = useRef<HTMLInputElement>(null);
  const [target, setTarget] = useState<Target>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = useRef(props.onClose);
  close.current = props.onClose;

  const load = () => {
    setTarget(null);
    void signTarget(props.meetingId).then(setTarget);
  };
  useEffect(() => {
    const d = ref.current!;
    const onCancel = (e: Event) => {
      e.preventDefault();
      close.current(false);
    };
    d.addEventListener('cancel', onCancel);
    d.showModal();
    pw.current?.focus();
    load();
    return () => {
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
    };
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!target || 'error' in target || busy) return;
    if (!password) {
      setError('Skriv ditt lösenord.');
      pw.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.lifecycle(props.meetingId, { action: 'sign', rev: target.rev, digest: target.digest, password });
      close.current(true);
      return;
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'network';
      if (code === 'stale_revision') {
        setError('Lägesbilden ändrades medan du signerade – läs igenom och signera igen.');
        load();
      } else if (code === 'bad_password') {
        setError('Fel lösenord. Skriv ditt lösenord igen.');
        setPassword('');
      } else setError(err instanceof ApiError ? err.swedish : 'Servern gick inte att nå. Försök igen.');
      pw.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const ready = target && !('error' in target);
  return (
    <dialog ref={ref} class="sign-dialog" aria-labelledby="sign-h" aria-describedby="sign-what">
      <h2 id="sign-h">Signera lägesbilden</h2>
      <div id="sign-what">
        <p>
          Du signerar som <strong>{(ROLE_LABELS[props.role] ?? props.role).toLowerCase()}</strong> lägesbilden som den är
          sparad just nu. Din underskrift gäller bara den här versionen: ändras lägesbilden dras alla underskrifter
          tillbaka.
        </p>
        {target === null && <p role="status">Hämtar lägesbilden…</p>}
        {target && 'error' in target && <p class="form-error">{target.error}</p>}
        {ready && (
          <p data-testid="sign-target" data-rev={target.rev} data-digest={target.digest}>
            Version {target.rev} · <Digest value={target.digest} />
          </p>
        )}
      </div>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div class="form-row">
          <label for="sign-password">Lösenord</label>
          <span class="hint" id="sign-password-hint">
            Skriv ditt lösenord igen för att bekräfta att det är du som signerar.
          </span>
          <input
            id="sign-password"
            ref={pw}
            type="password"
            name="password"
            autocomplete="current-password"
            aria-describedby={error ? 'sign-password-hint sign-error' : 'sign-password-hint'}
            aria-invalid={error ? 'true' : undefined}
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </div>
        <div id="sign-error" role="alert" class={error ? 'form-error' : 'banner-empty'}>
          {error}
        </div>
        <p class="dialog-actions">
          <button type="submit" class="btn btn-primary" disabled={!ready || busy}>
            {busy ? 'Signerar…' : 'Signera'}
          </button>{' '}
          <button type="button" class="btn" onClick={() => close.current(false)}>
            Avbryt
          </button>
        </p>
      </form>
    </dialog>
  );
}

// ---- topics: lock state and the chair's button ----

export function TopicLock(props: { session: MeetingSession; topic: TopicDef }) {
  const { session, topic } = props;
  useChannels(session, 'lifecycle');
  const lc: Lifecycle = session.lifecycle();
  const locked = topicLocked(lc, topic.id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chair = session.you?.role === 'chair' && lc.phase === 'open';
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.lifecycle(session.replica.meetingId, { action: locked ? 'unlock_topic' : 'lock_topic', topic: topic.id });
    } catch (e) {
      setError(e instanceof ApiError ? e.swedish : 'Det gick inte. Försök igen.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="topic-lock">
      {locked && (
        <span class="lock-badge" data-testid={`locked-${topic.id}`}>
          <LockIcon /> Låst<span class="visually-hidden"> ämne: organisationernas rutor kan inte ändras</span>
        </span>
      )}
      {chair && (
        <button type="button" class="btn btn-small" disabled={busy} onClick={() => void toggle()} data-lock={topic.id}>
          {locked ? 'Lås upp' : 'Lås ämnet'}
          <span class="visually-hidden"> {topic.title}</span>
        </button>
      )}
      {error && (
        <span class="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

// ---- text refused because a lock came first ----

export function RescuedTexts(props: { session: MeetingSession; meeting: WelcomeMeeting; topic: string }) {
  const { session, meeting } = props;
  useChannels(session, 'notices', 'lifecycle');
  const mine = session.rescued.filter((r) => r.target.topic === props.topic);
  if (mine.length === 0) return null;
  const phase = session.lifecycle().phase;
  return (
    <div class="rescued-list">
      {mine.map((r) => {
        const defs = r.target.item
          ? meeting.template.decision_item_fields ?? []
          : r.target.org
            ? meeting.template.entry_fields
            : meeting.template.topic_fields;
        const name = defs.find((d) => d.id === r.target.field)?.label ?? r.target.field;
        const label = r.target.item ? `beslutsförslag, ${name}` : name;
        const why =
          r.code === 'closed' || phase === 'closed'
            ? 'Mötet stängdes innan din ändring sparades.'
            : phase === 'open'
              ? 'Ämnet låstes innan din ändring sparades.'
              : 'Lägesbilden låstes innan din ändring sparades.';
        return <Rescued key={r.id} session={session} id={r.id} why={why} label={label} text={r.text} />;
      })}
    </div>
  );
}

function Rescued(props: { session: MeetingSession; id: number; why: string; label: string; text: string }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const hid = `rescued-${props.id}`;
  return (
    <div class="rescued" role="group" aria-labelledby={hid} data-testid="rescued">
      <p id={hid}>
        <strong>{props.why}</strong> Din text ({props.label}):
      </p>
      <textarea ref={area} readOnly rows={3} class="input" aria-labelledby={hid} value={props.text} />
      <p class="rescued-actions">
        <button
          type="button"
          class="btn btn-small"
          onClick={() => void copy(props.text, area.current).then(setCopied)}
        >
          Kopiera<span class="visually-hidden"> din text</span>
        </button>{' '}
        <button type="button" class="btn btn-small btn-quiet" onClick={() => props.session.dismissRescued(props.id)}>
          Stäng<span class="visually-hidden"> din sparade text</span>
        </button>{' '}
        <span role="status" class="muted">
          {copied === true ? 'Kopierad.' : copied === false ? 'Markera texten och kopiera den själv (Ctrl+C).' : ''}
        </span>
      </p>
    </div>
  );
}
