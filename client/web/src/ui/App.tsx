// Hash routes, so a meeting link can be shared: #/ (groups), #/g/<group>, #/m/<meeting>.
import { useEffect, useState } from 'preact/hooks';
import { StartPage } from './StartPage';
import { GroupPage } from './GroupPage';
import { MeetingRoute } from './MeetingRoute';

export type Route = { name: 'start' } | { name: 'group'; id: string } | { name: 'meeting'; id: string } | { name: 'unknown' };

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, '');
  if (h === '' || h === '/') return { name: 'start' };
  const m = /^\/(g|m)\/([a-z0-9_-]{1,64})\/?$/.exec(h);
  if (!m) return { name: 'unknown' };
  return m[1] === 'g' ? { name: 'group', id: m[2] } : { name: 'meeting', id: m[2] };
}

export const href = {
  start: () => '#/',
  group: (id: string) => `#/g/${id}`,
  meeting: (id: string) => `#/m/${id}`,
};

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  switch (route.name) {
    case 'start':
      return <StartPage />;
    case 'group':
      return <GroupPage key={route.id} groupId={route.id} />;
    case 'meeting':
      return <MeetingRoute key={route.id} meetingId={route.id} />;
    default:
      return <StartPage notFound />;
  }
}
