// Test harness for the browser tests: a real est-server on a free port with a fresh database, in accounts mode
// (the first administrator made with `est-server admin create-user`, everyone else invited through the API),
// and Debian's Chromium driven by playwright-core (no browser download, nothing leaves this machine).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { slugify } from '../../src/access';

const here = path.dirname(fileURLToPath(import.meta.url));
export const webDir = path.resolve(here, '../..');
export const repoDir = path.resolve(webDir, '../..');

export const serverBin = path.resolve(webDir, process.env.EST_SERVER_BIN ?? '../../build/server/est-server');
export const artifactsDir = path.resolve(process.env.EST_ARTIFACTS_DIR ?? path.join(repoDir, 'build/e2e-artifacts'));

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** The server's data folder (its SQLite database): `est-server admin` works on it too. */
  dataDir: string;
  /** Stops the server (SIGTERM) and starts it again on the same port with the same database. */
  restart(opts?: { downWhile?: () => Promise<void> }): Promise<void>;
  stop(): Promise<void>;
}

interface Spawned {
  url: string;
  proc: ChildProcess;
  exited: Promise<void>;
}

/** Starts est-server on a free port and waits for its `listening on` line. */
export async function startServer(extraArgs: string[] = []): Promise<RunningServer> {
  if (!existsSync(serverBin)) throw new Error(`est-server not found at ${serverBin}: build it or set EST_SERVER_BIN`);
  const dist = path.join(webDir, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error('client/web/dist is missing: run `npm run build` first');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'est-web-e2e-'));
  // The first administrator, on the server's machine, before the server starts: a running server reads the
  // accounts once, at start, and does not see one made by another process afterwards.
  await createAdminAccount(dataDir);
  let current = await spawnServer(dataDir, 0, dist, extraArgs);
  const port = Number(new URL(current.url).port);
  const stopCurrent = async () => {
    if (current.proc.exitCode === null && current.proc.signalCode === null) {
      current.proc.kill('SIGTERM');
      await current.exited;
    }
  };
  const server: RunningServer = {
    url: current.url,
    port,
    process: current.proc,
    dataDir,
    async restart(opts) {
      await stopCurrent();
      await opts?.downWhile?.();
      current = await spawnServer(dataDir, port, dist, extraArgs);
      server.process = current.proc;
    },
    async stop() {
      await stopCurrent();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

async function spawnServer(dataDir: string, port: number, dist: string, extraArgs: string[]): Promise<Spawned> {
  const args = [
    '--port', String(port),
    '--data', dataDir,
    '--template', path.join(repoDir, 'templates/est-biweekly.json'),
    '--web-root', dist,
    '--demo', path.join(repoDir, 'server/demo/fagersta.json'),
    '--threads', '1',
    ...extraArgs,
  ];
  const proc = spawn(serverBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20000) stderr = stderr.slice(-20000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`est-server exited (${code}) before listening:\n${stderr}`)));
    proc.once('error', reject);
  });
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  return { url, proc, exited };
}

