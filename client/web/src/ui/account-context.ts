// What every page knows about the signed-in person, from App.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from '../model/types';

export interface AccountState {
  /** The signed-in person; while `lost`, the person who was signed in (the page stays as it was). */
  me: Me | null;
  /** The session ended while a page was open: the page stays, and asks the person to sign in again. */
  lost: boolean;
  /** Opens the sign-in dialog again (after it was closed while the session is lost). */
  askSignIn(): void;
  /** Logga ut / Logga ut överallt from the top bar. */
  signOut(everywhere: boolean): Promise<void>;
}

export const AccountContext = createContext<AccountState>({
  me: null,
  lost: false,
  askSignIn: () => undefined,
  signOut: async () => undefined,
});

export function useAccount(): AccountState {
  return useContext(AccountContext);
}
