// Accounts in the browser: signing in (and being refused), invitations, password resets, signing out
// everywhere while another tab is in a meeting, the administrator's page, role-aware pages, text that looks
// like markup or SQL, and axe on every new page.
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import {
  ADMIN,
  ApiClient,
  PASSWORD,
  addEntry,
  axe,
  createMeeting,
  field,
  openMeeting,
  tokenOf,
  uniqueEmail,
  useSuite,
  waitLive,
} from './harness';

const suite = useSuite();

/** The text of the elements a field's aria-describedby points at. */
async function description(l: Locator): Promise<string> {
  return l.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? `(missing #${id})`)
      .join(' | '),
  );
}

/** Waits until the user's WebSocket is told the session ended and the page asks to sign in again. */
async function waitSignInDialog(page: Page) {
  await page.getByRole('dialog', { name: 'Logga in igen' }).waitFor();
  await page.locator('[data-testid="sync"][data-status="signed_out"]').waitFor();
}

/** Records console messages about the Content-Security-Policy (none may come). */
function cspWatch(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

describe('signing in', () => {
  it('sends a visitor without a session to the sign-in page and back to the meeting they wanted', async () => {
    const who = await suite.person({ name: 'Sigrid Inlogg', org: 'nvk' });
    const page = await suite.anonymousPage(1366, 768, { bypassCSP: true });
    await page.goto(`${suite.server.url}/#/m/fagersta-v47`);
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/logga-in?till=%2Fm%2Ffagersta-v47');

    const email = page.getByLabel('E-postadress');
    const password = page.getByLabel('Lösenord');
    expect(await email.getAttribute('autocomplete')).toBe('username');
    expect(await email.getAttribute('type')).toBe('email');
    expect(await password.getAttribute('autocomplete')).toBe('current-password');
    expect(await password.getAttribute('type')).toBe('password');
    expect((await axe(page)).bad, 'the sign-in page').toEqual([]);

    // Empty: errors under the fields, tied to them; nothing sent.
    await page.getByRole('button', { name: 'Logga in' }).click();
    expect(await description(email)).toBe('Skriv din e-postadress.');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sign-in-email');

    // A wrong password: one sentence that does not say whether the e-mail exists.
    await email.fill(who.email);
    await password.fill('fel lösenord helt och hållet');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Fel e-post eller lösenord.' }).waitFor();
    expect(await description(password)).toBe('Fel e-post eller lösenord.');
    expect(await password.inputValue()).toBe('');
    expect((await axe(page)).bad, 'the sign-in page with an error').toEqual([]);

    await password.fill(who.password);
    await password.press('Enter');
    await waitLive(page);
    expect(new URL(page.url()).hash).toBe('#/m/fagersta-v47');
    // The top bar says who is signed in and their role in this group.
    const menu = page.getByTestId('user-menu');
    await menu.filter({ hasText: 'Sigrid Inlogg' }).filter({ hasText: 'Deltagare' }).waitFor();
    await page.getByTestId('me-card').filter({ hasText: 'Norra Västmanlands kommunalteknikförbund' }).waitFor();
  });

  it('says how long to wait when there were too many attempts', async () => {
    const page = await suite.anonymousPage();
    await page.goto(`${suite.server.url}/#/logga-in`);
    const email = `ingen-${Date.now()}@est.test`;
    await page.getByLabel('E-postadress').fill(email);
    let status = 0;
    // Five failures for one e-mail are free; the attempt right after one more waits (docs/protocol.md).
    for (let i = 0; i < 8 && status !== 429; ++i) {
      await page.getByLabel('Lösenord').fill(`fel lösenord nummer ${i}`);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Logga in' }).click(),
      ]);
      status = res.status();
    }
    expect(status).toBe(429);
    const alert = page.getByRole('alert').filter({ hasText: 'För många försök' });
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    expect(text).toMatch(/^För många försök\. Vänta \d+ (sekund|sekunder|minuter)\.$/);
  });

  it('works under the server’s Content-Security-Policy (no inline script or style is refused)', async () => {
    const who = await suite.person({ name: 'Cecilia Strikt', org: 'kommun' });
    const page = await suite.anonymousPage(); // no CSP bypass here
    const refused = cspWatch(page);
    const res = await page.goto(`${suite.server.url}/#/logga-in`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByLabel('E-postadress').fill(who.email);
    await page.getByLabel('Lösenord').fill(who.password);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('heading', { name: /Välkommen, Cecilia Strikt/ }).waitFor();
    await page.getByRole('link', { name: 'EST-gruppen Fagersta' }).click();
    await page.getByRole('link', { name: 'EST-möte vecka 47' }).click();
    await waitLive(page);
    expect(refused).toEqual([]);
  });
});

