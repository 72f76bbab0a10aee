// The BRÅ queue in real browsers against a real est-server (issue 14): a group of six organisations proposes decision
// items live in a meeting (over the meeting's WebSocket, as the live client does), the chair sends most of them to
// BRÅ and the meeting is locked, signed and closed over the REST lifecycle route. A BRÅ member then opens the queue
// from the top bar, filters it, opens an item and approves it with owner, contact and due date; a decision that
// another member made first is refused with "Någon annan hann före" and the winner's decision; the owner
// organisation's participant sets the approved item to gul, which needs a note. axe finds nothing on either page;
// screenshots at 1366 and 390 px go to the artifacts folder.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createMeeting, dayFromToday, expectNoAxeViolations, invitePerson, lockSignClose, shoot, useSuite, type Person } from './harness';

const suite = useSuite();

const ORGS = [
  { id: 'kommun', name: 'Norrby kommun, trygghetssamordnare' },
  { id: 'polis', name: 'Polisen, lokalpolisområde Norrby' },
  { id: 'social', name: 'Socialtjänsten, Norrby kommun' },
  { id: 'skola', name: 'Skolförvaltningen' },
  { id: 'bostad', name: 'Norrbyhem AB' },
  { id: 'raddning', name: 'Räddningstjänsten Mälardalen' },
];

const day = dayFromToday;

interface Proposal {
  topic: string;
  item: string;
  typ: string;
  rubrik: string;
  beskrivning: string;
  agare?: string;
  kontakt?: string;
  klart_senast?: string;
  toBra: boolean;
}

const PROPOSALS: Proposal[] = [
  {
    topic: 'andt',
    item: 'd1',
    typ: 'orsaksanalys',
    rubrik: 'Orsaksanalys: langning av snus vid Risbroskolan',
    beskrivning: 'Skolan och fältassistenterna ser langning vid idrottshallen på kvällarna. Vilka langar, till vem, och varför just där?',
    agare: 'social',
    kontakt: 'Sara Nilsson',
    klart_senast: day(120),
    toBra: true,
  },
  {
    topic: 'andt',
    item: 'd2',
    typ: 'fördjupad kartläggning',
    rubrik: 'Fördjupad kartläggning av alkoholförsäljning till unga',
    beskrivning: 'Kontrollköp och polisens underrättelser sammanställs inför nästa inriktningsbeslut.',
    agare: 'polis',
    toBra: true,
  },
  {
    topic: 'ordningsstorning',
    item: 'd1',
    typ: 'fördjupad kartläggning',
    rubrik: 'Fördjupad kartläggning av skadegörelse vid resecentrum',
    beskrivning: 'Skadegörelse och klotter har ökat sedan i somras; tider och platser kartläggs med Norrbyhem och kommunen.',
    agare: 'kommun',
    toBra: true,
  },
  {
    topic: 'ordningsstorning',
    item: 'd2',
    typ: 'åtgärd/insats',
    rubrik: 'Belysning i gångtunneln vid Vallonparken',
    beskrivning: 'Tunneln är mörk och upplevs otrygg; ny belysning och klotterskydd.',
    agare: 'kommun',
    kontakt: 'Per Gatuchef',
    klart_senast: day(60),
    toBra: true,
  },
  {
    topic: 'ordningsstorning',
    item: 'd3',
    typ: 'medborgarlöfte',
    rubrik: 'Trygghetsvandring i Kärrgruvan med boende',
    beskrivning: 'Polisen och Norrbyhem lovar en trygghetsvandring i månaden under våren.',
    agare: 'bostad',
    toBra: true,
  },
  {
    topic: 'hot-och-vald',
    item: 'd1',
    typ: 'underlag till inriktningsbeslut',
    rubrik: 'Underlag till inriktningsbeslut: våld i offentlig miljö helgnätter',
    beskrivning: 'Misshandel vid torget mellan 01 och 03. Underlag om öppettider och ordningsvakter.',
    agare: 'polis',
    toBra: true,
  },
  {
    topic: 'ungdomar-skolor',
    item: 'd1',
    typ: 'åtgärd/insats',
    rubrik: 'Fältgång fredagskvällar vid centrum',
    beskrivning: 'Fältassistenter och föräldravandrare fredagar 19–23 under vårterminen.',
    agare: 'social',
    toBra: true,
  },
  {
    topic: 'ungdomar-skolor',
    item: 'd2',
    typ: 'för kännedom',
    rubrik: 'För kännedom: ny fritidsgård öppnar i mars',
    beskrivning: 'Fritidsgården i Risbro öppnar igen efter renoveringen.',
    toBra: true,
  },
  {
    topic: 'ovrigt',
    item: 'd1',
    typ: 'för kännedom',
    rubrik: 'Stannar i gruppen: rutiner för mötesanteckningar',
    beskrivning: 'Inget för BRÅ.',
    toBra: false,
  },
];

