// The app: asks the server who is signed in (GET /api/me), routes (see routes.ts), and keeps a page on
// screen when its session ends, asking the person to sign in again over it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { onAuth } from '../auth-events';
import type { Me } from '../model/types';
import { currentTarget, href, isPublic, parseRoute, type Route } from '../routes';
import { AccountContext, type AccountState } from './account-context';
import { AdminPage } from './AdminPage';
import { BraImportPage } from './BraImport';
import { BraItemPage, BraQueuePage } from './BraQueue';
import { BraReportPage } from './BraReport';
import { GroupPage } from './GroupPage';
import { InvitationPage } from './InvitationPage';
import { MeetingRoute } from './MeetingRoute';
import { ReauthDialog, SignInPage } from './SignIn';
import { ErrorBox, Loading, Shell } from './Shell';
import { StartPage } from './StartPage';
import { VerifyPage } from './VerifyPage';

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  /** undefined while asking the server; null without a session. */
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  /** The person who was signed in when the session ended: the page they were on stays, in their name. */
  const [lostMe, setLostMe] = useState<Me | null>(null);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [meError, setMeError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);

  const askMe = useCallback(() => {
    setMeError(null);
    api.me().then(
      (m) => setMe(m),
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setMe(null);
        else setMeError(e instanceof ApiError ? e.swedish : 'Servern gick inte att nå.');
      },
    );
  }, []);
  useEffect(askMe, [askMe]);

  // The listener below reads the current person without re-subscribing.
  const meRef = useRef(me);
  meRef.current = me;
  useEffect(
    () =>
      onAuth((e) => {
        if (e.kind === 'signed_out') {
          // Only a page that was signed in can lose its session; the first GET /api/me answering 401 is no loss.
          const current = meRef.current;
          if (!current) return;
          setLostMe(current);
          setDialogOpen(true);
          setMe(null);
        } else {
          setMe(e.me);
          if (e.kind === 'signed_in') {
            setLostMe(null);
            setDialogOpen(false);
            setNotice(null);
          }
        }
      }),
    [],
  );

  const account = useMemo<AccountState>(
    () => ({
      me: me ?? lostMe,
      lost: !me && !!lostMe,
      askSignIn: () => setDialogOpen(true),
      signOut: async (everywhere) => {
        let text: string | null = null;
        try {
          if (everywhere) {
            const r = await api.signOutEverywhere();
            text = `Du är utloggad överallt: ${r.ended} ${r.ended === 1 ? 'inloggning' : 'inloggningar'} avslutades.`;
          } else {
            await api.signOut();
            text = 'Du är utloggad.';
          }
        } catch (e) {
          // Signed out already (401): that is what was wanted.
          if (!(e instanceof ApiError && e.status === 401)) {
            setNotice(e instanceof ApiError ? e.swedish : 'Utloggningen gick inte att genomföra.');
            return;
          }
        }
        setLostMe(null);
        setDialogOpen(false);
        setMe(null);
        setNotice(text);
        location.hash = href.signIn();
      },
    }),
    [me, lostMe],
  );

  // Signed in and on the sign-in page: on to where the person was going.
  useEffect(() => {
    if (me && route.name === 'sign-in') location.replace(`#${route.next ?? '/'}`);
  }, [me, route]);
  // No session, on a page that needs one (and none was lost): to the sign-in page, and back here afterwards.
  const needsSignIn = me === null && !lostMe && !isPublic(route);
  useEffect(() => {
    if (needsSignIn) location.replace(href.signIn(currentTarget(location.hash)));
  }, [needsSignIn]);

  let page;
  if (route.name === 'sign-in') page = <SignInPage next={route.next} notice={notice} />;
  else if (route.name === 'invitation' || route.name === 'reset')
    page = <InvitationPage key={route.token} token={route.token} expected={route.name === 'invitation' ? 'invite' : 'reset'} />;
  else if (meError && me === undefined)
    page = (
      <Shell title="EST Live">
        <ErrorBox text={meError}>
          <p>
            <button type="button" class="btn" onClick={askMe}>
              Försök igen
            </button>
          </p>
        </ErrorBox>
      </Shell>
    );
  else if (me === undefined || needsSignIn)
    page = (
      <Shell title="EST Live">
        <Loading />
      </Shell>
    );
  else
    switch (route.name) {
      case 'start':
        page = <StartPage />;
        break;
      case 'group':
        page = <GroupPage key={route.id} groupId={route.id} />;
        break;
      case 'meeting':
        page = <MeetingRoute key={route.id} meetingId={route.id} />;
        break;
      case 'admin':
        page = <AdminPage />;
        break;
      case 'verify':
        page = <VerifyPage />;
        break;
      case 'bra':
        page = <BraQueuePage query={route.query} />;
        break;
      case 'bra-item':
        page = <BraItemPage key={route.id} itemId={route.id} />;
        break;
      case 'bra-report':
        page = <BraReportPage query={route.query} />;
        break;
      case 'bra-import':
        page = <BraImportPage query={route.query} />;
        break;
      default:
        page = <StartPage notFound />;
    }

  return (
    <AccountContext.Provider value={account}>
      {page}
      <ReauthDialog open={account.lost && dialogOpen} email={lostMe?.email ?? ''} onClose={() => setDialogOpen(false)} />
    </AccountContext.Provider>
  );
}
