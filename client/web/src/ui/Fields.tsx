// The fields of the picture: editable ones (own cells, the chair's topic fields) and read-only ones
// that follow someone else's typing live.
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { findPersonalNumbers, type PersonalNumberMatch } from '../model/personal-number';
import { personalNumberId } from '../model/privacy';
import type { FieldDef, FieldRef, Participant } from '../model/types';
import { fieldKey } from '../model/types';
import { transformSelection } from '../ot/caret';
import { TextOperation } from '../ot/text-operation';
import type { MeetingSession } from '../sync/session';
import { colourFor } from '../labels';

export function domId(target: FieldRef): string {
  return 'f-' + fieldKey(target).replace(/[^a-z0-9_-]/g, '-');
}

/** Re-renders when presence changes; returns who else is in the field. */
export function useFocusers(session: MeetingSession, target: FieldRef): Participant[] {
  const [, force] = useReducer((x: number) => x + 1, 0);
  useEffect(() => session.on('presence', () => force(0)), [session]);
  return session.focusedBy(target);
}

function WhoTags(props: { people: Participant[] }) {
  if (props.people.length === 0) return null;
  return (
    <span class="who-tags">
      {props.people.map((p) => (
        <span key={p.session} class="who-tag" style={{ background: colourFor(p.name + '|' + p.org) }}>
          <span aria-hidden="true">✎ </span>
          {p.name}
          <span class="visually-hidden"> skriver här</span>
        </span>
      ))}
    </span>
  );
}

/** An editable field's frame: its label (with the context for screen readers) and who else is in it. */
function EditableShell(props: { id: string; label: string; context: string; people: Participant[]; children: ComponentChildren }) {
  return (
    <div class={props.people.length ? 'field field-others' : 'field'}>
      <div class="field-label-row">
        <label for={props.id}>
          {props.label}
          <span class="visually-hidden">, {props.context}</span>
        </label>
        <WhoTags people={props.people} />
      </div>
      {props.children}
    </div>
  );
}