type WireChange = Record<string, unknown>;

/**
 * Sends changes to a meeting over its WebSocket from inside the page (same origin, the page's session cookie), as the
 * live client does: join, then each change as an `op`, waiting for its `ack`.
 */
async function sendLive(page: Page, meeting: string, changes: WireChange[]): Promise<void> {
  await page.evaluate(
    async ({ meeting, changes }) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?meeting=${encodeURIComponent(meeting)}`);
      type Msg = { type: string; seq?: number; rev?: number; last_seq?: number };
      const inbox: Msg[] = [];
      let wake: (() => void) | null = null;
      ws.onmessage = (e) => {
        inbox.push(JSON.parse(e.data as string) as Msg);
        wake?.();
      };
      const next = async (want: (m: Msg) => boolean): Promise<Msg> => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const i = inbox.findIndex(want);
          if (i >= 0) return inbox.splice(i, 1)[0];
          if (Date.now() > deadline) throw new Error('no answer from the server');
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 250);
          });
        }
      };
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      const client = `c-${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
      ws.send(JSON.stringify({ type: 'join', meeting, client }));
      const welcome = await next((m) => m.type === 'welcome' || m.type === 'error');
      if (welcome.type === 'error') throw new Error(`join: ${JSON.stringify(welcome)}`);
      let rev = welcome.rev!;
      let seq = welcome.last_seq ?? 0;
      for (const change of changes) {
        seq += 1;
        ws.send(JSON.stringify({ type: 'op', seq, rev, change }));
        const answer = await next((m) => (m.type === 'ack' && m.seq === seq) || m.type === 'error');
        if (answer.type === 'error') throw new Error(`${JSON.stringify(change)}: ${JSON.stringify(answer)}`);
        rev = answer.rev!;
      }
      ws.close();
    },
    { meeting, changes },
  );
}

function proposalChanges(p: Proposal): WireChange[] {
  const target = (field: string) => ({ topic: p.topic, item: p.item, field });
  const changes: WireChange[] = [{ kind: 'add_item', topic: p.topic, item: p.item }];
  for (const field of ['rubrik', 'beskrivning', 'kontakt'] as const) {
    const text = p[field];
    if (text) changes.push({ kind: 'text', target: target(field), ops: [text] });
  }
  changes.push({ kind: 'set', target: target('typ'), value: p.typ });
  if (p.agare) changes.push({ kind: 'set', target: target('agare'), value: p.agare });
  if (p.klart_senast) changes.push({ kind: 'set', target: target('klart_senast'), value: p.klart_senast });
  return changes;
}

function count(page: Page) {
  return page.getByTestId('bra-count');
}

interface ItemAnswer {
  version: number;
  status: string;
}

