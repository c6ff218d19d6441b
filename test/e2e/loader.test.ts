// @vitest-environment node
// The async loader in Chromium: calls made on the stub before the bundle
// loaded are replayed in order; the bundle loaded twice keeps one instance;
// the README's inline snippet runs under a CSP that allows it by hash.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeInBrowser, ROOT } from './browser.js';

 
type Any = any;

describeInBrowser('the async loader in Chromium', (browser) => {
  it('replays the calls made before the bundle loaded, in order, then forwards', async () => {
    const { page, problems, warnings } = await browser.open('/loader.html?delay=300');
    await page.evaluate(() => (window as Any).EngageKitLoaderDemo.bundleLoaded);
    await page.waitForSelector('#connection[data-status="open"]');
    const before = await page.evaluate(() => ({
      log: (window as Any).loaderLog.slice(0, 2),
      stub: Array.isArray((window as Any).EngageKit._q),
      status: (window as Any).visitor.connection.status,
      has: (window as Any).visitor.commands.has('highlight'),
      // Not queued by the stub, there once the bundle is (README: use them inside EngageKit.ready).
      later: { meta: (window as Any).visitor.meta, typing: typeof (window as Any).visitor.typing.start, markAsRead: typeof (window as Any).visitor.markAsRead },
    }));
    expect(before).toEqual({
      log: ['EngageKit is the stub; the bundle’s script tag is not there yet', 'queued 6 calls'],
      stub: false,
      status: 'open',
      has: true,
      later: { meta: { meta: {}, properties: {} }, typing: 'function', markAsRead: 'function' },
    });

    await page.click('#send-command');
    await page.waitForFunction(() => (window as Any).loaderLog.includes('handler greet ran: Hello from the operator'));
    const after = await page.evaluate(() => {
      const w = window as Any;
      return { log: w.loaderLog, events: w.EngageKitLoaderDemo.backend.getEvents(w.loaderSession.engagementId).map((e: Any) => e.content) };
    });
    expect(after.events).toEqual(['Visitor opened the page', 'Visitor is reading']);
    // In order: the ready callback (queued last) after both events were queued; each event's promise settled.
    const at = (line: string) => after.log.indexOf(line);
    expect(at('ready: EngageKit is the bundle')).toBeGreaterThan(at('queued 6 calls'));
    expect(at('event 1 recorded: Visitor opened the page')).toBeGreaterThan(0);
    expect(at('event 2 recorded: Visitor is reading')).toBeGreaterThan(at('event 1 recorded: Visitor opened the page'));
    expect(await page.locator('#transcript li').allTextContents()).toEqual(['Visitor opened the page', 'Visitor is reading', 'Your agent says hello.']);
    expect(warnings).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('the bundle loaded twice: one instance, a warning, no second connection', async () => {
    const { page, problems, warnings } = await browser.open('/loader.html?delay=0&copies=2');
    await page.evaluate(() => (window as Any).EngageKitLoaderDemo.bundleLoaded);
    await page.waitForSelector('#connection[data-status="open"]');
    expect(warnings).toEqual([expect.stringMatching(/^EngageKit: loaded twice; remove the extra <script> tag/)]);
    expect(await page.evaluate(() => document.querySelectorAll('script[src$="engagekit.global.js"]').length)).toBe(2);

    // The site's code runs twice too (a duplicated integration): same engagement, same visitor.
    const again = await page.evaluate(() => {
      const w = window as Any;
      const second = w.EngageKit.createVisitor({ baseUrl: w.loaderSession.baseUrl, engagementId: w.loaderSession.engagementId, token: w.loaderSession.visitorToken });
      return { same: second === w.visitor._r, clients: w.EngageKitLoaderDemo.backend.connectedClients(w.loaderSession.engagementId) };
    });
    expect(again).toEqual({ same: true, clients: 1 });
    expect(warnings[1]).toMatch(/createVisitor: engagement "[^"]+" already running on this page, options ignored/);
    await page.click('#send-command');
    await page.waitForFunction(() => (window as Any).loaderLog.includes('handler greet ran: Hello from the operator'));
    expect((await page.evaluate(() => (window as Any).loaderLog)).filter((line: string) => line.startsWith('handler greet'))).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it("the README's inline snippet runs under a CSP that allows it by its hash", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('_q'))!;
    const snippet = /<script>([\s\S]*?)<\/script>/.exec(block)![1]!.replace('https://your-cdn.example/engagekit/dist/engagekit.global.js', '/dist/engagekit.global.js');
    const site = `
      var visitor = EngageKit.createVisitor({ baseUrl: '/api', engagementId: 'e-1', token: 't', connect: false });
      visitor.commands.register('x', function () {});
      EngageKit.ready(function (api) { document.title = 'ready ' + (api === EngageKit) + ' ' + visitor.commands.has('x') + ' ' + visitor.connection.status; });
    `;
    const hash = (code: string) => `'sha256-${createHash('sha256').update(code).digest('base64')}'`;
    const html = `<!doctype html><html><head><title>snippet</title><link rel="icon" href="/favicon.svg"><script>${snippet}</script></head><body><script>${site}</script></body></html>`;
    const policy = `script-src 'self' ${hash(snippet)} ${hash(site)}; object-src 'none'; base-uri 'none'`;

    // A page of its own on the demo's origin, so that the bundle loads from 'self'.
    const { page, problems } = await browser.open('');
    await page.route(`${browser.origin}/snippet.html`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', headers: { 'Content-Security-Policy': policy }, body: html }),
    );
    await page.goto(`${browser.origin}/snippet.html`);
    await page.waitForFunction(() => document.title.startsWith('ready'));
    expect(await page.title()).toBe('ready true true idle');
    expect(problems).toEqual([]);

    // The hash is what lets it run: without it, the snippet is refused.
    await page.route(`${browser.origin}/snippet-refused.html`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', headers: { 'Content-Security-Policy': `script-src 'self' ${hash(site)}` }, body: html }),
    );
    await page.goto(`${browser.origin}/snippet-refused.html`);
    await expect.poll(() => problems.join('\n')).toMatch(/CSP violation: script-src/);
  });
});
