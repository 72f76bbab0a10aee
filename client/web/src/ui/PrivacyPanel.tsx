// Personal data in the live meeting (DESIGN.md §6, issue 15): the Personuppgifter panel near the top of the meeting
// lists every personal identity number the server flagged (where it is and its state, never its digits: the field
// shows them), links each to its field, and gives the chair "Godkänn…" with a required reason. The sekretess marking
// of an entry (SecrecyControl) lives here too: a badge for everyone, a small form for those who may mark.
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { findPersonalNumbers } from '../model/personal-number';
import { personalNumberId, type FlagRow } from '../model/privacy';
import type { Acknowledgement, FieldRef, WelcomeMeeting } from '../model/types';
import { fieldKey } from '../model/types';
import { orgLabel } from '../labels';
import type { MeetingSession } from '../sync/session';
import { domId } from './Fields';
import { swedishDateTime } from '../access';

/** Re-renders on the session's structure channel (flags, acknowledgements and markings arrive there). */
export function useStructure(session: MeetingSession): void {
  const [, force] = useReducer((x: number) => x + 1, 0);
  useEffect(() => session.on('structure', () => force(0)), [session]);
}

export const KIND_LABELS: Record<FlagRow['kind'], string> = {
  personnummer: 'Personnummer',
  samordningsnummer: 'Samordningsnummer',
};

/** "2 personuppgifter väntar på att tas bort eller godkännas" (1: "1 personuppgift väntar …"). */
export function waitingText(n: number): string {
  return `${n} ${n === 1 ? 'personuppgift väntar' : 'personuppgifter väntar'} på att tas bort eller godkännas`;
}

const OPEN_EVENT = 'est:open-privacy';

/** Opens the Personuppgifter panel and moves the focus to it (from the sign-off panel, say). */
export function openPrivacyPanel(): void {
  dispatchEvent(new Event(OPEN_EVENT));
}

/** "Godkänd av Maria Lind 5 december 2026 09:41: Behövs för uppföljningen" */
export function ackText(a: Acknowledgement): string {
  return `Godkänd av ${a.by}${a.at ? ` ${swedishDateTime(a.at)}` : ''}: ${a.reason}`;
}

/** Where a field is, in words: the topic, then the organisation and entry (or the chair's summary, or an item), then the field. */
export function describeField(session: MeetingSession, meeting: WelcomeMeeting, t: FieldRef): { topic: string; where: string; field: string } {
  const tpl = meeting.template;
  const topic = tpl.topics.find((x) => x.id === t.topic)?.title ?? t.topic;
  const defs = t.item ? tpl.decision_item_fields ?? [] : t.org ? tpl.entry_fields : tpl.topic_fields;
  const field = defs.find((d) => d.id === t.field)?.label ?? t.field;
  let where: string;
  if (t.item) {
    const n = session.replica.visibleItems(t.topic).findIndex((i) => i.id === t.item) + 1;
    where = n > 0 ? `Beslutsförslag ${n}` : 'Beslutsförslag';
  } else if (t.org) {
    const org = meeting.group.organisations.find((o) => o.id === t.org);
    const n = session.replica.visibleEntries(t.topic, t.org).findIndex((e) => e.id === t.entry) + 1;
    where = `${org ? orgLabel(org) : t.org}, händelse ${n > 0 ? n : '?'}`;
  } else where = 'Ordförandens sammanfattning';
  return { topic, where, field };
}

/** The panel's order: the template's topics, then organisations in the group's order, entries and items as shown. */
function fieldOrder(session: MeetingSession, meeting: WelcomeMeeting) {
  const topics = meeting.template.topics.map((t) => t.id);
  const orgs = meeting.group.organisations.map((o) => o.id);
  const rank = (t: FieldRef): number[] => {
    const topic = topics.indexOf(t.topic);
    if (t.item) return [topic, 2, session.replica.visibleItems(t.topic).findIndex((i) => i.id === t.item), 0];
    if (!t.org) return [topic, 1, 0, 0];
    return [topic, 0, orgs.indexOf(t.org), session.replica.visibleEntries(t.topic, t.org).findIndex((e) => e.id === t.entry)];
  };
  return (a: FieldRef, b: FieldRef): number => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < x.length; ++i) if (x[i] !== y[i]) return x[i] - y[i];
    return a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
  };
}

/**
 * Moves the focus to the field and selects the flagged number in it when it is an editable text (a read-only field is
 * focused as a whole): the panel's "Visa i fältet".
 */
