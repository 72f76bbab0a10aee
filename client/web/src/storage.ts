// What the browser remembers: who the user is (localStorage, across visits) and, per meeting, the
// client id and that they joined (sessionStorage: one tab, kept across reloads).
import type { Role } from './model/types';
import { ROLES } from './model/types';
import { newClientId } from './sync/session';

export interface SavedIdentity {
  name: string;
  org: string;
  role: Role;
}

const IDENTITY_KEY = 'est-live.identity';

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback; // storage can be switched off
  }
}

export function loadIdentity(): SavedIdentity | null {
  return safe(() => {
    const raw = localStorage.getItem(IDENTITY_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<SavedIdentity>;
    if (typeof v.name !== 'string' || typeof v.org !== 'string' || !ROLES.includes(v.role as Role)) return null;
    return { name: v.name, org: v.org, role: v.role as Role };
  }, null);
}

export function saveIdentity(id: SavedIdentity): void {
  safe(() => localStorage.setItem(IDENTITY_KEY, JSON.stringify(id)), undefined);
}

/**
 * What the server accepts as a client id: 16–64 characters of `a-z 0-9 - _` (fewer could be guessed). A stored
 * id that does not match is replaced by a new one. (Ids of older versions of this client, `c-` and 16 hex
 * digits, still match.)
 */
export const CLIENT_ID_PATTERN = /^[a-z0-9_-]{16,64}$/;

/** The stable client id for this tab and meeting (kept across reconnects and reloads). A secret: never shown. */
export function clientIdFor(meetingId: string): string {
  const key = `est-live.client.${meetingId}`;
  return safe(() => {
    let id = sessionStorage.getItem(key);
    if (!id || !CLIENT_ID_PATTERN.test(id)) {
      id = newClientId();
      sessionStorage.setItem(key, id);
    }
    return id;
  }, newClientId());
}

/** Forgets the client id (a duplicated tab that shares it with another). */
export function renewClientId(meetingId: string): string {
  const id = newClientId();
  safe(() => sessionStorage.setItem(`est-live.client.${meetingId}`, id), undefined);
  return id;
}

/** The identity this tab joined the meeting with, if it did. */
export function joinedAs(meetingId: string): SavedIdentity | null {
  return safe(() => {
    const raw = sessionStorage.getItem(`est-live.joined.${meetingId}`);
    return raw ? (JSON.parse(raw) as SavedIdentity) : null;
  }, null);
}

export function setJoined(meetingId: string, id: SavedIdentity | null): void {
  safe(() => {
    const key = `est-live.joined.${meetingId}`;
    if (id) sessionStorage.setItem(key, JSON.stringify(id));
    else sessionStorage.removeItem(key);
  }, undefined);
}
