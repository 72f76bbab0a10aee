// The monthly report page and the import of open measures, in a real browser against a real est-server (issue 14).
// A group of five organisations closes a meeting; a BRÅ member opens the monthly report page from the queue,
// chooses the month and the group, and the report the page links to holds the meeting and a level chart. Then
// the member imports the group's open measures from a spreadsheet's CSV: a file with one bad row is refused whole,
// naming the row and column, and nothing changes; the corrected file lands in the queue. axe finds nothing on
// either page; screenshots at 1366 and 390 px go to the artifacts folder.
import { describe, expect, it } from 'vitest';
import { createMeeting, dayFromToday, expectNoAxeViolations, field, invitePerson, lockSignClose, openMeeting, shoot, useSuite, waitLive } from './harness';

const suite = useSuite();

const ORGS = [
  { id: 'kommun', name: 'Västby kommun, trygghetssamordnare' },
  { id: 'polis', name: 'Polisen, lokalpolisområde Västby' },
  { id: 'social', name: 'Socialtjänsten, Västby kommun' },
  { id: 'skola', name: 'Skolförvaltningen' },
  { id: 'bostad', name: 'Västbyhem AB' },
];

/** This month as YYYY-MM, where the browser and the server run (the same machine). */
function thisMonth(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}

/** One CSV cell (RFC 4180). */
const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

