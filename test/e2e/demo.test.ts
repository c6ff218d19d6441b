// @vitest-environment node
// The demo (demo/), in headless Chromium: the visitor's page on the
// script-tag bundle, the operator console, the reference server in a service
// worker. What the README's quick start promises.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeInBrowser, ROOT, screenshot } from './browser.js';
import { eventListed, FALLBACK, outcome, ready, runLine, send, transcript, XSS } from './demo-page.js';

describeInBrowser('the demo in Chromium', (browser) => {
  it('loads with no console errors: the visitor connects over the WebSocket and the console is ready', async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;
    expect(await page.locator('#connection').textContent()).toBe('open · websocket');
    expect(await page.locator('#server-state').textContent()).toBe('running in this page');
    // The visitor pane runs the real script-tag bundle, the reference server answers in this page.
    expect(await page.evaluate(() => typeof (window as never as { EngageKit: { createVisitor: unknown } }).EngageKit.createVisitor)).toBe('function');
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${browser.origin}/mockServiceWorker.js`);
    expect(await page.locator('#operator-events-empty').isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  it("an operator command runs its handler in the visitor's pane, and its result shows in the operator's", async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;

    await send(page, 'highlight');
    expect(await outcome(page, 1, 'executed')).toMatch(/Highlight the pricing highlight Your agent highlighted the pricing table\. 200 accepted executed/);
    expect(await page.locator('#pricing').getAttribute('class')).toMatch(/\bhighlighted\b/);

    await send(page, 'fill');
    await outcome(page, 2, 'executed');
    expect(await page.locator('#contact-form input[name="email"]').inputValue()).toBe('jane.doe@example.com');

    await send(page, 'message');
    await outcome(page, 3, 'executed');
    expect(await page.locator('#agent-message').isVisible()).toBe(true);
    expect(await page.locator('#agent-message-text').textContent()).toBe('Hi! I can help you choose a plan. Gold covers travel, too.');

    expect(await transcript(page)).toEqual([
      'Your agent highlighted the pricing table.',
      'Your agent filled in your email address.',
      'Your agent sent you a message.',
    ]);
    expect(problems).toEqual([]);
  });

  it('a command without content shows the generic text, and its handler runs (scroll to a section)', async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;
    const faqTop = () => page.evaluate(() => document.getElementById('faq')!.getBoundingClientRect().top - document.getElementById('site')!.getBoundingClientRect().top);
    expect(await faqTop()).toBeGreaterThan(500);

    await send(page, 'scroll');
    expect(await outcome(page, 1, 'executed')).toMatch(/Scroll to the FAQ scrollTo no content 200 accepted executed/);
    // Scrolled until the section's top is in the upper part of the site's viewport.
    await page.waitForFunction(() => {
      const site = document.getElementById('site')!.getBoundingClientRect();
      const faq = document.getElementById('faq')!.getBoundingClientRect().top;
      return faq >= site.top && faq < site.top + site.height / 3;
    });
    const entry = page.locator('#transcript li').last();
    expect(await entry.textContent()).toBe(FALLBACK);
    expect(await entry.getAttribute('class')).toMatch(/engagekit-entry--fallback/);
    expect(problems).toEqual([]);
  });

  it("unknown names are unhandled, a throwing handler fails, and malformed properties show the server's error", async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems, warnings } = opened;

    await send(page, 'unknown');
    await outcome(page, 1, 'unhandled');
    await send(page, 'failing');
    expect(await outcome(page, 2, 'failed')).toMatch(/failed: nothing on this page matches #no-such-element/);
    await send(page, 'malformed');
    expect(await outcome(page, 3, 'refused')).toMatch(/400 Parameter 'properties' is required and must be a JSON object not delivered/);

    await page.click('#custom-details summary'); // the raw body is folded away
    await page.fill('#custom-body', '{"properties": {"name": "highlight", ');
    await page.click('#custom-command button[type="submit"]');
    expect(await outcome(page, 4, 'refused')).toMatch(/400 Request body is not valid JSON/);
    await page.fill('#custom-body', '{"content": 42, "properties": {"name": "highlight"}}');
    await page.click('#custom-command button[type="submit"]');
    expect(await outcome(page, 5, 'refused')).toMatch(/400 Parameter 'content' must be a string/);
    await page.fill('#custom-body', '{"properties": {"name": "highlight", "selector": "#contact"}}');
    await page.click('#custom-command button[type="submit"]');
    await outcome(page, 6, 'executed');

    // Refused commands never reach the visitor; the rest do, in order.
    expect(await transcript(page)).toEqual(['Your agent tried something this page cannot do.', FALLBACK, FALLBACK]);
    expect(warnings.some((w) => /no handler for command "launchRocket"/.test(w))).toBe(true);
    // Chromium logs every 4xx response of fetch as an error: those three, and nothing else.
    expect(problems).toEqual(Array(3).fill('console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)'));
  });

  it("the visitor's recorded events reach the operator's pane, in order", async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;

    await page.click('#quote');
    await page.click('text=Choose Gold');
    await page.fill('#contact-form input[name="name"]', 'Jane');
    await page.click('#contact-form button[type="submit"]');
    await page.click('text=Can I cancel any time?');
    const expected = [
      'Visitor clicked “Get a quote”',
      'Visitor chose the Gold plan',
      'Visitor sent the contact form (Gold)',
      'Visitor read “Can I cancel any time?”',
    ];
    await page.waitForFunction((n) => document.querySelectorAll('#operator-events li').length === n, expected.length);
    const listed = await page.locator('#operator-events li').allTextContents();
    expect(listed.map((line) => line.replace(/^\d\d:\d\d:\d\d /, ''))).toEqual(expected);
    expect(await page.locator('#operator-events-empty').isVisible()).toBe(false);
    expect(await transcript(page)).toEqual(expected);
    expect(await page.locator('#transcript li.engagekit-entry--event').count()).toBe(4);
    expect(problems).toEqual([]);
  });

  it('an XSS payload in content is shown as text, everywhere', async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;

    await send(page, 'xss');
    await outcome(page, 1, 'executed');
    expect(await page.locator('#transcript li').last().textContent()).toBe(XSS);
    expect(await page.locator('#agent-message-text').textContent()).toBe('<b>Not bold</b> <img src=x onerror=alert(1)>');
    expect(await page.locator('#commands tr[data-row="1"] [data-cell="content"]').textContent()).toBe(XSS);
    expect(await page.locator('#transcript img, #agent-message img, #agent-message b, #commands img').count()).toBe(0);
    // No alert (it would be in problems) and no request for the image.
    expect(problems).toEqual([]);
  });

  it('a dropped connection comes back by itself', async () => {
    const opened = await browser.open('/');
    await ready(opened);
    const { page, problems } = opened;
    const seen: string[] = [];
    await page.exposeFunction('recordStatus', (status: string) => seen.push(status));
    await page.evaluate(() => {
      const element = document.getElementById('connection')!;
      new MutationObserver(() => (window as never as { recordStatus(s: string): void }).recordStatus(element.getAttribute('data-status')!)).observe(element, { attributes: true });
    });
    await page.click('text=Drop the connection');
    await page.waitForFunction(() => document.getElementById('connection')!.getAttribute('data-status') === 'reconnecting');
    await page.waitForSelector('#connection[data-status="open"]', { timeout: 10_000 });
    expect(seen).toContain('reconnecting');
    await send(page, 'highlight');
    await outcome(page, 1, 'executed');
    expect(problems).toEqual([]);
  });

  it("screenshot: the demo after a few commands and events, at 1280×720 (the README's)", async () => {
    const opened = await browser.open('/', { viewport: { width: 1280, height: 720 } });
    await ready(opened);
    const { page, problems } = opened;
    await page.click('#quote');
    await page.click('text=Choose Gold');
    await send(page, 'highlight');
    await outcome(page, 1, 'executed');
    await send(page, 'fill');
    await outcome(page, 2, 'executed');
    await send(page, 'unknown');
    await outcome(page, 3, 'unhandled');
    await send(page, 'malformed');
    await outcome(page, 4, 'refused');
    await send(page, 'message');
    await outcome(page, 5, 'executed');
    await page.click('#agent-message button'); // read
    await page.locator('#commands tr[data-row="5"][data-read]').waitFor();
    await runLine(page, '/set @name Account Review');
    await runLine(page, '/set @language de');
    await runLine(page, '/set priority high');
    await page.locator('#engagement-details [data-meta="priority"]').waitFor();
    await runLine(page, '>showMessage message="Still there?" timerName=reminder interval=1');
    await outcome(page, 6, 'scheduled');
    await eventListed(page, 'Timer “reminder” fired');
    await runLine(page, '>fill field = email');
    await page.fill('#operator-message', 'Let me check what Gold covers');
    await page.locator('#transcript .engagekit-typing').waitFor();
    await page.fill('#contact-form textarea[name="message"]', 'Does Gold cover my bike abroad?');
    await page.locator('#visitor-typing[data-active="true"]').waitFor();
    await page.waitForTimeout(700); // the smooth scroll settles
    // All of it in the window: the page itself does not scroll.
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).toBe(true);

    // docs/screenshots/demo.png is the README's: written when missing, or on request.
    const readme = 'docs/screenshots/demo.png';
    const update = process.env.ENGAGEKIT_UPDATE_SCREENSHOTS === '1' || !existsSync(join(ROOT, readme));
    const file = await screenshot(page, 'demo', update ? readme : undefined);
    expect(existsSync(file)).toBe(true);
    expect(problems).toEqual(['console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
