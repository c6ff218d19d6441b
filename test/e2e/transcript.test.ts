// @vitest-environment node
// mountTranscript in Chromium, on pages of its own built from the script-tag
// bundle: the chat-log scrolling (follow the newest entry at the end, leave
// the reader alone once they scrolled up, follow again at the end; the typing
// line after the last entry, never over it), and a selector given by a
// script in <head>, before the element exists (the README's snippet).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInBrowser, ROOT, type BrowserSuite } from './browser.js';

type Any = any;

/** Serves `html` at `path` on the demo's origin (so that /dist/engagekit.global.js is 'self'), then opens it. */
async function openHtml(browser: BrowserSuite, path: string, html: string, extra: Record<string, { body: string; delay?: number }> = {}) {
  const opened = await browser.open('');
  await opened.page.route(`${browser.origin}${path}`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  for (const [file, { body, delay = 0 }] of Object.entries(extra)) {
    await opened.page.route(`${browser.origin}${file}`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, delay));
      await route.fulfill({ status: 200, contentType: 'text/javascript', body });
    });
  }
  await opened.page.goto(`${browser.origin}${path}`);
  return opened;
}

/**
 * A visitor whose command stream is a socket of the page's own: `window.stream.push(frame)`
 * hands a frame to the SDK as the server would. Results and events go to a fetch that says yes.
 */
const FAKE_SERVER = `
  window.stream = { socket: undefined, push: function (frame) { window.stream.socket.onmessage({ data: JSON.stringify(frame) }); } };
  function PageSocket() {
    var socket = this;
    window.stream.socket = socket;
    socket.readyState = 0;
    setTimeout(function () { socket.readyState = 1; socket.onopen && socket.onopen({ type: 'open' }); });
  }
  PageSocket.prototype.send = function (data) {
    var frame = JSON.parse(data), socket = this;
    if (frame.type === 'hello') setTimeout(function () { socket.onmessage({ data: JSON.stringify({ type: 'ready', last_seq: frame.after || 0 }) }); });
  };
  PageSocket.prototype.close = function () { this.readyState = 3; };
  var created = 0;
  function pageFetch(url, init) {
    var body = init && init.body ? JSON.parse(init.body) : {};
    var answer = /\\/events$/.test(url)
      ? { id: 'e' + ++created, engagement_id: 'eng-1', sub_engagement_id: 'sub-1', content: body.message, status: 'sent', timestamp: new Date().toISOString(), sender: { type: 'visitor' }, target: 'operator' }
      : {};
    return Promise.resolve(new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } }));
  }
  var visitorOptions = { baseUrl: '/api', engagementId: 'eng-1', token: 't', WebSocket: PageSocket, fetch: pageFetch, storage: { getItem: function () { return null; }, setItem: function () {}, removeItem: function () {}, length: 0 }, handlers: { note: function () {} } };
`;

const SCROLL_PAGE = `<!doctype html><html><head><title>transcript</title><link rel="icon" href="/favicon.svg">
<style>
  body { margin: 0; font: 14px/20px sans-serif; }
  .chat { width: 320px; height: 200px; overflow-y: auto; border: 1px solid; }
  .engagekit-transcript { list-style: none; margin: 0; padding: 0; }
  .engagekit-entry { margin: 0 0 4px; padding: 4px 8px; }
  .engagekit-typing { margin: 0; padding: 4px 8px; font-style: italic; }
</style>
<script src="/dist/engagekit.global.js"></script>
</head><body>
<div id="chat" class="chat"></div>
<div id="still" class="chat"></div>
<script>${FAKE_SERVER}
  var visitor = EngageKit.createVisitor(visitorOptions);
  window.visitor = visitor;
  EngageKit.mountTranscript('#chat', visitor.transcript);
  EngageKit.mountTranscript(document.getElementById('still'), visitor.transcript, { follow: false });
  var seq = 0;
  window.send = function (count) {
    for (var i = 0; i < count; i++) {
      seq++;
      window.stream.push({ type: 'command', seq: seq, command: { id: 'c0ffee00-0000-4000-8000-' + String(seq).padStart(12, '0'), engagement_id: 'eng-1', sub_engagement_id: 'sub-1', content: 'Line ' + seq, properties: { name: 'note' } } });
    }
  };
</script>
</body></html>`;

