// The headline promise in real Chromium: every operator command runs exactly
// once and every visitor event reaches the server once and in order, while
// tabs of one visitor open, close and reload, offline, and with storage the
// way real browsers have it. Against the reference server over real HTTP and
// a real WebSocket on 127.0.0.1. Each scenario prints its figures.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/node.js';
import { figures } from '../support/fixtures.js';
import { seededRandom } from '../support/random.js';
import { describeInBrowser } from './browser.js';
import { startGuaranteeServer, type GuaranteeServer } from './support/guarantee-server.js';

const SEED = Number(process.env.ENGAGEKIT_FAULT_SEED ?? 20261202);

describeInBrowser('exactly once and nothing lost, in Chromium', (suite) => {
  let api: MockServer;
  let site: GuaranteeServer;
  beforeAll(async () => {
    [api, site] = await Promise.all([startMockServer({ port: 0 }), startGuaranteeServer()]);
  });
  afterAll(async () => {
    await Promise.all([api?.close(), site?.close()]);
  });

  /** A visitor's browser profile: tabs opened in it share storage and Web Locks, as real tabs do. */
  async function profile() {
    const engagement = api.backend.createEngagement();
    const { context, page: blank } = await suite.open('');
    await blank.close();
    const url = (name: string) =>
      `${site.origin}/pages/guarantees.html?${new URLSearchParams({ api: api.url, engagement: engagement.engagementId, token: engagement.visitorToken, name })}`;
    let n = 0;
    const tabs: Page[] = [];
    const open = async () => {
      const page = await context.newPage();
      tabs.push(page);
      await page.goto(url(`tab${++n}`));
      return page;
    };
    const close = async (page: Page) => {
      tabs.splice(tabs.indexOf(page), 1);
      await page.close();
    };
    const results = () => api.backend.getCommands(engagement.engagementId).filter((entry) => entry.result !== null).length;
    return { engagement, context, tabs, open, close, results };
  }

  /** Waits until `done()` holds, polling; fails with `what` after `timeout` ms. */
  async function until(done: () => boolean, what: () => string, timeout = 30_000) {
    const start = Date.now();
    while (!done()) {
      if (Date.now() - start > timeout) throw new Error(`timed out waiting: ${what()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('200 commands while tabs are opened, closed and reloaded at random: none repeated, none lost, every result reported', async () => {
    const random = seededRandom(SEED);
    const { engagement, tabs, open, close, results } = await profile();
    await open();
    const ids: string[] = [];
    let tabEvents = 0;
    const tally = { opened: 1, closed: 0, reloaded: 0 };
    for (let i = 0; i < 200; i++) {
      ids.push(api.backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'n', i } }).id);
      if (i % 3 === 2 && tabEvents < 60) {
        tabEvents++;
        const roll = random();
        const page = tabs[Math.floor(random() * tabs.length)];
        if (tabs.length === 0 || (roll < 0.35 && tabs.length < 4)) {
          await open();
          tally.opened++;
        } else if (roll < 0.7 && page) {
          await close(page);
          tally.closed++;
        } else if (page) {
          await page.reload();
          tally.reloaded++;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, random() * 20));
    }
    if (tabs.length === 0) await open();
    await until(
      () => site.runs().size === ids.length && results() === ids.length,
      () => `${site.runs().size} of ${ids.length} run, ${results()} results`,
    );
    // Late duplicates would show up now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const runs = site.runs();
    const repeated = [...runs.values()].filter((count) => count > 1).length;
    const lost = ids.filter((id) => !runs.has(id)).length;
    const afterPagehide = site.reports.filter((r) => r.kind === 'run' && r.afterPagehide).length;
    figures('commands while tabs open, close and reload (Chromium)', {
      seed: SEED,
      'commands sent': ids.length,
      'tab events': `${tabEvents} (opened ${tally.opened}, closed ${tally.closed}, reloaded ${tally.reloaded})`,
      'commands executed': runs.size,
      repeated,
      lost,
      'runs after their tab’s pagehide': afterPagehide,
      'results on the server': results(),
    });
    expect({ repeated, lost, afterPagehide, results: results() }).toEqual({ repeated: 0, lost: 0, afterPagehide: 0, results: ids.length });
  }, 180_000);

  it('a tab closed in the middle of a burst of 320: none repeated, none lost', async () => {
    const { engagement, open, close, results } = await profile();
    const first = await open();
    await first.waitForFunction(() => document.getElementById('state')?.textContent === 'open');
    const ids: string[] = [];
    let closedAt = 0;
    for (let i = 0; i < 320; i++) {
      ids.push(api.backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'n', i } }).id);
      if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
      if (i === 160) {
        closedAt = site.runs().size;
        await close(first);
      }
    }
    await open();
    await until(
      () => site.runs().size === ids.length && results() === ids.length,
      () => `${site.runs().size} of ${ids.length} run, ${results()} results`,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const runs = site.runs();
    const repeated = [...runs.values()].filter((count) => count > 1).length;
    const lost = ids.filter((id) => !runs.has(id)).length;
    figures('a tab closed in a burst (Chromium)', {
      'commands sent': ids.length,
      'run by the first tab when it was closed (about)': closedAt,
      'commands executed': runs.size,
      repeated,
      lost,
      'results on the server': results(),
    });
    expect({ repeated, lost, results: results() }).toEqual({ repeated: 0, lost: 0, results: ids.length });
  }, 120_000);

  it('events through offline, a reload, a tab close and an immediate close: each stored once, in order', async () => {
    const { engagement, context, open, close } = await profile();
    const stored = () => api.backend.getEvents(engagement.engagementId).map((event) => event.content);
    const record = (page: Page, from: number, to: number) =>
      page.evaluate(
        ([a, b]) => {
          for (let n = a; n <= b; n++) (window as unknown as { visitor: { recordEvent(m: string): Promise<unknown> } }).visitor.recordEvent(`e${n}`).catch(() => {});
        },
        [from, to],
      );
    const expected = (to: number) => Array.from({ length: to }, (_, i) => `e${i + 1}`);

    let page = await open();
    await record(page, 1, 5);
    await until(() => stored().length === 5, () => `${stored().length} of 5 stored`);

    // Offline: the events wait (persisted); the tab closes; its keepalive flush is refused
    // (setOffline does not stop keepalive requests that outlive their page, so the server refuses them).
    await context.setOffline(true);
    await record(page, 6, 10);
    api.backend.setFaults({ httpFailureRate: 1, httpFaults: ['5xx'] });
    await close(page);
    await new Promise((resolve) => setTimeout(resolve, 300));
    api.backend.setFaults({});
    await context.setOffline(false);
    expect(stored()).toEqual(expected(5));
    // The next page load sends what the closed tab left.
    page = await open();
    await until(() => stored().length === 10, () => `${stored().length} of 10 stored`);

    // A reload right after recording.
    await record(page, 11, 15);
    await page.reload();
    await until(() => stored().length === 15, () => `${stored().length} of 15 stored`);

    // Recorded online, and the tab closed at once: the unload flush carries them, in order.
    await record(page, 16, 35);
    await close(page);
    await until(() => stored().length === 35, () => `${stored().length} of 35 stored`, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all = stored();
    figures('events through offline, reload and closes (Chromium)', {
      'events recorded': 35,
      'events stored': all.length,
      duplicated: all.length - new Set(all).size,
      'in order': String(all.every((content, i) => content === `e${i + 1}`)),
    });
    expect(all).toEqual(expected(35));
  }, 120_000);
});