describe('the monthly report and the import of measures', () => {
  it('links a BRÅ member to the month’s report, and imports a spreadsheet’s measures all or nothing', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      id: 'vastby',
      name: 'EST-gruppen Västby',
      municipality: 'Västby kommun',
      organisations: ORGS,
    });
    const chair = await invitePerson(suite.admin, { name: 'Eva Ek', role: 'chair', group: group.id });
    const cosigner = await invitePerson(suite.admin, { name: 'Olle Holm', role: 'cosigner', org: 'polis', group: group.id });
    const bra = await invitePerson(suite.admin, { name: 'Karin Åberg', role: 'bra_member', group: group.id });
    const meetingId = await createMeeting(chair.api, 'EST-möte vecka 49', group.id);
    // The chair sets two topics' levels: what the report's chart draws.
    const chairPage = await suite.pageAs(chair, 1366, 900);
    await openMeeting(chairPage, suite.server.url, meetingId);
    await field(chairPage, 'hot-och-vald/niva').selectOption('förhöjd');
    await field(chairPage, 'andt/niva').selectOption('låg');
    await waitLive(chairPage);
    await lockSignClose(meetingId, chair, cosigner);
    const state = await chair.api.ok<{ state: string }>('GET', `/api/meetings/${meetingId}`);
    expect(state.state).toBe('closed');

    // The report page, from the queue.
    const page = await suite.pageAs(bra, 1366, 900, { bypassCSP: true });
    await page.goto(`${suite.server.url}/#/bra`);
    await page.getByRole('heading', { level: 1, name: 'BRÅ-kö' }).waitFor();
    await page.getByRole('link', { name: 'Månadsrapport' }).click();
    await page.getByRole('heading', { level: 1, name: 'Månadsrapport till BRÅ och Länsstyrelsen' }).waitFor();
    await page.getByLabel('Månad', { exact: true }).fill(thisMonth());
    await page.getByLabel('Grupp', { exact: true }).selectOption(group.id);
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(`grupp=${group.id}`);
    expect(page.url()).toContain(`manad=${thisMonth()}`);
    const open = page.getByRole('link', { name: 'Öppna rapporten' });
    const reportHref = await open.getAttribute('href');
    expect(reportHref).toBe(`/api/bra/report?month=${thisMonth()}&group=${group.id}&format=html`);
    const md = await page.getByRole('link', { name: 'Ladda ner som Markdown' }).getAttribute('href');
    expect(md).toBe(`/api/bra/report?month=${thisMonth()}&group=${group.id}&format=markdown`);
    // The report the page links to, fetched with the member's session: the meeting, and a chart per topic.
    const report = await page.evaluate(async (href) => {
      const res = await fetch(href!, { credentials: 'same-origin' });
      return { status: res.status, text: await res.text() };
    }, reportHref);
    expect(report.status).toBe(200);
    expect(report.text).toContain('EST-möte vecka 49');
    expect(report.text).toContain('<svg');
    expect(report.text).toContain('förhöjd');
    // The report is a page of ours too: accessible, and read on a laptop and a phone.
    const document = await suite.pageAs(bra, 1366, 900, { bypassCSP: true });
    await document.goto(`${suite.server.url}${reportHref}`);
    await document.getByRole('heading', { level: 1 }).first().waitFor();
    await expectNoAxeViolations(document, 'the monthly report itself');
    await shoot(document, 'bra-report-document-1366', true);
    await document.setViewportSize({ width: 390, height: 844 });
    await expectNoAxeViolations(document, 'the monthly report itself on a phone');
    await shoot(document, 'bra-report-document-390', true);
    await expectNoAxeViolations(page, 'the monthly report page');
    await shoot(page, 'bra-report-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoAxeViolations(page, 'the monthly report page on a phone');
    await shoot(page, 'bra-report-390', true);
    await page.setViewportSize({ width: 1366, height: 900 });

    // The import page, from the queue; the header of a file to import is the queue's own CSV export.
    await page.goto(`${suite.server.url}/#/bra?grupp=${group.id}`);
    await page.getByRole('link', { name: 'Importera åtgärder' }).click();
    await page.getByRole('heading', { level: 1, name: 'Importera åtgärder' }).waitFor();
    expect(await page.getByLabel('Grupp', { exact: true }).inputValue()).toBe(group.id);
    const exported = await bra.api.call('GET', `/api/bra/items?group=${group.id}&format=csv`);
    const header = String(exported.json).split('\r\n')[0].split(',');
    const row = (values: Record<string, string>) => header.map((h) => cell(values[h] ?? '')).join(',');
    const lamp = {
      topic: 'ordningsstorning',
      typ: 'åtgärd/insats',
      rubrik: 'Belysning i gångtunneln vid Vallonparken',
      beskrivning: 'Tunneln är mörk och upplevs otrygg, enligt trygghetsvandringen i oktober.',
      status: 'approved',
      verdict: 'approve',
      owner_org: 'kommun',
      contact: 'Per Gatuchef, 0224-555 12',
      due: dayFromToday(60),
      progress: 'green',
    };
    const mapping = { topic: 'ungdomar-skolor', typ: 'fördjupad kartläggning', rubrik: 'Kartläggning av oro kring Risbroskolan', status: 'awaiting' };
    const file = (rows: Record<string, string>[]) => ({
      name: 'atgarder.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from([header.join(','), ...rows.map(row)].join('\r\n') + '\r\n', 'utf8'),
    });

    // One bad row (a status the schema does not have): nothing is imported, and the page says where.
    await page.getByLabel('Fil (CSV eller JSON)').setInputFiles(file([lamp, { ...mapping, status: 'pågår' }]));
    await page.getByRole('button', { name: 'Importera' }).click();
    await page.getByText('Filen importerades inte – ingenting har ändrats.').waitFor();
    await page.getByText('Fel på rad 3, kolumnen ”status”.').waitFor();
    const before = await bra.api.ok<{ items: unknown[] }>('GET', `/api/bra/items?group=${group.id}`);
    expect(before.items).toHaveLength(0);
    await expectNoAxeViolations(page, 'the import page with a refused file');
    await shoot(page, 'bra-import-refused-1366');

    // The corrected file: both measures are in the queue, the approved one with its owner and progress.
    await page.getByLabel('Fil (CSV eller JSON)').setInputFiles(file([lamp, mapping]));
    await page.getByRole('button', { name: 'Importera' }).click();
    await page.getByText('2 åtgärder importerades till EST-gruppen Västby.').waitFor();
    await expectNoAxeViolations(page, 'the import page after an import');
    await shoot(page, 'bra-import-done-1366');
    await page.getByRole('link', { name: 'Visa gruppens BRÅ-kö' }).click();
    await page.getByRole('heading', { level: 1, name: 'BRÅ-kö' }).waitFor();
    await page.getByRole('link', { name: 'Belysning i gångtunneln vid Vallonparken' }).waitFor();
    await page.getByRole('link', { name: 'Kartläggning av oro kring Risbroskolan' }).waitFor();
    const after = await bra.api.ok<{ items: { status: string; progress?: string; owner_org?: string }[] }>('GET', `/api/bra/items?group=${group.id}`);
    expect(after.items.map((i) => i.status).sort()).toEqual(['approved', 'awaiting']);
    expect(after.items.find((i) => i.status === 'approved')).toMatchObject({ progress: 'green', owner_org: 'kommun' });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${suite.server.url}/#/bra/importera?grupp=${group.id}`);
    await page.getByRole('heading', { level: 1, name: 'Importera åtgärder' }).waitFor();
    await expectNoAxeViolations(page, 'the import page on a phone');
    await shoot(page, 'bra-import-390', true);
  });
});
