// A correction of a closed meeting in a real browser against a real est-server (docs/protocol.md, "Corrections"):
// the chair of a closed meeting presses "Gör en rättelse", reads what it means (the closed picture stays as it was
// signed), confirms, and lands in the new meeting, which says what it corrects and holds the closed picture's copy;
// the closed meeting and the group's list say where it was corrected. axe finds nothing; screenshots 1366 and 390.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PASSWORD, axe, createMeeting, field, invitePerson, openMeeting, shoot, useSuite, waitLive, type Person } from './harness';

const suite = useSuite();

/** axe finds nothing at all: no violation of any impact. */
async function expectNoAxeViolations(page: Page, what: string) {
  const { all, passes } = await axe(page);
  expect(all, what).toEqual([]);
  expect(passes).toBeGreaterThan(5);
}

/** Drives the meeting to closed over the REST API: opened (if a draft), a participant's entry, locked, signed, closed. */
async function closeMeeting(meetingId: string, chair: Person, cosigner: Person) {
  const path = `/api/meetings/${meetingId}/lifecycle`;
  const now = await chair.api.ok<{ state: string }>('GET', `/api/meetings/${meetingId}`);
  if (now.state === 'draft') await chair.api.ok('POST', path, { action: 'open' });
  await chair.api.ok('POST', path, { action: 'lock_picture' });
  for (const who of [chair, cosigner]) {
    const ex = await who.api.ok<{ rev: number; digest: string }>('GET', `/api/meetings/${meetingId}/export?format=json`);
    await who.api.ok('POST', path, { action: 'sign', rev: ex.rev, digest: ex.digest, password: PASSWORD });
  }
  await chair.api.ok('POST', path, { action: 'close' });
}

describe('correcting a closed meeting', () => {
  it('lets the chair start a correction from the closed meeting and lands in it', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      id: 'avesta',
      name: 'EST-gruppen Avesta',
      municipality: 'Avesta kommun',
      organisations: [
        { id: 'kommun', name: 'Avesta kommun, trygghetssamordnare' },
        { id: 'polis', name: 'Polisen, lokalpolisområde Avesta' },
        { id: 'skola', name: 'Skolförvaltningen' },
      ],
    });
    const chair = await invitePerson(suite.admin, { name: 'Eva Ek', role: 'chair', group: group.id });
    const cosigner = await invitePerson(suite.admin, { name: 'Olle Holm', role: 'cosigner', org: 'polis', group: group.id });
    const school = await invitePerson(suite.admin, { name: 'Johan Nyström', role: 'participant', org: 'skola', group: group.id });
    const meetingId = await createMeeting(chair.api, 'EST-möte vecka 49', group.id);

    // The school's entry, written live before the meeting closes.
    const schoolPage = await suite.pageAs(school, 1366, 900);
    const state = await chair.api.ok<{ state: string }>('GET', `/api/meetings/${meetingId}`);
    if (state.state === 'draft') await chair.api.ok('POST', `/api/meetings/${meetingId}/lifecycle`, { action: 'open' });
    await openMeeting(schoolPage, suite.server.url, meetingId);
    await schoolPage.locator('[data-add="ungdomar-skolor/skola"]').click();
    const entry = schoolPage.locator('[data-cell="ungdomar-skolor/skola"] [data-entry]').first();
    await entry.waitFor();
    const entryId = await entry.getAttribute('data-entry');
    const key = `ungdomar-skolor/skola/${entryId}/handelse`;
    await field(schoolPage, key).fill('Klotter på Kyrkskolans gavel.');
    await waitLive(schoolPage);
    await schoolPage.close();
    await closeMeeting(meetingId, chair, cosigner);

    // The chair opens the closed meeting: "Gör en rättelse" asks first and says what it means.
    const page = await suite.pageAs(chair, 1366, 900, { bypassCSP: true });
    await openMeeting(page, suite.server.url, meetingId);
    await page.locator('[data-testid="signoff"][data-phase="closed"]').waitFor();
    // Only the chair is offered it.
    const copPage = await suite.pageAs(cosigner, 1366, 900);
    await openMeeting(copPage, suite.server.url, meetingId);
    await copPage.locator('[data-testid="signoff"][data-phase="closed"]').waitFor();
    expect(await copPage.getByRole('button', { name: 'Gör en rättelse' }).count()).toBe(0);

    const ask = page.getByRole('button', { name: 'Gör en rättelse' });
    await ask.click();
    const question = page.getByRole('group', { name: 'Gör en rättelse av lägesbilden?' });
    await question.waitFor();
    expect(await question.innerText()).toContain('Den stängda lägesbilden och dess underskrifter ändras inte');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toBe('Ja, gör en rättelse');
    await expectNoAxeViolations(page, 'the closed meeting asking whether to correct it');
    await page.locator('#underskrifter').scrollIntoViewIfNeeded();
    await shoot(page, 'correction-ask-1366');
    // Escape goes back; the keyboard alone starts it.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toBe('Gör en rättelse');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toBe('Ja, gör en rättelse');
    await page.keyboard.press('Enter');

    // It lands in the correction: open, titled as one, naming what it corrects, with the closed picture's copy.
    await page.waitForURL((url) => /#\/m\//.test(url.hash) && !url.hash.endsWith(`/${meetingId}`));
    const newId = new URL(page.url()).hash.replace('#/m/', '');
    await page.locator('[data-testid="signoff"][data-phase="open"]').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Rättelse: EST-möte vecka 49' }).waitFor();
    const corrects = page.getByTestId('corrects');
    await corrects.waitFor();
    expect(await corrects.innerText()).toMatch(/^Rättelse av EST-möte vecka 49, .+ \(lägesbild [0-9a-f]{12}…\)/);
    expect(await corrects.getByRole('link', { name: 'EST-möte vecka 49' }).getAttribute('href')).toBe(`#/m/${meetingId}`);
    await expect.poll(() => field(page, key).innerText().catch(() => '')).toContain('Klotter på Kyrkskolans gavel.');
    await expectNoAxeViolations(page, 'the correction, open');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, 'correction-new-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, 'correction-new-390');

    // The closed meeting is as it was, and says where it was corrected; so does the group's list.
    const old = await suite.pageAs(school, 1366, 900, { bypassCSP: true });
    await openMeeting(old, suite.server.url, meetingId);
    const correctedBy = old.getByTestId('corrected-by');
    await correctedBy.waitFor();
    expect(await correctedBy.innerText()).toContain('Rättad i Rättelse: EST-möte vecka 49');
    expect(await correctedBy.getByRole('link').getAttribute('href')).toBe(`#/m/${newId}`);
    await old.locator('[data-testid="signoff"][data-phase="closed"]').waitFor();
    await expectNoAxeViolations(old, 'the corrected, closed meeting');
    await shoot(old, 'correction-old-1366');
    await old.setViewportSize({ width: 390, height: 844 });
    await shoot(old, 'correction-old-390');
    await old.goto(`${suite.server.url}/#/g/${group.id}`);
    const listed = old.locator('[data-testid="corrected-by"]');
    await listed.waitFor();
    expect(await listed.innerText()).toBe('Rättad – se Rättelse: EST-möte vecka 49');
    await expectNoAxeViolations(old, 'the group page with a corrected meeting');
    await shoot(old, 'correction-list-390');
    // The chair is no longer offered a second correction of the closed meeting.
    await page.setViewportSize({ width: 1366, height: 900 });
    await openMeeting(page, suite.server.url, meetingId);
    await page.getByTestId('corrected-by').waitFor();
    expect(await page.getByRole('button', { name: 'Gör en rättelse' }).count()).toBe(0);
  });
});
