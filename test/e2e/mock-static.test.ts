// @vitest-environment node
// A static site with the two script tags (dist/engagekit.global.js and
// dist/engagekit-mock.global.js) and msw's mockServiceWorker.js, in
// Chromium: the whole loop runs offline, through the service worker.
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, ROOT } from './browser.js';

/** Only these, as a static host would serve them: the page, the two bundles, the worker. */
function fileFor(pathname: string): string | undefined {
  const clean = normalize(pathname);
  // The copy the package ships (dist/mockServiceWorker.js, the bundled msw's version), as a site would copy it to its root.
  if (clean === '/mockServiceWorker.js') return join(ROOT, 'dist/mockServiceWorker.js');
  if (clean === '/dist/engagekit.global.js' || clean === '/dist/engagekit-mock.global.js') return join(ROOT, clean);
  if (clean === '/mock-static.html') return join(ROOT, 'test/e2e/pages/mock-static.html');
  return undefined;
}

let site: Server;
let origin = '';
const served: string[] = [];

beforeAll(async () => {
  for (const file of ['dist/engagekit.global.js', 'dist/engagekit-mock.global.js', 'dist/mockServiceWorker.js']) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run npm run build first`);
  }
  site = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    served.push(path);
    const file = fileFor(path);
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': file.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => site.close(resolve)));

describeInBrowser('the reference server on a static site (script tags)', (suite) => {
  it('runs the whole loop offline: operator command → handler → result; an event recorded', async () => {
    const { page, context, problems } = await suite.open('');
    // Nothing may leave for another origin (there is no API server anywhere).
    const elsewhere: string[] = [];
    await context.route((url) => url.origin !== origin, (route) => (elsewhere.push(route.request().url()), route.abort()));
    await page.goto(`${origin}/mock-static.html`);
    await page.waitForFunction(() => (window as any).site.ready);
    await page.waitForFunction(() => (window as any).site.visitor.connection.status === 'open');
    const before = served.length;

    const result = await page.evaluate(async () => {
      const { backend, visitor, engagement } = (window as any).site;
      const command = backend.sendCustomCommand(engagement.engagementId, { content: 'Hello from the operator', properties: { name: 'showMessage', text: 'Hello!' } });
      while (backend.getCommandResult(engagement.engagementId, command.id) === null) await new Promise((r) => setTimeout(r, 10));
      const event = await visitor.recordEvent('Visitor saw the message');
      return {
        transport: visitor.connection.transport,
        message: document.getElementById('message')!.textContent,
        result: backend.getCommandResult(engagement.engagementId, command.id),
        events: backend.getEvents(engagement.engagementId).map((e: any) => e.content),
        eventId: event.id,
      };
    });
    expect(result).toMatchObject({
      transport: 'websocket',
      message: 'Hello!',
      result: { status: 'executed', error: null },
      events: ['Visitor saw the message'],
    });
    // The API never reached the static server (the worker answered it in the page), and nothing went elsewhere.
    expect(served.length).toBe(before);
    expect(served.filter((path) => path.startsWith('/api'))).toEqual([]);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("long polling through the service worker: PUT → handler in milliseconds, not polling's seconds (median of 5)", async () => {
    const { page, problems } = await suite.open('');
    await page.goto(`${origin}/mock-static.html?transport=polling`);
    await page.waitForFunction(() => (window as any).site.ready && (window as any).site.visitor.connection.status === 'open');
    const latencies = await page.evaluate(async () => {
      const { backend, engagement, ran } = (window as any).site;
      const operator = async (i: number) => {
        // As an operator console would: the PUT over HTTP, answered by the worker.
        const response = await fetch(`${backend.baseUrl}/engagements/${engagement.engagementId}/custom_commands/${crypto.randomUUID()}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${engagement.operatorToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ properties: { name: 'showMessage', text: `poll ${i}` } }),
        });
        return response.status;
      };
      const out: number[] = [];
      await new Promise((r) => setTimeout(r, 200)); // the first held poll is out
      for (let i = 0; i < 5; i++) {
        const sentAt = performance.now();
        const status = await operator(i);
        if (status !== 200) throw new Error(`PUT answered ${status}`);
        while (ran.length <= i) await new Promise((r) => setTimeout(r, 1));
        out.push(Math.round(ran[i].at - sentAt));
        await new Promise((r) => setTimeout(r, 50));
      }
      return out;
    });
    console.log(`long polling through msw's service worker, PUT → handler: ${latencies.join(', ')} ms`);
    // The median, and a bound a loaded machine still meets: plain polling would take up to its 3 s
    // interval; a held poll answers as the PUT lands (tens of ms on a quiet machine, printed above).
    expect([...latencies].sort((a, b) => a - b)[2]).toBeLessThan(750);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(await page.evaluate(() => (window as any).site.visitor.connection.transport)).toBe('polling');
    expect(problems).toEqual([]);
  });

  it('with persist, a reload finds the engagement, the command with its result, and the event', async () => {
    const { page, problems } = await suite.open('');
    await page.goto(`${origin}/mock-static.html?persist=1`);
    await page.waitForFunction(() => (window as any).site.ready && (window as any).site.visitor.connection.status === 'open');
    const commandId = await page.evaluate(async () => {
      const { backend, visitor, engagement } = (window as any).site;
      const command = backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'showMessage', text: 'before reload' } });
      while (backend.getCommandResult(engagement.engagementId, command.id) === null) await new Promise((r) => setTimeout(r, 10));
      await visitor.recordEvent('before reload');
      return command.id;
    });
    await page.reload();
    await page.waitForFunction(() => (window as any).site.ready && (window as any).site.visitor.connection.status === 'open');
    const after = await page.evaluate(async (id) => {
      const { backend, engagement, ran } = (window as any).site;
      await new Promise((r) => setTimeout(r, 200));
      return {
        commands: backend.getCommands(engagement.engagementId).map((c: any) => [c.command.id, c.result?.status]),
        events: backend.getEvents(engagement.engagementId).map((e: any) => e.content),
        result: backend.getCommandResult(engagement.engagementId, id)?.status,
        // The visitor resumes after the command it ran: not again after the reload.
        ranAgain: ran.length,
      };
    }, commandId);
    expect(after).toEqual({ commands: [[commandId, 'executed']], events: ['before reload'], result: 'executed', ranAgain: 0 });
    expect(problems).toEqual([]);
  });
});