describe('the BRÅ queue', () => {
  it('lets a BRÅ member filter the queue and approve an item, and the owner organisation follow it up', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      id: 'norrby',
      name: 'EST-gruppen Norrby',
      municipality: 'Norrby kommun',
      organisations: ORGS,
    });
    const chair = await invitePerson(suite.admin, { name: 'Eva Ek', role: 'chair', group: group.id });
    const cosigner = await invitePerson(suite.admin, { name: 'Olle Holm', role: 'cosigner', org: 'polis', group: group.id });
    const social = await invitePerson(suite.admin, { name: 'Sara Nilsson', role: 'participant', org: 'social', group: group.id });
    const municipality = await invitePerson(suite.admin, { name: 'Per Gatuchef', role: 'participant', org: 'kommun', group: group.id });
    const bra = await invitePerson(suite.admin, { name: 'Karin Åberg', role: 'bra_member', group: group.id });
    const bra2 = await invitePerson(suite.admin, { name: 'Bertil Sund', role: 'bra_member', group: group.id });
    const meetingId = await createMeeting(chair.api, 'EST-möte vecka 49', group.id);

    // Proposed live: the social services' participant writes the items, the chair sends all but one to BRÅ.
    const proposer = await suite.pageAs(social, 1366, 900);
    await proposer.goto(`${suite.server.url}/#/`);
    await sendLive(proposer, meetingId, PROPOSALS.flatMap(proposalChanges));
    const chairPage = await suite.pageAs(chair, 1366, 900);
    await chairPage.goto(`${suite.server.url}/#/`);
    await sendLive(
      chairPage,
      meetingId,
      PROPOSALS.map((p) => ({ kind: 'set', target: { topic: p.topic, item: p.item, field: 'till_bra' }, value: p.toBra ? 'ja' : 'nej' })),
    );
    await lockSignClose(meetingId, chair, cosigner);

    // Some of the queue is decided already: an approval followed up green, a rejection, a deferral.
    const itemPath = (topic: string, item: string) => `/api/bra/items/${meetingId}.${topic}.${item}`;
    const act = async (who: Person, topic: string, item: string, body: Record<string, unknown>) => {
      const now = await who.api.ok<ItemAnswer>('GET', itemPath(topic, item));
      return who.api.ok<ItemAnswer>('POST', `${itemPath(topic, item)}/events`, { ...body, version: now.version });
    };
    await act(bra2, 'ordningsstorning', 'd2', { kind: 'decide', verdict: 'approve', owner_org: 'kommun', contact: 'Per Gatuchef', due: day(45) });
    await act(municipality, 'ordningsstorning', 'd2', { kind: 'follow_up', progress: 'green', text: 'Armaturerna är beställda.' });
    await act(bra2, 'ungdomar-skolor', 'd2', { kind: 'decide', verdict: 'reject', reason: 'För kännedom: inget beslut behövs.' });
    await act(bra2, 'hot-och-vald', 'd1', { kind: 'decide', verdict: 'defer', deferred_to: day(30) });

    // The BRÅ member opens the queue from the top bar: every item sent to BRÅ, none of those kept in the group.
    const page = await suite.pageAs(bra, 1366, 900, { bypassCSP: true });
    await page.goto(`${suite.server.url}/#/`);
    await page.getByRole('link', { name: 'BRÅ-kö' }).click();
    await page.getByRole('heading', { level: 1, name: 'BRÅ-kö' }).waitFor();
    await expect.poll(() => count(page).innerText(), { timeout: 15_000 }).toBe('8 av 8 punkter');
    expect(await page.getByText('Stannar i gruppen').count()).toBe(0);
    const lampRow = page.locator('tr', { hasText: 'Belysning i gångtunneln' });
    expect(await lampRow.innerText()).toContain('Grön');
    await expectNoAxeViolations(page, 'the queue');
    await shoot(page, 'bra-queue-1366');
    await shoot(page, 'bra-queue-1366-full', true);

    // Filters: ANDT, then only those awaiting a decision; the address keeps the filter.
    await page.getByLabel('Ämne').selectOption({ label: 'ANDT' });
    await expect.poll(() => count(page).innerText(), { timeout: 15_000 }).toBe('2 av 8 punkter');
    await page.getByLabel('Status').selectOption({ label: 'Bifall' });
    await expect.poll(() => count(page).innerText(), { timeout: 15_000 }).toBe('0 av 8 punkter');
    await page.getByLabel('Status').selectOption({ label: 'Inkommen' });
    await expect.poll(() => count(page).innerText(), { timeout: 15_000 }).toBe('2 av 8 punkter');
    await page.getByLabel('Endast försenade').check();
    await expect.poll(() => count(page).innerText(), { timeout: 15_000 }).toBe('0 av 8 punkter');
    await page.getByLabel('Endast försenade').uncheck();
    await page.getByLabel('Sortera').selectOption({ label: 'Klart senast, närmast först' });
    expect(page.url()).toContain('amne=andt');
    const titles = await page.locator('tbody .bra-title').allInnerTexts();
    expect(titles).toEqual(['Orsaksanalys: langning av snus vid Risbroskolan', 'Fördjupad kartläggning av alkoholförsäljning till unga']);
    // The CSV link is the server's csv route.
    expect(await page.getByRole('link', { name: 'Ladda ner CSV' }).getAttribute('href')).toBe('/api/bra/items?format=csv');
    await shoot(page, 'bra-queue-filtered-1366');

    // The item: its signed text with the template's labels, the link to the signed picture, the decision form.
    await page.getByRole('link', { name: 'Orsaksanalys: langning av snus vid Risbroskolan' }).click();
    await page.getByRole('heading', { level: 1, name: 'Orsaksanalys: langning av snus vid Risbroskolan' }).waitFor();
    const signed = page.locator('.bra-signed');
    await signed.getByText('Orsak eller problem som punkten avser').waitFor();
    await expect.poll(() => signed.innerText(), { timeout: 15_000 }).toContain('Socialtjänsten, Norrby kommun');
    expect(await page.getByRole('link', { name: /Öppna den signerade lägesbilden/ }).getAttribute('href')).toBe(`/api/meetings/${meetingId}/export`);
    // Nothing chosen: the form says what is missing, and sends nothing.
    await page.getByRole('button', { name: 'Spara beslut' }).click();
    await page.getByText('Välj bifall, avslag eller bordläggning.').waitFor();
    await page.getByRole('radio', { name: 'Bifall', exact: true }).check();
    // The proposal's owner, contact and date are there to start from.
    expect(await page.getByLabel('Ansvarig organisation').inputValue()).toBe('social');
    expect(await page.getByLabel('Kontaktperson').inputValue()).toBe('Sara Nilsson');
    await page.getByLabel('Kontaktperson').fill('Sara Nilsson, 0223-123 45');
    await page.getByLabel('Klart senast').fill(day(90));
    await expectNoAxeViolations(page, 'the item with the decision form');
    await shoot(page, 'bra-item-decide-1366');
    await shoot(page, 'bra-item-decide-1366-full', true);
    await page.getByRole('button', { name: 'Spara beslut' }).click();
    await page.getByTestId('bra-outcome').getByText('Bifall sparat.').waitFor();
    expect(await page.locator('[data-item]').first().getAttribute('data-status')).toBe('approved');
    expect(await page.getByTestId('bra-history').innerText()).toContain(`Bifall: Socialtjänsten, Norrby kommun, kontaktperson Sara Nilsson, 0223-123 45, klart senast ${day(90)}`);
    expect(await page.getByTestId('bra-history').innerText()).toContain('Karin Åberg');
    // Approved: no decision any more, but re-assignment and comments.
    expect(await page.getByRole('button', { name: 'Spara beslut' }).count()).toBe(0);
    await page.getByRole('heading', { name: 'Ändra ansvarig eller datum' }).waitFor();
    await expectNoAxeViolations(page, 'the approved item');

    // Two members at once: Bertil defers the other ANDT item while Karin has it open. His decision reaches her page
    // live (the queue's WebSocket watch), before she saves anything; she decides on the item as it is now.
    await page.goto(`${suite.server.url}/#/bra/${meetingId}.andt.d2`);
    await page.getByRole('button', { name: 'Spara beslut' }).waitFor();
    await act(bra2, 'andt', 'd2', { kind: 'decide', verdict: 'defer', deferred_to: day(21) });
    await page.locator('[data-item][data-status="deferred"]').first().waitFor();
    await page.getByTestId('bra-history').getByText(/Bertil Sund/).first().waitFor();
    expect(await page.getByTestId('bra-history').innerText()).toContain(`Bordläggning till BRÅ-mötet ${day(21)}`);
    await expectNoAxeViolations(page, 'the item after a live change');
    await shoot(page, 'bra-item-live-1366');
    await page.getByRole('radio', { name: 'Bifall', exact: true }).check();
    await page.getByLabel('Kontaktperson').fill('Olle Holm');
    await page.getByLabel('Klart senast').fill(day(100));
    await page.getByRole('button', { name: 'Spara beslut' }).click();
    await page.getByTestId('bra-outcome').getByText('Bifall sparat.').waitFor();

    // The chair comments (and neither decides nor follows up); an empty comment is not sent.
    const chairItem = await suite.pageAs(chair, 1366, 900);
    await chairItem.goto(`${suite.server.url}/#/bra/${meetingId}.andt.d1`);
    await chairItem.getByRole('heading', { name: 'Kommentar' }).waitFor();
    expect(await chairItem.getByRole('heading', { name: 'Besluta' }).count()).toBe(0);
    expect(await chairItem.getByRole('heading', { name: 'Uppföljning' }).count()).toBe(0);
    await chairItem.getByRole('button', { name: 'Spara kommentar' }).click();
    await chairItem.getByText('Skriv en kommentar.').waitFor();
    await chairItem.getByLabel('Ny kommentar').fill('Tas upp på nästa EST-möte under Uppföljning.');
    await chairItem.getByRole('button', { name: 'Spara kommentar' }).click();
    await chairItem.getByText('Kommentaren är sparad.').waitFor();
    expect(await chairItem.getByTestId('bra-history').innerText()).toContain('Tas upp på nästa EST-möte under Uppföljning.');

    // The owner organisation's participant: follow-up, where gul needs a note.
    for (const [w, h] of [
      [1366, 900],
      [390, 844],
    ] as const) {
      const owner = await suite.pageAs(social, w, h, { bypassCSP: true });
      await owner.goto(`${suite.server.url}/#/bra/${meetingId}.andt.d1`);
      await owner.getByRole('heading', { name: 'Uppföljning' }).waitFor();
      // A participant neither decides nor comments.
      expect(await owner.getByRole('heading', { name: 'Besluta' }).count()).toBe(0);
      expect(await owner.getByRole('heading', { name: 'Kommentar' }).count()).toBe(0);
      if (w === 1366) {
        await owner.getByRole('radio', { name: 'Gul', exact: true }).check();
        await owner.getByRole('button', { name: 'Spara uppföljning' }).click();
        await owner.getByText('Gul och röd behöver en kommentar om vad som hänt.').waitFor();
        await owner.getByLabel(/^Kommentar/).fill('Analysen är försenad: skolans enkät kommer först i februari.');
        await expectNoAxeViolations(owner, 'the follow-up form');
        await shoot(owner, 'bra-item-followup-1366');
        await owner.getByRole('button', { name: 'Spara uppföljning' }).click();
        await owner.getByText('Uppföljningen är sparad: Gul.').waitFor();
        const history = await owner.getByTestId('bra-history').innerText();
        expect(history).toContain('Uppföljning: Gul');
        expect(history).toContain('skolans enkät kommer först i februari');
        expect(history).toContain('Sara Nilsson');
        await expectNoAxeViolations(owner, 'the followed-up item');
      } else {
        await shoot(owner, 'bra-item-390');
        await shoot(owner, 'bra-item-390-full', true);
        // The queue on a phone: each row a card.
        await owner.goto(`${suite.server.url}/#/bra`);
        await expect.poll(() => count(owner).innerText(), { timeout: 15_000 }).toBe('8 av 8 punkter');
        const row = owner.locator('tr', { hasText: 'Orsaksanalys: langning' });
        expect(await row.innerText()).toContain('Gul');
        await expectNoAxeViolations(owner, 'the queue on a phone');
        await shoot(owner, 'bra-queue-390');
        await shoot(owner, 'bra-queue-390-full', true);
      }
    }

    // The BRÅ member's queue shows the follow-up after a reload.
    await page.goto(`${suite.server.url}/#/bra`);
    await expect.poll(() => count(page).innerText(), { timeout: 15_000 }).toBe('8 av 8 punkter');
    expect(await page.locator('tr', { hasText: 'Orsaksanalys: langning' }).innerText()).toContain('Gul');
  });
});

