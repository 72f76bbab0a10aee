// The exported situation picture: the links in the meeting view, the printable page they open (with what a
// participant typed a moment before, and no serious or critical axe violation) and the JSON download.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addEntry, axe, ensureArtifactsDir, expectNoAxeViolations, openMeeting, shoot, useSuite, waitLive } from './harness';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const suite = useSuite();

/** A participant for the police, signed in. */
async function newPage(): Promise<Page> {
  const who = await suite.person({ name: 'Exportera Ekström', org: 'polis' });
  // The exported document forbids scripts (Content-Security-Policy default-src 'none'), and axe comes as a script tag.
  return suite.pageAs(who, 1400, 1000, { bypassCSP: true });
}

interface JsonExport {
  meeting: { id?: string; title: string; date?: string };
  group: { id?: string; name?: string };
  rev: number;
  digest: string;
  exported_at: string;
  picture: unknown;
}

describe('exporting the situation picture', () => {
  it('opens the saved picture, with what was just typed, as an accessible page in a new tab, and as JSON', async () => {
    const meetingId = 'fagersta-v47';
    const title = 'EST-möte vecka 47';
    const page = await newPage();
    await openMeeting(page, suite.server.url, meetingId);

    // Type into the own cell and wait until the server has it (the ack means durable, docs/protocol.md).
    const typed = 'Exporttest: stenkastning mot bussen vid Ängsvägen, två tillfällen';
    const entry = await addEntry(page, 'ordningsstorning', 'polis');
    await page.keyboard.type(typed, { delay: 2 });
    await waitLive(page);
    await page.getByTestId('sync').filter({ hasText: 'Allt sparat' }).waitFor();
    const rev = Number(await page.getByTestId('sync').getAttribute('data-rev'));
    expect(await page.locator(`[data-field="ordningsstorning/polis/${entry}/handelse"]`).inputValue()).toBe(typed);

    // The links: the page opens in a new tab (and says so to screen readers), the JSON is a download.
    const htmlLink = page.getByRole('link', { name: 'Exportera lägesbild (öppnas i ny flik)', exact: true });
    const jsonLink = page.getByRole('link', { name: 'Ladda ner som JSON', exact: true });
    expect(await htmlLink.getAttribute('href')).toBe(`/api/meetings/${meetingId}/export`);
    expect(await htmlLink.getAttribute('target')).toBe('_blank');
    expect(await htmlLink.getAttribute('rel')).toContain('noopener');
    expect(await jsonLink.getAttribute('href')).toBe(`/api/meetings/${meetingId}/export?format=json`);
    expect(await jsonLink.getAttribute('download')).toBe(`lagesbild-2026-11-17-${meetingId}.json`);

    // What the server answers for each.
    const htmlUrl = await htmlLink.evaluate((a) => (a as HTMLAnchorElement).href);
    const jsonUrl = await jsonLink.evaluate((a) => (a as HTMLAnchorElement).href);
    const htmlRes = await page.request.get(htmlUrl);
    expect(htmlRes.status()).toBe(200);
    expect(htmlRes.headers()['content-type']).toMatch(/^text\/html;\s*charset=utf-8$/i);
    expect(htmlRes.headers()['content-disposition']).toMatch(/^inline\b/);
    const jsonRes = await page.request.get(jsonUrl);
    expect(jsonRes.status()).toBe(200);
    expect(jsonRes.headers()['content-type']).toMatch(/^application\/json\b/);
    // "lagesbild-<date>.json" or, to tell two meetings of one day apart, "lagesbild-<date>-<meeting>.json".
    const disposition = /^attachment; filename="(lagesbild-2026-11-17[-a-z0-9_]*\.json)"$/.exec(
      jsonRes.headers()['content-disposition'] ?? '',
    );
    expect(disposition, jsonRes.headers()['content-disposition']).not.toBeNull();
    const json = (await jsonRes.json()) as JsonExport;
    expect(json.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(json.meeting.title).toBe(title);
    expect(json.rev).toBeGreaterThanOrEqual(rev);
    expect(typeof json.exported_at).toBe('string');
    expect(JSON.stringify(json.picture)).toContain(typed);

    // Follow the link by keyboard: Enter on it opens the printable page in a new tab.
    await htmlLink.focus();
    const [exported] = await Promise.all([page.context().waitForEvent('page'), page.keyboard.press('Enter')]);
    await exported.waitForLoadState('load');
    expect(exported.url()).toBe(htmlUrl);
    expect(await exported.title()).toContain(title);
    expect(await exported.evaluate(() => document.documentElement.lang)).toMatch(/^sv\b/);
    const text = await exported.locator('body').innerText();
    expect(text).toContain(`Lägesbild – ${title}`);
    expect(text).toContain(typed);
    expect(text).toContain('Kontrollsumma');
    // The same saved picture as the JSON: its checksum is on the page (spacing aside).
    expect(text.replace(/\s+/g, '').toLowerCase()).toContain(json.digest);

    // Under its own Content-Security-Policy (no bypass, unlike the contexts above) the page keeps its styles.
    const plain = await suite.pageAs(await suite.person({ name: 'Strikt Ström', org: 'kommun' }));
    const blocked: string[] = [];
    plain.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await plain.goto(htmlUrl);
    const headingRule = await plain.locator('h2').first().evaluate((h) => getComputedStyle(h).borderBottomStyle);
    expect(headingRule).toBe('solid');
    expect(blocked).toEqual([]);

    const { bad, passes } = await axe(exported);
    expect(bad, 'the exported page').toEqual([]);
    expect(passes).toBeGreaterThan(5); // axe really ran

    // The JSON link downloads the file under the server's name (its header wins over `download`), digest and all.
    const [download] = await Promise.all([page.waitForEvent('download'), jsonLink.click()]);
    expect(download.suggestedFilename()).toBe(disposition![1]);
    const file = JSON.parse(readFileSync(await download.path(), 'utf8')) as JsonExport;
    expect(file.digest).toBe(json.digest);
    expect(JSON.stringify(file.picture)).toContain(typed);
  });

  it('prints the demo meeting as a record: overview and assessments on the first pages, attendance, the reports as an appendix', async () => {
    const meetingId = 'fagersta-v47';
    // Two people take part while the meeting is open: the chair and a participant for Fagersta kommun.
    const chairPage = await suite.pageAs(suite.chair, 1366, 900, { bypassCSP: true });
    const kommun = await suite.person({ name: 'Närvaro Nilsson', org: 'kommun' });
    const kommunPage = await suite.pageAs(kommun, 390, 844);
    await openMeeting(chairPage, suite.server.url, meetingId);
    await openMeeting(kommunPage, suite.server.url, meetingId);

    const record = await suite.pageAs(suite.chair, 1366, 900, { bypassCSP: true });
    await record.goto(`${suite.server.url}/api/meetings/${meetingId}/export?format=html`);
    const attendance = await record.locator('section[aria-labelledby="narvaro"]').innerText();
    expect(attendance).toMatch(/Maria Lind\s+–\s+ordförande/);
    expect(attendance).toMatch(/Närvaro Nilsson\s+Fagersta kommun\s+deltagare/);
    expect(await record.locator('.chair-name').innerText()).toContain('Maria Lind');
    expect(await record.locator('h1 + dl').innerText()).toMatch(/Mötesdatum\s+tisdag 17 november 2026/);
    await expectNoAxeViolations(record, 'the record');
    // The record on screen, laptop and phone width (the demo group has four organisations).
    await shoot(record, 'export-record-1366', true);
    await record.setViewportSize({ width: 390, height: 844 });
    await shoot(record, 'export-record-390', true);
    await record.setViewportSize({ width: 1366, height: 900 });

    // Printed to A4 as Chromium prints it: the overview and the chair's six assessments fit on the first two pages,
    // the whole record before the appendix (attendance, signatures, the page about the document) within three, and
    // the appendix follows on pages of its own.
    const pages = async () => {
      const pdf = await record.pdf({ preferCSSPageSize: true, printBackground: true });
      return { pdf, count: (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) ?? []).length };
    };
    const whole = await pages();
    writeFileSync(path.join(ensureArtifactsDir(), 'export-record-demo.pdf'), whole.pdf);
    await record.addStyleTag({ content: '.appendix { display: none !important; }' });
    const front = await pages();
    await record.addStyleTag({ content: 'main > section:not([aria-labelledby="bedomningar"]) { display: none !important; }' });
    const assessments = await pages();
    expect(assessments.count).toBeGreaterThanOrEqual(1);
    expect(assessments.count).toBeLessThanOrEqual(2);
    expect(front.count).toBeLessThanOrEqual(3);
    expect(whole.count).toBeGreaterThan(front.count);
    expect(whole.count).toBeLessThanOrEqual(front.count + 8);
  });
});

