// @vitest-environment node
// The demo's state survives a reload: the in-page reference server keeps
// its state (createMockBackend({ persist: true })) and the engagement, the
// page shows the transcript from before the reload and the console the
// commands it sent, and no command runs twice. Reset starts afresh.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInBrowser } from './browser.js';
import { engagementOf, eventListed, FALLBACK, outcome, ready, runLine, send, transcript, type Any } from './demo-page.js';

/** Each row of the console, as text. */
const rows = (page: Page) => page.locator('#commands tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
/** The handlers this page load ran: "<name> <command id>" (site.js). */
const handlerRuns = (page: Page): Promise<string[]> => page.evaluate(() => (window as Any).handlerRuns);

describeInBrowser('the demo keeps its state across reloads, in Chromium', (browser) => {
  it('a reload shows the same engagement, transcript and results, and runs no command again; Reset starts a new engagement', { timeout: 60_000 }, async () => {
    const opened = await browser.open('/', { viewport: { width: 1280, height: 720 } });
    await ready(opened);
    const { page, problems } = opened;
    const engagement = await engagementOf(page);
    expect(engagement).toMatch(/^[0-9a-f-]{36}$/);

    await page.click('#quote');
    await eventListed(page, 'Visitor clicked “Get a quote”');
    await send(page, 'highlight');
    await outcome(page, 1, 'executed');
    await send(page, 'malformed'); // refused with 400: the server never stores it, the console keeps its row
    await outcome(page, 2, 'refused');
    await send(page, 'scroll');
    await outcome(page, 3, 'executed');
    await send(page, 'unknown');
    await outcome(page, 4, 'unhandled');
    await runLine(page, '/set @name Account Review');
    await page.waitForFunction(() => document.getElementById('engagement-name')!.textContent === 'Account Review');
    const runs = await handlerRuns(page);
    expect(runs.map((run) => run.split(' ')[0])).toEqual(['highlight', 'scrollTo']);
    const before = { transcript: await transcript(page), rows: await rows(page) };
    expect(before.rows[1]).toMatch(/^2 Malformed properties .* 400 .* not delivered$/);
    expect(before.transcript).toEqual([
      'Visitor clicked “Get a quote”',
      'Your agent highlighted the pricing table.',
      FALLBACK,
      'Your agent tried something this page cannot do.',
    ]);

    await page.reload();
    await ready(opened);
    await page.locator('#commands tr[data-row="4"][data-result="unhandled"]').waitFor();
    expect(await engagementOf(page)).toBe(engagement);
    expect(await transcript(page)).toEqual(before.transcript);
    expect(await rows(page)).toEqual(before.rows);
    expect(await page.locator('#engagement-name').textContent()).toBe('Account Review');
    expect(await page.locator('#operator-events li').allTextContents()).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d Visitor clicked “Get a quote”$/)]);
    expect(await page.locator('#transcript-empty').isVisible()).toBe(false);
    expect(await page.locator('#commands-empty').isVisible()).toBe(false);

    // Nothing ran again: a new command is the first and only run of this load (the stream delivers in order).
    await send(page, 'fill');
    await outcome(page, 5, 'executed');
    const [fill] = await page.locator('#commands tr[data-row="5"]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-command-id')));
    expect(await handlerRuns(page)).toEqual([`fill ${fill}`]);
    expect(await transcript(page)).toEqual([...before.transcript, 'Your agent filled in your email address.']);

    // And once more: what came after the first reload is kept too.
    await page.reload();
    await ready(opened);
    await page.locator('#commands tr[data-row="5"][data-result="executed"]').waitFor();
    expect((await rows(page)).slice(0, 4)).toEqual(before.rows);
    await page.waitForTimeout(500); // time for anything delivered again to run
    expect(await handlerRuns(page)).toEqual([]);
    expect(await transcript(page)).toEqual([...before.transcript, 'Your agent filled in your email address.']);
    const handled: string[] = await page.evaluate(() => {
      const demo = (window as Any).EngageKitDemo;
      return demo.backend.getCommands(demo.credentials.engagementId).map((entry: Any) => entry.result?.status);
    });
    expect(handled).toEqual(['executed', 'executed', 'unhandled', 'executed']);

    // Reset: a new engagement, nothing from before.
    await Promise.all([page.waitForEvent('load'), page.click('#reset')]);
    await ready(opened);
    expect(await engagementOf(page)).not.toBe(engagement);
    expect(await transcript(page)).toEqual([]);
    expect(await page.locator('#transcript-empty').isVisible()).toBe(true);
    expect(await page.locator('#commands-empty').isVisible()).toBe(true);
    expect(await page.locator('#operator-events-empty').isVisible()).toBe(true);
    expect(await page.locator('#engagement-name').textContent()).toBe('Nothing set yet');
    // What this browser kept for the old engagement (the SDK's keys, the console's labels, the order) is gone.
    expect(await page.evaluate((id) => Object.keys(localStorage).filter((key) => key.includes(id!)), engagement)).toEqual([]);
    await send(page, 'highlight');
    await outcome(page, 1, 'executed');
    expect(await transcript(page)).toEqual(['Your agent highlighted the pricing table.']);
    // The browser's own line for the refused PUT (the malformed command), and nothing else.
    expect(problems).toEqual(['console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
