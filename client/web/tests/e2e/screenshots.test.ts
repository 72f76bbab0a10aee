// The screenshots a test run leaves in the artifacts folder, to look at: the sign-in, invitation, reset and
// administration pages and a live meeting of a group with seven organisations (modelled on the Fagersta demo),
// at a laptop's 1366×768 and a phone's 390×844.
import { describe, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN, addEntry, createMeeting, field, invitePerson, openMeeting, shoot, useSuite, waitLive, type Person } from './harness';

const suite = useSuite();

const SIZES = [
  [1366, 768],
  [390, 844],
] as const;

const ORGS = [
  { id: 'kommun', name: 'Sala kommun, trygghetssamordnare' },
  { id: 'polis', name: 'Polisen, lokalpolisområde Sala' },
  { id: 'social', name: 'Socialtjänsten, Sala kommun' },
  { id: 'skola', name: 'Skolförvaltningen' },
  { id: 'bostad', name: 'Salabostäder AB' },
  { id: 'raddning', name: 'Räddningstjänsten Sala-Heby' },
  { id: 'vaktare', name: 'Securitas, ordningsvakter' },
];

const ENTRIES: Record<string, { topic: string; handelse: string; plats: string; tid: string; trend: string }> = {
  polis: {
    topic: 'hot-och-vald',
    handelse: 'Två anmälda misshandelsfall utanför nattöppen restaurang, båda efter kl. 01.',
    plats: 'Stora torget',
    tid: 'Fre–lör v. 46, 01–03',
    trend: 'oförändrad',
  },
  social: {
    topic: 'ungdomar-skolor',
    handelse: 'Fältgruppen möter fler 14–15-åringar ute sent på helgerna, några påverkade.',
    plats: 'Resecentrum',
    tid: 'Helger v. 45–46',
    trend: 'ökar',
  },
  bostad: {
    topic: 'ordningsstorning',
    handelse: 'Skadegörelse i trapphus och källarförråd, tre anmälningar från hyresgäster.',
    plats: 'Västra Ängby',
    tid: 'v. 45–46',
    trend: 'ökar',
  },
  skola: {
    topic: 'ungdomar-skolor',
    handelse: 'Konflikter på rasterna har minskat sedan rastvärdarna blev fler.',
    plats: 'Åkraskolan',
    tid: 'Okt–nov',
    trend: 'minskar',
  },
  raddning: {
    topic: 'ordningsstorning',
    handelse: 'Två anlagda bränder i papperskorgar, en i soprum.',
    plats: 'Centrum',
    tid: 'Kvällar v. 46',
    trend: 'oförändrad',
  },
};