export async function launchBrowser(): Promise<Browser> {
  const args = [
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.unshift('--no-sandbox');
  return chromium.launch({
    executablePath: process.env.EST_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args,
  });
}

export type Role = 'participant' | 'chair' | 'cosigner' | 'bra_member' | 'admin';

export async function newContext(
  browser: Browser,
  width = 1400,
  height = 1000,
  options: ContextOptions = {},
): Promise<BrowserContext> {
  const { topicView = 'all', ...rest } = options;
  const ctx = await browser.newContext({ viewport: { width, height }, locale: 'sv-SE', timezoneId: 'Europe/Stockholm', reducedMotion: 'reduce', ...rest });
  // The meeting shows one topic at a time unless told otherwise; tests written for the whole picture on one page
  // (most of them) see every topic, those about the topic bar ask for 'one'.
  if (topicView === 'all') await ctx.addInitScript(() => localStorage.setItem('est-live.topic-view', 'all'));
  return ctx;
}

export interface ContextOptions {
  bypassCSP?: boolean;
  /** The meeting's view: every topic on the page (default here) or one at a time (the app's default). */
  topicView?: 'one' | 'all';
}

// ---- accounts ----

/** The password of every account the tests make (long, and on no list of common passwords). */
export const PASSWORD = 'lingon och blåbär i Fagersta';

/** The first administrator, made on the server's machine: `est-server admin create-user … --admin`, password on stdin. */
export const ADMIN = { email: 'admin@est.test', name: 'Alva Admin', password: PASSWORD };

export async function createAdminAccount(dataDir: string, who = ADMIN): Promise<void> {
  const proc = spawn(serverBin, ['admin', 'create-user', '--email', who.email, '--name', who.name, '--admin', '--data', dataDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stdin!.end(`${who.password}\n`);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`est-server admin create-user exited ${code}: ${out}`);
}

export interface ApiAnswer {
  status: number;
  json: unknown;
  headers: Headers;
}

/** The session token from a Set-Cookie header, if the answer set one. */
function sessionFrom(res: Response): string | null {
  const all = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [res.headers.get('set-cookie') ?? ''];
  for (const c of all) {
    const m = /(?:^|[\s,])(?:__Host-)?est_session=([^;]*)/.exec(c);
    if (m) return m[1] || null;
  }
  return null;
}

/** The REST API as one person (their session cookie), from Node: what a test does without a browser. */
export class ApiClient {
  session: string | null = null;
  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const headers: Record<string, string> = {};
    if (method !== 'GET' && method !== 'HEAD') headers['Content-Type'] = 'application/json';
    if (this.session) headers.Cookie = `est_session=${this.session}`;
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = sessionFrom(res);
    if (set !== null || /est_session=;|Max-Age=0/.test(res.headers.get('set-cookie') ?? '')) this.session = set;
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  }

  /** Like call, but throws unless the status is `expect`. */
  async ok<T>(method: string, path: string, body?: unknown, expect = [200, 201, 204]): Promise<T> {
    const a = await this.call(method, path, body);
    if (!expect.includes(a.status)) throw new Error(`${method} ${path}: ${a.status} ${JSON.stringify(a.json)}`);
    return a.json as T;
  }

  async signIn(email: string, password: string): Promise<this> {
    await this.ok('POST', '/api/session', { email, password });
    if (!this.session) throw new Error(`signing in as ${email}: no session cookie`);
    return this;
  }
}

export interface Person {
  email: string;
  name: string;
  password: string;
  role: Role;
  org: string;
  group: string;
  /** Signed in through the API (its own session). */
  api: ApiClient;
}

/** The token of an invitation or reset link (`/#/inbjudan/<token>`). */
export function tokenOf(link: string): string {
  const m = /#\/(?:inbjudan|aterstall)\/([A-Za-z0-9_-]+)/.exec(link);
  if (!m) throw new Error(`not an invitation link: ${link}`);
  return m[1];
}

let people = 0;

/** An e-mail address no other test uses: `anna-berg-7@est.test`. */
export function uniqueEmail(name: string): string {
  const slug = slugify(name).slice(0, 30).replace(/-+$/, '');
  return `${slug || 'person'}-${++people}@est.test`;
}

/** Invites a person (as `inviter`) and accepts the invitation through the API: they are signed in. */
export async function invitePerson(
  inviter: ApiClient,
  who: { name: string; role?: Role; org?: string; group?: string; email?: string; password?: string },
): Promise<Person> {
  const role = who.role ?? 'participant';
  const group = who.group ?? 'fagersta';
  const email = who.email ?? uniqueEmail(who.name);
  const password = who.password ?? PASSWORD;
  const org = who.org ?? '';
  const issued = await inviter.ok<{ link: string }>(
    'POST',
    `/api/groups/${group}/invitations`,
    org ? { email, role, org } : { email, role },
  );
  const api = new ApiClient(inviter.base);
  await api.ok('POST', '/api/invitations/accept', { token: tokenOf(issued.link), password, name: who.name });
  if (!api.session) throw new Error(`accepting the invitation of ${email}: no session cookie`);
  return { email, name: who.name, password, role, org, group, api };
}

/** A browser context signed in as the person: a session of its own (signed in anew), as its cookie. */
export async function signedInContext(
  browser: Browser,
  base: string,
  person: { email: string; password: string },
  width = 1400,
  height = 1000,
  options: ContextOptions = {},
): Promise<BrowserContext> {
  const api = await new ApiClient(base).signIn(person.email, person.password);
  const ctx = await newContext(browser, width, height, options);
  await ctx.addCookies([{ name: 'est_session', value: api.session!, url: base, httpOnly: true, sameSite: 'Strict' }]);
  return ctx;
}

/** Opens the meeting link and waits for the live picture. */
export async function openMeeting(page: Page, base: string, meetingId: string): Promise<void> {
  await page.goto(`${base}/#/m/${meetingId}`);
  await waitLive(page);
}

/** Waits until the page is connected and has nothing unacknowledged. */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="sync"][data-status="live"][data-pending="0"]').waitFor();
}

