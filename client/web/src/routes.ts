// Hash routes, so a meeting link can be shared and an invitation link opened: the part after `#` never
// reaches a server log (docs/protocol.md, "Invitations and password resets").
//
//   #/                      the person's groups
//   #/g/<group>             a group: its meetings (and, for its chair, "Nytt möte" and invitations)
//   #/m/<meeting>           the live meeting
//   #/admin                 the administrator's page
//   #/kontrollera           check an exported picture (its digest, signatures and seal)
//   #/bra[?<filter>]        the BRÅ queue (the filter and sort order in the query: src/bra/queue.ts)
//   #/bra/<item>            one item of the queue (`<meeting>.<topic>.<item>`)
//   #/bra/rapport[?manad=YYYY-MM&grupp=<group>]   the monthly report to BRÅ and Länsstyrelsen
//   #/bra/importera[?grupp=<group>]               import open measures into the queue (CSV or JSON)
//   #/logga-in[?till=<route>]   sign in, then go to <route> (one of the routes above)
//   #/inbjudan/<token>      accept an invitation
//   #/aterstall/<token>     choose a new password

export type Route =
  | { name: 'start' }
  | { name: 'group'; id: string }
  | { name: 'meeting'; id: string }
  | { name: 'admin' }
  | { name: 'verify' }
  | { name: 'bra'; query: string }
  | { name: 'bra-item'; id: string }
  | { name: 'bra-report'; query: string }
  | { name: 'bra-import'; query: string }
  | { name: 'sign-in'; next: string | null }
  | { name: 'invitation'; token: string }
  | { name: 'reset'; token: string }
  | { name: 'unknown' };

const ID = '[a-z0-9_-]{1,64}';
/** Tokens are 43 characters of base64url; a mistyped one still opens the page, which then says it is invalid. */
const TOKEN = '[A-Za-z0-9_-]{1,200}';

export function parseRoute(hash: string): Route {
  let h = hash.replace(/^#/, '');
  let query = '';
  const q = h.indexOf('?');
  if (q >= 0) {
    query = h.slice(q + 1);
    h = h.slice(0, q);
  }
  if (h === '' || h === '/') return { name: 'start' };
  if (/^\/admin\/?$/.test(h)) return { name: 'admin' };
  if (/^\/kontrollera\/?$/.test(h)) return { name: 'verify' };
  if (/^\/bra\/?$/.test(h)) return { name: 'bra', query };
  if (/^\/bra\/rapport\/?$/.test(h)) return { name: 'bra-report', query };
  if (/^\/bra\/importera\/?$/.test(h)) return { name: 'bra-import', query };
  const item = new RegExp(`^/bra/(${ID}\\.${ID}\\.${ID})/?$`).exec(h);
  if (item) return { name: 'bra-item', id: item[1] };
  if (/^\/logga-in\/?$/.test(h)) return { name: 'sign-in', next: returnTarget(new URLSearchParams(query).get('till')) };
  let m = new RegExp(`^/(g|m)/(${ID})/?$`).exec(h);
  if (m) return m[1] === 'g' ? { name: 'group', id: m[2] } : { name: 'meeting', id: m[2] };
  m = new RegExp(`^/(inbjudan|aterstall)/(${TOKEN})/?$`).exec(h);
  if (m) return m[1] === 'inbjudan' ? { name: 'invitation', token: m[2] } : { name: 'reset', token: m[2] };
  return { name: 'unknown' };
}

/** Pages anyone may open without a session. */
export function isPublic(route: Route): boolean {
  return route.name === 'sign-in' || route.name === 'invitation' || route.name === 'reset';
}

/**
 * Where to go after signing in: a route of this app that needs a session (`/g/x`, `/m/x`, `/admin`, `/`),
 * else null. Anything else (another site, the sign-in page itself, an invitation) is refused.
 */
export function returnTarget(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const path = raw.replace(/^#/, '');
  if (!path.startsWith('/') || path.includes('?')) return null;
  const r = parseRoute(path);
  if (r.name === 'unknown' || isPublic(r)) return null;
  return path;
}

export const href = {
  start: () => '#/',
  group: (id: string) => `#/g/${id}`,
  meeting: (id: string) => `#/m/${id}`,
  admin: () => '#/admin',
  verify: () => '#/kontrollera',
  bra: (query = '') => (query ? `#/bra?${query}` : '#/bra'),
  braItem: (id: string) => `#/bra/${id}`,
  braReport: (query = '') => (query ? `#/bra/rapport?${query}` : '#/bra/rapport'),
  braImport: (query = '') => (query ? `#/bra/importera?${query}` : '#/bra/importera'),
  /** The sign-in page; after it, back to `next` (a route such as `/m/x`) when that is one to return to. */
  signIn: (next?: string | null) => {
    const target = returnTarget(next ?? null);
    return target && target !== '/' ? `#/logga-in?till=${encodeURIComponent(target)}` : '#/logga-in';
  },
};

/** The route part of the current address (`/m/x` for `#/m/x`), to come back to after signing in. */
export function currentTarget(hash: string): string {
  const h = hash.replace(/^#/, '');
  return h === '' ? '/' : h;
}