describe('screenshots', () => {
  it('of the sign-in, invitation, reset, administration and meeting pages, wide and narrow', async () => {
    const group = await suite.admin.ok<{ id: string }>('POST', '/api/groups', {
      id: 'sala',
      name: 'EST-gruppen Sala',
      municipality: 'Sala kommun',
      organisations: ORGS,
    });
    const chair = await invitePerson(suite.admin, { name: 'Maja Ek', role: 'chair', group: group.id });
    const people: Record<string, Person> = {};
    const names = ['Erik Sjöberg', 'Anna Berg', 'Leila Haddad', 'Johan Nyström', 'Sofia Lind', 'Omar Karimi', 'Tim Ahl'];
    for (const [i, o] of ORGS.entries())
      people[o.id] = await invitePerson(suite.admin, { name: names[i], org: o.id, group: group.id, role: o.id === 'polis' ? 'cosigner' : 'participant' });
    const meetingId = await createMeeting(chair.api, 'EST-möte vecka 47', group.id);

    // Everyone in the meeting; five organisations have written something.
    const pages: Record<string, Page> = {};
    for (const o of ORGS) {
      const p = await suite.pageAs(people[o.id], 1366, 768);
      await openMeeting(p, suite.server.url, meetingId);
      pages[o.id] = p;
      const e = ENTRIES[o.id];
      if (!e) continue;
      const entry = await addEntry(p, e.topic, o.id);
      const k = `${e.topic}/${o.id}/${entry}`;
      await field(p, `${k}/handelse`).fill(e.handelse);
      await field(p, `${k}/plats`).fill(e.plats);
      await field(p, `${k}/tid`).fill(e.tid);
      await field(p, `${k}/trend`).selectOption(e.trend);
      await waitLive(p);
    }
    const chairPage = await suite.pageAs(chair, 1366, 768);
    await openMeeting(chairPage, suite.server.url, meetingId);
    await field(chairPage, 'hot-och-vald/bedomning').fill('Våldet är koncentrerat till centrum nattetid helger.');
    await field(chairPage, 'hot-och-vald/niva').selectOption('förhöjd');
    await waitLive(chairPage);
    await pages.polis.locator('[data-field="hot-och-vald/bedomning"]').filter({ hasText: 'Våldet' }).waitFor();

    for (const [w, h] of SIZES) {
      // The meeting, as the police (a co-signer) and as the chair, with someone writing.
      const police = await suite.pageAs(people.polis, w, h);
      await openMeeting(police, suite.server.url, meetingId);
      await shoot(police, `meeting-${w}`);
      await shoot(police, `meeting-${w}-full`, true);
      const chairView = await suite.pageAs(chair, w, h);
      await openMeeting(chairView, suite.server.url, meetingId);
      await shoot(chairView, `meeting-chair-${w}`);
      await chairView.getByTestId('user-menu').click();
      await chairView.getByRole('button', { name: 'Logga ut överallt' }).waitFor();
      await shoot(chairView, `meeting-menu-${w}`);

      // The chair's group page, an invitation just made.
      const groupPage = await suite.pageAs(chair, w, h);
      await groupPage.goto(`${suite.server.url}/#/g/${group.id}`);
      await groupPage.locator(`tr[data-member="${people.polis.email}"]`).waitFor();
      await groupPage.locator('#invite-email').fill(`inbjuden-${w}@sala.se`);
      await groupPage.locator('#invite-org').selectOption('bostad');
      await groupPage.getByRole('button', { name: 'Skapa inbjudan' }).click();
      await groupPage.getByRole('heading', { name: 'Inbjudan är skapad' }).waitFor();
      await shoot(groupPage, `group-chair-${w}`);
      await shoot(groupPage, `group-chair-${w}-full`, true);

      // The sign-in page, and the dialog that asks again when a session ends during the meeting.
      const anon = await suite.anonymousPage(w, h);
      await anon.goto(`${suite.server.url}/#/m/${meetingId}`);
      await anon.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
      await shoot(anon, `signin-${w}`);
      await anon.getByLabel('E-postadress').fill(people.kommun.email);
      await anon.getByLabel('Lösenord').fill('fel lösenord här');
      await anon.getByRole('button', { name: 'Logga in' }).click();
      await anon.getByRole('alert').filter({ hasText: 'Fel e-post eller lösenord.' }).waitFor();
      await shoot(anon, `signin-error-${w}`);

      // Invitation and reset links.
      const invited = await suite.admin.ok<{ link: string }>('POST', `/api/groups/${group.id}/invitations`, {
        email: `ny-${w}@sala.se`,
        role: 'participant',
        org: 'social',
      });
      const inv = await suite.anonymousPage(w, h);
      await inv.goto(suite.server.url + invited.link);
      await inv.getByLabel('Välj lösenord').waitFor();
      await shoot(inv, `invitation-${w}`);
      await shoot(inv, `invitation-${w}-full`, true);

      // Administration.
      const admin = await suite.pageAs(ADMIN, w, h);
      await admin.goto(`${suite.server.url}/#/admin`);
      await admin.locator('tr[data-action="sign_in"]').first().waitFor();
      await admin.locator('#admin-group').selectOption(group.id);
      await admin.locator(`tr[data-member="${people.polis.email}"]`).waitFor();
      await shoot(admin, `admin-${w}`);
      await shoot(admin, `admin-${w}-full`, true);
      for (const part of ['accounts', 'audit']) {
        await admin.locator(`#admin-${part}-h`).scrollIntoViewIfNeeded();
        await admin.evaluate((id) => document.getElementById(id)?.scrollIntoView({ block: 'start' }), `admin-${part}-h`);
        await shoot(admin, `admin-${w}-${part}`);
      }
    }

    // A session ended during the meeting: the dialog over the meeting, and the banner after "Inte nu".
    for (const [w, h] of SIZES) {
      const kim = await invitePerson(suite.admin, { name: `Kim Sjö ${w}`, org: 'kommun', group: group.id });
      const page = await suite.pageAs(kim, w, h);
      await openMeeting(page, suite.server.url, meetingId);
      await kim.api.ok('DELETE', '/api/sessions');
      await page.getByRole('dialog', { name: 'Logga in igen' }).waitFor();
      await shoot(page, `reauth-${w}`);
      await page.getByRole('button', { name: 'Inte nu' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.getByRole('region', { name: 'Utloggad' }).waitFor();
      await shoot(page, `signed-out-${w}`);
    }
  });
});