/**
 * Creates a meeting as the group's chair and opens it (a new meeting is a draft the chair opens), so the tests find
 * it under way; `{ draft: true }` leaves it a draft.
 */
export async function createMeeting(chair: ApiClient, title?: string, group = 'fagersta', options: { draft?: boolean } = {}): Promise<string> {
  const id = (await chair.ok<{ id: string }>('POST', `/api/groups/${group}/meetings`, title ? { title } : {})).id;
  if (!options.draft) await chair.ok('POST', `/api/meetings/${id}/lifecycle`, { action: 'open' });
  return id;
}

/** The field element of an entry field, by data-field key. */
export function field(page: Page, key: string) {
  return page.locator(`[data-field="${key}"]`);
}

/** Shows the topic (its tab in the topic bar; with every topic on the page, scrolls to it). */
export async function showTopic(page: Page, topic: string): Promise<void> {
  await page.locator(`[data-tab="${topic}"]`).click();
  await page.locator(`section[data-topic="${topic}"]`).waitFor();
}

/** Adds an entry in the own cell of `topic`; returns the new entry id. */
export async function addEntry(page: Page, topic: string, org: string): Promise<string> {
  await showTopic(page, topic);
  const cell = page.locator(`[data-cell="${topic}/${org}"]`);
  const before = await cell.locator('[data-entry]').evaluateAll((els) => els.map((e) => e.getAttribute('data-entry')));
  await page.locator(`[data-add="${topic}/${org}"]`).click();
  await waitLive(page);
  const after = await cell.locator('[data-entry]').evaluateAll((els) => els.map((e) => e.getAttribute('data-entry')));
  const id = after.find((x) => !before.includes(x));
  if (!id) throw new Error('no new entry appeared');
  return id;
}

export function ensureArtifactsDir(): string {
  mkdirSync(artifactsDir, { recursive: true });
  return artifactsDir;
}

/** The meeting's sign-off panel while the meeting is in phase `p` (draft, open, locked, signed, closed). */
export function phase(page: Page, p: string) {
  return page.locator(`[data-testid="signoff"][data-phase="${p}"]`);
}

/** Saves a screenshot of the page as `<name>.png` in the artifacts folder. */
export async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: path.join(ensureArtifactsDir(), `${name}.png`), fullPage });
}

export function axeSource(): string {
  return readFileSync(path.join(webDir, 'node_modules/axe-core/axe.min.js'), 'utf8');
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }[];
  passes: unknown[];
}

/**
 * Runs axe-core (WCAG 2.1 A/AA) on the page; returns the serious and critical violations (`bad`) and all of them
 * (`all`, minor and moderate too), described. A page
 * whose Content-Security-Policy forbids inline scripts needs a context made with `bypassCSP`.
 */
export async function axe(page: Page): Promise<{ bad: string[]; all: string[]; passes: number }> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource() });
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<unknown> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    }),
  )) as AxeResult;
  if (process.env.EST_AXE_VERBOSE)
    console.log(result.violations.map((v) => `${v.impact} ${v.id} ${v.nodes.length}`).join('\n'), result.passes.length);
  const describe = (v: AxeResult['violations'][number]) =>
    `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`;
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map(describe);
  return { bad, all: result.violations.map(describe), passes: result.passes.length };
}