describe('invitations and passwords', () => {
  it('invitation → choose a password (with errors on the way) → the group → sign out → sign in → meeting', async () => {
    const email = uniqueEmail('Ines Inbjuden');
    const issued = await suite.admin.ok<{ link: string }>('POST', '/api/groups/fagersta/invitations', {
      email,
      role: 'participant',
      org: 'nvu',
    });
    expect(issued.link).toMatch(/^\/#\/inbjudan\/[A-Za-z0-9_-]{43}$/);
    const page = await suite.anonymousPage(1366, 768, { bypassCSP: true });
    await page.goto(suite.server.url + issued.link);
    await page.getByRole('heading', { name: 'Inbjudan till EST-gruppen Fagersta', level: 1 }).waitFor();
    await page.locator('.facts').filter({ hasText: 'Deltagare' }).filter({ hasText: 'Norra Västmanlands utbildningsförbund' }).waitFor();
    expect(await page.getByLabel('E-postadress').inputValue()).toBe(email);
    // The rules come before the password field, which points at them.
    const password = page.getByLabel('Välj lösenord');
    const repeat = page.getByLabel('Upprepa lösenordet');
    expect(await description(password)).toContain('Minst 12 tecken');
    expect(await password.getAttribute('autocomplete')).toBe('new-password');
    expect(await page.getByLabel('E-postadress').getAttribute('autocomplete')).toBe('username');
    expect((await axe(page)).bad, 'the invitation page').toEqual([]);

    const submit = page.getByRole('button', { name: 'Skapa konto och gå med' });
    await page.getByLabel('Ditt namn').fill('Ines Inbjuden');
    await password.fill('för kort');
    await submit.click();
    expect(await description(password)).toContain('Lösenordet måste ha minst 12 tecken; det har 8.');
    await password.fill('kaffe cykel sommar torget');
    await repeat.fill('kaffe cykel sommar');
    await submit.click();
    expect(await description(repeat)).toContain('Lösenorden är inte likadana');
    // A common password only the server knows: its answer, in Swedish, at the field.
    await password.fill('Sommar2024!!!');
    await repeat.fill('Sommar2024!!!');
    await submit.click();
    await page.locator('#invite-password-error').filter({ hasText: 'för vanligt' }).waitFor();
    expect((await axe(page)).bad, 'the invitation page with an error').toEqual([]);

    await password.fill('kaffe cykel sommar torget');
    await repeat.fill('kaffe cykel sommar torget');
    await submit.click();
    await page.getByRole('heading', { name: 'EST-gruppen Fagersta', level: 1, exact: true }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/g/fagersta');
    await page.getByText('Din roll: Deltagare för Norra Västmanlands utbildningsförbund').waitFor();
    // The link was used: it does not work again.
    const again = await suite.anonymousPage();
    await again.goto(suite.server.url + issued.link);
    await again.getByRole('alert').filter({ hasText: 'Länken fungerar inte' }).waitFor();

    // Logga ut, then in again with the new password, and into the meeting.
    await page.getByTestId('user-menu').click();
    await page.getByRole('button', { name: 'Logga ut', exact: true }).click();
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Du är utloggad.' }).waitFor();
    expect((await new ApiClient(suite.server.url).call('GET', '/api/me')).status).toBe(401);
    await page.getByLabel('E-postadress').fill(email);
    await page.getByLabel('Lösenord').fill('kaffe cykel sommar torget');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('link', { name: 'EST-gruppen Fagersta' }).click();
    await page.getByRole('link', { name: 'EST-möte vecka 47' }).click();
    await waitLive(page);
    const entry = await addEntry(page, 'ungdomar-skolor', 'nvu');
    await page.keyboard.type('Skolan ser fler konflikter på rasterna.', { delay: 2 });
    await waitLive(page);
    expect(await field(page, `ungdomar-skolor/nvu/${entry}/handelse`).inputValue()).toBe('Skolan ser fler konflikter på rasterna.');
    // Only the own organisation's cells are editable.
    expect(await page.locator('[data-add="ungdomar-skolor/polis"]').count()).toBe(0);
    expect(await page.locator('[data-field="ungdomar-skolor/bedomning"]').evaluate((e) => e.tagName)).not.toBe('TEXTAREA');
  });

  it('someone with an account joins another group with their own password', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      name: 'EST Norberg',
      organisations: [
        { id: 'kommun', name: 'Norbergs kommun' },
        { id: 'polis', name: 'Polisen' },
      ],
    });
    const who = await suite.person({ name: 'Olof Två Grupper', org: 'kommun' });
    const issued = await suite.admin.ok<{ link: string }>('POST', `/api/groups/${group.id}/invitations`, {
      email: who.email,
      role: 'bra_member',
    });
    const page = await suite.anonymousPage(1366, 768, { bypassCSP: true });
    await page.goto(suite.server.url + issued.link);
    await page.getByText('Du har redan ett konto i EST Live.').waitFor();
    expect(await page.getByLabel('Ditt namn').count()).toBe(0);
    expect(await page.getByLabel('Lösenord').getAttribute('autocomplete')).toBe('current-password');
    expect((await axe(page)).bad).toEqual([]);
    await page.getByLabel('Lösenord').fill(who.password);
    await page.getByRole('button', { name: 'Gå med i gruppen' }).click();
    await page.getByText('Din roll: BRÅ-ledamot').waitFor();
    await page.getByRole('link', { name: 'Start' }).click();
    await page.getByRole('link', { name: 'EST Norberg' }).waitFor();
    await page.getByRole('link', { name: 'EST-gruppen Fagersta' }).waitFor();
  });

  it('a password-reset link: choose a new password, every session ends, sign in with it', async () => {
    const who = await suite.person({ name: 'Rut Återställ', org: 'polis' });
    const accounts = await suite.admin.ok<{ id: string; email: string }[]>('GET', '/api/accounts?limit=500');
    const id = accounts.find((a) => a.email === who.email)!.id;
    const issued = await suite.admin.ok<{ link: string }>('POST', `/api/accounts/${id}/password-reset`);
    expect(tokenOf(issued.link)).toHaveLength(43);
    const page = await suite.anonymousPage(1366, 768, { bypassCSP: true });
    await page.goto(suite.server.url + issued.link);
    await page.getByRole('heading', { name: 'Välj nytt lösenord', level: 1 }).waitFor();
    expect((await axe(page)).bad, 'the reset page').toEqual([]);
    await page.getByLabel('Nytt lösenord').fill('ny vår i Västmanland');
    await page.getByLabel('Upprepa lösenordet').fill('ny vår i Västmanland');
    await page.getByRole('button', { name: 'Spara nytt lösenord' }).click();
    await page.getByText('Lösenordet är bytt.').waitFor();
    expect((await who.api.call('GET', '/api/me')).status).toBe(401); // the old session ended
    await page.getByLabel('Lösenord', { exact: true }).fill('ny vår i Västmanland');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('heading', { name: /Välkommen, Rut Återställ/ }).waitFor();
  });
});

