// A draft meeting and who signs, in real browsers against a real est-server: the administrator sets the group's
// signers with the keyboard on the administration page; the chair creates a meeting, which is a draft (banner for
// everyone, cells read-only, the chair prepares the samlad bedömning) and opens it with "Öppna mötet" — the
// participant sees the banner go and the cells open live; the group's list says each meeting's state; the one-signer
// meeting asks the chair alone to sign. axe on every view; screenshots 1366 and 390 wide.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN, axe, createMeeting, field, openMeeting, shoot, useSuite, waitLive } from './harness';

const suite = useSuite();

async function expectNoAxeViolations(page: Page, what: string) {
  const { all } = await axe(page);
  expect(all, what).toEqual([]);
}

const BANNER = 'Utkast – mötet är inte öppnat än. Ordföranden förbereder.';

describe('a draft meeting and the group’s signers', () => {
  it('lets the administrator choose one signer, and the chair prepare and open a draft that everyone sees open live', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      id: 'avesta',
      name: 'EST-gruppen Avesta',
      municipality: 'Avesta kommun',
      organisations: [
        { id: 'kommun', name: 'Avesta kommun' },
        { id: 'polis', name: 'Polisen' },
      ],
    });
    const chair = await suite.person({ name: 'Eva Ek', role: 'chair', group: group.id });
    const anna = await suite.person({ name: 'Anna Berg', role: 'participant', org: 'kommun', group: group.id });

    // The administrator: Vem signerar lägesbilden → Bara ordföranden, with the keyboard only.
    const adminPage = await suite.pageAs(ADMIN, 1366, 900, { bypassCSP: true });
    await adminPage.goto(`${suite.server.url}/#/admin`);
    await adminPage.locator('#admin-group').selectOption(group.id);
    const setting = adminPage.getByTestId('signers-setting');
    const oneCosigner = setting.getByRole('radio', { name: 'Ordföranden och en medundertecknare' });
    await expect.poll(() => oneCosigner.isChecked()).toBe(true);
    await oneCosigner.focus();
    await adminPage.keyboard.press('ArrowUp');
    expect(await setting.getByRole('radio', { name: 'Bara ordföranden' }).isChecked()).toBe(true);
    await adminPage.keyboard.press('Tab');
    await adminPage.keyboard.press('Enter');
    await expect.poll(() => setting.getByTestId('signers-status').innerText()).toContain('Sparat.');
    expect((await suite.admin.ok<{ signers: string[] }>('GET', `/api/groups/${group.id}`)).signers).toEqual(['chair']);
    await expectNoAxeViolations(adminPage, 'the signers setting');
    await setting.scrollIntoViewIfNeeded();
    await shoot(adminPage, 'draft-signers-setting-1366');

    // The chair's new meeting is a draft.
    const meetingId = await createMeeting(chair.api, 'EST-möte vecka 50', group.id, { draft: true });
    const chairPage = await suite.pageAs(chair, 1366, 900, { bypassCSP: true });
    const annaPage = await suite.pageAs(anna, 1366, 900, { bypassCSP: true });
    for (const p of [chairPage, annaPage]) {
      await openMeeting(p, suite.server.url, meetingId);
      expect(await p.getByTestId('draft-banner').innerText()).toContain(BANNER);
      expect(await p.getByTestId('draft-banner').innerText()).toContain('Lägesbilden signeras av ordföranden.');
    }
    // Anna reads; the cells are not open and she has no button to add anything, nor to open the meeting.
    expect(await annaPage.locator('[data-add="andt/kommun"]').count()).toBe(0);
    expect(await annaPage.getByTestId('open-meeting').count()).toBe(0);
    expect(await annaPage.locator('[data-field="andt/bedomning"]').evaluate((e) => e.tagName)).not.toBe('TEXTAREA');
    // The chair prepares the joint assessment, and it reaches Anna live.
    await field(chairPage, 'andt/bedomning').fill('Förberett: langning vid skolorna har ökat.');
    await waitLive(chairPage);
    await expect.poll(() => annaPage.locator('[data-field="andt/bedomning"]').innerText()).toContain('langning vid skolorna');
    await expectNoAxeViolations(chairPage, 'the draft, as the chair');
    await expectNoAxeViolations(annaPage, 'the draft, as a participant');
    for (const [w, h] of [
      [1366, 768],
      [390, 844],
    ] as const) {
      for (const [who, name] of [
        [chair, 'chair'],
        [anna, 'participant'],
      ] as const) {
        const p = await suite.pageAs(who, w, h);
        await openMeeting(p, suite.server.url, meetingId);
        await p.getByTestId('draft-banner').waitFor();
        await shoot(p, `draft-${name}-${w}`);
      }
    }

    // The group's list says it is a draft.
    const list = await suite.pageAs(chair, 1366, 900);
    await list.goto(`${suite.server.url}/#/g/${group.id}`);
    await expect.poll(() => list.getByTestId('meeting-state').first().innerText()).toBe('Utkast');

    // The chair opens it with the keyboard: the banner goes for everyone, Anna's cells open, the chair is taken to the picture.
    await chairPage.getByTestId('open-meeting').focus();
    await chairPage.keyboard.press('Enter');
    await chairPage.getByTestId('draft-banner').waitFor({ state: 'detached' });
    await expect.poll(() => chairPage.evaluate(() => document.activeElement?.id)).toBe('lagesbild');
    await annaPage.getByTestId('draft-banner').waitFor({ state: 'detached' });
    await expect.poll(() => annaPage.getByTestId('opened-status').innerText()).toContain('Ordföranden har öppnat mötet');
    await annaPage.locator('[data-add="andt/kommun"]').click();
    await waitLive(annaPage);
    await expectNoAxeViolations(annaPage, 'the opened meeting, as a participant');
    await list.reload();
    await expect.poll(() => list.getByTestId('meeting-state').first().innerText()).toBe('Öppet');

    // One signer: when the chair locks the picture, the panel asks the chair alone to sign.
    await chairPage.locator('#underskrifter').getByRole('button', { name: 'Lås lägesbilden' }).click();
    await chairPage.locator('[data-testid="signoff"][data-phase="locked"]').waitFor();
    expect(await chairPage.getByTestId('to-sign').locator('li').allInnerTexts()).toEqual(['Ordförande – inte signerat än']);
    await shoot(chairPage, 'draft-one-signer-locked-1366');
  });
});
