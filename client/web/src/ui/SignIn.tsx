// Signing in: the form (used on the sign-in page, in the dialog that asks again when a session ends, and
// after choosing a new password), the sign-in page #/logga-in, and that dialog.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { signInErrorText, looksLikeEmail } from '../access';
import { emitAuth } from '../auth-events';
import type { Me } from '../model/types';
import { FormError, TextField } from './Form';
import { Shell, useFocusOnMount } from './Shell';

export function SignInForm(props: {
  /** Prefix for the element ids (a page can hold the form twice: the page and the dialog). */
  idPrefix: string;
  initialEmail?: string;
  submitLabel?: string;
  onSignedIn: (me: Me) => void;
}) {
  const p = props.idPrefix;
  const [email, setEmail] = useState(props.initialEmail ?? '');
  const [password, setPassword] = useState('');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const mail = email.trim();
    const eErr = mail === '' ? 'Skriv din e-postadress.' : looksLikeEmail(mail) ? null : 'Skriv en hel e-postadress, till exempel namn@kommun.se.';
    const pErr = password === '' ? 'Skriv ditt lösenord.' : null;
    setEmailError(eErr);
    setPasswordError(pErr);
    setFormError(null);
    if (eErr || pErr) {
      (eErr ? emailRef : passwordRef).current?.focus();
      return;
    }
    setBusy(true);
    try {
      const me = await api.signIn(mail, password);
      setPassword('');
      setBusy(false);
      emitAuth({ kind: 'signed_in', me });
      props.onSignedIn(me);
    } catch (err) {
      setBusy(false);
      const text =
        err instanceof ApiError ? signInErrorText(err) : 'Inloggningen gick inte att genomföra. Försök igen.';
      setFormError(text);
      if (err instanceof ApiError && (err.code === 'invalid_credentials' || err.status === 401)) {
        setPassword('');
        passwordRef.current?.focus();
      }
    }
  };

  const formErrorId = `${p}-error`;
  return (
    <form onSubmit={submit} noValidate class="sign-in-form">
      <FormError id={formErrorId} text={formError} />
      <TextField
        id={`${p}-email`}
        label="E-postadress"
        inputRef={emailRef}
        type="email"
        name="username"
        autoComplete="username"
        inputMode="email"
        spellcheck={false}
        autoCapitalize="none"
        required
        value={email}
        error={emailError}
        invalid={!!formError}
        describedByIds={[formError && formErrorId]}
        onValue={(v) => {
          setEmail(v);
          setEmailError(null);
        }}
      />
      <TextField
        id={`${p}-password`}
        label="Lösenord"
        inputRef={passwordRef}
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        error={passwordError}
        invalid={!!formError}
        describedByIds={[formError && formErrorId]}
        onValue={(v) => {
          setPassword(v);
          setPasswordError(null);
        }}
      />
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? 'Loggar in…' : props.submitLabel ?? 'Logga in'}
      </button>
    </form>
  );
}

/** #/logga-in: shown whenever there is no session; afterwards back to the page the person wanted. */
export function SignInPage(props: { next: string | null; notice?: string | null }) {
  const h1 = useFocusOnMount<HTMLHeadingElement>();
  return (
    <Shell title="Logga in" narrow>
      <div class="auth-card panel">
        <h1 ref={h1} tabIndex={-1}>
          Logga in
        </h1>
        <p class="lead">Logga in med din e-postadress och ditt lösenord för att se din EST-grupps möten.</p>
        {props.notice && (
          <p class="notice-ok" role="status">
            {props.notice}
          </p>
        )}
        <SignInForm
          idPrefix="sign-in"
          onSignedIn={() => {
            location.hash = props.next ? `#${props.next}` : '#/';
          }}
        />
        <div class="auth-help">
          <h2>Har du inget konto?</h2>
          <p>
            Du får ett konto genom en inbjudan från EST-gruppens ordförande eller en administratör. Öppna länken i
            inbjudan för att välja lösenord.
          </p>
          <h2>Glömt lösenordet?</h2>
          <p>Be en administratör om en länk för att välja ett nytt lösenord.</p>
        </div>
      </div>
    </Shell>
  );
}

function isTextField(el: Element | null): el is HTMLInputElement | HTMLTextAreaElement {
  return el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && /^(text|search|url|tel|password)$/.test(el.type));
}

/**
 * Back to the field the person was typing in, caret where it was. close() moves the focus back by itself, but
 * Chromium (156) then leaves the field's caret unset: it has the focus and takes no typed character until the
 * selection is set again.
 */
function restoreFocus(back: HTMLElement | null, at: [number, number] | null) {
  if (!back || !back.isConnected) return;
  if (document.activeElement !== back) back.focus();
  if (isTextField(back)) {
    const n = back.value.length;
    const [start, end] = at ?? [n, n];
    back.setSelectionRange(Math.min(start, n), Math.min(end, n));
  }
}

/**
 * The session ended while a page was open (signed out elsewhere, expired, disabled): a modal dialog with the
 * sign-in form, over the page as it was. Closing it leaves the page (and what was typed) as it is; the page's
 * banner opens it again.
 *
 * The dialog stays in the document and is opened and closed with showModal() and close(); the focus then goes
 * back to the field the person was in, caret and all (see restoreFocus).
 */
export function ReauthDialog(props: { open: boolean; email: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const caret = useRef<[number, number] | null>(null);
  // A fresh form each time it opens (no error or password left from the last time), and none while closed
  // (taken away only after close(), when the focus is back on the page).
  const [round, setRound] = useState(0);
  const [shown, setShown] = useState(false);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const d = ref.current;
    if (!d) return undefined;
    const onCancel = (e: Event) => {
      e.preventDefault();
      onClose.current();
    };
    d.addEventListener('cancel', onCancel);
    return () => d.removeEventListener('cancel', onCancel);
  }, []);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      // Where to come back to: the field the person was in; opened again from the banner, still that field.
      const active = document.activeElement as HTMLElement | null;
      if (isTextField(active) || !opener.current?.isConnected) opener.current = active;
      // (A field keeps its selection while it has no focus: it is where the person stopped typing.)
      const back = opener.current;
      caret.current = isTextField(back) ? [back.selectionStart ?? 0, back.selectionEnd ?? 0] : null;
      setRound((r) => r + 1);
      setShown(true);
      d.showModal();
    } else if (!props.open && d.open) {
      d.close();
      restoreFocus(opener.current, caret.current);
      setShown(false);
    }
  }, [props.open]);

  // The e-mail is filled in: the password is what to type (once the fresh form is there).
  useEffect(() => {
    if (props.open) ref.current?.querySelector<HTMLInputElement>('input[type="password"]')?.focus();
  }, [round]);

  return (
    <dialog ref={ref} class="reauth" aria-labelledby="reauth-h" aria-describedby="reauth-text">
      {shown && (
        <>
          <h2 id="reauth-h">Logga in igen</h2>
          <p id="reauth-text">
            Du har loggats ut – kanske med <em>Logga ut överallt</em>, för att inloggningen gick ut eller för att kontot
            stängdes av. Sidan ligger kvar som den var: det du har skrivit finns kvar och skickas när du har loggat in
            igen.
          </p>
          <SignInForm key={round} idPrefix="reauth" initialEmail={props.email} onSignedIn={() => undefined} />
          <p class="reauth-close">
            <button type="button" class="btn btn-quiet btn-small" onClick={props.onClose}>
              Inte nu
            </button>
          </p>
        </>
      )}
    </dialog>
  );
}