/** Two animation frames: the renderer scrolls in the first after a change. */
const frames = (page: Page) => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

/** Where #chat (or `id`) is scrolled, and what of its last entry and typing line is in view. */
const view = (page: Page, id = 'chat') =>
  page.evaluate((id) => {
    const chat = document.getElementById(id)!;
    const box = chat.getBoundingClientRect();
    const items = chat.querySelectorAll('li');
    const last = items[items.length - 1]!.getBoundingClientRect();
    const typing = chat.querySelector<HTMLElement>('.engagekit-typing');
    const line = typing && !typing.hidden ? typing.getBoundingClientRect() : undefined;
    return {
      entries: items.length,
      lastText: items[items.length - 1]!.textContent,
      top: chat.scrollTop,
      fromEnd: chat.scrollHeight - chat.clientHeight - chat.scrollTop,
      lastInView: last.top >= box.top && last.bottom <= box.bottom,
      typing: line && { inView: line.top >= box.top && line.bottom <= box.bottom, gapToLast: line.top - last.bottom },
    };
  }, id);

async function sendLines(page: Page, count: number) {
  const before = await page.evaluate(() => (window as Any).visitor.transcript.entries.length);
  await page.evaluate((count) => (window as Any).send(count), count);
  await page.waitForFunction((n) => (window as Any).visitor.transcript.entries.length === n, before + count);
  await frames(page);
}

