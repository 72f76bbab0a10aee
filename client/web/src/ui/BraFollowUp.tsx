// What the BRÅ item page (BraQueue.tsx) and a meeting's *Uppföljning* (FollowUpSection.tsx) share: an item's status
// and flags in words, the follow-up form of the owner organisation (grön, gul, röd, klar; gul and röd need a note),
// the sending of one event at a time, and the Swedish sentence for a refusal of the queue's REST API.
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import {
  flagWords,
  followUpProblem,
  PROGRESS_HINTS,
  PROGRESS_LABELS,
  PROGRESSES,
  STATUS_LABELS,
  type BraEventBody,
  type BraItem,
  type Progress,
} from '../bra/queue';
import { describedBy } from './Form';

/** The Swedish sentence for a refusal of the queue's API (`fallback` when it is not one of its answers). */
export function braErrorText(e: unknown, fallback: string): string {
  if (!(e instanceof ApiError)) return fallback;
  if (e.code === 'not_found') return 'Punkten finns inte i BRÅ-kön, eller så ingår du inte i gruppen den kommer från.';
  if (e.code === 'forbidden') return 'Du har inte behörighet att göra det med den här punkten.';
  if (e.code === 'wrong_state') return 'Punkten är inte längre i det läget: någon har hunnit ändra den. Sidan visar hur den ser ut nu.';
  if (e.code === 'bad_message') return `Servern tog inte emot uppgifterna: ${e.message}`;
  if (e.code === 'rate_limited' || e.status === 429) return 'För många ändringar i BRÅ-kön på kort tid. Vänta en stund och försök igen.';
  return e.swedish;
}

export function StatusBadge(props: { item: BraItem }) {
  const i = props.item;
  return (
    <span class="bra-status-line">
      <span class={`badge bra-badge bra-${i.status}`} data-testid="bra-status">
        {STATUS_LABELS[i.status] ?? i.status}
      </span>
      {i.status === 'approved' && i.progress && (
        <span class={`bra-progress bra-progress-${i.progress}`} data-testid="bra-progress">
          <span class="bra-dot" aria-hidden="true" />
          {PROGRESS_LABELS[i.progress]}
        </span>
      )}
      {i.status === 'deferred' && i.deferred_to && <span class="cell-sub">till {i.deferred_to}</span>}
    </span>
  );
}

export function Flags(props: { item: BraItem }) {
  const words = flagWords(props.item);
  if (!words.length) return null;
  return (
    <span class="bra-flags">
      {words.map((w) => (
        <span key={w} class={`bra-flag bra-flag-${w === 'Försenad' ? 'overdue' : w === 'Inte uppdaterad' ? 'stale' : 'agenda'}`}>
          {w}
        </span>
      ))}
    </span>
  );
}

export function TextArea(props: { id: string; label: string; value: string; onValue: (v: string) => void; error?: string | null; hint?: string; maxLength?: number }) {
  return (
    <div class="form-row">
      <label for={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        rows={3}
        maxLength={props.maxLength ?? 4000}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.error && `${props.id}-error`, props.hint && `${props.id}-hint`)}
        onInput={(e) => props.onValue((e.target as HTMLTextAreaElement).value)}
      />
      {props.hint && (
        <p id={`${props.id}-hint`} class="hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={`${props.id}-error`} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** Sends one event; true when it was saved (the caller shows the outcome). */
export type Send = (body: BraEventBody, done: string) => Promise<boolean>;

/** A form's sending: `busy` while its event is under way, and `sending`, which sends one event at a time. */
export function useSending(send: Send): { busy: boolean; sending: Send } {
  const [busy, setBusy] = useState(false);
  const sending: Send = async (body, done) => {
    setBusy(true);
    try {
      return await send(body, done);
    } finally {
      setBusy(false);
    }
  };
  return { busy, sending };
}

/**
 * The owner organisation's report on an approved item: grön, gul, röd or klar, and a note (needed for gul and röd).
 * `idPrefix` keeps the ids apart when several items' forms are on one page; `context` names the item for screen
 * readers there.
 */
export function FollowUpForm(props: { item: BraItem; send: Send; idPrefix?: string; context?: string }) {
  const i = props.item;
  const id = props.idPrefix ?? 'fu';
  const [progress, setProgress] = useState<Progress | ''>('');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const { busy, sending } = useSending(props.send);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const p = followUpProblem(progress, text);
    setProblem(p);
    if (p || !progress) {
      document.getElementById(progress ? `${id}-text` : `${id}-green`)?.focus();
      return;
    }
    const t = text.trim();
    await sending({ kind: 'follow_up', version: i.version, progress, ...(t ? { text: t } : {}) }, `Uppföljningen är sparad: ${PROGRESS_LABELS[progress]}.`);
  };
  const needsText = progress === 'yellow' || progress === 'red';
  return (
    <form onSubmit={submit} noValidate class="bra-followup-form">
      <fieldset class="bra-choices bra-progress-choices" aria-describedby={describedBy(problem && !needsText && `${id}-error`)}>
        <legend>
          Läge{props.context && <span class="visually-hidden">, {props.context}</span>}
        </legend>
        {PROGRESSES.map((p) => (
          <div key={p} class="bra-choice">
            <input
              type="radio"
              id={`${id}-${p}`}
              name={`${id}-progress`}
              value={p}
              checked={progress === p}
              aria-describedby={`${id}-${p}-hint`}
              onChange={() => {
                setProgress(p);
                setProblem(null);
              }}
            />
            <label for={`${id}-${p}`} class={`bra-progress bra-progress-${p}`}>
              <span class="bra-dot" aria-hidden="true" />
              {PROGRESS_LABELS[p]}
            </label>
            <span id={`${id}-${p}-hint`} class="hint">
              {PROGRESS_HINTS[p]}
            </span>
          </div>
        ))}
      </fieldset>
      <TextArea
        id={`${id}-text`}
        label={needsText ? 'Kommentar (krävs för gul och röd)' : 'Kommentar (valfritt)'}
        value={text}
        onValue={(v) => {
          setText(v);
          if (v.trim()) setProblem(null);
        }}
        error={problem && needsText ? problem : null}
      />
      {problem && !needsText && (
        <p id={`${id}-error`} class="field-error">
          {problem}
        </p>
      )}
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? 'Sparar…' : 'Spara uppföljning'}
      </button>
    </form>
  );
}

/** The follow-up form as a panel of its own (the item page). */
export function FollowUpPanel(props: { item: BraItem; send: Send }) {
  return (
    <section aria-labelledby="fu-h" class="panel bra-form">
      <h2 id="fu-h">Uppföljning</h2>
      <p class="hint">Din organisation ansvarar för punkten. Rapportera hur arbetet går; gul och röd behöver en kommentar.</p>
      <FollowUpForm item={props.item} send={props.send} />
    </section>
  );
}
