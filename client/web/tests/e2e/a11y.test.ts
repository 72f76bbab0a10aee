// Accessibility (axe-core, WCAG 2.1 A/AA) of the pages every member uses, keyboard use, and the two-click
// meeting. (The sign-in, invitation, reset and administration pages: accounts.test.ts.)
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axe, createMeeting, openMeeting, waitLive, useSuite, type Role } from './harness';

const suite = useSuite();

/**
 * A page signed in as a new member of the demo group. axe comes as a script tag, which the app's
 * Content-Security-Policy (script-src 'self') refuses: these contexts bypass it.
 */
async function newPage(width = 1400, height = 1000, role: Role = 'participant', org = 'polis'): Promise<Page> {
  const who = await suite.person({ name: `Axel ${role}`, role, org: role === 'participant' || role === 'cosigner' ? org : '' });
  return suite.pageAs(who, width, height, { bypassCSP: true });
}

describe('accessibility', () => {
  it('the start page has no serious or critical WCAG 2.1 AA violation', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.url}/#/`);
    await page.getByRole('link', { name: 'EST-gruppen Fagersta' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('sv');
    const { bad, passes } = await axe(page);
    expect(bad).toEqual([]);
    expect(passes).toBeGreaterThan(10); // axe really ran
  });

  it('the group page has none, for a participant and for the chair (with Nytt möte, invitations and members)', async () => {
    for (const role of ['participant', 'chair'] as const) {
      const page = await newPage(1400, 1000, role);
      await page.goto(`${suite.server.url}/#/g/fagersta`);
      await page.getByRole('link', { name: 'EST-möte vecka 47' }).waitFor();
      if (role === 'chair') await page.getByRole('table').waitFor();
      expect((await axe(page)).bad, role).toEqual([]);
    }
  });

  it('the meeting view has none, for a participant and for the chair, wide and narrow', async () => {
    for (const [role, width] of [
      ['participant', 1400],
      ['chair', 1400],
      ['participant', 420],
    ] as const) {
      const page = await newPage(width, 900, role);
      await openMeeting(page, suite.server.url, 'fagersta-v47');
      const { bad, passes } = await axe(page);
      expect(bad, `${role} at ${width}px`).toEqual([]);
      expect(passes).toBeGreaterThan(10);
      // With the account menu open, too.
      await page.getByTestId('user-menu').click();
      await page.getByRole('button', { name: 'Logga ut överallt' }).waitFor();
      expect((await axe(page)).bad, `${role} at ${width}px, menu open`).toEqual([]);
      await page.context().close(); // leave the meeting
    }
  });
});

describe('keyboard', () => {
  it('reaches and uses "Lägg till händelse" and the new entry’s fields with Tab and Enter only', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'E2E: tangentbord');
    const page = await suite.pageAs(await suite.person({ name: 'Karin Tangent', org: 'kommun' }));
    // From the group page to the meeting by keyboard.
    await page.goto(`${suite.server.url}/#/g/fagersta`);
    const link = page.getByRole('link', { name: 'E2E: tangentbord' });
    await link.focus();
    await page.keyboard.press('Enter');
    await waitLive(page);
    // The heading of the meeting page, not the link, is where the person is now.
    expect(page.url()).toContain(`#/m/${meetingId}`);
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === 'E2E: tangentbord');

    // Opened from a link (a reload): once joined, the focus is on the heading too, not left on the page's body
    // while it connected; then Tab until the add button of the first topic.
    await page.reload();
    await waitLive(page);
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === 'E2E: tangentbord');
    let found = false;
    for (let i = 0; i < 60 && !found; ++i) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.getAttribute('data-add') === 'hot-och-vald/kommun');
    }
    expect(found).toBe(true);
    // The focus is visible.
    const outline = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(outline.style).not.toBe('none');
    expect(outline.width).toBeGreaterThanOrEqual(2);

    await page.keyboard.press('Enter');
    // The new entry's "Händelse" field has the focus: write, Tab to "Plats", write.
    await page.waitForFunction(() => /\/handelse$/.test(document.activeElement?.getAttribute('data-field') ?? ''));
    const key = (await page.evaluate(() => document.activeElement?.getAttribute('data-field')))!;
    await page.keyboard.type('Skadegörelse på busskuren', { delay: 5 });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-field'))).toBe(key.replace('handelse', 'plats'));
    await page.keyboard.type('Stationsgatan', { delay: 5 });
    await waitLive(page);

    // Somebody else sees it.
    const other = await suite.pageAs(await suite.person({ name: 'Kontroll', org: 'polis' }));
    await openMeeting(other, suite.server.url, meetingId);
    await other
      .locator(`.ro-field[data-field="${key}"] .ro-text`, { hasText: 'Skadegörelse på busskuren' })
      .waitFor();

    // Removing by keyboard: Tab back to "Ta bort", Enter, then confirm with Enter.
    await page.locator(`[data-field="${key}"]`).focus();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Ta bort/);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.textContent === 'Ja, ta bort');
    await page.keyboard.press('Enter');
    await other.locator(`[data-field="${key}"]`).waitFor({ state: 'detached' });
    // The focus lands on the cell's add button, not on the page.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-add'))).toBe('hot-och-vald/kommun');
  });
});

describe('creating a meeting', () => {
  it('takes two clicks from the start page for the chair: the group, then "Nytt möte"', async () => {
    const page = await suite.pageAs(suite.chair);
    await page.goto(`${suite.server.url}/#/`);
    await page.getByRole('link', { name: 'EST-gruppen Fagersta' }).click();
    await page.getByRole('button', { name: 'Nytt möte' }).click();
    await waitLive(page);
    expect(page.url()).toMatch(/#\/m\/[a-z0-9_-]+$/);
    // The chair writes the joint assessment.
    await page.locator('[data-field="hot-och-vald/bedomning"]').waitFor();
  });

  it('is not offered to anyone but the chair', async () => {
    const page = await newPage(1400, 1000, 'participant');
    await page.goto(`${suite.server.url}/#/g/fagersta`);
    await page.getByRole('link', { name: 'EST-möte vecka 47' }).waitFor();
    expect(await page.getByRole('button', { name: 'Nytt möte' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Bjud in till gruppen' }).count()).toBe(0);
  });
});
