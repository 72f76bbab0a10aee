// One labelled form field with its hint and its error tied to it (aria-describedby, aria-invalid): the
// building block of the sign-in, invitation, password and administration forms.
import type { InputHTMLAttributes, Ref } from 'preact';

/** The ids an element points at with aria-describedby, skipping the absent ones. */
export function describedBy(...ids: (string | null | undefined | false)[]): string | undefined {
  const s = ids.filter(Boolean).join(' ');
  return s || undefined;
}

type InputAttributes = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onInput' | 'ref' | 'class'>;

export function TextField(
  props: {
    id: string;
    label: string;
    value: string;
    onValue: (v: string) => void;
    /** The field's own error (shown under it, `<id>-error`). */
    error?: string | null;
    /** A hint under the field (`<id>-hint`). */
    hint?: string;
    /** Other elements that describe the field: a form-level error, rules shown above. */
    describedByIds?: (string | null | undefined | false)[];
    /** Marks the field invalid without an error of its own (a form-level error speaks for it). */
    invalid?: boolean;
    inputRef?: Ref<HTMLInputElement>;
  } & InputAttributes,
) {
  const { id, label, value, onValue, error, hint, describedByIds, invalid, inputRef, ...attrs } = props;
  return (
    <div class="form-row">
      <label for={id}>{label}</label>
      <input
        {...attrs}
        id={id}
        ref={inputRef}
        value={value}
        aria-invalid={error || invalid ? 'true' : undefined}
        aria-describedby={describedBy(error && `${id}-error`, hint && `${id}-hint`, ...(describedByIds ?? []))}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)}
      />
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** A form's own error (not one field's), announced when it appears. */
export function FormError(props: { id?: string; text: string | null | undefined }) {
  if (!props.text) return null;
  return (
    <p id={props.id} class="form-error" role="alert">
      {props.text}
    </p>
  );
}

/** A choice of one of the person's groups, by name; `all` labels an extra first choice "" (every group). */
export function GroupSelect(props: {
  id: string;
  label?: string;
  value: string;
  onValue: (v: string) => void;
  groups: readonly { id: string; name: string }[];
  all?: string;
}) {
  return (
    <div class="form-row">
      <label for={props.id}>{props.label ?? 'Grupp'}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onValue((e.target as HTMLSelectElement).value)}>
        {props.all !== undefined && <option value="">{props.all}</option>}
        {props.groups.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
          </option>
        ))}
      </select>
    </div>
  );
}
