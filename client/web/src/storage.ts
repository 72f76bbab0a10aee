// What the browser remembers: per meeting, the client id (sessionStorage: one tab, kept across reloads).
// Who the person is comes from their session on the server (GET /api/me), never from storage.
import { newClientId } from './sync/session';

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback; // storage can be switched off
  }
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