describeInBrowser('mountTranscript in Chromium', (browser) => {
  it('follows the newest entry at the end, leaves a reader who scrolled up alone, and follows again back at the end', async () => {
    const { page, problems } = await openHtml(browser, '/transcript-scroll.html', SCROLL_PAGE);
    await page.waitForFunction(() => (window as Any).visitor.connection.status === 'open');

    await sendLines(page, 20);
    expect(await view(page)).toMatchObject({ entries: 20, lastText: 'Line 20', fromEnd: 0, lastInView: true });

    // The reader turns the wheel up over the transcript.
    await page.mouse.move(100, 100);
    await page.mouse.wheel(0, -150);
    await page.waitForFunction(() => document.getElementById('chat')!.scrollHeight - document.getElementById('chat')!.clientHeight - document.getElementById('chat')!.scrollTop > 100);
    await frames(page);
    const { top } = await view(page);
    await sendLines(page, 5);
    expect(await view(page)).toMatchObject({ entries: 25, lastText: 'Line 25', top, lastInView: false });
    // The operator starts typing: the reader still stays where they are.
    await page.evaluate(() => (window as Any).stream.push({ type: 'typing', active: true, preview: 'Let me check' }));
    await frames(page);
    expect((await view(page)).top).toBe(top);

    // Back at the end (the wheel, all the way down): following again.
    await page.mouse.wheel(0, 5000);
    await page.waitForFunction(() => {
      const chat = document.getElementById('chat')!;
      return chat.scrollHeight - chat.clientHeight - chat.scrollTop < 1;
    });
    await frames(page);
    await sendLines(page, 3);
    const after = await view(page);
    expect(after).toMatchObject({ entries: 28, lastText: 'Line 28', fromEnd: 0, lastInView: true });
    // The typing line comes after the last entry, in view, and covers none of it.
    expect(after.typing).toEqual({ inView: true, gapToLast: expect.any(Number) });
    expect(after.typing!.gapToLast).toBeGreaterThanOrEqual(0);

    // follow: false on the other element: never scrolled.
    expect(await view(page, 'still')).toMatchObject({ entries: 28, top: 0, lastInView: false });
    expect(problems).toEqual([]);
  });

  it('the typing line appearing while at the end is scrolled into view, after the last entry', async () => {
    const { page, problems } = await openHtml(browser, '/transcript-typing.html', SCROLL_PAGE);
    await page.waitForFunction(() => (window as Any).visitor.connection.status === 'open');
    await sendLines(page, 15);
    await page.evaluate(() => (window as Any).stream.push({ type: 'typing', active: true, preview: 'A long preview that wraps onto a second line of the narrow transcript' }));
    await frames(page);
    const shown = await view(page);
    expect(shown).toMatchObject({ fromEnd: 0, lastInView: true, typing: { inView: true } });
    expect(shown.typing!.gapToLast).toBeGreaterThanOrEqual(0);
    expect(problems).toEqual([]);
  });

  it("the README's <head> snippet: EngageKit.ready(() => EngageKit.mountTranscript('#chat', …)) before #chat exists", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('_q'))!;
    const snippet = /<script>([\s\S]*?)<\/script>/.exec(block)![1]!.replace('https://your-cdn.example/engagekit/dist/engagekit.global.js', '/dist/engagekit.global.js');
    const site = `${FAKE_SERVER}
      visitorOptions.connect = false;
      var visitor = EngageKit.createVisitor(visitorOptions);
      visitor.recordEvent('Visitor opened the page');
      window.seen = [];
      EngageKit.ready(function () {
        window.seen.push(document.readyState + ' #chat ' + (document.querySelector('#chat') ? 'there' : 'not there yet'));
        EngageKit.mountTranscript('#chat', visitor.transcript);
      });
      document.addEventListener('DOMContentLoaded', function () { window.seen.push('DOMContentLoaded'); });`;
    // The parser waits for /slow.js before it reaches #chat; the async bundle arrives meanwhile.
    const html = `<!doctype html><html><head><title>slow page</title><link rel="icon" href="/favicon.svg"><script>${snippet}</script><script>${site}</script></head>
      <body><h1>A slow page</h1><script src="/slow.js"></script><div id="chat"></div></body></html>`;
    const { page, problems } = await openHtml(browser, '/transcript-slow.html', html, { '/slow.js': { body: 'window.seen.push("slow.js ran")', delay: 1500 } });
    await page.waitForFunction(() => document.querySelectorAll('#chat li').length === 1);
    expect(await page.evaluate(() => (window as Any).seen)).toEqual(['loading #chat not there yet', 'slow.js ran', 'DOMContentLoaded']);
    expect(await page.locator('#chat li').allTextContents()).toEqual(['Visitor opened the page']);
    expect(await page.locator('#chat').getAttribute('role')).toBe('log');
    expect(problems).toEqual([]);
  });

  it('a selector that matches nothing once the page is parsed: the error, naming it, on the console', async () => {
    const html = `<!doctype html><html><head><title>typo</title><link rel="icon" href="/favicon.svg"><script src="/dist/engagekit.global.js"></script>
      <script>${FAKE_SERVER} visitorOptions.connect = false; window.unmount = EngageKit.mountTranscript('#caht', EngageKit.createVisitor(visitorOptions).transcript);</script>
      </head><body><div id="chat"></div></body></html>`;
    const { page, problems } = await openHtml(browser, '/transcript-typo.html', html);
    await page.waitForFunction(() => document.readyState === 'complete');
    await expect.poll(() => problems.length).toBe(1);
    expect(problems[0]).toMatch(/^console\.error: \[EngageKit\] InvalidArgumentError: mountTranscript: target must be an Element, or the CSS selector of one, got "#caht", which matches no element/);
    expect(await page.evaluate(() => typeof (window as Any).unmount)).toBe('function');
    expect(await page.evaluate(() => (window as Any).unmount())).toBeUndefined();
  });
});
