// Text that looks like a personal identity number, in a real browser against a real est-server (issue 15, its
// first step): the participant who types one is told under the field, and so is everyone who sees the field;
// typed away, the warning goes; a phone number or a wrong check digit gives none. axe finds nothing with the
// warning shown; screenshots at 1366 and 390 px go to the artifacts folder.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PASSWORD, addEntry, createMeeting, expectNoAxeViolations, field, invitePerson, openMeeting, shoot, twoOrganisations, useSuite, waitLive } from './harness';

const suite = useSuite();

const WARNING = 'Texten ser ut att innehålla ett personnummer.';

describe('personal identity numbers in the picture', () => {
  it('warns the writer and every reader while a number is in a field, and never for look-alikes', async () => {
    const { annaPage, erikPage } = await twoOrganisations(suite, 'Extramöte om personuppgifter');

    const entry = await addEntry(annaPage, 'hot-och-vald', 'polis');
    const key = `hot-och-vald/polis/${entry}/handelse`;
    const annaWarning = annaPage.locator(`[data-field="${key}"]`).locator('xpath=..').getByTestId('pn-warning');
    const erikWarning = erikPage.locator(`.ro-field[data-field="${key}"]`).getByTestId('pn-warning');

    // Look-alikes: a phone number, a date, and a number whose check digit is wrong.
    await annaPage.keyboard.type('Ring 070-123 45 67 den 2026-12-04. Ärende 811218-9875.', { delay: 5 });
    await waitLive(annaPage);
    await erikPage.locator(`.ro-field[data-field="${key}"] .ro-text`, { hasText: 'Ärende 811218-9875.' }).waitFor();
    expect(await annaWarning.count()).toBe(0);
    expect(await erikWarning.count()).toBe(0);

    // A real one: the writer and the reader are told, and the field says what describes it.
    await field(annaPage, key).fill('Anmälan gällde 811218-9876 vid torget.');
    await annaWarning.getByText(WARNING).waitFor();
    await erikWarning.getByText(WARNING).waitFor();
    const describedBy = await field(annaPage, key).getAttribute('aria-describedby');
    expect(describedBy).toBe(await annaWarning.getAttribute('id'));
    await expectNoAxeViolations(annaPage, 'the writer with the warning');
    await expectNoAxeViolations(erikPage, 'the reader with the warning, on a phone');
    await shoot(annaPage, 'privacy-warning-1366');
    await erikWarning.scrollIntoViewIfNeeded();
    await shoot(erikPage, 'privacy-warning-390');

    // Typed away: the warning goes for both.
    await field(annaPage, key).fill('Anmälan gällde en man i 40-årsåldern vid torget.');
    await waitLive(annaPage);
    await erikPage.locator(`.ro-field[data-field="${key}"] .ro-text`, { hasText: '40-årsåldern' }).waitFor();
    expect(await annaWarning.count()).toBe(0);
    expect(await erikWarning.count()).toBe(0);
    expect(await field(annaPage, key).getAttribute('aria-describedby')).toBeNull();
  });
});

// ---- the server's flags, the Personuppgifter panel, the chair's acknowledgement, sekretess (issue 15) ----

const SIX = [
  { id: 'kommun', name: 'Sala kommun, trygghetssamordnare' },
  { id: 'polis', name: 'Polisen, lokalpolisområde Sala' },
  { id: 'social', name: 'Socialtjänsten, Sala kommun' },
  { id: 'skola', name: 'Skolförvaltningen' },
  { id: 'bostad', name: 'Salabostäder AB' },
  { id: 'raddning', name: 'Räddningstjänsten Sala-Heby' },
];

async function sixOrganisations(id: string) {
  await suite.admin.ok('POST', '/api/groups', { id, name: `EST-gruppen ${id}`, municipality: 'Sala kommun', organisations: SIX });
  const chair = await invitePerson(suite.admin, { name: 'Maja Ek', role: 'chair', group: id });
  const anna = await invitePerson(suite.admin, { name: 'Anna Berg', org: 'polis', group: id, role: 'cosigner' });
  const erik = await invitePerson(suite.admin, { name: 'Erik Lund', org: 'kommun', group: id });
  return { chair, anna, erik, meetingId: await createMeeting(chair.api, 'EST-möte vecka 50', id) };
}

