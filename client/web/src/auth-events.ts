// Who is signed in, as the rest of the page hears about it: any API call that answers 401 (the session
// ended: signed out elsewhere, expired, account disabled) says so here, and so does a sign-in. The app
// listens and asks the person to sign in again without leaving the page; a live meeting listens and
// resumes its connection once they have.
import type { Me } from './model/types';

export type AuthEvent =
  /** A request answered 401: the session is gone. */
  | { kind: 'signed_out' }
  /** The person signed in (again): pages waiting for a session go on. */
  | { kind: 'signed_in'; me: Me }
  /** A fresh GET /api/me (a role may have changed): only what is shown changes. */
  | { kind: 'refreshed'; me: Me };
type Listener = (e: AuthEvent) => void;

const listeners = new Set<Listener>();

export function onAuth(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function emitAuth(e: AuthEvent): void {
  for (const fn of [...listeners]) fn(e);
}
