// The client id: a secret of 128 random bits from crypto.getRandomValues, kept per tab and meeting.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_ID_PATTERN, clientIdFor, renewClientId } from '../../src/storage';
import { newClientId } from '../../src/sync/session';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, String(v));
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
}

/** A crypto whose getRandomValues counts its calls and the bytes it filled (with real randomness). */
function countingCrypto() {
  const real = (globalThis as { crypto?: Crypto }).crypto;
  let filled = 0;
  return {
    get filled() {
      return filled;
    },
    crypto: {
      getRandomValues<T extends ArrayBufferView | null>(a: T): T {
        const bytes = new Uint8Array(a!.buffer, a!.byteOffset, a!.byteLength);
        if (real?.getRandomValues) real.getRandomValues(bytes);
        else for (let i = 0; i < bytes.length; ++i) bytes[i] = (i * 37 + filled) & 0xff; // Node 18 without webcrypto
        filled += bytes.length;
        return a;
      },
    },
  };
}

let store: MemoryStorage;
beforeEach(() => {
  store = new MemoryStorage();
  vi.stubGlobal('sessionStorage', store);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('newClientId', () => {
  it('makes 128 bits from crypto.getRandomValues into an id the server takes (16–64 of a-z 0-9 - _)', () => {
    const c = countingCrypto();
    vi.stubGlobal('crypto', c.crypto);
    const id = newClientId();
    expect(c.filled).toBeGreaterThanOrEqual(16);
    expect(id).toMatch(/^c-[0-9a-f]{32}$/);
    expect(id).toMatch(CLIENT_ID_PATTERN);
  });

  it('is different every time', () => {
    vi.stubGlobal('crypto', countingCrypto().crypto);
    const ids = new Set(Array.from({ length: 200 }, () => newClientId()));
    expect(ids.size).toBe(200);
  });

  it('refuses to make a secret without a cryptographic source', () => {
    vi.stubGlobal('crypto', undefined);
    expect(() => newClientId()).toThrow(/getRandomValues/);
  });
});

describe('clientIdFor', () => {
  beforeEach(() => {
    vi.stubGlobal('crypto', countingCrypto().crypto);
  });

  it('keeps one id per meeting across calls (reloads), and renews it on request', () => {
    const a = clientIdFor('m1');
    expect(a).toMatch(CLIENT_ID_PATTERN);
    expect(clientIdFor('m1')).toBe(a);
    expect(clientIdFor('m2')).not.toBe(a);
    const b = renewClientId('m1');
    expect(b).not.toBe(a);
    expect(clientIdFor('m1')).toBe(b);
  });

  it('keeps a stored id of 16 characters or more, and replaces a shorter one', () => {
    store.setItem('est-live.client.m1', 'c-0123456789abcdef'); // an older client's id (64 bits): still taken
    expect(clientIdFor('m1')).toBe('c-0123456789abcdef');
    store.setItem('est-live.client.m1', 'c-0123456789abcd'); // 16 characters: the least the server takes
    expect(clientIdFor('m1')).toBe('c-0123456789abcd');
    store.setItem('est-live.client.m1', 'c-0123456789abc'); // 15 characters: too short
    const id = clientIdFor('m1');
    expect(id).not.toBe('c-0123456789abc');
    expect(id).toMatch(/^c-[0-9a-f]{32}$/);
    expect(store.getItem('est-live.client.m1')).toBe(id);
  });

  it('replaces a stored id the server would not take', () => {
    for (const bad of ['C-UPPERCASE-0123456789', 'c-with space-0123456789', 'c-' + 'a'.repeat(63), '']) {
      store.setItem('est-live.client.m1', bad);
      expect(clientIdFor('m1')).toMatch(/^c-[0-9a-f]{32}$/);
    }
  });

  it('still gives an id when storage is switched off', () => {
    vi.stubGlobal('sessionStorage', {
      getItem() {
        throw new Error('denied');
      },
      setItem() {
        throw new Error('denied');
      },
    });
    expect(clientIdFor('m1')).toMatch(/^c-[0-9a-f]{32}$/);
  });
});
