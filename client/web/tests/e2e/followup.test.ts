// Decision items from the meeting page to the next meeting's Uppföljning, in real browsers against a real est-server
// (issue 14): a participant proposes a decision item with the form in a topic and types its fields (by keyboard);
// the chair marks it "Till BRÅ: ja", which the participant sees live; the meeting is locked, signed and closed over
// REST; a BRÅ member filters the queue and approves the item with the participant's organisation as owner; the
// group's next meeting shows it under Uppföljning, where the owner reports gul with a note (and is told that gul
// needs one); others see the report but get no form, and a person whose queue lacks the group sees no section.
// axe finds nothing on the meeting pages; screenshots at 1366 and 390 px go to the artifacts folder.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createMeeting, dayFromToday, expectNoAxeViolations, field, invitePerson, lockSignClose, openMeeting, shoot, useSuite, waitLive } from './harness';

const suite = useSuite();

const ORGS = [
  { id: 'kommun', name: 'Västby kommun, trygghetssamordnare' },
  { id: 'polis', name: 'Polisen, lokalpolisområde Västby' },
  { id: 'social', name: 'Socialtjänsten, Västby kommun' },
  { id: 'skola', name: 'Skolförvaltningen' },
  { id: 'bostad', name: 'Västbyhem AB' },
];

const day = dayFromToday;

