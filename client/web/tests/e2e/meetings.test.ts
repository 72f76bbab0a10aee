// Meetings a chair can prepare and file (issue 16): a date and a "vecka NN" title when creating, the group's list
// in today's, coming, earlier and archived meetings, and the chair's Ändra and Arkivera on each card.
import { describe, expect, it } from 'vitest';
import { defaultMeetingTitle, localDay } from '../../src/labels';
import { dayFromToday, expectNoAxeViolations, shoot, useSuite, waitLive } from './harness';

const suite = useSuite();

describe("a group's meetings", () => {
  it('the chair creates next week’s meeting, renames and re-dates it, archives it and brings it back', async () => {
    const page = await suite.pageAs(suite.chair, 1366, 900, { bypassCSP: true });
    await page.goto(`${suite.server.url}/#/g/fagersta`);
    await page.getByRole('link', { name: 'EST-möte vecka 47' }).waitFor();

    // Next week's meeting, prepared today: the title follows the chosen day.
    const next = dayFromToday(7);
    const week = defaultMeetingTitle(next);
    // The demo group has meetings titled after weeks 47 and 49: the server numbers a second one.
    const title = ['EST-möte vecka 47', 'EST-möte vecka 49'].includes(week) ? `${week} (2)` : week;
    await page.locator('#new-date').fill(next);
    await page.getByText(`Tom titel blir ”${week}”.`).waitFor();
    await page.getByRole('button', { name: 'Nytt möte' }).click();
    await waitLive(page);
    await page.goto(`${suite.server.url}/#/g/fagersta`);
    const upcoming = page.getByTestId('meetings-upcoming');
    await upcoming.getByRole('link', { name: title }).waitFor();
    expect(await upcoming.getByTestId('meeting-state').first().textContent()).toBe('Utkast');
    // The demo meeting is among the earlier ones.
    await page.getByTestId('meetings-earlier').getByRole('link', { name: 'EST-möte vecka 47' }).waitFor();

    // The same title again is refused, in Swedish, and nothing is made.
    await page.locator('#new-date').fill(next);
    await page.getByLabel('Titel (valfritt)').fill(title.toUpperCase());
    await page.getByRole('button', { name: 'Nytt möte' }).click();
    await page.getByRole('alert').filter({ hasText: 'Gruppen har redan ett möte med den titeln' }).waitFor();
    expect(await page.getByRole('link', { name: title }).count()).toBe(1);

    // Ändra, by keyboard: the title field takes the focus; the meeting moves to today.
    await upcoming.getByRole('button', { name: `Ändra titel eller datum för ${title}` }).focus();
    await page.keyboard.press('Enter');
    const edit = page.getByTestId('meeting-edit');
    await edit.waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe(title);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Extramöte om torget');
    await edit.getByLabel('Datum').fill(localDay(new Date()));
    await expectNoAxeViolations(page, 'the group page with the edit form open');
    await edit.getByRole('button', { name: 'Spara' }).click();
    const today = page.getByTestId('meetings-today');
    await today.getByRole('link', { name: 'Extramöte om torget' }).waitFor();
    expect(await page.getByTestId('meetings-upcoming').count()).toBe(0);
    await shoot(page, 'meetings-1366');

    // Arkivera: out of today's list, into the folded archive; Ta tillbaka brings it back.
    await today.getByRole('button', { name: 'Arkivera Extramöte om torget' }).click();
    const archived = page.getByTestId('meetings-archived');
    await archived.getByText('Arkiverade möten (1)').waitFor();
    expect(await page.getByTestId('meetings-today').count()).toBe(0);
    await archived.getByText('Arkiverade möten (1)').click();
    await expectNoAxeViolations(page, 'the group page with the archive open');
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, 'meetings-390', true);
    await archived.getByRole('button', { name: 'Ta tillbaka Extramöte om torget' }).click();
    await page.getByTestId('meetings-today').getByRole('link', { name: 'Extramöte om torget' }).waitFor();
    expect(await page.getByTestId('meetings-archived').count()).toBe(0);

    // A reload shows what the server keeps.
    await page.reload();
    await page.getByTestId('meetings-today').getByRole('link', { name: 'Extramöte om torget' }).waitFor();
  });

  it('offers a participant neither Ändra nor Arkivera', async () => {
    const who = await suite.person({ name: 'Pia Polis', role: 'participant', org: 'polis' });
    const page = await suite.pageAs(who);
    await page.goto(`${suite.server.url}/#/g/fagersta`);
    await page.getByRole('link', { name: 'EST-möte vecka 47' }).waitFor();
    expect(await page.getByRole('button', { name: /^Ändra titel/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Arkivera/ }).count()).toBe(0);
  });
});