/** Opens the Personuppgifter panel with the keyboard (its heading's button) unless it is open. */
async function openPanel(page: Page): Promise<void> {
  const toggle = page.locator('.privacy-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'true') return;
  await toggle.focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('privacy-list').waitFor();
}

describe('the server flags a number for everyone and the chair resolves it', () => {
  it('marks and lists the flag for a second participant, holds the sign-off, and shows the acknowledgement everywhere', async () => {
    const { chair, anna, erik, meetingId } = await sixOrganisations('sala6');
    const annaPage = await suite.pageAs(anna, 1366, 900, { bypassCSP: true });
    const erikPage = await suite.pageAs(erik, 390, 844, { bypassCSP: true });
    const chairPage = await suite.pageAs(chair, 1366, 768, { bypassCSP: true });
    for (const p of [annaPage, erikPage, chairPage]) await openMeeting(p, suite.server.url, meetingId);

    // Anna types a number; Erik, in another browser, sees it marked in the field and counted and listed in the panel.
    const entry = await addEntry(annaPage, 'hot-och-vald', 'polis');
    const key = `hot-och-vald/polis/${entry}/handelse`;
    await annaPage.keyboard.type('Anmälan gällde 121212-1212 vid torget.', { delay: 5 });
    await waitLive(annaPage);
    await annaPage.locator(`[data-testid="pn-number"][data-state="open"]`, { hasText: '121212-1212' }).waitFor();
    expect(await field(annaPage, key).getAttribute('data-flagged')).toBe('true');
    await erikPage.locator(`.ro-field[data-field="${key}"] .ro-text mark.pn-mark`, { hasText: '121212-1212' }).waitFor();
    await erikPage.locator('[data-testid="privacy-count"]', { hasText: '1' }).waitFor();
    await openPanel(erikPage);
    const erikRow = erikPage.locator(`[data-flag="${key}"]`);
    expect(await erikRow.textContent()).toContain('Hot och våld');
    expect(await erikRow.textContent()).toContain('Polisen, händelse 1');
    expect(await erikRow.textContent()).toContain('Personnummer');
    expect(await erikRow.getByTestId('flag-state').textContent()).toBe('Inte hanterad');
    expect(await erikRow.getByRole('button', { name: /Godkänn/ }).count()).toBe(0);
    expect(await erikRow.textContent()).not.toContain('1212-1212');

    // A participant cannot acknowledge: no button, and the server refuses a raw attempt.
    await erikPage.evaluate(() => {
      const s = window.__estLive!;
      const row = s.replica.privacyReview().rows()[0];
      s.acknowledge(row.target, row.number, 'Jag vill godkänna');
    });
    await erikPage.locator('.notice[data-code="forbidden"]', { hasText: 'Bara ordföranden kan godkänna personuppgifter.' }).waitFor();
    expect(await erikRow.getByTestId('flag-state').textContent()).toBe('Inte hanterad');

    // "Visa i fältet" takes Erik to the field.
    await erikRow.getByRole('button', { name: /Visa i fältet/ }).click();
    expect(await erikPage.evaluate(() => document.activeElement?.getAttribute('data-field'))).toBe(key);
    await shoot(erikPage, 'privacy-flag-field-390');

    // The chair locks the picture; the sign-off panel says what holds it up, and the server refuses the signature.
    await chair.api.ok('POST', `/api/meetings/${meetingId}/lifecycle`, { action: 'lock_picture' });
    await chairPage.getByTestId('signoff-privacy').getByText('1 personuppgift väntar på att tas bort eller godkännas.').waitFor();
    await chairPage.getByRole('button', { name: 'Signera', exact: true }).click();
    await chairPage.getByTestId('sign-target').waitFor();
    await chairPage.locator('#sign-password').fill(PASSWORD);
    await chairPage.locator('#sign-password').press('Enter');
    await chairPage.locator('#sign-error', { hasText: 'Lägesbilden kan inte signeras än' }).waitFor();
    await chairPage.keyboard.press('Escape');
    const ex = await anna.api.ok<{ rev: number; digest: string }>('GET', `/api/meetings/${meetingId}/export?format=json`);
    const refused = await anna.api.call('POST', `/api/meetings/${meetingId}/lifecycle`, { action: 'sign', rev: ex.rev, digest: ex.digest, password: PASSWORD });
    expect(refused.status).toBe(409);
    expect((refused.json as { error: string }).error).toBe('personal_data');

    // The chair acknowledges it with the keyboard only: the panel, "Godkänn…", a required reason.
    await openPanel(chairPage);
    const chairRow = chairPage.locator(`[data-flag="${key}"]`);
    await shoot(chairPage, 'privacy-flag-chair-1366');
    await field(annaPage, key).scrollIntoViewIfNeeded();
    await shoot(annaPage, 'privacy-flag-field-1366');
    await chairRow.getByRole('button', { name: /Godkänn/ }).focus();
    await chairPage.keyboard.press('Enter');
    const dialog = chairPage.getByTestId('ack-dialog');
    await dialog.waitFor();
    expect(await chairPage.evaluate(() => document.activeElement?.id)).toBe('ack-reason');
    await chairPage.keyboard.press('Enter');
    await dialog.locator('#ack-error', { hasText: 'Skriv varför numret får stå kvar.' }).waitFor();
    await expectNoAxeViolations(chairPage, 'the acknowledge dialog');
    await chairPage.keyboard.type('Behövs för polisens uppföljning');
    await chairPage.keyboard.press('Enter');
    for (const p of [chairPage, erikPage, annaPage]) {
      await openPanel(p);
      await p.locator(`[data-flag="${key}"][data-state="acknowledged"]`).getByText(/^Godkänd av Maja Ek .*: Behövs för polisens uppföljning$/).waitFor();
    }
    await annaPage.locator(`[data-testid="pn-number"][data-state="acknowledged"]`, { hasText: 'godkänt av Maja Ek' }).waitFor();
    expect(await chairPage.evaluate(() => document.activeElement?.classList.contains('privacy-toggle'))).toBe(true);
    await chairPage.locator('[data-testid="privacy-count"]', { hasText: '0' }).waitFor();
    expect(await chairPage.getByTestId('signoff-privacy').count()).toBe(0);

    await expectNoAxeViolations(chairPage, 'the chair with the panel open');
    await expectNoAxeViolations(erikPage, 'a participant with the panel open, on a phone');
    await chairPage.locator('#personuppgifter').scrollIntoViewIfNeeded();
    await shoot(chairPage, 'privacy-panel-1366');
    await erikPage.locator('#personuppgifter').scrollIntoViewIfNeeded();
    await shoot(erikPage, 'privacy-panel-390');

    // Resolved: the signature goes through.
    await anna.api.ok('POST', `/api/meetings/${meetingId}/lifecycle`, { action: 'sign', rev: ex.rev, digest: ex.digest, password: PASSWORD });
  });

  it('marks an entry sekretess and everyone sees it; only its organisation and the chair may', async () => {
    const { chair, anna, erik, meetingId } = await sixOrganisations('sala6b');
    const annaPage = await suite.pageAs(anna, 1366, 900, { bypassCSP: true });
    const erikPage = await suite.pageAs(erik, 390, 844, { bypassCSP: true });
    const chairPage = await suite.pageAs(chair, 1366, 768);
    for (const p of [annaPage, erikPage, chairPage]) await openMeeting(p, suite.server.url, meetingId);
    const entry = await addEntry(annaPage, 'hot-och-vald', 'polis');
    await annaPage.keyboard.type('Hot mot personal i butik.');
    await waitLive(annaPage);

    const annaEntry = annaPage.locator(`[data-entry="${entry}"]`);
    await annaEntry.getByRole('button', { name: /^Sekretessmarkera/ }).click();
    await annaEntry.getByLabel('Sekretess enligt').selectOption('35 kap. 1 § OSL');
    await annaEntry.getByRole('button', { name: 'Spara' }).click();
    await waitLive(annaPage);
    const erikEntry = erikPage.locator(`[data-entry="${entry}"]`);
    await erikEntry.getByTestId('secrecy-badge').getByText('Sekretess: 35 kap. 1 § OSL').waitFor();
    // Erik writes for another organisation: no control on the police's entry; the chair has one.
    expect(await erikEntry.getByRole('button', { name: /sekretess/i }).count()).toBe(0);
    const chairEntry = chairPage.locator(`[data-entry="${entry}"]`);
    await chairEntry.getByTestId('secrecy-badge').getByText('Sekretess: 35 kap. 1 § OSL').waitFor();
    await expectNoAxeViolations(erikPage, 'a sekretess badge on a phone');
    await erikEntry.scrollIntoViewIfNeeded();
    await shoot(erikPage, 'secrecy-390');
    await chairEntry.getByRole('button', { name: /^Ändra sekretess/ }).click();
    await chairEntry.scrollIntoViewIfNeeded();
    await shoot(chairPage, 'secrecy-form-1366');
    await chairEntry.getByRole('button', { name: 'Avbryt' }).click();

    // The chair changes it to a reference of their own ("Annan"); everyone sees it. Then clears it.
    await chairEntry.getByRole('button', { name: /^Ändra sekretess/ }).click();
    await chairEntry.getByLabel('Sekretess enligt').selectOption('annan');
    await chairEntry.getByLabel('Bestämmelse').fill('21 kap. 3 § OSL');
    await chairEntry.getByRole('button', { name: 'Spara' }).click();
    await erikEntry.getByTestId('secrecy-badge').getByText('Sekretess: 21 kap. 3 § OSL').waitFor();
    await annaEntry.getByTestId('secrecy-badge').getByText('Sekretess: 21 kap. 3 § OSL').waitFor();
    await annaEntry.getByRole('button', { name: /^Ändra sekretess/ }).click();
    await annaEntry.getByRole('button', { name: 'Ta bort markeringen' }).click();
    await erikEntry.getByTestId('secrecy-badge').waitFor({ state: 'detached' });

    // The public version of the export is linked next to the full one.
    expect(await erikPage.getByTestId('export-public').getAttribute('href')).toBe(`/api/meetings/${meetingId}/export?format=html&version=public`);
  });
});