/** Proposes a decision item in the topic with the keyboard (Enter on "Föreslå beslutspunkt"); returns its id. */
async function proposeItem(page: Page, topic: string): Promise<string> {
  const list = page.locator(`[data-items="${topic}"]`);
  const before = await list.locator('[data-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
  await page.locator(`[data-add-item="${topic}"]`).focus();
  await page.keyboard.press('Enter');
  await waitLive(page);
  const after = await list.locator('[data-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
  const id = after.find((x) => !before.includes(x));
  if (!id) throw new Error('no new decision item appeared');
  return id;
}

/** The data-field key of the focused element. */
function focused(page: Page) {
  return page.evaluate(() => document.activeElement?.getAttribute('data-field') ?? document.activeElement?.tagName ?? null);
}

describe('decision items in the meeting and their follow-up at the next meeting', () => {
  it('goes from a proposal typed in the meeting to a gul report under Uppföljning', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      id: 'vastby',
      name: 'EST-gruppen Västby',
      municipality: 'Västby kommun',
      organisations: ORGS,
    });
    const chair = await invitePerson(suite.admin, { name: 'Eva Ek', role: 'chair', group: group.id });
    const cosigner = await invitePerson(suite.admin, { name: 'Olle Holm', role: 'cosigner', org: 'polis', group: group.id });
    const social = await invitePerson(suite.admin, { name: 'Sara Nilsson', role: 'participant', org: 'social', group: group.id });
    const school = await invitePerson(suite.admin, { name: 'Johan Nyström', role: 'participant', org: 'skola', group: group.id });
    const bra = await invitePerson(suite.admin, { name: 'Karin Åberg', role: 'bra_member', group: group.id });
    const meetingId = await createMeeting(chair.api, 'EST-möte vecka 47', group.id);

    // The participant proposes an item in ANDT: Enter on the button, the heading field takes the focus, Tab moves on.
    const page = await suite.pageAs(social, 1366, 900, { bypassCSP: true });
    await openMeeting(page, suite.server.url, meetingId);
    const chairPage = await suite.pageAs(chair, 1366, 900, { bypassCSP: true });
    await openMeeting(chairPage, suite.server.url, meetingId);
    const item = await proposeItem(page, 'andt');
    const key = (f: string) => `andt/item:${item}/${f}`;
    expect(await focused(page)).toBe(key('rubrik'));
    await page.keyboard.type('Orsaksanalys: langning av snus vid Risbroskolan');
    // The card's heading follows its rubrik as it is typed.
    await page.locator(`[data-item="${item}"]`).getByRole('heading', { name: /langning av snus vid Risbroskolan/ }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe(key('beskrivning'));
    await page.keyboard.type('Skolan och fältassistenterna ser langning vid idrottshallen på kvällarna.');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe(key('orsak'));
    await page.keyboard.type('Äldre ungdomar langar till yngre; platsen saknar vuxennärvaro efter kl. 18.');
    await field(page, key('typ')).selectOption('orsaksanalys');
    await field(page, key('preventionsniva')).selectOption('selektiv');
    await field(page, key('inriktning')).selectOption('social');
    await field(page, key('mal')).fill('Förstå varför langningen sker vid idrottshallen.');
    await field(page, key('klart_senast')).fill(day(120));
    await field(page, key('agare')).selectOption('social');
    await field(page, key('kontakt')).fill('Sara Nilsson');
    await waitLive(page);
    // The participant sees the chair's mark but cannot set it.
    const card = page.locator(`[data-item="${item}"]`);
    expect(await card.getByTestId('till-bra').innerText()).toBe('Till BRÅ: inte bestämt');
    expect(await card.getByRole('radio').count()).toBe(0);

    // The chair sees the proposal live and sends it to BRÅ; the participant sees the mark live.
    const chairCard = chairPage.locator(`[data-item="${item}"]`);
    await chairCard.getByRole('heading', { name: /langning av snus vid Risbroskolan/ }).waitFor();
    await expect.poll(() => field(chairPage, key('klart_senast')).inputValue(), { timeout: 15_000 }).toBe(day(120));
    await chairCard.getByRole('radio', { name: 'Ja' }).check();
    await waitLive(chairPage);
    await card.getByTestId('till-bra').filter({ hasText: 'Till BRÅ: ja' }).waitFor();
    await expectNoAxeViolations(chairPage, 'the chair’s meeting with the Till BRÅ choice');

    // A second proposal, removed again with the keyboard: Escape cancels (focus back on "Ta bort"), Enter confirms.
    const extra = await proposeItem(page, 'ovrigt');
    await page.keyboard.type('Stannar i gruppen');
    const extraCard = page.locator(`[data-item="${extra}"]`);
    await extraCard.getByRole('button', { name: /^Ta bort/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Ja, ta bort' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Ja, ta bort');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toMatch(/^Ta bort/);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await extraCard.waitFor({ state: 'detached' });
    await waitLive(page);
    expect(await page.locator(`[data-item="${extra}"]`).count()).toBe(0);

    await expectNoAxeViolations(page, 'the meeting with a decision item');
    await card.scrollIntoViewIfNeeded();
    await shoot(page, 'items-meeting-1366');
    await shoot(page, 'items-meeting-1366-full', true);
    await chairCard.scrollIntoViewIfNeeded();
    await shoot(chairPage, 'items-meeting-chair-1366');
    const phone = await suite.pageAs(social, 390, 844);
    await openMeeting(phone, suite.server.url, meetingId);
    await phone.locator(`[data-item="${item}"]`).scrollIntoViewIfNeeded();
    await shoot(phone, 'items-meeting-390');

    // Locked: items may still change (topic locks do not apply); closed: read-only.
    await lockSignClose(meetingId, chair, cosigner);
    await page.getByTestId('picture-locked').filter({ hasText: 'stängt' }).waitFor();
    expect(await card.locator('textarea, select, input').count()).toBe(0);
    expect(await card.innerText()).toContain('Orsaksanalys: langning av snus vid Risbroskolan');
    expect(await page.locator(`[data-add-item]`).count()).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await shoot(page, 'items-meeting-closed-1366');

    // The BRÅ member filters the queue and approves the item, owner the participant's organisation.
    const braPage = await suite.pageAs(bra, 1366, 900);
    await braPage.goto(`${suite.server.url}/#/bra`);
    await expect.poll(() => braPage.getByTestId('bra-count').innerText(), { timeout: 15_000 }).toBe('1 av 1 punkt');
    await braPage.getByLabel('Ämne').selectOption({ label: 'ANDT' });
    await braPage.getByLabel('Status').selectOption({ label: 'Inkommen' });
    await expect.poll(() => braPage.getByTestId('bra-count').innerText(), { timeout: 15_000 }).toBe('1 av 1 punkt');
    await braPage.getByRole('link', { name: 'Orsaksanalys: langning av snus vid Risbroskolan' }).click();
    await braPage.getByRole('radio', { name: 'Bifall', exact: true }).check();
    expect(await braPage.getByLabel('Ansvarig organisation').inputValue()).toBe('social');
    await braPage.getByLabel('Kontaktperson').fill('Sara Nilsson, 0223-123 45');
    await braPage.getByLabel('Klart senast').fill(day(90));
    await braPage.getByRole('button', { name: 'Spara beslut' }).click();
    await braPage.getByTestId('bra-outcome').getByText('Bifall sparat.').waitFor();

    // The next meeting: the item is under Uppföljning, with its status, owner and due date.
    const next = await createMeeting(chair.api, 'EST-möte vecka 49', group.id);
    await openMeeting(page, suite.server.url, next);
    const itemId = `${meetingId}.andt.${item}`;
    const row = page.getByTestId('followup').locator(`[data-item="${itemId}"]`);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('Bifall');
    expect(text).toContain('Socialtjänsten');
    expect(text).toContain(day(90));
    expect(text).toContain('Ingen rapport än');
    expect(await row.getByRole('link', { name: 'Orsaksanalys: langning av snus vid Risbroskolan' }).getAttribute('href')).toBe(`#/bra/${itemId}`);

    // Another organisation follows the meeting on a phone.
    const other = await suite.pageAs(school, 390, 844, { bypassCSP: true });
    await openMeeting(other, suite.server.url, next);
    const otherRow = other.getByTestId('followup').locator(`[data-item="${itemId}"]`);
    expect(await otherRow.innerText()).toContain('Ingen rapport än');

    // And a new proposal in this meeting, so the page has both.
    const fresh = await proposeItem(page, 'hot-och-vald');
    await page.keyboard.type('Belysning i gångtunneln vid Vallonparken');
    await field(page, `hot-och-vald/item:${fresh}/typ`).selectOption('åtgärd/insats');
    await waitLive(page);

    // The owner reports gul: without a note it is refused with the reason; with one it is saved and shown.
    await row.getByText('Rapportera läge').click();
    await row.getByRole('radio', { name: 'Gul', exact: true }).check();
    await row.getByRole('button', { name: 'Spara uppföljning' }).click();
    await row.getByText('Gul och röd behöver en kommentar om vad som hänt.', { exact: true }).waitFor();
    await expectNoAxeViolations(page, 'the meeting with items and the follow-up form');
    await row.getByLabel(/^Kommentar/).fill('Analysen är försenad: skolans enkät kommer först i februari.');
    await row.getByRole('button', { name: 'Spara uppföljning' }).click();
    await row.getByTestId('followup-outcome').getByText('Uppföljningen är sparad: Gul.').waitFor();
    const report = row.getByTestId('followup-report');
    await report.getByText(/skolans enkät kommer först i februari/).waitFor();
    expect(await report.innerText()).toContain('Gul');
    expect(await report.innerText()).toContain('risk för försening');
    expect(await report.innerText()).toContain('Sara Nilsson');
    expect(await row.getByTestId('bra-progress').innerText()).toContain('Gul');
    await expectNoAxeViolations(page, 'the meeting after the report');
    await row.scrollIntoViewIfNeeded();
    await shoot(page, 'followup-meeting-1366');
    await shoot(page, 'followup-meeting-1366-full', true);

    // Another organisation, in the meeting on a phone since before the report, sees it arrive live, but no form.
    await otherRow.getByText(/skolans enkät/).waitFor();
    expect(await otherRow.getByTestId('bra-progress').innerText()).toContain('Gul');
    expect(await otherRow.getByText('Rapportera läge').count()).toBe(0);
    await expectNoAxeViolations(other, 'the meeting on a phone');
    await otherRow.scrollIntoViewIfNeeded();
    await shoot(other, 'followup-meeting-390');
    await shoot(other, 'followup-meeting-390-full', true);
    const owner390 = await suite.pageAs(social, 390, 844);
    await openMeeting(owner390, suite.server.url, next);
    const ownerRow = owner390.getByTestId('followup').locator(`[data-item="${itemId}"]`);
    await ownerRow.getByText('Rapportera läge').click();
    await ownerRow.getByRole('radio', { name: 'Röd', exact: true }).check();
    await ownerRow.scrollIntoViewIfNeeded();
    await shoot(owner390, 'followup-form-390');

    // The server's refusal is shown as it comes (here a follow-up the server says is not the person's to make).
    await owner390.route('**/api/bra/items/*/events', (route) =>
      route.fulfill({ status: 403, json: { error: 'forbidden', message: 'only the owner organisation follows up' } }),
    );
    await ownerRow.getByLabel(/^Kommentar/).fill('Stoppad.');
    await ownerRow.getByRole('button', { name: 'Spara uppföljning' }).click();
    await ownerRow.getByTestId('followup-outcome').getByText('Du har inte behörighet att göra det med den här punkten.').waitFor();

    // Someone whose queue does not hold the group (404): no Uppföljning at all, the meeting works as ever.
    const outsider = await suite.pageAs(school, 1366, 900);
    await outsider.route(
      (url) => url.pathname === '/api/bra/items' && url.searchParams.has('group'),
      (route) => route.fulfill({ status: 404, json: { error: 'not_found', message: 'no such group' } }),
    );
    const refused = outsider.waitForResponse((r) => r.url().includes('/api/bra/items?group=') && r.status() === 404);
    await openMeeting(outsider, suite.server.url, next);
    await refused;
    await outsider.locator(`[data-item="${fresh}"]`).waitFor();
    await expect.poll(() => outsider.getByTestId('followup').count(), { timeout: 15_000 }).toBe(0);
  });
});
