// @vitest-environment node
// The headline promise in real Chromium: every operator command runs exactly
// once and every visitor event reaches the server once and in order, while
// tabs of one visitor open, close and reload, offline, and with storage the
// way real browsers have it. Against the reference server over real HTTP and
// a real WebSocket on 127.0.0.1. Each scenario prints its figures.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/mock-node.js';
import { figures } from '../support/fixtures.js';
import { seededRandom } from '../support/random.js';
import { describeInBrowser } from './browser.js';
import { CHROMIUM_LAUNCH_ARGS as LAUNCH_ARGS, CHROMIUM_PATH } from './chromium.js';
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

  type Engagement = ReturnType<MockServer['backend']['createEngagement']>;
  const pageUrl = (engagement: Engagement, name: string) =>
    `${site.origin}/pages/guarantees.html?${new URLSearchParams({ api: api.url, engagement: engagement.engagementId, token: engagement.visitorToken, name })}`;
  const sendAll = (engagement: Engagement, from: number, count: number) =>
    Array.from({ length: count }, (_, i) => api.backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'n', i: from + i } }).id);
  /** Polled, not on animation frames: a tab in the background gets none. */
  const stateIs = (page: Page, status: string) =>
    page.waitForFunction((wanted) => document.getElementById('state')?.textContent === wanted, status, { polling: 50 });
  const isOpen = (page: Page) =>
    stateIs(page, 'open').catch(async (error: Error) => {
      const state = await page.evaluate(() => document.getElementById('state')?.textContent).catch(() => 'gone');
      throw new Error(`${error.message}; the tab says ${state}; it logged ${JSON.stringify(site.reports.filter((r) => r.kind === 'log').slice(-5))}`);
    });
  const warningsOf = (page: Page) => page.evaluate(() => (window as unknown as { warnings: string[] }).warnings);

  /** A visitor's browser profile: tabs opened in it share storage and Web Locks, as real tabs do. */
  async function profile() {
    const engagement = api.backend.createEngagement();
    const { context, page: blank } = await suite.open('');
    await blank.close();
    const url = (name: string) => pageUrl(engagement, name);
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

  /** Handler runs of these commands (the reports of earlier scenarios' tabs may still come in). */
  const runsOf = (ids: readonly string[]) => {
    const wanted = new Set(ids);
    return new Map([...site.runs()].filter(([id]) => wanted.has(id)));
  };

  /**
   * Waits until `done()` holds, polling, at most `timeout` ms; then the
   * scenario prints its figures and asserts, so a failure shows what was
   * lost or repeated rather than only a timeout.
   */
  async function until(done: () => boolean, timeout = 30_000) {
    const start = Date.now();
    while (!done() && Date.now() - start < timeout) await new Promise((resolve) => setTimeout(resolve, 50));
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
    await until(() => runsOf(ids).size === ids.length && results() === ids.length);
    // Late duplicates would show up now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const runs = runsOf(ids);
    const repeated = [...runs.values()].filter((count) => count > 1).length;
    const lost = ids.filter((id) => !runs.has(id)).length;
    const afterPagehide = site.reports.filter((r) => r.kind === 'run' && r.afterPagehide && runs.has(r.id!)).length;
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
    await isOpen(first);
    const ids: string[] = [];
    let closedAt = 0;
    for (let i = 0; i < 320; i++) {
      ids.push(api.backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'n', i } }).id);
      if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
      if (i === 160) {
        closedAt = runsOf(ids).size;
        await close(first);
      }
    }
    await open();
    await until(() => runsOf(ids).size === ids.length && results() === ids.length);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const runs = runsOf(ids);
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
        ([a, b]: [number, number]) => {
          for (let n = a; n <= b; n++) (window as unknown as { visitor: { recordEvent(m: string): Promise<unknown> } }).visitor.recordEvent(`e${n}`).catch(() => {});
        },
        [from, to] as [number, number],
      );
    const expected = (to: number) => Array.from({ length: to }, (_, i) => `e${i + 1}`);

    let page = await open();
    await record(page, 1, 5);
    await until(() => stored().length === 5);

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
    await until(() => stored().length === 10);

    // A reload right after recording.
    await record(page, 11, 15);
    await page.reload();
    await until(() => stored().length === 15);

    // Recorded online, and the tab closed at once: the unload flush carries them, in order.
    await record(page, 16, 35);
    await close(page);
    await until(() => stored().length === 35, 10_000);
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

  it('site data blocked (storage and Web Locks refused): commands run in the tab, events are recorded, each loss is said once', async () => {
    // A profile with cookies (and so all site data) blocked, as a user or a policy sets it.
    const dir = mkdtempSync(join(tmpdir(), 'engagekit-blocked-'));
    mkdirSync(join(dir, 'Default'));
    writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }));
    const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
    try {
      const engagement = api.backend.createEngagement();
      const page = await context.newPage();
      await page.goto(pageUrl(engagement, 'blocked'));
      const blocked = await page.evaluate(() => {
        try {
          localStorage.getItem('x');
          return false;
        } catch (error) {
          return (error as Error).name;
        }
      });
      await isOpen(page);
      const ids = sendAll(engagement, 0, 5);
      await until(() => runsOf(ids).size === 5);
      const event = await page.evaluate(() =>
        (window as unknown as { visitor: { recordEvent(m: string): Promise<{ content: string }> } }).visitor.recordEvent('recorded while blocked'),
      );
      const warnings = await warningsOf(page);
      const storageSaid = warnings.filter((line) => line.includes('localStorage is unavailable (SecurityError)')).length;
      const locksSaid = warnings.filter((line) => line.includes('Web Locks are unavailable (SecurityError)')).length;
      figures('site data blocked (Chromium)', {
        'localStorage read throws': String(blocked),
        'commands sent': ids.length,
        'commands executed': runsOf(ids).size,
        'event stored': event.content,
        'storage warnings': storageSaid,
        'Web Locks warnings': locksSaid,
      });
      expect(blocked).toBe('SecurityError');
      expect([...runsOf(ids).values()]).toEqual([1, 1, 1, 1, 1]);
      expect(event.content).toBe('recorded while blocked');
      expect({ storageSaid, locksSaid }).toEqual({ storageSaid: 1, locksSaid: 1 });
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('storage that fills up, then throws on every call: commands still run once, no recordEvent stays pending, each failure said once', async () => {
    const engagement = api.backend.createEngagement();
    const { context, page: blank } = await suite.open('');
    await blank.close();
    // Storage the way it fails in real browsers: full (QuotaExceededError on writes), then gone (SecurityError on every call).
    await context.addInitScript(() => {
      const mode = { now: 'ok' };
      Object.assign(window, { storageMode: mode });
      const proto = Storage.prototype;
      for (const method of ['getItem', 'setItem', 'removeItem', 'key'] as const) {
        const original = proto[method] as (...args: unknown[]) => unknown;
        Object.defineProperty(proto, method, {
          configurable: true,
          value(this: Storage, ...args: unknown[]) {
            if (mode.now === 'broken') throw new DOMException('The operation is insecure.', 'SecurityError');
            if (mode.now === 'full' && method === 'setItem') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
            return original.apply(this, args);
          },
        });
      }
    });
    const page = await context.newPage();
    await page.goto(pageUrl(engagement, 'failing'));
    await isOpen(page);
    type Win = { storageMode: { now: string }; visitor: { recordEvent(m: string): Promise<unknown> } };
    /** Records `count` events and says how many settled (resolved or rejected) within 5 s. */
    const record = (prefix: string, count: number) =>
      page.evaluate(
        async ([p, n]: [string, number]) => {
          const { visitor } = window as unknown as Win;
          let settled = 0;
          const all = Array.from({ length: n }, (_, i) => visitor.recordEvent(`${p}${i}`).finally(() => settled++));
          await Promise.race([Promise.allSettled(all), new Promise((resolve) => setTimeout(resolve, 5_000))]);
          return settled;
        },
        [prefix, count] as [string, number],
      );
    const setMode = (now: string) => page.evaluate((m) => ((window as unknown as Win).storageMode.now = m), now);

    await setMode('full');
    const full = sendAll(engagement, 0, 5);
    await until(() => runsOf(full).size === 5);
    const settledFull = await record('full-', 3);
    await setMode('broken');
    const broken = sendAll(engagement, 5, 5);
    await until(() => runsOf(broken).size === 5);
    const settledBroken = await record('broken-', 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const warnings = await warningsOf(page);
    const runs = runsOf([...full, ...broken]);
    const stored = api.backend.getEvents(engagement.engagementId).map((event) => event.content);
    const saidWrite = warnings.filter((line) => line.includes('storage refused a write')).length;
    figures('storage full, then throwing (Chromium)', {
      'commands sent': 10,
      'commands executed': runs.size,
      repeated: [...runs.values()].filter((n) => n > 1).length,
      'recordEvent settled (of 6)': settledFull + settledBroken,
      'events stored': stored.length,
      'write-failure warnings': saidWrite,
      warnings: warnings.length,
    });
    expect([...runs.values()].every((n) => n === 1) && runs.size === 10).toBe(true);
    expect(settledFull + settledBroken).toBe(6);
    expect(stored).toEqual(['full-0', 'full-1', 'full-2', 'broken-0', 'broken-1', 'broken-2']);
    expect(saidWrite).toBe(1);
  }, 60_000);

  it('the one window: a tab that crashes (no pagehide) may run again only what it ran in its last write interval', async () => {
    const { engagement, open, results } = await profile();
    const leader = await open();
    await isOpen(leader);
    const standby = await open();
    await stateIs(standby, 'standby');
    const ids: string[] = [];
    let crashedAt = 0;
    let tookOver = 0;
    let storedAtCrash = 0;
    for (let i = 0; i < 300; i++) {
      ids.push(...sendAll(engagement, i, 1));
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 2));
      if (i === 150) {
        storedAtCrash = await standby.evaluate(
          (key) => (JSON.parse(localStorage.getItem(key) ?? '{}') as { seq?: number }).seq ?? 0,
          `engagekit:${engagement.engagementId}:commands`,
        );
        crashedAt = Date.now();
        // The renderer dies at once: no pagehide, no final write. Its Web Lock goes with it.
        await leader.goto('chrome://crash').catch(() => {});
        void isOpen(standby).then(() => (tookOver = Date.now()));
      }
    }
    // A run is seen through the page's report of it (a keepalive fetch from the handler), and a
    // crash can kill those still in the renderer; not the outcome the SDK had already persisted,
    // which the next leader sends. So a command also counts as run when its result says the
    // handler settled (`executed`, or `failed` other than interrupted): only a handler gives that.
    const settled = () =>
      new Set(
        api.backend
          .getCommands(engagement.engagementId)
          .filter((c) => c.result?.status === 'executed' || (c.result?.status === 'failed' && !c.result.error?.includes('interrupted')))
          .map((c) => c.command.id),
      );
    const ran = () => {
      const seen = runsOf(ids);
      const done = settled();
      return ids.filter((id) => seen.has(id) || done.has(id)).length;
    };
    await until(() => ran() === ids.length && results() === ids.length);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const runs = runsOf(ids);
    const repeated = [...runs.values()].filter((n) => n > 1).length;
    const done = settled();
    const lost = ids.filter((id) => !runs.has(id) && !done.has(id)).length;
    const interrupted = api.backend.getCommands(engagement.engagementId).filter((c) => c.result?.error?.includes('interrupted')).length;
    // At most what arrived after the last write before the crash (the command sent at 150 included).
    const allowed = 150 - storedAtCrash + 1;
    figures('a leader that crashes in a burst (Chromium): the one window, docs/protocol.md', {
      'commands sent': ids.length,
      'runs reported by the pages': runs.size,
      'run but unreported (the crash killed the report)': ids.filter((id) => !runs.has(id) && done.has(id)).length,
      'stored position at the crash': storedAtCrash,
      'run again after the crash': repeated,
      '  at most (sent after its last write)': allowed,
      lost,
      'results on the server': results(),
      'interrupted (reported failed)': interrupted,
      'standby took over after (ms)': tookOver - crashedAt,
    });
    expect(lost).toBe(0);
    expect(results()).toBe(ids.length);
    expect(repeated).toBeLessThanOrEqual(allowed);
  }, 120_000);
});
