// Removing something from the picture (an entry, a decision item) asks first: the "Ta bort" button opens a small
// confirmation that takes the focus; Escape or "Avbryt" closes it and gives the focus back to the button.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface Confirm {
  confirming: boolean;
  open: () => void;
  cancel: () => void;
  /** The "Ta bort" button (gets the focus back on cancel). */
  triggerRef: { current: HTMLButtonElement | null };
  confirmRef: { current: HTMLButtonElement | null };
}

export function useConfirm(): Confirm {
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const cancel = () => {
    setConfirming(false);
    setTimeout(() => triggerRef.current?.focus());
  };
  return { confirming, open: () => setConfirming(true), cancel, triggerRef, confirmRef };
}

/** The confirmation: `question`, then "Ja, ta bort" and "Avbryt". Shown only while confirming. */
export function ConfirmBox(props: { confirm: Confirm; label: string; question: string; onConfirm: () => void }) {
  const c = props.confirm;
  if (!c.confirming) return null;
  return (
    <div
      class="confirm"
      role="group"
      aria-label={props.label}
      onKeyDown={(e) => {
        if (e.key === 'Escape') c.cancel();
      }}
    >
      <p>{props.question}</p>
      <button type="button" class="btn btn-danger btn-small" ref={c.confirmRef} onClick={props.onConfirm}>
        Ja, ta bort
      </button>{' '}
      <button type="button" class="btn btn-small" onClick={c.cancel}>
        Avbryt
      </button>
    </div>
  );
}
