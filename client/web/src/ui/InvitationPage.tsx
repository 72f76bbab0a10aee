// #/inbjudan/<token> and #/aterstall/<token>: what the link is for (looked up on the server), then the
// person chooses a display name and password (or gives their existing password) and lands in the group;
// or, for a reset link, chooses a new password and signs in with it.
import type { Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import {
  PASSWORD_RULES,
  isPasswordCode,
  newPasswordProblem,
  passwordErrorText,
  passwordProblemField,
  swedishDay,
  throttledText,
} from '../access';
import { emitAuth } from '../auth-events';
import { swedishError } from '../errors';
import { ROLE_HINTS, ROLE_LABELS } from '../labels';
import type { InvitationInfo } from '../model/types';
import { href } from '../routes';
import { FormError, TextField } from './Form';
import { SignInForm } from './SignIn';
import { ErrorBox, Loading, Shell, useFocusOnMount } from './Shell';

const INVALID_LINK =
  'Länken fungerar inte: den är redan använd, har gått ut eller är felaktig. Be den som skickade den om en ny länk.';

export function InvitationPage(props: { token: string; expected: 'invite' | 'reset' }) {
  const [info, setInfo] = useState<InvitationInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const h1 = useFocusOnMount<HTMLHeadingElement>();

  useEffect(() => {
    api.lookupInvitation(props.token).then(setInfo, (e: unknown) =>
      setError(e instanceof ApiError ? (e.code === 'invalid_token' ? INVALID_LINK : e.swedish) : 'Länken gick inte att kontrollera.'),
    );
  }, [props.token]);

  const kind = info?.kind ?? props.expected;
  const title = kind === 'reset' ? 'Välj nytt lösenord' : info?.group ? `Inbjudan till ${info.group.name}` : 'Inbjudan till EST Live';
  return (
    <Shell title={kind === 'reset' ? 'Nytt lösenord' : 'Inbjudan'} narrow>
      <div class="auth-card panel">
        <h1 ref={h1} tabIndex={-1}>
          {title}
        </h1>
        {error && (
          <ErrorBox text={error}>
            <p>
              <a href={href.signIn()}>Till inloggningen</a>
            </p>
          </ErrorBox>
        )}
        {!error && !info && <Loading text="Kontrollerar länken…" />}
        {info && info.kind === 'invite' && <AcceptInvitation token={props.token} info={info} onInvalid={() => setError(INVALID_LINK)} />}
        {info && info.kind === 'reset' && <ChooseNewPassword token={props.token} info={info} onInvalid={() => setError(INVALID_LINK)} />}
      </div>
    </Shell>
  );
}

function InvitationFacts(props: { info: InvitationInfo }) {
  const { info } = props;
  return (
    <dl class="facts">
      {info.group && (
        <>
          <dt>EST-grupp</dt>
          <dd>{info.group.name}</dd>
        </>
      )}
      {info.role && (
        <>
          <dt>Roll</dt>
          <dd>
            {ROLE_LABELS[info.role] ?? info.role}
            <span class="facts-hint">{ROLE_HINTS[info.role]}</span>
          </dd>
        </>
      )}
      {info.org && (
        <>
          <dt>Organisation</dt>
          <dd>{info.org_name || info.org}</dd>
        </>
      )}
    </dl>
  );
}

function PasswordRules(props: { id: string }) {
  return (
    <div class="password-rules" id={props.id}>
      <p>Lösenordet ska ha:</p>
      <ul>
        {PASSWORD_RULES.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
    </div>
  );
}

type Errors = { name?: string; password?: string; repeat?: string; form?: string };

/** The e-mail address, for password managers (autocomplete="username"), read-only. */
function EmailField(props: { id: string; email: string }) {
  return (
    <div class="form-row">
      <label for={props.id}>E-postadress</label>
      <input id={props.id} type="email" name="username" autoComplete="username" value={props.email} readOnly aria-readonly="true" />
    </div>
  );
}

/** The rules, then a new password and its repetition, each with its error. */
function NewPasswordFields(props: {
  idPrefix: string;
  label: string;
  password: string;
  repeat: string;
  errors: Errors;
  passwordRef: Ref<HTMLInputElement>;
  repeatRef: Ref<HTMLInputElement>;
  onPassword: (v: string) => void;
  onRepeat: (v: string) => void;
  /** Typing in a field clears its error. */
  setErrors: (f: (e: Errors) => Errors) => void;
}) {
  const p = props.idPrefix;
  return (
    <>
      <PasswordRules id={`${p}-rules`} />
      <TextField
        id={`${p}-password`}
        label={props.label}
        type="password"
        autoComplete="new-password"
        required
        value={props.password}
        error={props.errors.password}
        describedByIds={[`${p}-rules`]}
        inputRef={props.passwordRef}
        onValue={(v) => {
          props.onPassword(v);
          props.setErrors((x) => ({ ...x, password: undefined }));
        }}
      />
      <TextField
        id={`${p}-repeat`}
        label="Upprepa lösenordet"
        type="password"
        autoComplete="new-password"
        required
        value={props.repeat}
        error={props.errors.repeat}
        inputRef={props.repeatRef}
        onValue={(v) => {
          props.onRepeat(v);
          props.setErrors((x) => ({ ...x, repeat: undefined }));
        }}
      />
    </>
  );
}

/** Checks a new password and its repetition before sending: the errors to show, or null. */
function checkNewPassword(password: string, repeat: string, email: string): Errors | null {
  const p = newPasswordProblem(password, repeat, email);
  return p ? { [passwordProblemField(p)]: passwordErrorText(p, password) } : null;
}

function AcceptInvitation(props: { token: string; info: InvitationInfo; onInvalid: () => void }) {
  const { info } = props;
  const existing = info.account_exists;
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const repeatRef = useRef<HTMLInputElement>(null);

  const show = (e: Errors) => {
    setErrors(e);
    if (e.name) nameRef.current?.focus();
    else if (e.password) passwordRef.current?.focus();
    else if (e.repeat) repeatRef.current?.focus();
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const n = name.trim();
    const found: Errors = {};
    if (!existing && !n) found.name = 'Skriv ditt namn, så som de andra i mötet ska se det.';
    if (existing) {
      if (!password) found.password = 'Skriv lösenordet till ditt konto.';
    } else Object.assign(found, checkNewPassword(password, repeat, info.email));
    if (found.name || found.password || found.repeat) return show(found);
    setBusy(true);
    setErrors({});
    try {
      const me = await api.acceptInvitation(props.token, password, existing ? undefined : n);
      emitAuth({ kind: 'signed_in', me });
      location.hash = info.group ? href.group(info.group.id) : href.start();
    } catch (err) {
      setBusy(false);
      if (!(err instanceof ApiError)) return show({ form: 'Inbjudan gick inte att ta emot. Försök igen.' });
      if (err.code === 'invalid_token') return props.onInvalid();
      if (isPasswordCode(err.code)) return show({ password: passwordErrorText(err.code, password) });
      if (err.code === 'invalid_credentials') return show({ password: `Fel lösenord för kontot ${info.email}.` });
      if (err.code === 'bad_message' && !existing)
        return show({ name: 'Namnet går inte att använda: skriv 1–100 tecken, utan radbrytningar eller styrtecken.' });
      if (err.code === 'throttled') return show({ form: throttledText(err.retryAfter) });
      show({ form: err.code === 'account_disabled' ? swedishError('account_disabled') : err.swedish });
    }
  };

  return (
    <>
      <p class="lead">
        {existing
          ? `Du har redan ett konto i EST Live. Skriv ditt lösenord för att gå med${info.group ? ` i ${info.group.name}` : ''}.`
          : `Du har blivit inbjuden till EST Live${info.group ? ` för att delta i ${info.group.name}` : ''}. Välj det namn de andra ska se och ett lösenord.`}
      </p>
      <InvitationFacts info={info} />
      <p class="hint">Länken gäller till {swedishDay(info.expires_at)} och kan bara användas en gång.</p>
      <form onSubmit={submit} noValidate>
        <FormError text={errors.form} />
        <EmailField id="invite-email" email={info.email} />
        {!existing && (
          <TextField
            id="invite-name"
            label="Ditt namn"
            inputRef={nameRef}
            type="text"
            autoComplete="name"
            maxLength={100}
            required
            value={name}
            error={errors.name}
            hint="Så som de andra i mötet ser dig, till exempel ”Anna Berg”."
            onValue={(v) => {
              setName(v);
              setErrors((x) => ({ ...x, name: undefined }));
            }}
          />
        )}
        {existing ? (
          <TextField
            id="invite-password"
            label="Lösenord"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            error={errors.password}
            inputRef={passwordRef}
            onValue={(v) => {
              setPassword(v);
              setErrors((x) => ({ ...x, password: undefined }));
            }}
          />
        ) : (
          <NewPasswordFields
            idPrefix="invite"
            label="Välj lösenord"
            password={password}
            repeat={repeat}
            errors={errors}
            passwordRef={passwordRef}
            repeatRef={repeatRef}
            onPassword={setPassword}
            onRepeat={setRepeat}
            setErrors={setErrors}
          />
        )}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Skickar…' : existing ? 'Gå med i gruppen' : 'Skapa konto och gå med'}
        </button>
      </form>
    </>
  );
}

function ChooseNewPassword(props: { token: string; info: InvitationInfo; onInvalid: () => void }) {
  const { info } = props;
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const repeatRef = useRef<HTMLInputElement>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  const show = (e: Errors) => {
    setErrors(e);
    if (e.password) passwordRef.current?.focus();
    else if (e.repeat) repeatRef.current?.focus();
  };

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    const problem = checkNewPassword(password, repeat, info.email);
    if (problem) return show(problem);
    setBusy(true);
    setErrors({});
    try {
      await api.resetPassword(props.token, password);
      setPassword('');
      setRepeat('');
      setDone(true);
    } catch (err) {
      setBusy(false);
      if (!(err instanceof ApiError)) return show({ form: 'Lösenordet gick inte att byta. Försök igen.' });
      if (err.code === 'invalid_token') return props.onInvalid();
      if (isPasswordCode(err.code)) return show({ password: passwordErrorText(err.code, password) });
      show({ form: err.swedish });
    }
  };

  if (done)
    return (
      <>
        <p class="notice-ok" role="status" tabIndex={-1} ref={doneRef}>
          Lösenordet är bytt. Alla tidigare inloggningar för kontot är avslutade. Logga in med det nya lösenordet.
        </p>
        <SignInForm idPrefix="after-reset" initialEmail={info.email} onSignedIn={() => (location.hash = href.start())} />
      </>
    );

  return (
    <>
      <p class="lead">Välj ett nytt lösenord för ditt konto i EST Live. Alla dina inloggningar avslutas när du byter.</p>
      <p class="hint">Länken gäller till {swedishDay(info.expires_at)} och kan bara användas en gång.</p>
      <form onSubmit={submit} noValidate>
        <FormError text={errors.form} />
        <EmailField id="reset-email" email={info.email} />
        <NewPasswordFields
          idPrefix="reset"
          label="Nytt lösenord"
          password={password}
          repeat={repeat}
          errors={errors}
          passwordRef={passwordRef}
          repeatRef={repeatRef}
          onPassword={setPassword}
          onRepeat={setRepeat}
          setErrors={setErrors}
        />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Sparar…' : 'Spara nytt lösenord'}
        </button>
      </form>
    </>
  );
}