describe('a session that ends during a meeting', () => {
  it('"Logga ut överallt" in one tab: the other keeps its text, asks to sign in, and then sends it', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'E2E: logga ut överallt');
    const who = await suite.person({ name: 'Tove Tvåflik', org: 'polis' });
    const watcher = await suite.person({ name: 'Ulf Tittar', org: 'kommun' });
    const a = await suite.pageAs(who);
    const b = await suite.pageAs(who, 1400, 1000, { bypassCSP: true });
    const u = await suite.pageAs(watcher);
    // The meeting's connections; the page's watch of the BRÅ queue (Uppföljning) is counted apart.
    let sockets = 0;
    let watches = 0;
    b.on('websocket', (ws) => (ws.url().includes('meeting=') ? ++sockets : ++watches));
    await openMeeting(a, suite.server.url, meetingId);
    await openMeeting(b, suite.server.url, meetingId);
    await openMeeting(u, suite.server.url, meetingId);
    const entry = await addEntry(b, 'andt', 'polis');
    const key = `andt/polis/${entry}/handelse`;
    await b.keyboard.type('Före utloggningen.', { delay: 2 });
    await waitLive(b);

    // Tab A: Logga ut överallt. A lands on the sign-in page; B's live session is ended (4003).
    await a.getByTestId('user-menu').click();
    await a.getByRole('button', { name: 'Logga ut överallt' }).click();
    await a.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    await a.getByRole('status').filter({ hasText: /Du är utloggad överallt: \d+ inloggningar avslutades\./ }).waitFor();
    await waitSignInDialog(b);
    const socketsWhenEnded = sockets;
    const watchesWhenEnded = watches;
    expect((await axe(b)).bad, 'the sign-in dialog').toEqual([]);
    // The e-mail is filled in; the focus is on the password.
    expect(await b.getByLabel('E-postadress').inputValue()).toBe(who.email);
    expect(await b.evaluate(() => document.activeElement?.id)).toBe('reauth-password');

    // "Inte nu": the page is as it was, with a banner; typing goes on and waits.
    await b.getByRole('button', { name: 'Inte nu' }).click();
    await b.getByRole('dialog').waitFor({ state: 'detached' });
    await b.getByRole('region', { name: 'Utloggad' }).waitFor();
    // The focus is back in the field the person was typing in: they go on typing.
    expect(await b.evaluate(() => document.activeElement?.getAttribute('data-field'))).toBe(key);
    await b.keyboard.type(' Skrivet medan jag var utloggad, med å och 🚓.', { delay: 2 });
    const text = 'Före utloggningen. Skrivet medan jag var utloggad, med å och 🚓.';
    expect(await field(b, key).inputValue()).toBe(text);
    expect(Number(await b.getByTestId('sync').getAttribute('data-pending'))).toBeGreaterThan(0);
    await b.getByTestId('sync').filter({ hasText: /Utloggad · \d+ ändring/ }).waitFor();
    // No reconnect loop while signed out, neither of the meeting nor of the queue's watch.
    expect(sockets).toBe(socketsWhenEnded);
    expect(watches).toBe(watchesWhenEnded);

    // Sign in again from the banner: the connection comes back and the text reaches the others.
    await b.getByRole('button', { name: 'Logga in igen' }).click();
    await b.getByRole('dialog').getByLabel('Lösenord').fill(who.password);
    await b.getByRole('dialog').getByRole('button', { name: 'Logga in', exact: true }).click();
    await waitLive(b);
    expect(await b.getByRole('dialog').count()).toBe(0);
    // Back in the field, typing goes on.
    expect(await b.evaluate(() => document.activeElement?.getAttribute('data-field'))).toBe(key);
    await b.keyboard.type(' Igen.', { delay: 2 });
    await waitLive(b);
    const all = `${text} Igen.`;
    expect(await field(b, key).inputValue()).toBe(all);
    await u.waitForFunction(
      ([k, t]) => document.querySelector(`.ro-field[data-field="${k}"] .ro-text`)?.textContent === t,
      [key, all] as const,
    );
    expect(sockets).toBe(socketsWhenEnded + 1);
  });
});