function autosize(el: HTMLTextAreaElement | HTMLInputElement) {
  if (el instanceof HTMLTextAreaElement) {
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + 2}px`;
  }
}

/** Applies a change of the visible text to the element, keeping the caret and selection on their text. */
export function applyRemote(el: HTMLTextAreaElement | HTMLInputElement, next: string, op: TextOperation | null) {
  const prev = el.value;
  if (prev === next) return;
  const focused = document.activeElement === el;
  let sel: ReturnType<typeof transformSelection> | null = null;
  if (focused && el.selectionStart !== null && el.selectionEnd !== null) {
    let effective = op;
    try {
      if (!effective || effective.apply(prev) !== next) effective = TextOperation.diff(prev, next);
    } catch {
      effective = TextOperation.diff(prev, next);
    }
    sel = transformSelection(effective, {
      start: el.selectionStart,
      end: el.selectionEnd,
      direction: (el.selectionDirection as 'forward' | 'backward' | 'none' | null) ?? 'none',
    });
  }
  const scroll = el.scrollTop;
  el.value = next;
  if (sel) el.setSelectionRange(sel.start, sel.end, sel.direction);
  autosize(el);
  el.scrollTop = scroll;
}

export interface FieldProps {
  session: MeetingSession;
  target: FieldRef;
  def: FieldDef;
  /** Visible label and extra words for screen readers (which topic, which entry). */
  label: string;
  context: string;
  multiline?: boolean;
  autoFocus?: boolean;
}

/** A number found in a field's text, with the server's word on it: flagged for everyone, acknowledged by the chair. */
interface FoundNumber extends PersonalNumberMatch {
  digits: string;
  /** The server flagged it in this field (absent: not saved yet, or the server does not flag it). */
  flagged: boolean;
  /** "Maria Lind: Behövs för uppföljningen" once the chair acknowledged it. */
  ack: { by: string; reason: string } | null;
}

/**
 * Text that looks like a Swedish personal identity number (src/model/personal-number.ts): said under the field, to
 * everyone who sees it, while it is there, naming each number (the field shows its digits anyway) and what the
 * server says of it: flagged for everyone and waiting, or acknowledged by the chair. EST describes places and
 * situations, not people.
 */
function PersonalNumberWarning(props: { id: string; found: readonly FoundNumber[] }) {
  if (props.found.length === 0) return null;
  const what = props.found.every((f) => f.kind === 'samordningsnummer') ? 'ett samordningsnummer' : 'ett personnummer';
  const done = props.found.every((f) => f.ack);
  return (
    <span id={props.id} class={done ? 'pn-warning pn-done' : 'pn-warning'} role="status" data-testid="pn-warning">
      <span>
        Texten ser ut att innehålla {what}. Skriv inte personuppgifter i lägesbilden – beskriv platsen eller händelsen.
      </span>
      {props.found.map((f) => (
        <span key={`${f.begin}`} class="pn-number" data-testid="pn-number" data-state={f.ack ? 'acknowledged' : f.flagged ? 'open' : 'unsaved'}>
          <mark class="pn-mark">{f.digits}</mark>{' '}
          {f.ack
            ? `– godkänt av ${f.ack.by}: ${f.ack.reason}`
            : f.flagged
              ? '– flaggat för alla i mötet, inte hanterat (se Personuppgifter).'
              : '– sparas och kontrolleras…'}
        </span>
      ))}
    </span>
  );
}

/** The numbers in `text` (found once per change of the text: each keystroke passes here), with the server's flags. */
function usePersonalNumbers(session: MeetingSession, target: FieldRef, text: string): FoundNumber[] {
  const found = useMemo(() => findPersonalNumbers(text).map((m) => ({ ...m, id: personalNumberId(text, m) })), [text]);
  const review = session.replica.privacyReview();
  const flagged = review.field(target);
  return found.map((m) => {
    const ack = review.acknowledgement(target, m.id);
    return {
      begin: m.begin,
      end: m.end,
      kind: m.kind,
      digits: text.slice(m.begin, m.end),
      flagged: flagged.some((n) => n.number === m.id),
      ack: ack ? { by: ack.by, reason: ack.reason } : null,
    };
  });
}

/** The text with each number found in it marked (a read-only field). */
function MarkedText(props: { text: string; found: readonly FoundNumber[] }) {
  const parts: ComponentChildren[] = [];
  let at = 0;
  for (const f of props.found) {
    parts.push(props.text.slice(at, f.begin));
    parts.push(
      <mark key={f.begin} class={f.ack ? 'pn-mark pn-mark-done' : 'pn-mark'}>
        {props.text.slice(f.begin, f.end)}
      </mark>,
    );
    at = f.end;
  }
  parts.push(props.text.slice(at));
  return <span class="ro-text">{parts}</span>;
}

export function EditableText(props: FieldProps) {
  const { session, target } = props;
  const key = fieldKey(target);
  const ref = useRef<HTMLTextAreaElement>(null);
  const people = useFocusers(session, target);
  const found = usePersonalNumbers(session, target, useLiveText(session, target));

  useLayoutEffect(() => {
    const el = ref.current!;
    el.value = session.text(target);
    autosize(el);
    if (props.autoFocus) {
      el.focus();
      el.scrollIntoView({ block: 'nearest' });
    }
    return session.onText(key, (op) => applyRemote(el, session.text(target), op));
  }, [session, key]);

  const onInput = () => {
    const el = ref.current!;
    const shown = session.editText(target, el.value, el.selectionEnd ?? undefined);
    if (shown.value !== el.value) {
      // Characters the server refuses (pasted control or bidi characters) were dropped: show what is kept.
      el.value = shown.value;
      if (shown.caret !== undefined) el.setSelectionRange(shown.caret, shown.caret);
    }
    autosize(el);
  };
  const id = domId(target);
  const common = {
    id,
    ref,
    'data-field': key,
    maxLength: props.def.max_length,
    onInput,
    onFocus: () => session.focus(target),
    onBlur: () => session.blur(),
    spellcheck: true,
    lang: 'sv',
    'aria-describedby': found.length > 0 ? `${domId(target)}-pn` : undefined,
    'data-flagged': found.some((f) => !f.ack) ? 'true' : undefined,
    style: people.length ? { outlineColor: colourFor(people[0].name + '|' + people[0].org) } : undefined,
  };
  return (
    <EditableShell id={id} label={props.label} context={props.context} people={people}>
      {/* Textareas throughout: long places and times wrap instead of hiding behind the edge. */}
      <textarea
        rows={props.multiline ? 2 : 1}
        {...common}
        class={`${props.multiline ? 'input' : 'input input-short'}${found.some((f) => !f.ack) ? ' input-flagged' : ''}`}
      />
      <PersonalNumberWarning id={`${id}-pn`} found={found} />
    </EditableShell>
  );
}

/** A choice among `options` (the field's own choices by default; a decision item's owner: the group's organisations). */
export function EditableChoice(props: FieldProps & { options?: { value: string; label: string }[] }) {
  const { session, target, def } = props;
  const options = props.options ?? (def.choices ?? []).map((c) => ({ value: c, label: capitalise(c) }));
  const people = useFocusers(session, target);
  const id = domId(target);
  const value = session.replica.visibleChoice(target);
  return (
    <EditableShell id={id} label={props.label} context={props.context} people={people}>
      <select
        id={id}
        class="input"
        data-field={fieldKey(target)}
        value={value}
        onChange={(e) => session.setChoice(target, (e.target as HTMLSelectElement).value)}
        onFocus={() => session.focus(target)}
        onBlur={() => session.blur()}
      >
        <option value="">– Inte angiven –</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </EditableShell>
  );
}

/**
 * A date register (a decision item's "klart senast"): the browser's date input, which hands over only whole days
 * (YYYY-MM-DD) or "" — what the server takes. It is set when a whole day is chosen, not on every key.
 */
export function EditableDate(props: FieldProps) {
  const { session, target } = props;
  const people = useFocusers(session, target);
  const id = domId(target);
  const value = session.replica.visibleChoice(target);
  return (
    <EditableShell id={id} label={props.label} context={props.context} people={people}>
      <input
        type="date"
        id={id}
        class="input input-date"
        data-field={fieldKey(target)}
        value={value}
        onChange={(e) => {
          const v = (e.target as HTMLInputElement).value;
          if (v !== session.replica.visibleChoice(target)) session.setChoice(target, v);
        }}
        onFocus={() => session.focus(target)}
        onBlur={() => session.blur()}
      />
    </EditableShell>
  );
}

/** Someone else's text: follows their typing live. */
export function useLiveText(session: MeetingSession, target: FieldRef): string {
  const key = fieldKey(target);
  const [text, setText] = useState(() => session.text(target));
  useEffect(() => {
    setText(session.text(target));
    return session.onText(key, () => setText(session.text(target)));
  }, [session, key]);
  return text;
}

export function ReadOnlyText(props: FieldProps & { empty?: string; inline?: boolean }) {
  const text = useLiveText(props.session, props.target);
  const found = usePersonalNumbers(props.session, props.target, text);
  const people = useFocusers(props.session, props.target);
  return (
    <ReadOnlyShell label={props.label} people={people} fieldKey={fieldKey(props.target)} inline={props.inline}>
      {text ? <MarkedText text={text} found={found} /> : <span class="ro-empty">{props.empty ?? '–'}</span>}
      <PersonalNumberWarning id={`${domId(props.target)}-pn`} found={found} />
    </ReadOnlyShell>
  );
}

export function ReadOnlyChoice(props: FieldProps & { badge?: boolean; display?: (value: string) => string; inline?: boolean }) {
  const value = props.session.replica.visibleChoice(props.target);
  const shown = props.display ? props.display(value) : capitalise(value);
  const people = useFocusers(props.session, props.target);
  return (
    <ReadOnlyShell label={props.label} people={people} fieldKey={fieldKey(props.target)} inline={props.inline ?? true}>
      {value ? (
        <span class={props.badge ? `badge badge-${slug(value)}` : 'ro-text'}>{shown}</span>
      ) : (
        <span class="ro-empty">Inte angiven</span>
      )}
    </ReadOnlyShell>
  );
}

function ReadOnlyShell(props: { label: string; people: Participant[]; fieldKey: string; inline?: boolean; children: ComponentChildren }) {
  return (
    <div
      class={`ro-field${props.inline ? ' ro-inline' : ''}${props.people.length ? ' field-others' : ''}`}
      data-field={props.fieldKey}
      style={props.people.length ? { outlineColor: colourFor(props.people[0].name + '|' + props.people[0].org) } : undefined}
    >
      <span class="ro-label">
        {props.label}
        <WhoTags people={props.people} />
      </span>
      <span class="ro-value">{props.children}</span>
    </div>
  );
}

export function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[åä]/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/[^a-z0-9]+/g, '-');
}
