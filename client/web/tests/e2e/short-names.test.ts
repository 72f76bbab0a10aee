// Short names per organisation (issue 16): organisations whose names begin alike are told apart without any setting,
// and the administrator's short names (set by keyboard on the administration page) are what the meeting's headers and
// presence show.
import { describe, expect, it } from 'vitest';
import { ADMIN, createMeeting, expectNoAxeViolations, openMeeting, shoot, showTopic, useSuite } from './harness';

const suite = useSuite();

const ORGS = [
  { id: 'social', name: 'Sala kommun, socialtjänsten' },
  { id: 'skola', name: 'Sala kommun, förskola och skola' },
  { id: 'samhall', name: 'Sala kommun, samhällsbyggnadskontoret' },
  { id: 'polis', name: 'Polisen, lokalpolisområde Norra Västmanland' },
  { id: 'bostad', name: 'Salabostäder AB' },
  { id: 'rtj', name: 'Räddningstjänsten, Sala-Heby' },
];

describe('short names per organisation', () => {
  it('tells apart names that begin alike, and shows the administrator’s short names in the meeting', async () => {
    const group = await suite.admin.ok<{ id: string; organisations: { id: string; label: string }[] }>('POST', '/api/groups', {
      id: 'sala',
      name: 'EST-gruppen Sala',
      municipality: 'Sala kommun',
      organisations: ORGS,
    });
    // Without a setting: "Polisen" and "Räddningstjänsten" are cut at the comma; the three "Sala kommun, …" are not.
    expect(group.organisations.map((o) => o.label)).toEqual([
      'Sala kommun, socialtjänsten',
      'Sala kommun, förskola och skola',
      'Sala kommun, samhällsbyggnadskontoret',
      'Polisen',
      'Salabostäder AB',
      'Räddningstjänsten',
    ]);
    const chair = await suite.person({ name: 'Eva Ek', role: 'chair', group: group.id });
    const lena = await suite.person({ name: 'Lena Holm', role: 'participant', org: 'skola', group: group.id });

    // The administrator gives two short names, by keyboard; a short name another organisation has is refused first.
    // The setting reads the group again when it shows. That answer is held back until the administrator has typed,
    // as on a slow network, and meanwhile another administrator gives the police a short name: what was typed must
    // stay (it used to be wiped when the answer came), and the untouched police field takes the new value.
    let asked!: () => void;
    let release!: () => void;
    const groupAsked = new Promise<void>((resolve) => (asked = resolve));
    const typed = new Promise<void>((resolve) => (release = resolve));
    const admin = await suite.pageAs(ADMIN, 1366, 900, { bypassCSP: true });
    await admin.route(`**/api/groups/${group.id}`, async (route) => {
      if (route.request().method() === 'GET') {
        asked();
        await typed;
      }
      await route.continue();
    });
    await admin.goto(`${suite.server.url}/#/admin`);
    await admin.locator('#admin-group').selectOption(group.id);
    const setting = admin.getByTestId('short-names-setting');
    const social = setting.getByLabel('Kortnamn för Sala kommun, socialtjänsten');
    const skola = setting.getByLabel('Kortnamn för Sala kommun, förskola och skola');
    const polis = setting.getByLabel('Kortnamn för Polisen, lokalpolisområde Norra Västmanland');
    await groupAsked;
    await suite.admin.ok('PUT', `/api/groups/${group.id}/settings`, { short_names: { polis: 'Polisen LPO' } });
    await social.focus();
    await admin.keyboard.type('Socialtjänsten');
    await skola.focus();
    await admin.keyboard.type('Socialtjänsten');
    release();
    await expect.poll(() => polis.inputValue()).toBe('Polisen LPO');
    await admin.unroute(`**/api/groups/${group.id}`);
    expect(await social.inputValue()).toBe('Socialtjänsten');
    expect(await skola.inputValue()).toBe('Socialtjänsten');
    await polis.fill('');
    await expect.poll(() => skola.getAttribute('aria-invalid')).toBe('true');
    expect(await skola.getAttribute('aria-invalid')).toBe('true');
    expect(await setting.innerText()).toContain('En annan organisation har redan det kortnamnet.');
    expect(await setting.getByRole('button', { name: 'Spara kortnamn' }).isDisabled()).toBe(true);
    await skola.fill('');
    await admin.keyboard.type('Skolan');
    await expectNoAxeViolations(admin, 'the short names setting');
    await setting.scrollIntoViewIfNeeded();
    await shoot(admin, 'short-names-setting-1366');
    await skola.press('Enter');
    await expect.poll(() => setting.getByTestId('short-names-status').innerText()).toContain('Sparat.');
    const saved = await suite.admin.ok<{ organisations: { id: string; label: string; short_name?: string }[] }>(
      'GET',
      `/api/groups/${group.id}`,
    );
    expect(saved.organisations.map((o) => o.label)).toEqual([
      'Socialtjänsten',
      'Skolan',
      'Sala kommun',
      'Polisen',
      'Salabostäder AB',
      'Räddningstjänsten',
    ]);

    // In the meeting: the section headers and the presence list use the short names.
    const meetingId = await createMeeting(chair.api, 'EST-möte Sala', group.id);
    for (const [w, h] of [
      [1366, 768],
      [390, 844],
    ] as const) {
      const page = await suite.pageAs(lena, w, h, { bypassCSP: true });
      await openMeeting(page, suite.server.url, meetingId);
      await showTopic(page, 'andt');
      const header = (org: string) => page.locator(`[data-cell="andt/${org}"] .cell-org`).innerText();
      expect(await header('skola')).toBe('Skolan');
      expect(await page.locator('.person-me .person-meta').first().textContent()).toContain('Skolan');
      await expectNoAxeViolations(page, `the meeting at ${w} px`);
      await shoot(page, `short-names-meeting-${w}`);
    }
  });
});
