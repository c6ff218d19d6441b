// @vitest-environment node
// Visitor and operator in two windows: /visitor.html and /operator.html on
// the local reference server that demo/serve.mjs runs behind /api. Two
// browser contexts here, as two devices would be: nothing is shared but the
// server.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { OpenPage } from './browser.js';
import { describeInBrowser } from './browser.js';
import { engagementOf, eventListed, outcome, reach, runLine, send, transcript } from './demo-page.js';

const connected = (page: Page) => page.waitForSelector('#connection[data-status="open"]');
const consoleReady = (page: Page) => page.waitForSelector('.preset:not([disabled])');

describeInBrowser('the demo in two windows, on the local reference server, in Chromium', (browser) => {
  async function windows(): Promise<{ visitor: OpenPage; operator: OpenPage }> {
    // A new engagement for this test: the server is the file's, shared by its tests.
    expect((await fetch(`${browser.origin}/demo/reset`, { method: 'POST' })).status).toBe(200);
    const visitor = await browser.open('/visitor.html', { viewport: { width: 1280, height: 720 } });
    const operator = await browser.open('/operator.html', { viewport: { width: 1280, height: 720 } });
    await Promise.all([connected(visitor.page), consoleReady(operator.page)]);
    return { visitor, operator };
  }

  it("the operator's window sends a command, the visitor's window runs it; the visitor's events show in the operator's", async () => {
    const { visitor, operator } = await windows();
    const v = visitor.page;
    const o = operator.page;
    // One engagement, one server, and no service worker: the requests reach demo/serve.mjs's /api.
    expect(await engagementOf(v)).toBe(await engagementOf(o));
    expect(await v.locator('#connection').textContent()).toBe('open · websocket');
    expect(await v.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
    expect(await o.locator('#server-state').textContent()).toBe('local server, /api');
    // The visitor's window has no console of its own; it links to the operator's.
    expect(await v.locator('#operator').isVisible()).toBe(false);
    expect(await v.getAttribute('#open-operator', 'href')).toBe('/operator.html');
    expect(await v.locator('#open-operator').isVisible()).toBe(true);

    await send(o, 'highlight');
    expect(await outcome(o, 1, 'executed')).toMatch(/^1 Highlight the pricing highlight Your agent highlighted the pricing table\. 200 accepted executed/);
    expect(await transcript(v)).toEqual(['Your agent highlighted the pricing table.']);
    expect(await v.locator('#pricing').getAttribute('class')).toMatch(/\bhighlighted\b/);
    expect(await v.evaluate(() => (window as never as { handlerRuns: string[] }).handlerRuns.length)).toBe(1);

    await v.click('#quote');
    await eventListed(o, 'Visitor clicked “Get a quote”');
    expect(await o.locator('#operator-events-empty').isVisible()).toBe(false);

    expect(await runLine(o, '/set @name Two windows')).toMatch(/^@name set; /);
    await v.waitForFunction(() => document.getElementById('engagement-name')!.textContent === 'Two windows');

    await send(o, 'message');
    await outcome(o, 2, 'executed');
    await v.click('#agent-message button'); // read, and an event
    await o.locator('#commands tr[data-row="2"][data-read]').waitFor();
    await eventListed(o, 'Visitor closed the agent’s message');

    await v.fill('#contact-form textarea[name="message"]', 'Is my bike covered?');
    await o.locator('#visitor-typing[data-active="true"]').waitFor();
    expect(await o.locator('#visitor-typing').textContent()).toBe('Visitor is typing: “Is my bike covered?”');

    // The operator's window alone holds up at the demo's three sizes: its controls in reach.
    for (const [width, height] of [[1280, 720], [1440, 900], [390, 844]] as const) {
      await o.setViewportSize({ width, height });
      const controls = ['#operator-title', '.preset', '#command-line-input', '#operator-message', '#drop-connection', '#block-websockets', '#reset', '#commands tr[data-row="2"] td.num'];
      expect((await reach(o, controls, width < 500)).filter((seen) => !seen.ok), `${width}×${height}`).toEqual([]);
    }
    expect(visitor.problems).toEqual([]);
    expect(operator.problems).toEqual([]);
  });

  it("a reload of either window keeps everything; the operator's network controls reach the visitor; Reset moves both windows to a new engagement", { timeout: 60_000 }, async () => {
    const { visitor, operator } = await windows();
    const v = visitor.page;
    const o = operator.page;
    const engagement = await engagementOf(o);
    await send(o, 'fill');
    await outcome(o, 1, 'executed');
    await v.click('#quote');
    await eventListed(o, 'Visitor clicked “Get a quote”');
    const shown = await transcript(v);
    expect(shown).toEqual(['Your agent filled in your email address.', 'Visitor clicked “Get a quote”']);

    await v.reload();
    await connected(v);
    expect(await transcript(v)).toEqual(shown);
    await o.reload();
    await consoleReady(o);
    await o.locator('#commands tr[data-row="1"][data-result="executed"]').waitFor();
    expect(await o.locator('#operator-events li').count()).toBe(1);
    expect(await engagementOf(o)).toBe(engagement);

    // The operator drops the visitor's connection (the server is the same): it comes back by itself.
    await o.click('#drop-connection');
    await v.waitForSelector('#connection[data-status="reconnecting"]');
    await connected(v);
    await send(o, 'scroll');
    await outcome(o, 2, 'executed');
    expect(await v.evaluate(() => (window as never as { handlerRuns: string[] }).handlerRuns.map((run) => run.split(' ')[0]))).toEqual(['scrollTo']);

    // Reset from the operator's window: both reload, on one new engagement.
    await Promise.all([v.waitForEvent('load'), o.waitForEvent('load'), o.click('#reset')]);
    await Promise.all([connected(v), consoleReady(o)]);
    const next = await engagementOf(o);
    expect(next).not.toBe(engagement);
    expect(await engagementOf(v)).toBe(next);
    expect(await transcript(v)).toEqual([]);
    expect(await o.locator('#commands-empty').isVisible()).toBe(true);
    await send(o, 'highlight');
    await outcome(o, 1, 'executed');
    expect(await transcript(v)).toEqual(['Your agent highlighted the pricing table.']);
    expect(visitor.problems).toEqual([]);
    expect(operator.problems).toEqual([]);
  });
});