/** What a test file shares: one server, one browser, the administrator and a chair, and the contexts its tests open. */
export interface Suite {
  server: RunningServer;
  browser: Browser;
  contexts: BrowserContext[];
  /** The first administrator, signed in through the API. */
  admin: ApiClient;
  /** The chair of the demo group (fagersta), signed in through the API. */
  chair: Person;
  /** Invites a person to a group (fagersta by default) as the administrator; they accept through the API. */
  person(who: { name: string; role?: Role; org?: string; group?: string; email?: string }): Promise<Person>;
  /** A new page signed in as the person (a context and a session of its own), closed at the end. */
  pageAs(person: { email: string; password: string }, width?: number, height?: number, options?: ContextOptions): Promise<Page>;
  /** A new page with no session. */
  anonymousPage(width?: number, height?: number, options?: ContextOptions): Promise<Page>;
}

/**
 * Registers the file's hooks: before its tests, start est-server (with `extraArgs`) in accounts mode with the
 * demo group, make the first administrator and a chair, start Chromium; after them, close every context in
 * `contexts`, the browser and the server. The fields are set once `beforeAll` has run.
 */
export function useSuite(extraArgs: string[] = []): Suite {
  const suite = { contexts: [] } as unknown as Suite;
  const track = (page: Page, label: string) => {
    page.on('pageerror', (e) => console.error(`[${label}] page error:`, e.message));
    return page;
  };
  suite.person = (who) => invitePerson(suite.admin, who);
  suite.pageAs = async (person, width = 1400, height = 1000, options = {}) => {
    const ctx = await signedInContext(suite.browser, suite.server.url, person, width, height, options);
    suite.contexts.push(ctx);
    return track(await ctx.newPage(), person.email);
  };
  suite.anonymousPage = async (width = 1400, height = 1000, options = {}) => {
    const ctx = await newContext(suite.browser, width, height, options);
    suite.contexts.push(ctx);
    return track(await ctx.newPage(), 'anonymous');
  };
  beforeAll(async () => {
    suite.server = await startServer(extraArgs);
    suite.admin = await new ApiClient(suite.server.url).signIn(ADMIN.email, ADMIN.password);
    suite.chair = await suite.person({ name: 'Maria Lind', role: 'chair' });
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of suite.contexts) await c.close().catch(() => undefined);
    await suite.browser?.close();
    await suite.server?.stop();
  });
  return suite;
}

/** axe finds nothing at all on the page: no violation of any impact (and it did check something). */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const { all, passes } = await axe(page);
  expect(all, what).toEqual([]);
  expect(passes).toBeGreaterThan(5);
}

/** Locks, signs (the chair and co-signer, with their passwords) and closes the meeting over the REST API. */
export async function lockSignClose(meetingId: string, chair: Person, cosigner: Person): Promise<void> {
  const path = `/api/meetings/${meetingId}/lifecycle`;
  await chair.api.ok('POST', path, { action: 'lock_picture' });
  for (const who of [chair, cosigner]) {
    const ex = await who.api.ok<{ rev: number; digest: string }>('GET', `/api/meetings/${meetingId}/export?format=json`);
    await who.api.ok('POST', path, { action: 'sign', rev: ex.rev, digest: ex.digest, password: PASSWORD });
  }
  await chair.api.ok('POST', path, { action: 'close' });
}

/** A day `days` from today, as YYYY-MM-DD (UTC). */
export function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A new open meeting of the demo group with two people writing in it: Anna Berg of polis on a laptop (1366 px) and
 * Erik Lund of kommun on a phone (390 px), both with the meeting open (axe may run on their pages).
 */
export async function twoOrganisations(suite: Suite, title: string): Promise<{ meetingId: string; annaPage: Page; erikPage: Page }> {
  const meetingId = await createMeeting(suite.chair.api, title);
  const anna = await suite.person({ name: 'Anna Berg', org: 'polis' });
  const erik = await suite.person({ name: 'Erik Lund', org: 'kommun' });
  const annaPage = await suite.pageAs(anna, 1366, 900, { bypassCSP: true });
  const erikPage = await suite.pageAs(erik, 390, 844, { bypassCSP: true });
  await openMeeting(annaPage, suite.server.url, meetingId);
  await openMeeting(erikPage, suite.server.url, meetingId);
  return { meetingId, annaPage, erikPage };
}