export function focusField(target: FieldRef, number: string): void {
  const el = (document.getElementById(domId(target)) ??
    document.querySelector(`[data-field="${CSS.escape(fieldKey(target))}"]`)) as HTMLElement | null;
  if (!el) return;
  if (!el.matches('textarea, input, select') && !el.hasAttribute('tabindex')) el.tabIndex = -1;
  el.scrollIntoView({ block: 'center' });
  el.focus({ preventScroll: true });
  if (el instanceof HTMLTextAreaElement) {
    const m = findPersonalNumbers(el.value).find((x) => personalNumberId(el.value, x) === number);
    if (m) el.setSelectionRange(m.begin, m.end);
  }
}

export function PrivacyPanel(props: { session: MeetingSession; meeting: WelcomeMeeting }) {
  const { session, meeting } = props;
  useStructure(session);
  const [open, setOpen] = useState(false);
  const [asking, setAsking] = useState<FlagRow | null>(null);
  const review = session.replica.privacyReview();
  const rows = review.rows(fieldOrder(session, meeting));
  const waiting = rows.filter((r) => !r.ack).length;
  const canAck = session.canAcknowledge();
  const triggers = useRef(new Map<string, HTMLButtonElement>());
  const rowKey = (r: FlagRow) => `${fieldKey(r.target)}|${r.number}`;
  const toggle = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const on = () => {
      setOpen(true);
      toggle.current?.scrollIntoView({ block: 'start' });
      toggle.current?.focus({ preventScroll: true });
    };
    addEventListener(OPEN_EVENT, on);
    return () => removeEventListener(OPEN_EVENT, on);
  }, []);
  return (
    <section
      id="personuppgifter"
      class={`privacy${waiting > 0 ? ' privacy-waiting' : ''}`}
      aria-labelledby="privacy-h"
      data-testid="privacy-panel"
      data-waiting={waiting}
    >
      <div class="privacy-head">
        <h2 id="privacy-h" class="privacy-title">
          <button type="button" class="privacy-toggle" ref={toggle} aria-expanded={open} aria-controls="privacy-body" onClick={() => setOpen(!open)}>
            <span class="privacy-caret" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            Personuppgifter
            <span class={waiting > 0 ? 'count count-warn' : 'count'} data-testid="privacy-count">
              {waiting}
            </span>
            <span class="visually-hidden"> att hantera</span>
          </button>
        </h2>
        <p class="privacy-summary">
          {rows.length === 0
            ? 'Inga personnummer eller samordningsnummer i lägesbilden.'
            : waiting > 0
              ? `${waitingText(waiting)}. Mötet kan inte signeras förrän de är hanterade.`
              : 'Alla personuppgifter i lägesbilden är godkända av ordföranden.'}
        </p>
      </div>
      <div id="privacy-body" hidden={!open}>
        <p class="privacy-intro">
          Texter som ser ut att innehålla ett personnummer eller samordningsnummer flaggas för alla. Ta bort numret ur
          texten, eller låt ordföranden godkänna det med ett skäl.
        </p>
        {rows.length > 0 && (
          <ul class="privacy-list" data-testid="privacy-list">
            {rows.map((r) => {
              const d = describeField(session, meeting, r.target);
              const sending = !r.ack && session.replica.acknowledging(r.target, r.number);
              return (
                <li key={rowKey(r)} class={r.ack ? 'privacy-row privacy-done' : 'privacy-row'} data-flag={fieldKey(r.target)} data-state={r.ack ? 'acknowledged' : 'open'}>
                  <span class="privacy-where">
                    <strong>{d.topic}</strong> › {d.where} › {d.field}
                  </span>
                  <span class="privacy-kind">{KIND_LABELS[r.kind]}</span>
                  <span class="privacy-state" data-testid="flag-state">
                    {r.ack ? ackText(r.ack) : sending ? 'Godkänns…' : 'Inte hanterad'}
                  </span>
                  <span class="privacy-actions">
                    <button type="button" class="btn btn-small" onClick={() => focusField(r.target, r.number)}>
                      Visa i fältet<span class="visually-hidden">: {d.topic}, {d.where}, {d.field}</span>
                    </button>
                    {canAck && !r.ack && !sending && (
                      <button
                        type="button"
                        class="btn btn-small btn-primary"
                        ref={(el) => {
                          if (el) triggers.current.set(rowKey(r), el);
                          else triggers.current.delete(rowKey(r));
                        }}
                        onClick={() => setAsking(r)}
                      >
                        Godkänn…<span class="visually-hidden"> {KIND_LABELS[r.kind].toLowerCase()} i {d.topic}, {d.where}, {d.field}</span>
                      </button>
                    )}
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </div>
      {asking && (
        <AcknowledgeDialog
          what={`${KIND_LABELS[asking.kind]} i ${Object.values(describeField(session, meeting, asking.target)).join(' › ')}`}
          onClose={(reason) => {
            const row = asking;
            setAsking(null);
            if (reason !== null) session.acknowledge(row.target, row.number, reason);
            // The button is gone once sent: the focus goes to the panel's heading, else back to the button.
            setTimeout(() => (reason !== null ? toggle.current : triggers.current.get(rowKey(row)))?.focus());
          }}
        />
      )}
    </section>
  );
}

/**
 * What the server would refuse in a reason or an OSL reference (one line already): empty, longer than `max` bytes, or
 * holding a personal identity number. The sentence to say for each, in that order; null: fine.
 */
function labelProblem(v: string, max: number, say: [empty: string, long: string, number: string]): string | null {
  if (v === '') return say[0];
  if (new TextEncoder().encode(v).length > max) return say[1];
  return findPersonalNumbers(v).length > 0 ? say[2] : null;
}

/** Asks the chair for the reason (required, one line, at most 500 bytes); null: cancelled. */
function AcknowledgeDialog(props: { what: string; onClose: (reason: string | null) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const d = ref.current!;
    const onCancel = (e: Event) => {
      e.preventDefault();
      close.current(null);
    };
    d.addEventListener('cancel', onCancel);
    d.showModal();
    input.current?.focus();
    return () => {
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
    };
  }, []);
  const submit = (e: Event) => {
    e.preventDefault();
    const r = reason.trim();
    const problem = labelProblem(r, 500, ['Skriv varför numret får stå kvar.', 'Skälet är för långt: skriv högst 500 tecken.', 'Skriv inte själva numret i skälet.']);
    if (problem) {
      setError(problem);
      input.current?.focus();
      return;
    }
    close.current(r);
  };
  return (
    <dialog ref={ref} class="sign-dialog" aria-labelledby="ack-h" aria-describedby="ack-what" data-testid="ack-dialog">
      <h2 id="ack-h">Godkänn personuppgift</h2>
      <p id="ack-what">
        {props.what}. Numret får stå kvar i lägesbilden. Ditt namn, tiden och skälet sparas och visas för alla i mötet.
      </p>
      <form onSubmit={submit} noValidate>
        <div class="form-row">
          <label for="ack-reason">Skäl (krävs)</label>
          <span class="hint" id="ack-reason-hint">
            Till exempel varför uppgiften behövs. Skriv inte själva numret.
          </span>
          <input
            id="ack-reason"
            ref={input}
            type="text"
            required
            aria-required="true"
            maxLength={500}
            autocomplete="off"
            aria-describedby={error ? 'ack-reason-hint ack-error' : 'ack-reason-hint'}
            aria-invalid={error ? 'true' : undefined}
            value={reason}
            onInput={(e) => setReason((e.target as HTMLInputElement).value.replace(/[\r\n]+/g, ' '))}
          />
        </div>
        <div id="ack-error" role="alert" class={error ? 'form-error' : 'banner-empty'}>
          {error}
        </div>
        <p class="dialog-actions">
          <button type="submit" class="btn btn-primary">
            Godkänn
          </button>{' '}
          <button type="button" class="btn" onClick={() => close.current(null)}>
            Avbryt
          </button>
        </p>
      </form>
    </dialog>
  );
}

// ---- sekretess ----

/** Common OSL references for an EST picture; the value stored is the reference, the label explains it. */
export const OSL_CHOICES: { osl: string; label: string }[] = [
  { osl: '18 kap. 1 § OSL', label: 'förundersökning' },
  { osl: '35 kap. 1 § OSL', label: 'uppgifter om enskild i brottsutredning' },
  { osl: '26 kap. 1 § OSL', label: 'socialtjänst' },
  { osl: '23 kap. 2 § OSL', label: 'elevhälsa och skola' },
  { osl: '25 kap. 1 § OSL', label: 'hälso- och sjukvård' },
];
const OTHER = 'annan';

/** An entry's sekretess marking, for everyone ("Sekretess: 35 kap. 1 § OSL"); nothing when it has none. */
export function SecrecyBadge(props: { session: MeetingSession; topic: string; org: string; entry: string }) {
  const osl = props.session.replica.visibleSecrecy(props.topic, props.org, props.entry);
  if (!osl) return null;
  return (
    <span class="badge badge-secrecy" data-testid="secrecy-badge">
      Sekretess: {osl}
    </span>
  );
}

/**
 * For those who may mark an entry sekretess: a button that opens a small form to mark, change or clear it (after the
 * entry's fields, so the entry's own order for the keyboard stays: its heading, Ta bort, its fields).
 */
export function SecrecyControl(props: { session: MeetingSession; topic: string; org: string; entry: string; context: string }) {
  const { session, topic, org, entry } = props;
  const osl = session.replica.visibleSecrecy(topic, org, entry);
  const may = session.canMarkSecrecy(org, topic);
  const [editing, setEditing] = useState(false);
  const [choice, setChoice] = useState('');
  const [free, setFree] = useState('');
  const [error, setError] = useState<string | null>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const select = useRef<HTMLSelectElement>(null);
  const freeRef = useRef<HTMLInputElement>(null);
  const base = `sek-${domId({ topic, org, entry, field: 'x' })}`;
  useEffect(() => {
    if (editing) select.current?.focus();
  }, [editing]);
  const start = () => {
    const known = OSL_CHOICES.some((c) => c.osl === osl);
    setChoice(osl === '' ? OSL_CHOICES[0].osl : known ? osl : OTHER);
    setFree(known ? '' : osl);
    setError(null);
    setEditing(true);
  };
  const done = () => {
    setEditing(false);
    setTimeout(() => toggle.current?.focus());
  };
  const save = (e: Event) => {
    e.preventDefault();
    const value = choice === OTHER ? free.trim() : choice;
    const problem = labelProblem(value, 200, [
      'Skriv vilken bestämmelse i OSL som gäller.',
      'Hänvisningen är för lång: högst 200 tecken.',
      'Hänvisningen får inte innehålla ett personnummer.',
    ]);
    if (problem) {
      setError(problem);
      freeRef.current?.focus();
      return;
    }
    if (value !== osl) session.setSecrecy(topic, org, entry, value);
    done();
  };
  const clear = () => {
    session.setSecrecy(topic, org, entry, '');
    done();
  };
  if (!may) return null;
  return (
    <div class="secrecy" data-testid="secrecy">
      {!editing && (
        <button type="button" class="btn btn-small btn-quiet" ref={toggle} onClick={start}>
          {osl ? 'Ändra sekretess' : 'Sekretessmarkera'}
          <span class="visually-hidden">, {props.context}</span>
        </button>
      )}
      {editing && (
        <form id={base} class="secrecy-form" onSubmit={save} noValidate aria-label={`Sekretess, ${props.context}`}>
          <div class="form-row">
            <label for={`${base}-osl`}>Sekretess enligt</label>
            <select id={`${base}-osl`} ref={select} class="input" value={choice} onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
              {OSL_CHOICES.map((c) => (
                <option key={c.osl} value={c.osl}>
                  {c.osl} – {c.label}
                </option>
              ))}
              <option value={OTHER}>Annan (skriv själv)</option>
            </select>
          </div>
          {choice === OTHER && (
            <div class="form-row">
              <label for={`${base}-free`}>Bestämmelse</label>
              <input
                id={`${base}-free`}
                ref={freeRef}
                type="text"
                class="input"
                maxLength={200}
                placeholder="t.ex. 21 kap. 3 § OSL"
                aria-describedby={error ? `${base}-error` : undefined}
                aria-invalid={error ? 'true' : undefined}
                value={free}
                onInput={(e) => setFree((e.target as HTMLInputElement).value.replace(/[\r\n]+/g, ' '))}
              />
            </div>
          )}
          <div id={`${base}-error`} role="alert" class={error ? 'form-error' : 'banner-empty'}>
            {error}
          </div>
          <p class="secrecy-actions">
            <button type="submit" class="btn btn-small btn-primary">
              Spara
            </button>
            {osl && (
              <button type="button" class="btn btn-small" onClick={clear}>
                Ta bort<span class="visually-hidden"> markeringen</span>
              </button>
            )}
            <button type="button" class="btn btn-small btn-quiet" onClick={done}>
              Avbryt
            </button>
          </p>
        </form>
      )}
    </div>
  );
}
