// Test harness for the browser tests: a real est-server on a free port with a fresh database, and
// Debian's Chromium driven by playwright-core (no browser download, nothing leaves this machine).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
export const webDir = path.resolve(here, '../..');
export const repoDir = path.resolve(webDir, '../..');

export const serverBin = path.resolve(webDir, process.env.EST_SERVER_BIN ?? '../../build/server/est-server');
export const artifactsDir = path.resolve(process.env.EST_ARTIFACTS_DIR ?? path.join(repoDir, 'build/e2e-artifacts'));

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
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

export interface Who {
  name: string;
  org: string;
  role?: 'participant' | 'chair' | 'cosigner' | 'bra_member' | 'admin';
}

export async function newContext(
  browser: Browser,
  width = 1400,
  height = 1000,
  options: { bypassCSP?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width, height }, locale: 'sv-SE', reducedMotion: 'reduce', ...options });
}

/** Opens the meeting link, fills in the join form and waits for the live picture. */
export async function joinMeeting(page: Page, base: string, meetingId: string, who: Who): Promise<void> {
  await page.goto(`${base}/#/m/${meetingId}`);
  await page.getByLabel('Namn').fill(who.name);
  await page.getByLabel('Organisation').selectOption(who.org);
  await page.getByLabel('Roll').selectOption(who.role ?? 'participant');
  await page.getByRole('button', { name: 'Gå med i mötet' }).click();
  await waitLive(page);
}

/** Waits until the page is connected and has nothing unacknowledged. */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="sync"][data-status="live"][data-pending="0"]').waitFor();
}

export async function createMeeting(base: string, title?: string): Promise<string> {
  const res = await fetch(`${base}/api/groups/fagersta/meetings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(title ? { title } : {}),
  });
  if (res.status !== 201) throw new Error(`creating a meeting: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** The field element of an entry field, by data-field key. */
export function field(page: Page, key: string) {
  return page.locator(`[data-field="${key}"]`);
}

/** Adds an entry in the own cell of `topic`; returns the new entry id. */
export async function addEntry(page: Page, topic: string, org: string): Promise<string> {
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

export function axeSource(): string {
  return readFileSync(path.join(webDir, 'node_modules/axe-core/axe.min.js'), 'utf8');
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }[];
  passes: unknown[];
}

/**
 * Runs axe-core (WCAG 2.1 A/AA) on the page; returns the serious and critical violations, described. A page
 * whose Content-Security-Policy forbids inline scripts needs a context made with `bypassCSP`.
 */
export async function axe(page: Page): Promise<{ bad: string[]; passes: number }> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource() });
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<unknown> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    }),
  )) as AxeResult;
  if (process.env.EST_AXE_VERBOSE)
    console.log(result.violations.map((v) => `${v.impact} ${v.id} ${v.nodes.length}`).join('\n'), result.passes.length);
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  return { bad, passes: result.passes.length };
}

/** What a test file shares: one server, one browser, and the contexts its tests open (closed at the end). */
export interface Suite {
  server: RunningServer;
  browser: Browser;
  contexts: BrowserContext[];
}

/**
 * Registers the file's hooks: before its tests, start est-server (with `extraArgs`) and Chromium; after them,
 * close every context in `contexts`, the browser and the server. The fields are set once `beforeAll` has run.
 */
export function useSuite(extraArgs: string[] = []): Suite {
  const suite = { contexts: [] } as unknown as Suite;
  beforeAll(async () => {
    suite.server = await startServer(extraArgs);
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of suite.contexts) await c.close().catch(() => undefined);
    await suite.browser?.close();
    await suite.server?.stop();
  });
  return suite;
}
