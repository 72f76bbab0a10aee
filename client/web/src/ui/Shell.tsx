// The frame of every page: skip link, banner with the way back and who is signed in, main landmark, footer.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { roleIn } from '../access';
import { ROLE_LABELS } from '../labels';
import { href } from '../routes';
import { useAccount } from './account-context';

export interface Crumb {
  label: string;
  href?: string;
}

export function Shell(props: {
  title: string;
  crumbs?: Crumb[];
  headerExtra?: ComponentChildren;
  children: ComponentChildren;
  wide?: boolean;
  /** A narrow column (sign-in, invitation). */
  narrow?: boolean;
  skipTo?: string;
  /** The group the page is about: the top bar shows the person's role in it. */
  groupId?: string;
}) {
  const account = useAccount();
  useEffect(() => {
    document.title = props.title ? `${props.title} – EST Live` : 'EST Live';
  }, [props.title]);
  return (
    <>
      <a class="skip-link" href={`#${props.skipTo ?? 'main'}`} onClick={(e) => skipTo(e, props.skipTo ?? 'main')}>
        {props.skipTo ? 'Hoppa till lägesbilden' : 'Hoppa till innehållet'}
      </a>
      <header class={account.me ? 'topbar topbar-signed-in' : 'topbar'}>
        <div class="topbar-inner">
          <a class="brand" href={href.start()}>
            <span class="brand-mark" aria-hidden="true">
              EST
            </span>
            <span class="brand-name">EST Live</span>
          </a>
          {props.crumbs && props.crumbs.length > 0 && (
            <nav class="crumbs" aria-label="Du är här">
              <ol>
                {props.crumbs.map((c, i) => (
                  <li key={i}>
                    {c.href && i < props.crumbs!.length - 1 ? (
                      <a href={c.href}>{c.label}</a>
                    ) : (
                      <span aria-current={i === props.crumbs!.length - 1 ? 'page' : undefined}>{c.label}</span>
                    )}
                  </li>
                ))}
              </ol>
            </nav>
          )}
          <div class="topbar-extra">{props.headerExtra}</div>
          <UserMenu groupId={props.groupId} />
        </div>
      </header>
      <SignedOutBanner />
      <main id="main" tabIndex={-1} class={props.wide ? 'main main-wide' : props.narrow ? 'main main-narrow' : 'main'}>
        {props.children}
      </main>
      <footer class="footer">
        <p>EST Live – effektiv samordning för trygghet. Lägesbilden sparas löpande.</p>
      </footer>
    </>
  );
}

/**
 * Who is signed in (name, and role in the page's group), the administrator's link, and a menu with
 * Logga ut and Logga ut överallt. Nothing while nobody is signed in.
 */
function UserMenu(props: { groupId?: string }) {
  const account = useAccount();
  const me = account.me;
  const ref = useRef<HTMLDetailsElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // A click elsewhere closes the menu.
    const close = (e: Event) => {
      const d = ref.current;
      if (d?.open && !d.contains(e.target as Node)) d.open = false;
    };
    document.addEventListener('click', close);
    return () => document.removeEventListener('click', close);
  }, []);
  if (!me) return null;
  const here = props.groupId ? roleIn(me, props.groupId) : null;
  const signOut = async (everywhere: boolean) => {
    if (busy) return;
    setBusy(true);
    try {
      await account.signOut(everywhere);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="account">
      {me.memberships.length > 0 && (
        <a class="topbar-link" href={href.bra()} aria-current={/^#\/bra(\/|\?|$)/.test(location.hash) ? 'page' : undefined}>
          BRÅ-kö
        </a>
      )}
      {me.is_admin && (
        <a class="topbar-link" href={href.admin()} aria-current={location.hash.startsWith('#/admin') ? 'page' : undefined}>
          Administration
        </a>
      )}
      <details
        class="user-menu"
        ref={ref}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && ref.current?.open) {
            ref.current.open = false;
            ref.current.querySelector('summary')?.focus();
          }
        }}
      >
        <summary class="user-summary" data-testid="user-menu">
          <span class="visually-hidden">Inloggad som </span>
          <span class="user-name">{me.name}</span>
          {here && (
            <span class="user-role">
              <span class="visually-hidden">, </span>
              {ROLE_LABELS[here.role]}
            </span>
          )}
        </summary>
        <div class="user-panel">
          <p class="user-email">{me.email}</p>
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void signOut(false)}>
            Logga ut
          </button>
          <button type="button" class="btn btn-small" disabled={busy} aria-describedby="everywhere-hint" onClick={() => void signOut(true)}>
            Logga ut överallt
          </button>
          <p id="everywhere-hint" class="hint">
            Logga ut överallt avslutar alla dina inloggningar, även på andra datorer och telefoner.
          </p>
        </div>
      </details>
    </div>
  );
}

/** While the session is lost: the page stays as it was, and this says so (the dialog may have been closed). */
function SignedOutBanner() {
  const account = useAccount();
  if (!account.lost) return null;
  return (
    <div class="signed-out-banner" role="region" aria-label="Utloggad">
      <p>
        <strong>Du är utloggad.</strong> Det du har skrivit finns kvar på sidan och skickas när du har loggat in igen.
      </p>
      <button type="button" class="btn btn-primary btn-small" onClick={account.askSignIn}>
        Logga in igen
      </button>
    </div>
  );
}

/** Moves focus to the target (hash links would change the route). */
function skipTo(e: Event, id: string) {
  e.preventDefault();
  const el = document.getElementById(id);
  if (el) {
    if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
    el.focus();
    el.scrollIntoView({ block: 'start' });
  }
}

/**
 * Focuses the page's heading when a page opens, so screen readers announce it. `ready` is false while the
 * heading is not there yet (a meeting before its welcome): it is focused once it is.
 */
export function useFocusOnMount<T extends HTMLElement>(ready = true) {
  const ref = useRef<T>(null);
  const done = useRef(false);
  useEffect(() => {
    if (!ready || done.current) return;
    done.current = true;
    // Only after navigation inside the app, not on first load (that would skip the skip link).
    if (navigated && ref.current) ref.current.focus();
    navigated = true;
  }, [ready]);
  return ref;
}
let navigated = false;

export function Loading(props: { text?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {props.text ?? 'Hämtar…'}
    </p>
  );
}

export function ErrorBox(props: { text: string; children?: ComponentChildren }) {
  return (
    <div class="error-box" role="alert">
      <p>{props.text}</p>
      {props.children}
    </div>
  );
}