describe('a session that ends on another page', () => {
  it('a request answered 401 asks to sign in over the page, and what was typed in its form stays', async () => {
    const chair = await suite.person({ name: 'Åsa Ordförande', role: 'chair' });
    const page = await suite.pageAs(chair, 1400, 1000, { bypassCSP: true });
    await page.goto(`${suite.server.url}/#/g/fagersta`);
    const email = uniqueEmail('Sent Inbjuden');
    await page.locator('#invite-email').fill(email);
    await chair.api.ok('DELETE', '/api/sessions'); // signed out everywhere, elsewhere
    await page.getByRole('button', { name: 'Skapa inbjudan' }).click();
    const dialog = page.getByRole('dialog', { name: 'Logga in igen' });
    await dialog.waitFor();
    expect(new URL(page.url()).hash).toBe('#/g/fagersta');
    expect((await axe(page)).bad).toEqual([]);
    await dialog.getByLabel('Lösenord').fill(chair.password);
    await dialog.getByRole('button', { name: 'Logga in', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('#invite-email').inputValue()).toBe(email);
    await page.getByRole('button', { name: 'Skapa inbjudan' }).click();
    await page.getByRole('heading', { name: 'Inbjudan är skapad' }).waitFor();
  });
});

describe('the administrator’s page', () => {
  it('invites, changes a role (the person’s meeting follows), disables an account (its meeting asks to sign in), checks the log', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'E2E: administration');
    const changed = await suite.person({ name: 'Vera Rollbyte', org: 'nvk' });
    const disabled = await suite.person({ name: 'Wilma Avstängd', org: 'kommun' });
    const vera = await suite.pageAs(changed);
    const wilma = await suite.pageAs(disabled);
    await openMeeting(vera, suite.server.url, meetingId);
    await openMeeting(wilma, suite.server.url, meetingId);
    await vera.locator('[data-add="hot-och-vald/nvk"]').waitFor();

    // The administrator signs in through the page and opens Administration from the top bar.
    const page = await suite.anonymousPage(1366, 900, { bypassCSP: true });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
    await page.goto(`${suite.server.url}/#/admin`);
    await page.getByLabel('E-postadress').fill(ADMIN.email);
    await page.getByLabel('Lösenord').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('heading', { name: 'Administration', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Administration' }).waitFor();
    await page.locator(`tr[data-member="${changed.email}"]`).waitFor();
    await page.locator('tr[data-action="sign_in"]').first().waitFor();
    expect((await axe(page)).bad, 'the administration page').toEqual([]);

    // Invite: the link to copy.
    const email = uniqueEmail('Xena Ny');
    await page.locator('#admin-invite-email').fill(email);
    await page.locator('#admin-invite-role').selectOption('cosigner');
    expect(await page.locator('#admin-invite-org').inputValue()).toBe('polis'); // the police by default
    await page.getByRole('button', { name: 'Skapa inbjudan' }).click();
    const link = page.locator('#admin-invite-link');
    await link.waitFor();
    const url = await link.inputValue();
    expect(url).toMatch(new RegExp(`^${suite.server.url.replace(/[.]/g, '\\.')}/#/inbjudan/[A-Za-z0-9_-]{43}$`));
    await page.getByRole('button', { name: 'Kopiera länk' }).click();
    await page.getByText('Länken är kopierad.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    const accepted = await new ApiClient(suite.server.url).call('POST', '/api/invitations/accept', {
      token: tokenOf(url),
      password: PASSWORD,
      name: 'Xena Ny',
    });
    expect(accepted.status).toBe(200);

    // Change Vera's role: participant → BRÅ member. Her open meeting rejoins read-only, without asking her to sign in.
    const row = page.locator(`tr[data-member="${changed.email}"]`);
    await row.getByLabel(`Roll för ${changed.name}`).selectOption('bra_member');
    await row.getByRole('button', { name: /^Spara roll/ }).click();
    await page.getByRole('status').filter({ hasText: 'Rollen är ändrad till BRÅ-ledamot.' }).waitFor();
    const members = await suite.admin.ok<{ email: string; role: string }[]>('GET', '/api/groups/fagersta/members');
    expect(members.find((m) => m.email === changed.email)?.role).toBe('bra_member');
    await vera.getByTestId('me-card').filter({ hasText: 'BRÅ-ledamot' }).waitFor();
    await waitLive(vera);
    expect(await vera.locator('[data-add="hot-och-vald/nvk"]').count()).toBe(0);
    expect(await vera.getByRole('dialog').count()).toBe(0);

    // Disable Wilma's account: her meeting is told at once and asks her to sign in.
    const wrow = page.locator(`tr[data-account="${disabled.email}"]`);
    await wrow.getByRole('button', { name: /^Stäng av/ }).click();
    await page.getByRole('status').filter({ hasText: 'Wilma Avstängd' }).filter({ hasText: 'avstängt' }).waitFor();
    await wrow.getByText('Avstängt').waitFor();
    await waitSignInDialog(wilma);
    // Her password no longer works.
    const dialog = wilma.getByRole('dialog');
    await dialog.getByLabel('Lösenord').fill(disabled.password);
    await dialog.getByRole('button', { name: 'Logga in', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Fel e-post eller lösenord.' }).waitFor();
    // Enabled again, she can.
    await wrow.getByRole('button', { name: /^Aktivera/ }).click();
    await wrow.getByText('Aktivt').waitFor();
    await dialog.getByLabel('Lösenord').fill(disabled.password);
    await dialog.getByRole('button', { name: 'Logga in', exact: true }).click();
    await waitLive(wilma);

    // A password-reset link for someone.
    await wrow.getByRole('button', { name: /^Länk för nytt lösenord/ }).click();
    expect(await page.locator('#reset-link').inputValue()).toMatch(/\/#\/aterstall\/[A-Za-z0-9_-]{43}$/);

    // Remove the new co-signer from the group again (with a confirmation).
    await page.reload();
    const xrow = page.locator(`tr[data-member="${email}"]`);
    await xrow.getByRole('button', { name: /^Ta bort/ }).click();
    await xrow.getByRole('button', { name: 'Ja, ta bort' }).click();
    await page.getByRole('status').filter({ hasText: 'Xena Ny är borttagen ur gruppen.' }).waitFor();
    await xrow.waitFor({ state: 'detached' });
    const after = await suite.admin.ok<{ email: string }[]>('GET', '/api/groups/fagersta/members');
    expect(after.some((m) => m.email === email)).toBe(false);

    // A new group, its organisations one a line.
    await page.getByLabel('Gruppens namn').fill('EST-gruppen Avesta');
    await page.getByLabel('Kommun (valfritt)').fill('Avesta kommun');
    await page.getByLabel('Organisationer, en per rad').fill('Avesta kommun\npolis: Polisen, LPO Avesta\nAvestabostäder');
    await page.getByRole('button', { name: 'Skapa grupp' }).click();
    await page.getByRole('status').filter({ hasText: 'Gruppen EST-gruppen Avesta är skapad med 3 organisationer.' }).waitFor();
    await page.locator('#admin-group option', { hasText: 'EST-gruppen Avesta' }).waitFor({ state: 'attached' });
    const groups = await suite.admin.ok<{ name: string; organisations: { id: string }[] }[]>('GET', '/api/groups');
    expect(groups.find((g) => g.name === 'EST-gruppen Avesta')?.organisations.map((o) => o.id)).toEqual([
      'avesta-kommun',
      'polis',
      'avestabostader',
    ]);

    // The audit log: reload for the newest rows, in Swedish words; then the chain check.
    await page.reload();
    await page.locator('tr[data-action="account.disable"]').first().filter({ hasText: 'Konto avstängt' }).waitFor();
    await page.locator('tr[data-action="membership.set"]').first().filter({ hasText: 'Roll i grupp satt' }).waitFor();
    const first = page.locator('.audit-table tbody tr').first();
    expect(await first.locator('td').first().textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await page.locator('tr[data-action="account.disable"]').first().textContent()).toContain(ADMIN.email);
    const seqsOf = () => page.locator('.audit-table tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
    const seqs = await seqsOf();
    expect(seqs).toHaveLength(50); // one page
    // Older rows, a page at a time, newest first throughout.
    await page.getByRole('button', { name: 'Visa äldre händelser' }).click();
    await page.locator('.audit-table tbody tr').nth(50).waitFor();
    const more = await seqsOf();
    expect(more.length).toBeGreaterThan(50);
    expect(more).toEqual([...new Set(more)].sort((x, y) => y - x));
    await page.getByRole('button', { name: 'Kontrollera loggen' }).click();
    await page.getByTestId('audit-verdict').filter({ hasText: /^Loggen är hel: alla \d+ rader stämmer/ }).waitFor();
    expect((await axe(page)).bad, 'the administration page, after it all').toEqual([]);
  });

  it('is for administrators only: not linked for others, and says so', async () => {
    const page = await suite.pageAs(await suite.person({ name: 'Yngve Vanlig', org: 'polis' }), 1400, 1000, { bypassCSP: true });
    await page.goto(`${suite.server.url}/#/`);
    await page.getByRole('link', { name: 'EST-gruppen Fagersta' }).waitFor();
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    await page.goto(`${suite.server.url}/#/admin`);
    await page.getByText('Den här sidan är bara för administratörer').waitFor();
  });
});

describe('the chair’s group page', () => {
  it('offers Nytt möte and invitations for the roles a chair may give, with the link to copy', async () => {
    const page = await suite.pageAs(suite.chair, 1366, 900, { bypassCSP: true });
    await page.goto(`${suite.server.url}/#/g/fagersta`);
    await page.getByRole('button', { name: 'Nytt möte' }).waitFor();
    const roles = await page.locator('#invite-role option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(roles).toEqual(['participant']);
    await page.getByRole('table').waitFor();
    await page.locator('#invite-email').fill('inte en adress');
    await page.getByRole('button', { name: 'Skapa inbjudan' }).click();
    expect(await description(page.locator('#invite-email'))).toContain('Skriv en hel e-postadress');
    const email = uniqueEmail('Zara Deltar');
    await page.locator('#invite-email').fill(email);
    await page.locator('#invite-org').selectOption('nvk');
    await page.getByRole('button', { name: 'Skapa inbjudan' }).click();
    await page.getByRole('heading', { name: 'Inbjudan är skapad' }).waitFor();
    await page.getByText(`Till ${email} som Deltagare för Norra Västmanlands kommunalteknikförbund.`).waitFor();
    expect(await page.locator('#invite-link').inputValue()).toMatch(/\/#\/inbjudan\/[A-Za-z0-9_-]{43}$/);
    expect((await axe(page)).bad).toEqual([]);
  });
});

describe('text that looks like markup or SQL', () => {
  it('is stored and shown as text: a display name and a field, no script runs, no element is injected', async () => {
    const script = '<script>alert(1)</script>';
    const sql = "'; DROP TABLE accounts; --";
    const img = '<img src=x onerror=alert(2)>';
    const meetingId = await createMeeting(suite.chair.api, 'E2E: <b>fet</b> titel');
    const mallory = await suite.person({ name: script, org: 'polis' });
    const reader = await suite.person({ name: `${sql} Läsare`, org: 'kommun' });
    // CSP bypassed: an injection would run here, so that nothing hides it.
    const m = await suite.pageAs(mallory, 1400, 1000, { bypassCSP: true });
    const r = await suite.pageAs(reader, 1400, 1000, { bypassCSP: true });
    const dialogs: string[] = [];
    for (const p of [m, r])
      p.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
    await openMeeting(m, suite.server.url, meetingId);
    await openMeeting(r, suite.server.url, meetingId);
    const entry = await addEntry(m, 'hot-och-vald', 'polis');
    const key = `hot-och-vald/polis/${entry}/handelse`;
    const typed = `${script} ${sql} ${img}`;
    await m.keyboard.type(typed, { delay: 1 });
    await waitLive(m);
    await r.waitForFunction(
      ([k, t]) => document.querySelector(`.ro-field[data-field="${k}"] .ro-text`)?.textContent === t,
      [key, typed] as const,
    );
    // The display name, as text, in the reader's presence bar and in the field's "who writes here" tag.
    await r.locator('.presence .person-name', { hasText: script }).waitFor();
    await m.getByTestId('me-card').filter({ hasText: script }).waitFor();
    await m.getByTestId('user-menu').filter({ hasText: script }).waitFor();
    await r.getByRole('heading', { name: 'E2E: <b>fet</b> titel', level: 1 }).waitFor();
    for (const p of [m, r]) {
      expect(await p.locator('#app script, #app img, #app b').count()).toBe(0);
      expect(await p.evaluate(() => document.scripts.length)).toBe(1); // the app's own module
    }
    // The administrator's lists show it as text too; the accounts table survived the "DROP TABLE".
    const admin = await suite.pageAs(ADMIN, 1400, 1000, { bypassCSP: true });
    admin.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await admin.goto(`${suite.server.url}/#/admin`);
    await admin.locator(`tr[data-account="${mallory.email}"] th`, { hasText: script }).waitFor();
    await admin.locator(`tr[data-account="${reader.email}"] th`, { hasText: sql }).waitFor();
    expect(await admin.locator('#app script, #app img').count()).toBe(0);
    expect((await mallory.api.ok<{ name: string }>('GET', '/api/me')).name).toBe(script);
    expect(dialogs).toEqual([]);
  });
});
