// Accessibility (axe-core, WCAG 2.1 A/AA), keyboard use, the two-click meeting, and the screenshot
// of the demo meeting that the test run leaves as an artifact.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  axe,
  createMeeting,
  ensureArtifactsDir,
  joinMeeting,
  newContext,
  waitLive,
  useSuite,
} from './harness';

const suite = useSuite();

async function newPage(width = 1400, height = 1000): Promise<Page> {
  const ctx = await newContext(suite.browser, width, height);
  suite.contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return page;
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

  it('the group page and the join form have none either', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.url}/#/g/fagersta`);
    await page.getByRole('link', { name: 'EST-möte vecka 47' }).waitFor();
    expect((await axe(page)).bad).toEqual([]);
    await page.getByRole('link', { name: 'EST-möte vecka 47' }).click();
    await page.getByLabel('Namn').waitFor();
    expect((await axe(page)).bad).toEqual([]);
  });

  it('the meeting view has none, for a participant and for the chair, wide and narrow', async () => {
    for (const [role, width] of [
      ['participant', 1400],
      ['chair', 1400],
      ['participant', 420],
    ] as const) {
      const page = await newPage(width, 900);
      await joinMeeting(page, suite.server.url, 'fagersta-v47', { name: `Axe ${role}`, org: 'polis', role });
      const { bad, passes } = await axe(page);
      expect(bad, `${role} at ${width}px`).toEqual([]);
      expect(passes).toBeGreaterThan(10);
      await page.context().close(); // leave the meeting (keeps the screenshot's presence bar tidy)
    }
  });
});

describe('keyboard', () => {
  it('reaches and uses "Lägg till händelse" and the new entry’s fields with Tab and Enter only', async () => {
    const meetingId = await createMeeting(suite.server.url, 'E2E: tangentbord');
    const page = await newPage();
    // The join form by keyboard too.
    await page.goto(`${suite.server.url}/#/m/${meetingId}`);
    await page.getByLabel('Namn').waitFor();
    await page.getByLabel('Namn').focus();
    await page.keyboard.type('Karin Tangent');
    await page.keyboard.press('Tab'); // organisation
    await page.keyboard.press('Tab'); // role
    await page.keyboard.press('Tab'); // the button
    await page.waitForFunction(() => document.activeElement?.textContent === 'Gå med i mötet');
    await page.keyboard.press('Enter');
    await waitLive(page);

    // From the top of the page: the skip link, then Tab until the add button of the first topic.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Hoppa till lägesbilden');
    await page.keyboard.press('Enter');
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
    const other = await newPage();
    await joinMeeting(other, suite.server.url, meetingId, { name: 'Kontroll', org: 'polis' });
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
  it('takes two clicks from the start page: the group, then "Nytt möte"', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.url}/#/`);
    await page.getByRole('link', { name: 'EST-gruppen Fagersta' }).click();
    await page.getByRole('button', { name: 'Nytt möte' }).click();
    await page.getByRole('heading', { name: 'Gå med i mötet' }).waitFor();
    expect(page.url()).toMatch(/#\/m\/[a-z0-9_-]+$/);
  });
});

describe('the screenshot', () => {
  it('of the demo meeting at 1400 px, with people in it', async () => {
    const chair = await newPage(1400, 1000);
    await joinMeeting(chair, suite.server.url, 'fagersta-v47', { name: 'Maria Lind', org: 'kommun', role: 'chair' });
    const police = await newPage(1400, 1000);
    await joinMeeting(police, suite.server.url, 'fagersta-v47', { name: 'Anna Berg', org: 'polis' });
    // The chair writes in the summary of the first topic; the police officer sees where.
    const target = chair.locator('[data-field="hot-och-vald/prioriteringar"]');
    await target.focus();
    await chair.keyboard.type('Centrum fre–lör natt: polis och fältgrupp samordnar närvaron.', { delay: 2 });
    await waitLive(chair);
    await police.locator('.ro-field[data-field="hot-och-vald/prioriteringar"] .who-tag').waitFor();
    await police.locator('[data-field="hot-och-vald/polis/demo-1/bedomning"]').focus();
    await chair.locator('.presence .person', { hasText: 'Anna Berg' }).filter({ hasText: 'Bedömning' }).waitFor();
    const file = path.join(ensureArtifactsDir(), 'meeting.png');
    await police.screenshot({ path: file });
    await chair.screenshot({ path: path.join(ensureArtifactsDir(), 'meeting-chair.png') });
    const narrow = await newPage(420, 900);
    await joinMeeting(narrow, suite.server.url, 'fagersta-v47', { name: 'Sara Nyström', org: 'nvu' });
    await narrow.screenshot({ path: path.join(ensureArtifactsDir(), 'meeting-narrow.png') });
  });
});
