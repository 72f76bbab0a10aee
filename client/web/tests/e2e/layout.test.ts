// The meeting page with 4, 6 and 10 organisations on a laptop at 125 % scaling (1093 px), a phone (390 px), and for
// the screenshots also at 1366 and 1920 px: no text wider than its box, no word broken over two lines, no text over
// other text, no page wider than the screen, in every topic, as a participant and as the chair; and axe finds nothing. Screenshots of each
// are kept in the artifacts folder to look at.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addEntry, createMeeting, expectNoAxeViolations, field, invitePerson, openMeeting, shoot, showTopic, useSuite, waitLive, type Person } from './harness';
import { layoutFindings } from './layout-check';

// Ten organisations' people are invited in a minute: above the everyday limit of creations per account.
const suite = useSuite(['--max-creations-per-minute', '1000']);

// Real names of the kind EST groups have: long, several sharing their first words.
const ALL_ORGS = [
  { id: 'kommun', name: 'Sala kommun, kommunledningskontoret' },
  { id: 'polis', name: 'Polisen, lokalpolisområde Norra Västmanland' },
  { id: 'social', name: 'Sala kommun, socialförvaltningen' },
  { id: 'skola', name: 'Sala kommun, förskola och skola' },
  { id: 'bostad', name: 'Salabostäder AB' },
  { id: 'teknik', name: 'Sala kommun, samhällsbyggnadskontoret' },
  { id: 'raddning', name: 'Räddningstjänsten Sala-Heby' },
  { id: 'fritid', name: 'Sala kommun, kultur- och fritidsförvaltningen' },
  { id: 'vaktare', name: 'Securitas Sverige AB, ordningsvakter' },
  { id: 'region', name: 'Region Västmanland, barn- och ungdomspsykiatrin' },
];

const TEXTS = [
  {
    topic: 'hot-och-vald',
    handelse: 'Två anmälda misshandelsfall utanför nattöppen restaurang, båda efter kl. 01. Misshandelsfallen utreds.',
    plats: 'Stadshuset och Stora torget',
    tid: 'Fre–lör 28/11, 01–03',
    trend: 'oförändrad',
  },
  {
    topic: 'ordningsstorning',
    handelse: 'Skadegörelse i trapphus och källarförråd, tre anmälningar från hyresgäster under perioden.',
    plats: 'Västra Ängby',
    tid: 'v. 47–48',
    trend: 'ökar',
  },
  {
    topic: 'ungdomar-skolor',
    handelse: 'Fältgruppen möter fler 14–15-åringar ute sent på helgerna, några påverkade av alkohol.',
    plats: 'Resecentrum',
    tid: 'Helger v. 46–48',
    trend: 'minskar',
  },
];

const SIZES = [
  [1093, 615],
  [390, 844],
] as const;
const SHOT_ONLY = [
  [1366, 768],
  [1920, 1080],
] as const;

async function expectClean(page: Page, what: string): Promise<void> {
  const found = await layoutFindings(page);
  expect(found.map((f) => `${f.kind}: ${f.what}`), what).toEqual([]);
}

describe('the meeting page fits its organisations', () => {
  for (const count of [4, 6, 10]) {
    it(`with ${count} organisations at 1093 and 390 px, every topic, participant and chair`, async () => {
      const orgs = ALL_ORGS.slice(0, count);
      const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
        id: `sala-${count}`,
        name: `EST-gruppen Sala (${count})`,
        municipality: 'Sala kommun',
        organisations: orgs,
      });
      const chair = await invitePerson(suite.admin, { name: 'Maja Ek-Lindqvist', role: 'chair', group: group.id });
      const people: Person[] = [];
      for (const [i, o] of orgs.entries())
        people.push(await invitePerson(suite.admin, { name: `Person Nummer${i} Efternamnsson`, org: o.id, group: group.id }));
      const meetingId = await createMeeting(chair.api, `EST-möte vecka 49 (${count})`, group.id);

      // Most organisations report something in one of three topics; a few report nothing.
      for (const [i, o] of orgs.entries()) {
        if (i % 4 === 3) continue;
        const page = await suite.pageAs(people[i], 1366, 768, { topicView: 'one' });
        await openMeeting(page, suite.server.url, meetingId);
        const t = TEXTS[i % TEXTS.length];
        const entry = await addEntry(page, t.topic, o.id);
        const k = `${t.topic}/${o.id}/${entry}`;
        await field(page, `${k}/handelse`).fill(t.handelse);
        await field(page, `${k}/plats`).fill(t.plats);
        await field(page, `${k}/tid`).fill(t.tid);
        await field(page, `${k}/trend`).selectOption(t.trend);
        await waitLive(page);
        await page.close();
      }
      const chairPage = await suite.pageAs(chair, 1366, 768, { topicView: 'one' });
      await openMeeting(chairPage, suite.server.url, meetingId);
      await showTopic(chairPage, 'hot-och-vald');
      await field(chairPage, 'hot-och-vald/bedomning').fill('Våldet är koncentrerat till centrum nattetid under helgerna.');
      await field(chairPage, 'hot-och-vald/niva').selectOption('förhöjd');
      await waitLive(chairPage);

      for (const [w, h] of [...SIZES, ...SHOT_ONLY]) {
        for (const [who, person] of [
          ['deltagare', people[0]],
          ['ordforande', chair],
        ] as const) {
          const page = await suite.pageAs(person, w, h, { topicView: 'one', bypassCSP: true });
          await openMeeting(page, suite.server.url, meetingId);
          if (who === 'deltagare') await page.locator('[data-summary="hot-och-vald"]').filter({ hasText: 'Våldet' }).waitFor();
          await shoot(page, `layout-${count}-${who}-${w}`);
          await shoot(page, `layout-${count}-${who}-${w}-full`, true);
          const measured = SIZES.some(([sw]) => sw === w);
          if (measured) {
            await expectNoAxeViolations(page, `${count} organisations, ${who}, ${w} px`);
            for (const t of ['hot-och-vald', 'ordningsstorning', 'extremism', 'ungdomar-skolor', 'andt', 'ovrigt']) {
              await showTopic(page, t);
              await expectClean(page, `${count} organisations, ${who}, ${w} px, topic ${t}`);
            }
          }
          await page.close();
        }
      }
    });
  }
});
