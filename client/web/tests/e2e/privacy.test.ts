// Text that looks like a personal identity number, in a real browser against a real est-server (issue 15, its
// first step): the participant who types one is told under the field, and so is everyone who sees the field;
// typed away, the warning goes; a phone number or a wrong check digit gives none. axe finds nothing with the
// warning shown; screenshots at 1366 and 390 px go to the artifacts folder.
import { describe, expect, it } from 'vitest';
import { addEntry, createMeeting, expectNoAxeViolations, field, openMeeting, shoot, useSuite, waitLive } from './harness';

const suite = useSuite();

const WARNING = 'Texten ser ut att innehålla ett personnummer.';

describe('personal identity numbers in the picture', () => {
  it('warns the writer and every reader while a number is in a field, and never for look-alikes', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'EST-möte vecka 50');
    const anna = await suite.person({ name: 'Anna Berg', org: 'polis' });
    const erik = await suite.person({ name: 'Erik Lund', org: 'kommun' });
    const annaPage = await suite.pageAs(anna, 1366, 900, { bypassCSP: true });
    const erikPage = await suite.pageAs(erik, 390, 844, { bypassCSP: true });
    await openMeeting(annaPage, suite.server.url, meetingId);
    await openMeeting(erikPage, suite.server.url, meetingId);

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