describe('a queue of 200 items', () => {
  it('stays usable on a laptop: all shown, filtered at once, axe-clean', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      id: 'storby',
      name: 'EST-gruppen Storby',
      municipality: 'Storby kommun',
      organisations: ORGS,
    });
    const chair = await invitePerson(suite.admin, { name: 'Lena Storm', role: 'chair', group: group.id });
    const cosigner = await invitePerson(suite.admin, { name: 'Ali Rahimi', role: 'cosigner', org: 'polis', group: group.id });
    const bra = await invitePerson(suite.admin, { name: 'Gun Berg', role: 'bra_member', group: group.id });
    const topics = ['hot-och-vald', 'ordningsstorning', 'extremism', 'ungdomar-skolor', 'andt', 'ovrigt'];
    const types = ['fördjupad kartläggning', 'orsaksanalys', 'åtgärd/insats', 'underlag till inriktningsbeslut', 'medborgarlöfte', 'för kännedom'];
    const chairPage = await suite.pageAs(chair, 1366, 900);
    await chairPage.goto(`${suite.server.url}/#/`);
    // Two meetings of 100 items each (a topic holds at most 30).
    for (const week of [47, 49]) {
      const meetingId = await createMeeting(chair.api, `EST-möte vecka ${week}`, group.id);
      const changes: WireChange[] = [];
      for (let n = 0; n < 100; ++n) {
        const topic = topics[n % topics.length];
        const target = (field: string) => ({ topic, item: `d${n}`, field });
        changes.push(
          { kind: 'add_item', topic, item: `d${n}` },
          { kind: 'text', target: target('rubrik'), ops: [`Punkt ${n + 1} vecka ${week}: ${types[n % types.length]} i ${topic}`] },
          { kind: 'set', target: target('typ'), value: types[n % types.length] },
          { kind: 'set', target: target('agare'), value: ORGS[n % ORGS.length].id },
          { kind: 'set', target: target('till_bra'), value: 'ja' },
        );
      }
      await sendLive(chairPage, meetingId, changes);
      await lockSignClose(meetingId, chair, cosigner);
    }
    const page = await suite.pageAs(bra, 1366, 768, { bypassCSP: true });
    await page.goto(`${suite.server.url}/#/bra`);
    await expect.poll(() => count(page).innerText(), { timeout: 15_000 }).toBe('200 av 200 punkter');
    expect(await page.locator('tbody tr').count()).toBe(200);
    await shoot(page, 'bra-queue-200-1366');
    await page.getByLabel('Typ').selectOption('orsaksanalys');
    await page.getByLabel('Ansvarig organisation').selectOption({ label: 'Polisen' });
    // 200 / 6 types, of which every sixth owner: the same n modulo 6 — all orsaksanalys items are the police's.
    await expect.poll(() => count(page).innerText(), { timeout: 15_000 }).toBe('34 av 200 punkter');
    const week47 = await page.locator('#f-meeting option', { hasText: 'vecka 47' }).getAttribute('value');
    await page.getByLabel('Möte').selectOption(week47!);
    await expect.poll(() => count(page).innerText(), { timeout: 15_000 }).toBe('17 av 200 punkter');
    await expectNoAxeViolations(page, 'the queue of 200');
    await shoot(page, 'bra-queue-200-filtered-1366');

    // The marks, in words and not by colour alone: the server's answer with flags set on the first three items
    // (a real item is overdue or stale only after weeks).
    for (const [w, h] of [
      [1366, 768],
      [390, 844],
    ] as const) {
      const marked = await suite.pageAs(bra, w, h, { bypassCSP: true });
      await marked.route('**/api/bra/items', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { items: { flags: Record<string, boolean> }[] };
        body.items[0].flags.overdue = true;
        body.items[1].flags.stale = true;
        body.items[2].flags.back_on_agenda = true;
        body.items[2].flags.overdue = true;
        await route.fulfill({ response: res, json: body });
      });
      await marked.goto(`${suite.server.url}/#/bra`);
      await expect.poll(() => count(marked).innerText(), { timeout: 15_000 }).toBe('200 av 200 punkter');
      const rows = marked.locator('tbody tr');
      expect(await rows.nth(0).innerText()).toContain('Försenad');
      expect(await rows.nth(1).innerText()).toContain('Inte uppdaterad');
      expect(await rows.nth(2).innerText()).toContain('Åter på dagordningen');
      // On a phone the filters start folded.
      if (w === 390) await marked.locator('.bra-filter-box > summary').click();
      await marked.getByLabel('Endast försenade').check();
      await expect.poll(() => count(marked).innerText(), { timeout: 15_000 }).toBe('2 av 200 punkter');
      await marked.getByLabel('Endast försenade').uncheck();
      await expectNoAxeViolations(marked, `the marks at ${w} px`);
      await shoot(marked, `bra-queue-marks-${w}`);
    }
  });
});
