// Who wrote what, and a removed entry brought back (issue 16), in two browsers against a real est-server: an
// organisation removes an entry, finds it under Borttagna händelser and restores it with its text and choices; the
// other organisation sees it come back; the entry's Historik names who wrote it; once the topic is locked nothing
// is offered. axe finds nothing with the lists open.
import { describe, expect, it } from 'vitest';
import { addEntry, expectNoAxeViolations, field, shoot, twoOrganisations, useSuite, waitLive } from './harness';

const suite = useSuite();

describe('a removed entry', () => {
  it('is restored by its organisation with its fields, seen by the others, and its history names the writer', async () => {
    const { meetingId, annaPage, erikPage } = await twoOrganisations(suite, 'Extramöte om klotter');

    const entry = await addEntry(annaPage, 'hot-och-vald', 'polis');
    const key = (f: string) => `hot-och-vald/polis/${entry}/${f}`;
    await annaPage.keyboard.type('Klotter på stationen, å ä ö', { delay: 5 });
    await field(annaPage, key('plats')).fill('Resecentrum');
    await field(annaPage, key('trend')).selectOption('ökar');
    await waitLive(annaPage);
    await erikPage.locator(`.ro-field[data-field="${key('handelse')}"] .ro-text`, { hasText: 'Klotter på stationen' }).waitFor();

    // Removed, after asking.
    const card = annaPage.locator(`[data-entry="${entry}"]`);
    await card.getByRole('button', { name: /^Ta bort/ }).click();
    await annaPage.getByRole('button', { name: 'Ja, ta bort' }).click();
    await waitLive(annaPage);
    await erikPage.locator(`[data-entry="${entry}"]`).waitFor({ state: 'detached' });

    // Under Borttagna händelser in the own cell only.
    const removed = annaPage.locator('[data-cell="hot-och-vald/polis"]').getByTestId('removed-entries');
    await removed.getByText('Borttagna händelser (1)').click();
    await removed.getByText('Borttagen av Anna Berg').waitFor();
    expect(await erikPage.getByTestId('removed-entries').count()).toBe(0);
    await expectNoAxeViolations(annaPage, 'the own cell with the removed list open');
    await shoot(annaPage, 'restore-removed-1366');
    await removed.getByRole('button', { name: 'Återställ händelsen ”Klotter på stationen, å ä ö”' }).click();
    await waitLive(annaPage);

    // Back, as a new entry with the same fields, for both; and no longer offered.
    const back = annaPage.locator('[data-cell="hot-och-vald/polis"] [data-entry]');
    await back.first().waitFor();
    const restored = (await back.first().getAttribute('data-entry'))!;
    expect(restored).not.toBe(entry);
    const rkey = (f: string) => `hot-och-vald/polis/${restored}/${f}`;
    expect(await field(annaPage, rkey('handelse')).inputValue()).toBe('Klotter på stationen, å ä ö');
    expect(await field(annaPage, rkey('plats')).inputValue()).toBe('Resecentrum');
    expect(await field(annaPage, rkey('trend')).inputValue()).toBe('ökar');
    await erikPage.locator(`.ro-field[data-field="${rkey('handelse')}"] .ro-text`, { hasText: 'Klotter på stationen, å ä ö' }).waitFor();
    await erikPage.locator(`.ro-field[data-field="${rkey('plats')}"]`, { hasText: 'Resecentrum' }).waitFor();
    expect(await annaPage.getByTestId('removed-entries').count()).toBe(0);

    // Historik, as the other organisation sees it: who wrote the entry.
    const erikCard = erikPage.locator(`[data-entry="${restored}"]`);
    await erikCard.getByRole('button', { name: /^Historik/ }).click();
    await erikCard.getByTestId('entry-history').getByText('Skriven av Anna Berg').waitFor();
    await erikCard.getByTestId('entry-history').getByText('Anna Berg lade till händelsen').waitFor();
    await expectNoAxeViolations(erikPage, 'an entry with its history open, on a phone');
    await erikCard.scrollIntoViewIfNeeded();
    await shoot(erikPage, 'restore-history-390');

    // Removed again, then the chair locks the topic: nothing is offered to restore any more.
    await annaPage.locator(`[data-entry="${restored}"]`).getByRole('button', { name: /^Ta bort/ }).click();
    await annaPage.getByRole('button', { name: 'Ja, ta bort' }).click();
    await waitLive(annaPage);
    await removed.getByText('Borttagna händelser (1)').waitFor();
    await suite.chair.api.ok('POST', `/api/meetings/${meetingId}/lifecycle`, { action: 'lock_topic', topic: 'hot-och-vald' });
    await removed.waitFor({ state: 'detached' });
  });
});
