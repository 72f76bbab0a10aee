// The frame of every page: skip link, banner with the way back, main landmark, footer.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

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
  skipTo?: string;
}) {
  useEffect(() => {
    document.title = props.title ? `${props.title} – EST Live` : 'EST Live';
  }, [props.title]);
  return (
    <>
      <a class="skip-link" href={`#${props.skipTo ?? 'main'}`} onClick={(e) => skipTo(e, props.skipTo ?? 'main')}>
        {props.skipTo ? 'Hoppa till lägesbilden' : 'Hoppa till innehållet'}
      </a>
      <header class="topbar">
        <div class="topbar-inner">
          <a class="brand" href="#/">
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
        </div>
      </header>
      <main id="main" tabIndex={-1} class={props.wide ? 'main main-wide' : 'main'}>
        {props.children}
      </main>
      <footer class="footer">
        <p>EST Live – effektiv samordning för trygghet. Lägesbilden sparas löpande.</p>
      </footer>
    </>
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

/** Focuses the page's heading when a page opens, so screen readers announce it. */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    // Only after navigation inside the app, not on first load (that would skip the skip link).
    if (navigated && ref.current) ref.current.focus();
    navigated = true;
  }, []);
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
