// The meeting as a coordinator runs it: by keyboard from joining to writing in the own organisation's part of a
// topic chosen in the topic bar; someone who leaves (Lämna mötet) or drops is shown as disconnected to the others.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PASSWORD, createMeeting, expectNoAxeViolations, openMeeting, phase, useSuite, waitLive } from './harness';

const suite = useSuite();

/** Presses Tab until the focused element matches `selector` (at most `limit` times); fails otherwise. */
async function tabTo(page: Page, selector: string, limit = 60): Promise<void> {
  for (let i = 0; i < limit; ++i) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Presses Tab until a button whose text is `name` has the focus (at most `limit` times); fails otherwise. */
async function tabToButton(page: Page, name: string, limit = 200): Promise<void> {
  for (let i = 0; i < limit; ++i) {
    const at = await page.evaluate(() => document.activeElement?.tagName === 'BUTTON' ? document.activeElement.textContent?.trim() : null);
    if (at === name) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached the button ${name}`);
}

describe('the meeting by keyboard', () => {
  it('joins with focus on the heading, moves between topics with the arrow keys and writes an entry', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'Extramöte om torget');
    const polis = await suite.person({ name: 'Erik Sjöberg', org: 'polis' });
    const page = await suite.pageAs(polis, 1093, 615, { topicView: 'one', bypassCSP: true });
    await openMeeting(page, suite.server.url, meetingId);
    // Focus is on the meeting's heading once joined, not left on the page.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Extramöte om torget');

    // Into the topic bar: only the chosen tab is in the tab order; the arrow keys choose and show a topic.
    await tabTo(page, '[role="tab"]');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-tab'))).toBe('hot-och-vald');
    await page.keyboard.press('ArrowRight');
    await page.locator('[role="tab"][data-tab="ordningsstorning"][aria-selected="true"]').waitFor();
    await page.locator('[role="tabpanel"] section[data-topic="ordningsstorning"]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-tab'))).toBe('ordningsstorning');
    await page.keyboard.press('End');
    await page.locator('[role="tab"][data-tab="ovrigt"][aria-selected="true"]').waitFor();
    await page.keyboard.press('Home');
    await page.locator('[role="tab"][data-tab="hot-och-vald"][aria-selected="true"]').waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.locator('[role="tab"][data-tab="ovrigt"][aria-selected="true"]').waitFor();
    await page.keyboard.press('ArrowRight');
    await page.locator('[role="tab"][data-tab="hot-och-vald"][aria-selected="true"]').waitFor();

    // From the bar into the topic: the own organisation comes first, its "Lägg till händelse" by Tab and Enter.
    await tabTo(page, '[data-add="hot-och-vald/polis"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-field')?.endsWith('/handelse') ?? false);
    await page.keyboard.type('Rån mot butik vid resecentrum, två gärningspersoner.');
    await waitLive(page);
    type Saved = { picture: { topics: { id: string; cells: Record<string, { entries: { fields: Record<string, unknown> }[] }> }[] } };
    const saved = await suite.chair.api.ok<Saved>('GET', `/api/meetings/${meetingId}/export?format=json`);
    const entries = saved.picture.topics.find((t) => t.id === 'hot-och-vald')!.cells.polis.entries;
    expect(entries.map((e) => e.fields.handelse)).toEqual(['Rån mot butik vid resecentrum, två gärningspersoner.']);
    // The counts in the bar follow.
    await page.locator('[data-tab="hot-och-vald"] .topic-tab-counts[data-entries="1"]').waitFor();
    await expectNoAxeViolations(page, 'the meeting, one topic at a time');
  });

  it('shows who left, or dropped, as disconnected to the others, and Lämna mötet goes back to the group', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'Extramöte om skolan');
    const anna = await suite.person({ name: 'Anna Berg', org: 'nvk' });
    const johan = await suite.person({ name: 'Johan Nyström', org: 'kommun' });
    const annaPage = await suite.pageAs(anna, 1366, 768, { topicView: 'one' });
    const johanPage = await suite.pageAs(johan, 1366, 768, { topicView: 'one' });
    await openMeeting(annaPage, suite.server.url, meetingId);
    await openMeeting(johanPage, suite.server.url, meetingId);
    const johanSeen = annaPage.locator('.person').filter({ hasText: 'Johan Nyström' });
    await johanSeen.and(annaPage.locator(':not([data-gone])')).waitFor();

    // Kopiera möteslänk puts the meeting's address on the clipboard.
    await annaPage.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
    await annaPage.getByRole('button', { name: 'Kopiera möteslänk' }).click();
    await annaPage.getByRole('status').filter({ hasText: 'Länken är kopierad.' }).waitFor();
    expect(await annaPage.evaluate(() => navigator.clipboard.readText())).toBe(`${suite.server.url}/#/m/${meetingId}`);

    // Johan leaves through the button: back on the group's page; Anna sees him disconnected, not gone.
    await johanPage.getByRole('button', { name: 'Lämna mötet' }).click();
    await johanPage.waitForURL(/#\/g\//);
    await annaPage.locator('.person[data-gone="true"]').filter({ hasText: 'Johan Nyström' }).filter({ hasText: 'Frånkopplad sedan' }).waitFor();
    await annaPage.locator('.presence-title').filter({ hasText: '1 frånkopplad' }).waitFor();

    // He comes back: shown as here again, once.
    await openMeeting(johanPage, suite.server.url, meetingId);
    await annaPage.locator('.person[data-gone="true"]').waitFor({ state: 'detached' });
    expect(await annaPage.locator('.person').filter({ hasText: 'Johan Nyström' }).count()).toBe(1);

    // A dropped tab (closed without leaving) is shown the same way.
    await johanPage.close();
    await annaPage.locator('.person[data-gone="true"]').filter({ hasText: 'Johan Nyström' }).waitFor();
  });

  it("follows the chair's current topic in another browser, and leaves it when the person picks another", async () => {
    const meetingId = await createMeeting(suite.chair.api, 'Extramöte om centrum');
    const erik = await suite.person({ name: 'Erik Lund', org: 'kommun' });
    const chairPage = await suite.pageAs(suite.chair, 1366, 768, { topicView: 'one' });
    const erikPage = await suite.pageAs(erik, 1366, 768, { topicView: 'one' });
    await openMeeting(chairPage, suite.server.url, meetingId);
    await openMeeting(erikPage, suite.server.url, meetingId);

    // The chair goes to ANDT and shows it to everyone: Erik's screen follows, the tab says it is the current one.
    await chairPage.locator('[data-tab="andt"]').click();
    await chairPage.getByRole('button', { name: 'Visa ämnet för alla' }).click();
    await chairPage.getByRole('button', { name: 'Alla följer detta ämne' }).waitFor();
    await erikPage.locator('[role="tab"][data-tab="andt"][aria-selected="true"]').waitFor();
    await erikPage.locator('[data-tab="andt"] [data-testid="lead-mark"]').waitFor();
    expect(await erikPage.getByLabel('Följ ordföranden').isChecked()).toBe(true);

    // Erik looks at another topic: he leaves the following; the chair's next topic does not move him.
    await erikPage.locator('[data-tab="extremism"]').click();
    expect(await erikPage.getByLabel('Följ ordföranden').isChecked()).toBe(false);
    await chairPage.locator('[data-tab="ovrigt"]').click();
    await chairPage.getByRole('button', { name: 'Visa ämnet för alla' }).click();
    await erikPage.locator('[data-tab="ovrigt"] [data-testid="lead-mark"]').waitFor();
    expect(await erikPage.locator('[role="tab"][aria-selected="true"]').getAttribute('data-tab')).toBe('extremism');
    // Following again takes him to where the chair is.
    await erikPage.getByLabel('Följ ordföranden').check();
    await erikPage.locator('[role="tab"][data-tab="ovrigt"][aria-selected="true"]').waitFor();

    // Someone joining later starts on the current topic; a participant is not offered to lead.
    const late = await suite.pageAs(await suite.person({ name: 'Sara Ek', org: 'polis' }), 390, 844, { topicView: 'one' });
    await openMeeting(late, suite.server.url, meetingId);
    await late.locator('[role="tab"][data-tab="ovrigt"][aria-selected="true"]').waitFor();
    expect(await late.getByTestId('lead').count()).toBe(0);
  });

  it('lets the chair open, assess, lock, sign and close a meeting with the keyboard alone', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      id: 'heby',
      name: 'EST-gruppen Heby',
      organisations: [
        { id: 'kommun', name: 'Heby kommun' },
        { id: 'polis', name: 'Polisen' },
        { id: 'skola', name: 'Heby kommun, skolan' },
        { id: 'bostad', name: 'Hebyhem' },
      ],
    });
    await suite.admin.ok('PUT', `/api/groups/${group.id}/settings`, { signers: ['chair'] });
    const chair = await suite.person({ name: 'Karin Holm', role: 'chair', group: group.id });
    const meetingId = await createMeeting(chair.api, 'EST-möte vecka 51', group.id, { draft: true });
    const page = await suite.pageAs(chair, 1093, 615, { topicView: 'one', bypassCSP: true });
    await openMeeting(page, suite.server.url, meetingId);
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');

    // Open the draft: Tab to "Öppna mötet", Enter; the focus goes to the picture.
    await tabTo(page, '[data-testid="open-meeting"]');
    await page.keyboard.press('Enter');
    await page.getByTestId('draft-banner').waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('lagesbild');

    // Write the joint assessment of the topic in view.
    await tabTo(page, 'textarea[data-field="hot-och-vald/bedomning"]', 200);
    await page.keyboard.type('Lugnt i centrum, oro kring skolan på kvällarna.');
    await waitLive(page);

    // Lock the picture; the focus lands on the sign-off panel, whose next button signs.
    await tabToButton(page, 'Lås lägesbilden');
    await page.keyboard.press('Enter');
    await phase(page, 'locked').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('signoff-h');
    await tabToButton(page, 'Signera');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Signera lägesbilden' });
    await dialog.getByTestId('sign-target').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await phase(page, 'signed').waitFor();

    // Close it: the question asks once more, and Enter on its confirmation closes the meeting.
    await tabToButton(page, 'Stäng mötet');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()))
      .toBe('Ja, stäng mötet');
    await page.keyboard.press('Enter');
    await phase(page, 'closed').waitFor();
    const closed = await chair.api.ok<{ state: string }>('GET', `/api/meetings/${meetingId}`);
    expect(closed.state).toBe('closed');
    await expectNoAxeViolations(page, 'the meeting closed by keyboard');
  });
});
