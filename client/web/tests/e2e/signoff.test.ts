// A meeting from open to closed in real browsers against a real est-server: a participant's typing survives a topic
// lock (kept visibly, to copy), the chair locks the picture, chair and co-signer sign with their passwords (a
// wrong password refused, a signature voided by the chair's edit and a stale digest refused on the way), the chair
// closes; the closed picture's HTML export is printed to an A4 PDF (page 1 rendered as PNG, kept in the artifacts
// folder) and every export is checked on #/kontrollera — intact, and one changed byte not. axe on the sign-off
// panel, the sign dialog and the check page; screenshots wide and narrow.
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PASSWORD, addEntry, axe, createMeeting, ensureArtifactsDir, field, invitePerson, openMeeting, phase, shoot, useSuite, waitLive, type Person } from './harness';

const suite = useSuite();

const ORGS = [
  { id: 'kommun', name: 'Norbergs kommun, trygghetssamordnare' },
  { id: 'polis', name: 'Polisen, lokalpolisområde Fagersta' },
  { id: 'social', name: 'Socialtjänsten, Norbergs kommun' },
  { id: 'skola', name: 'Skolförvaltningen' },
  { id: 'bostad', name: 'Norbergs Bostäder AB' },
];

/** Does the sign-off panel come before the picture (in the page, so in reading and tab order)? */
function panelFirst(page: Page) {
  return page.evaluate(() => {
    const panel = document.getElementById('underskrifter')!;
    return !!(panel.compareDocumentPosition(document.getElementById('lagesbild')!) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
}

/** After the person's own lock, signature or closing the button is gone: the focus is on the panel's heading. */
async function expectFocusOnPanel(page: Page) {
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('signoff-h');
}

/**
 * Screenshots of the meeting as `person` sees it now, 1366 and 390 wide: scrolled to the sign-off panel, and while
 * open (the panel below the picture) the top of the page too.
 */
async function shootMeeting(person: Person, meetingId: string, p: string, name: string) {
  for (const [w, h] of [
    [1366, 768],
    [390, 844],
  ] as const) {
    const page = await suite.pageAs(person, w, h);
    await openMeeting(page, suite.server.url, meetingId);
    await phase(page, p).waitFor();
    if (p === 'open') await shoot(page, `${name}-${w}-top`);
    await page.locator('#underskrifter').scrollIntoViewIfNeeded();
    await shoot(page, `${name}-${w}`);
    if (w === 390) await shoot(page, `${name}-${w}-full`, true);
  }
}

/** axe finds nothing at all: no violation of any impact. */
async function expectNoAxeViolations(page: Page, what: string) {
  const { all, passes } = await axe(page);
  expect(all, what).toEqual([]);
  expect(passes).toBeGreaterThan(5);
}

/** Opens the sign dialog, waits for what is to be signed, types the password and signs. */
async function sign(page: Page, password: string) {
  await page.getByRole('button', { name: 'Signera', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Signera lägesbilden' });
  await dialog.getByTestId('sign-target').waitFor();
  await dialog.getByLabel('Lösenord').fill(password);
  await dialog.getByRole('button', { name: 'Signera', exact: true }).click();
  return dialog;
}

describe('signing off a meeting', () => {
  it('goes from open to closed with two signers, keeps text typed under a lock, and checks the exports', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      id: 'norberg',
      name: 'EST-gruppen Norberg',
      municipality: 'Norbergs kommun',
      organisations: ORGS,
    });
    const chair = await invitePerson(suite.admin, { name: 'Eva Ek', role: 'chair', group: group.id });
    const cosigner = await invitePerson(suite.admin, { name: 'Olle Holm', role: 'cosigner', org: 'polis', group: group.id });
    const social = await invitePerson(suite.admin, { name: 'Sara Nilsson', role: 'participant', org: 'social', group: group.id });
    const school = await invitePerson(suite.admin, { name: 'Johan Nyström', role: 'participant', org: 'skola', group: group.id });
    const housing = await invitePerson(suite.admin, { name: 'Leila Haddad', role: 'participant', org: 'bostad', group: group.id });
    const meetingId = await createMeeting(chair.api, 'EST-möte vecka 49', group.id);

    // A realistic picture: the school and the housing company have written something too.
    for (const [who, topic, text, place] of [
      [school, 'ungdomar-skolor', 'Konflikter på rasterna har minskat sedan rastvärdarna blev fler.', 'Kyrkskolan'],
      [housing, 'ordningsstorning', 'Skadegörelse i trapphus och källarförråd, tre anmälningar från hyresgäster.', 'Kärrgruvan'],
    ] as const) {
      const p = await suite.pageAs(who, 1366, 900);
      await openMeeting(p, suite.server.url, meetingId);
      const e = await addEntry(p, topic, who.org);
      await field(p, `${topic}/${who.org}/${e}/handelse`).fill(text);
      await field(p, `${topic}/${who.org}/${e}/plats`).fill(place);
      await waitLive(p);
    }

    const chairPage = await suite.pageAs(chair, 1366, 900, { bypassCSP: true });
    const copPage = await suite.pageAs(cosigner, 1366, 900, { bypassCSP: true });
    const socPage = await suite.pageAs(social, 1366, 900);
    await socPage.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
    for (const p of [chairPage, copPage, socPage]) await openMeeting(p, suite.server.url, meetingId);
    await phase(socPage, 'open').waitFor();
    // The chair's lock button is the chair's only.
    await chairPage.locator('[data-lock="andt"]').waitFor();
    expect(await socPage.locator('[data-lock="andt"]').count()).toBe(0);

    // Sara writes in ANDT and it is saved.
    const entry = await addEntry(socPage, 'andt', 'social');
    const key = `andt/social/${entry}/handelse`;
    await field(socPage, key).fill('Langning av snus vid skolan.');
    await waitLive(socPage);
    // The co-signer writes in his own cell too (for the picture's sake).
    const copEntry = await addEntry(copPage, 'hot-och-vald', 'polis');
    await field(copPage, `hot-och-vald/polis/${copEntry}/handelse`).fill('Två misshandelsfall vid torget, helgnätter.');
    await waitLive(copPage);

    // She goes on typing while the chair locks the topic: her connection is down (the browser is offline), so
    // what she types waits, and reaches the server only after the lock.
    await socPage.context().setOffline(true);
    await socPage.locator('[data-testid="sync"][data-status="reconnecting"]').waitFor();
    const typed = 'Langning av snus vid skolan. Också vid idrottshallen på kvällarna.';
    await field(socPage, key).fill(typed);
    await chairPage.locator('[data-lock="andt"]').click();
    await chairPage.getByTestId('locked-andt').waitFor();
    await socPage.context().setOffline(false);

    // Her text is refused (locked) and stays in view, to copy; the field shows what the server has.
    const rescued = socPage.getByTestId('rescued');
    await rescued.waitFor();
    await expect.poll(() => rescued.locator('textarea').inputValue()).toBe(typed);
    expect(await rescued.innerText()).toContain('Ämnet låstes innan din ändring sparades.');
    await rescued.getByRole('button', { name: 'Kopiera din text' }).click();
    await rescued.getByRole('status').filter({ hasText: 'Kopierad.' }).waitFor();
    expect(await socPage.evaluate(() => navigator.clipboard.readText())).toBe(typed);
    await socPage.getByTestId('locked-andt').waitFor();
    expect(await socPage.getByTestId('locked-andt').innerText()).toContain('Låst');
    // Read-only now: no input for the field, the saved text shown.
    await waitLive(socPage);
    expect(await socPage.locator(`textarea[data-field="${key}"]`).count()).toBe(0);
    expect(await socPage.locator(`[data-field="${key}"]`).innerText()).toContain('Langning av snus vid skolan.');
    expect(await socPage.locator(`[data-field="${key}"]`).innerText()).not.toContain('idrottshallen');
    // Other topics are still hers to write in.
    await socPage.locator('[data-add="hot-och-vald/social"]').waitFor();
    await shoot(socPage, 'signoff-rescued-1366');

    // The chair's view while open (one topic locked): the panel, the lock buttons, axe.
    await field(chairPage, 'hot-och-vald/niva').selectOption('förhöjd');
    await waitLive(chairPage);
    await phase(chairPage, 'open').getByRole('button', { name: 'Lås lägesbilden' }).waitFor();
    // While open, the panel follows the picture.
    expect(await panelFirst(chairPage)).toBe(false);
    await expectNoAxeViolations(chairPage, 'the meeting while open, a topic locked (chair)');
    await shootMeeting(chair, meetingId, 'open', 'signoff-open-chair');

    // The chair writes the joint assessment and locks the picture: everyone's cells are read-only.
    await field(chairPage, 'andt/bedomning').fill('Langningen har flyttat från centrum till skolområdet.');
    await waitLive(chairPage);
    await chairPage.getByRole('button', { name: 'Lås lägesbilden' }).click();
    for (const p of [chairPage, copPage, socPage]) await phase(p, 'locked').waitFor();
    await expectFocusOnPanel(chairPage);
    // Locked, the panel leads (it followed the picture while open).
    expect(await panelFirst(socPage)).toBe(true);
    await socPage.getByTestId('picture-locked').waitFor();
    expect(await socPage.locator('[data-add]').count()).toBe(0);
    expect(await copPage.locator('textarea[data-field]').count()).toBe(0);
    expect(await copPage.getByTestId('to-sign').innerText()).toContain('Ordförande');

    // The chair signs: a wrong password first.
    let dialog = await sign(chairPage, 'fel lösenord helt och hållet');
    await dialog.getByText('Fel lösenord.').waitFor();
    await expectNoAxeViolations(chairPage, 'the sign dialog');
    await dialog.getByLabel('Lösenord').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Signera', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await expectFocusOnPanel(chairPage);
    for (const p of [chairPage, copPage, socPage]) await p.getByTestId('signers').filter({ hasText: 'Eva Ek' }).waitFor();
    expect(await copPage.getByTestId('to-sign').innerText()).toContain('Medundertecknare');
    expect(await copPage.getByTestId('to-sign').innerText()).not.toContain('Ordförande');
    await expectNoAxeViolations(copPage, 'the locked meeting with one signature (co-signer)');
    await shootMeeting(cosigner, meetingId, 'locked', 'signoff-locked-cosigner');

    // The co-signer opens the dialog; meanwhile the chair changes the assessment: that withdraws the chair's
    // signature for everyone, and the co-signer's digest is stale.
    await copPage.getByRole('button', { name: 'Signera', exact: true }).click();
    dialog = copPage.getByRole('dialog', { name: 'Signera lägesbilden' });
    const target = dialog.getByTestId('sign-target');
    await target.waitFor();
    const staleRev = await target.getAttribute('data-rev');
    await field(chairPage, 'andt/bedomning').fill('Langningen har flyttat från centrum till skolområdet och idrottshallen.');
    await waitLive(chairPage);
    for (const p of [chairPage, copPage]) await p.locator('[data-testid="signoff"]').getByText('Ingen har signerat än.').waitFor();
    await dialog.getByLabel('Lösenord').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Signera', exact: true }).click();
    await dialog.getByText('Lägesbilden ändrades medan du signerade – läs igenom och signera igen').waitFor();
    // The dialog fetched the new picture: sign again.
    await expect.poll(() => target.getAttribute('data-rev')).not.toBe(staleRev);
    await dialog.getByLabel('Lösenord').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Signera', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await chairPage.getByTestId('signers').filter({ hasText: 'Olle Holm' }).waitFor();

    // The chair signs again: signed.
    dialog = await sign(chairPage, PASSWORD);
    await dialog.waitFor({ state: 'detached' });
    for (const p of [chairPage, copPage, socPage]) await phase(p, 'signed').waitFor();
    const signers = await chairPage.getByTestId('signers').innerText();
    expect(signers).toContain('Olle Holm (medundertecknare, Polisen)');
    expect(signers).toContain('Eva Ek (ordförande)');
    await expectNoAxeViolations(chairPage, 'the sign-off panel, signed');
    await chairPage.locator('#underskrifter').scrollIntoViewIfNeeded();
    await shoot(chairPage, 'signoff-signed-1366');

    // Closing asks first (Avbryt goes back), then closes for good.
    await chairPage.getByRole('button', { name: 'Stäng mötet' }).click();
    await chairPage.getByRole('group', { name: 'Stäng mötet för gott?' }).waitFor();
    // The question takes focus once it is drawn; Escape is pressed where a person would press it.
    await expect.poll(() => chairPage.evaluate(() => document.activeElement?.textContent ?? '')).toBe('Ja, stäng mötet');
    await chairPage.keyboard.press('Escape');
    await expect.poll(() => chairPage.evaluate(() => document.activeElement?.textContent ?? '')).toBe('Stäng mötet');
    await chairPage.getByRole('button', { name: 'Stäng mötet' }).click();
    await chairPage.getByRole('button', { name: 'Ja, stäng mötet' }).click();
    for (const p of [chairPage, copPage, socPage]) await phase(p, 'closed').waitFor();
    await expectFocusOnPanel(chairPage);
    await socPage.getByTestId('closing').waitFor();
    expect(await chairPage.locator('textarea[data-field], select[data-field]').count()).toBe(0);
    expect(await chairPage.getByRole('button', { name: 'Signera', exact: true }).count()).toBe(0);
    await expectNoAxeViolations(chairPage, 'the closed meeting');

    // Screenshots of the closed meeting's panel, wide and narrow.
    await shootMeeting(cosigner, meetingId, 'closed', 'signoff-closed');

    // The exports of the closed meeting: the links, then the files.
    const links = chairPage.locator('.closed-links');
    const htmlHref = await links.getByTestId('export-html').getAttribute('href');
    expect(htmlHref).toBe(`/api/meetings/${meetingId}/export`);
    expect(await links.getByRole('link', { name: 'Ladda ner som Markdown' }).getAttribute('href')).toBe(
      `/api/meetings/${meetingId}/export?format=markdown`,
    );
    const base = suite.server.url + `/api/meetings/${meetingId}/export`;
    const html = await (await chairPage.request.get(base)).body();
    const md = await (await chairPage.request.get(base + '?format=markdown')).body();
    const json = await (await chairPage.request.get(base + '?format=json')).body();
    const dir = ensureArtifactsDir();
    writeFileSync(path.join(dir, 'signoff-export.html'), html);

    // Printed: Chromium's print to PDF (A4) of the export page, and page 1 as an image.
    const printed = await suite.pageAs(chair, 1366, 900);
    await printed.goto(base);
    await printed.emulateMedia({ media: 'print' });
    const pdfPath = path.join(dir, 'signoff-export-a4.pdf');
    await printed.pdf({ path: pdfPath, format: 'A4', printBackground: true });
    const pngBase = path.join(dir, 'signoff-export-a4-page1');
    if (existsSync('/usr/bin/pdftoppm')) {
      const r = spawnSync('/usr/bin/pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdfPath, pngBase]);
      expect(r.status, r.stderr?.toString()).toBe(0);
    } else {
      await printed.setViewportSize({ width: 794, height: 1123 });
      await printed.screenshot({ path: `${pngBase}.png` });
    }
    expect(existsSync(`${pngBase}.png`)).toBe(true);

    // Kontrollera lägesbild: each export intact, signed by both; one changed byte is found.
    const check = await suite.pageAs(social, 1366, 900, { bypassCSP: true });
    await check.goto(`${suite.server.url}/#/kontrollera`);
    await check.getByRole('heading', { name: 'Kontrollera lägesbild' }).waitFor();
    const input = check.getByLabel('Exporterad lägesbild (JSON, Markdown eller HTML)');
    await check.locator('#verify-file:not([disabled])').waitFor();
    const verdict = check.getByTestId('verdict');
    for (const [name, mimeType, buffer] of [
      ['lagesbild.json', 'application/json', json],
      ['lagesbild.md', 'text/markdown', md],
      ['lagesbild.html', 'text/html', html],
    ] as const) {
      await input.setInputFiles({ name, mimeType, buffer });
      await check.locator(`[data-testid="verdict"][data-status]`).filter({ hasText: name }).waitFor();
      const summary = await check.getByTestId('verdict-summary').innerText();
      expect(await verdict.getAttribute('data-status'), `${name}: ${summary}\n${await verdict.innerText()}`).toBe('intact');
      expect(summary).toMatch(/^Intakt – signerad av /);
      expect(summary).toContain('Eva Ek (ordförande');
      expect(summary).toContain('Olle Holm (medundertecknare, Polisen');
    }
    await shoot(check, 'verify-intact-1366');
    await expectNoAxeViolations(check, 'the check page with a verdict');
    await check.setViewportSize({ width: 390, height: 844 });
    await shoot(check, 'verify-intact-390');
    await check.setViewportSize({ width: 1366, height: 900 });

    // A changed word in the JSON export's picture: the digest no longer matches.
    const changedJson = Buffer.from(json.toString('utf8').replace('Langning av snus', 'Langning av tobak'));
    expect(changedJson.equals(json)).toBe(false);
    await input.setInputFiles({ name: 'andrad.json', mimeType: 'application/json', buffer: changedJson });
    await check.locator('[data-testid="verdict"][data-status="broken"]').filter({ hasText: 'andrad.json' }).waitFor();
    expect(await check.getByTestId('verdict-summary').innerText()).toMatch(/^Inte intakt: /);

    // One byte of the printed text changed: the seal no longer holds.
    const text = html.toString('utf8');
    const at = text.indexOf('Langning');
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(html);
    tampered[Buffer.byteLength(text.slice(0, at))] = 'l'.charCodeAt(0);
    await input.setInputFiles({ name: 'andrad.html', mimeType: 'text/html', buffer: tampered });
    await check.locator('[data-testid="verdict"][data-status="broken"]').filter({ hasText: 'andrad.html' }).waitFor();
    expect(await check.getByTestId('verdict-summary').innerText()).toContain('Förseglingen stämmer inte');
    await shoot(check, 'verify-broken-1366');
    await check.setViewportSize({ width: 390, height: 844 });
    await shoot(check, 'verify-broken-390');
    await expectNoAxeViolations(check, 'the check page, narrow');
  });
});
