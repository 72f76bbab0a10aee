// Browser end-to-end: real est-server, real Chromium, several people in one meeting.
import { describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { addEntry, createMeeting, field, openMeeting, waitLive, useSuite } from './harness';
import { hasRefusedText } from '../../src/model/text-rules';

const suite = useSuite();

/**
 * A person of the demo group (invited by the administrator, their own account) with the meeting open in a
 * browser of their own. A chair has no organisation.
 */
async function person(
  name: string,
  org: string,
  meetingId: string,
  role: 'participant' | 'chair' = 'participant',
  before?: (page: Page) => void,
) {
  const who = await suite.person({ name, role, org: role === 'chair' ? '' : org });
  const page = await suite.pageAs(who);
  before?.(page);
  await openMeeting(page, suite.server.url, meetingId);
  return { ctx: page.context(), page };
}

/** Waits until the page shows `text` in the read-only field `key` (someone else's cell). */
async function waitReadOnly(page: Page, key: string, text: string) {
  await page.waitForFunction(
    ([k, t]) => document.querySelector(`.ro-field[data-field="${k}"] .ro-text`)?.textContent === t,
    [key, text] as const,
  );
}

/** Waits until the editable field `key` holds `text`. */
async function waitValue(page: Page, key: string, text: string) {
  await page.waitForFunction(
    ([k, t]) => (document.querySelector(`[data-field="${k}"]`) as HTMLTextAreaElement | null)?.value === t,
    [key, text] as const,
  );
}

async function value(page: Page, key: string): Promise<string> {
  return field(page, key).inputValue();
}

describe('a live meeting in the browser', () => {
  it('two organisations each type in their own cell and see the other’s text appear live', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'E2E: två organisationer');
    const anna = await person('Anna Berg', 'polis', meetingId);
    const erik = await person('Erik Lund', 'kommun', meetingId);

    // Both see each other in the presence bar.
    await anna.page.locator('.presence .person', { hasText: 'Erik Lund' }).waitFor();
    await erik.page.locator('.presence .person', { hasText: 'Anna Berg' }).waitFor();

    const a = await addEntry(anna.page, 'hot-och-vald', 'polis');
    const aKey = `hot-och-vald/polis/${a}/handelse`;
    // The new entry's first field has the focus: type straight away.
    expect(await anna.page.evaluate(() => document.activeElement?.getAttribute('data-field'))).toBe(aKey);
    await anna.page.keyboard.type('Två misshandelsfall', { delay: 10 });
    // Erik sees it while Anna is still at it, with her name on the field she is writing in.
    await waitReadOnly(erik.page, aKey, 'Två misshandelsfall');
    await erik.page.locator(`.ro-field[data-field="${aKey}"] .who-tag`, { hasText: 'Anna Berg' }).waitFor();
    await anna.page.keyboard.type(' vid torget, natt mot lördag 🚓', { delay: 10 });

    const e = await addEntry(erik.page, 'hot-och-vald', 'kommun');
    const eKey = `hot-och-vald/kommun/${e}/handelse`;
    await erik.page.keyboard.type('Klotter på Åsgårdsskolan', { delay: 10 });
    await field(erik.page, `hot-och-vald/kommun/${e}/plats`).fill('Skolgården, östra sidan');
    await field(erik.page, `hot-och-vald/kommun/${e}/trend`).selectOption('ökar');

    await waitReadOnly(erik.page, aKey, 'Två misshandelsfall vid torget, natt mot lördag 🚓');
    await waitReadOnly(anna.page, eKey, 'Klotter på Åsgårdsskolan');
    await waitReadOnly(anna.page, `hot-och-vald/kommun/${e}/plats`, 'Skolgården, östra sidan');
    await anna.page.locator(`.ro-field[data-field="hot-och-vald/kommun/${e}/trend"] .badge`, { hasText: 'Ökar' }).waitFor();

    // Other organisations' cells are read-only; their own cells are editable.
    expect(await anna.page.locator('[data-cell="hot-och-vald/kommun"] textarea, [data-cell="hot-och-vald/kommun"] input').count()).toBe(0);
    expect(await anna.page.locator('[data-add="hot-och-vald/kommun"]').count()).toBe(0);
    expect(await value(anna.page, aKey)).toBe('Två misshandelsfall vid torget, natt mot lördag 🚓');

    // Removing an entry (with confirmation) is live too.
    await erik.page.locator(`[data-entry="${e}"]`).getByRole('button', { name: /^Ta bort/ }).click();
    await erik.page.getByRole('button', { name: 'Ja, ta bort' }).click();
    await anna.page.locator(`[data-entry="${e}"]`).waitFor({ state: 'detached' });
    await waitLive(erik.page);
  });

  it('two people of the same organisation type in one field at once and converge', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'E2E: samma fält');
    const c = await person('Cecilia Ek', 'polis', meetingId);
    const d = await person('David Holm', 'polis', meetingId);

    const entry = await addEntry(c.page, 'andt', 'polis');
    const key = `andt/polis/${entry}/handelse`;
    await c.page.keyboard.type('mitten', { delay: 5 });
    await waitLive(c.page);
    await waitValue(d.page, key, 'mitten');

    // Cecilia writes at the start, David at the end — at the same time.
    await field(c.page, key).focus();
    await c.page.keyboard.press('Control+Home');
    await field(d.page, key).focus();
    await d.page.keyboard.press('Control+End');
    await Promise.all([
      c.page.keyboard.type('Alfa bravo charlie åäö ', { delay: 25 }),
      d.page.keyboard.type(' delta echo foxtrot 😀', { delay: 25 }),
    ]);
    await waitLive(c.page);
    await waitLive(d.page);
    const expected = 'Alfa bravo charlie åäö mitten delta echo foxtrot 😀';
    await waitValue(c.page, key, expected);
    await waitValue(d.page, key, expected);
    expect(await value(c.page, key)).toBe(await value(d.page, key));

    // Someone who joins now gets the same text.
    const late = await person('Eva Sund', 'kommun', meetingId);
    await waitReadOnly(late.page, key, expected);
  });

  it('text pasted with control and direction characters loses them: the rest arrives, the caret after it', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'E2E: inklistrat');
    const inserts: string[] = [];
    const kim = await person('Kim Lind', 'polis', meetingId, 'participant', (page) =>
      page.on('websocket', (ws) =>
        ws.on('framesent', (f) => {
          const m = JSON.parse(String(f.payload)) as { type?: string; change?: { ops?: unknown[] } };
          if (m.type === 'op') for (const c of m.change?.ops ?? []) if (typeof c === 'string') inserts.push(c);
        }),
      ),
    );
    const lo = await person('Lo Strand', 'kommun', meetingId);
    const entry = await addEntry(kim.page, 'andt', 'polis');
    const key = `andt/polis/${entry}/handelse`;
    await kim.page.keyboard.type('Före: ', { delay: 5 });
    // As a paste from a PDF: CRLF, a form feed, a soft hyphen (kept), a right-to-left override, a bell.
    await kim.page.keyboard.insertText('Rad 1\r\nRad\u000c 2\u00ad \u202eslut\u202c\u0007');
    await kim.page.keyboard.type('!', { delay: 5 });
    const expected = 'Före: Rad 1\nRad 2\u00ad slut!';
    await waitLive(kim.page);
    expect(await value(kim.page, key)).toBe(expected);
    await waitReadOnly(lo.page, key, expected);
    expect(inserts.length).toBeGreaterThan(0);
    for (const t of inserts) expect(hasRefusedText(t), JSON.stringify(t)).toBe(false);
  });

  it('a duplicated tab (same sessionStorage) takes a new client id, and both tabs work', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'E2E: dubblerad flik');
    const first = await person('Hanna Dubbel', 'polis', meetingId);
    const idOf = (p: Page) => p.evaluate(() => window.__estLive?.replica.clientId ?? null);
    const original = await idOf(first.page);
    const [copy] = await Promise.all([
      first.ctx.waitForEvent('page'),
      first.page.evaluate(() => void window.open(location.href, '_blank')),
    ]);
    // The copy starts with the same id (sessionStorage is copied), hears it is taken, and picks another.
    await copy.waitForFunction((id) => !!window.__estLive && window.__estLive.replica.clientId !== id, original);
    await waitLive(copy);
    expect(await idOf(first.page)).toBe(original);
    const entry = await addEntry(first.page, 'extremism', 'polis');
    await first.page.keyboard.type('Från första fliken.', { delay: 5 });
    const key = `extremism/polis/${entry}/plats`;
    await waitValue(copy, `extremism/polis/${entry}/handelse`, 'Från första fliken.');
    await field(copy, key).focus();
    await copy.keyboard.type('Från kopian', { delay: 5 });
    await waitLive(copy);
    await waitValue(first.page, key, 'Från kopian');
  });

  it('the server restarts while people type: the page says so, keeps the typing and sends it afterwards', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'E2E: omstart');
    const ida = await person('Ida Berg', 'nvk', meetingId);
    const jon = await person('Jon Ek', 'kommun', meetingId);
    const entry = await addEntry(ida.page, 'ovrigt', 'nvk');
    const key = `ovrigt/nvk/${entry}/handelse`;
    await ida.page.keyboard.type('Hat i sociala medier', { delay: 5 });
    await waitLive(ida.page);
    await suite.server.restart({
      downWhile: async () => {
        // Server down (closed with 1001): both see the banner; Ida keeps typing.
        await ida.page.getByRole('alert').filter({ hasText: 'Anslutningen bröts' }).waitFor();
        await jon.page.getByRole('alert').filter({ hasText: 'Anslutningen bröts' }).waitFor();
        await ida.page.keyboard.type(' mot skolans personal.', { delay: 5 });
      },
    });
    await ida.page.locator('[data-testid="sync"][data-status="live"][data-pending="0"]').waitFor({ timeout: 30_000 });
    const text = 'Hat i sociala medier mot skolans personal.';
    expect(await value(ida.page, key)).toBe(text);
    await waitReadOnly(jon.page, key, text);
  });

  it('one person goes offline while typing, keeps typing, comes back: nothing lost or doubled', async () => {
    const meetingId = await createMeeting(suite.chair.api, 'E2E: avbrott');
    // Watch Olle's WebSockets: the open one must really close, and nothing may go out while offline.
    let offline = false;
    const closed: string[] = [];
    const sentWhileOffline: string[] = [];
    const olle = await person('Olle Nord', 'polis', meetingId, 'participant', (page) =>
      page.on('websocket', (ws) => {
        ws.on('close', () => closed.push(ws.url()));
        ws.on('framesent', (f) => {
          if (offline) sentWhileOffline.push(String(f.payload));
        });
      }),
    );
    const frida = await person('Frida Sjö', 'kommun', meetingId, 'chair');

    const entry = await addEntry(olle.page, 'ordningsstorning', 'polis');
    const key = `ordningsstorning/polis/${entry}/handelse`;
    const plats = `ordningsstorning/polis/${entry}/plats`;
    await olle.page.keyboard.type('Före avbrottet.', { delay: 5 });
    await waitLive(olle.page);
    await waitReadOnly(frida.page, key, 'Före avbrottet.');

    // Typing goes on as the network goes away: some of it is in flight when it does.
    await olle.page.keyboard.type(' Skrivet', { delay: 0 });
    await olle.ctx.setOffline(true);
    await olle.page.getByRole('alert').filter({ hasText: 'Anslutningen bröts' }).waitFor();
    await olle.page.locator('[data-testid="sync"][data-status="reconnecting"]').waitFor();
    offline = true;
    // The socket that was open is really closed (Chromium's offline mode alone would leave it open:
    // the page closes it on the browser's `offline` event, see docs/web-client.md).
    await vi.waitFor(() => expect(closed.length).toBeGreaterThanOrEqual(1), { timeout: 10_000, interval: 50 });
    await olle.page.keyboard.type(' under avbrottet, med å och 🚓.', { delay: 5 });
    await field(olle.page, plats).fill('Resecentrum');
    expect(Number(await olle.page.getByTestId('sync').getAttribute('data-pending'))).toBeGreaterThan(0);

    // Meanwhile the chair writes (Olle must catch up on it), and Frida does not see Olle's offline typing.
    const bedomning = 'ordningsstorning/bedomning';
    await field(frida.page, bedomning).focus();
    await frida.page.keyboard.press('Control+End');
    await frida.page.keyboard.type(' Ordföranden skrev under avbrottet.', { delay: 5 });
    await waitLive(frida.page);

    expect(sentWhileOffline).toEqual([]);
    offline = false;
    await olle.ctx.setOffline(false);
    await olle.page.locator('[data-testid="sync"][data-status="live"][data-pending="0"]').waitFor();
    expect(Number(await olle.page.getByTestId('sync').getAttribute('data-reconnects'))).toBeGreaterThanOrEqual(1);

    const text = 'Före avbrottet. Skrivet under avbrottet, med å och 🚓.';
    expect(await value(olle.page, key)).toBe(text);
    expect(await value(olle.page, plats)).toBe('Resecentrum');
    await waitReadOnly(frida.page, key, text);
    await waitReadOnly(frida.page, plats, 'Resecentrum');
    const chairText = await value(frida.page, bedomning);
    expect(chairText).toContain('Ordföranden skrev under avbrottet.');
    await waitReadOnly(olle.page, bedomning, chairText);

    // A fresh browser sees exactly the same.
    const fresh = await person('Gustav Ny', 'nvu', meetingId);
    await waitReadOnly(fresh.page, key, text);
    await waitReadOnly(fresh.page, plats, 'Resecentrum');
    expect(await fresh.page.locator(`.ro-field[data-field="${key}"] .ro-text`).textContent()).toBe(text);

    // And so does the server, through the REST-free path a new client takes: no doubled words.
    expect(text.split('Skrivet').length - 1).toBe(1);
  });
});
