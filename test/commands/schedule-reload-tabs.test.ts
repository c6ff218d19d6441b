import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandContext, VisitorOptions } from '../../src/index.js';
import { createMemoryLocks } from '../support/locks.js';
import { createMemoryStorage, type StorageLike } from '../../src/shared/storage.js';
import { createOperator } from '../../src/operator.js';
import { useReferenceServer } from '../support/server.js';
import { startVisitor, storedTimers, useVisitors, waitForConnection } from '../support/visitor.js';

// Scheduled commands across page loads and tabs: each firing runs exactly once.
const { backend } = useReferenceServer();
const T0 = Date.UTC(2024, 1, 20, 22, 0);
const { open } = useVisitors(backend);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true, now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

type Run = { tab: string; at: number; missed: number };

function setup() {
  const engagement = backend.createEngagement();
  const runs: Run[] = [];
  const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
  /** A page load of this visitor: `tab` names it in `runs`. */
  const load = (tab: string, options: Partial<VisitorOptions> = {}) => {
    const handler = (_p: unknown, { timer }: CommandContext) => void runs.push({ tab, at: timer!.at, missed: timer!.missed });
    const { visitor } = startVisitor(backend, { engagement, handlers: { '*': handler }, realtime: { heartbeatInterval: 1e9 }, ...options });
    open.push(visitor);
    return visitor;
  };
  const schedule = async (properties: Record<string, unknown>) => {
    const command = await operator.sendCustomCommand({ engagementId: engagement.engagementId, properties: { name: 'tick', ...properties } });
    await vi.waitFor(() => expect(backend.getCommandResult(engagement.engagementId, command.id)).toMatchObject({ status: 'scheduled' }));
    return command;
  };
  return { engagement, runs, load, schedule };
}

function copy(storage: StorageLike): StorageLike {
  const clone = createMemoryStorage();
  for (let i = 0; i < storage.length!; i++) {
    const name = storage.key!(i)!;
    clone.setItem(name, storage.getItem(name)!);
  }
  return clone;
}

describe('page reloads', () => {
  it('timers survive a reload; firings missed while no page was open run once on the next load, then the timer goes on', async () => {
    const { engagement, runs, load, schedule } = setup();
    const storage = createMemoryStorage();
    const first = load('first', { storage });
    await waitForConnection(first, { status: 'open' });
    await schedule({ timerName: 'ticker', interval: 60, repeatable: true });
    const stored = storedTimers(storage, engagement.engagementId);
    const createdAt = stored[0]!.t0 as number;
    expect(stored).toEqual([
      expect.objectContaining({ timerName: 'ticker', t0: expect.any(Number), command: expect.objectContaining({ properties: expect.objectContaining({ timerName: 'ticker' }) }) }),
    ]);

    await vi.advanceTimersByTimeAsync(createdAt + 60_000 - Date.now());
    expect(runs).toEqual([{ tab: 'first', at: createdAt + 60_000, missed: 1 }]);

    // The page goes away; three firings (120 s, 180 s, 240 s) pass with no page open.
    first.close();
    await vi.advanceTimersByTimeAsync(createdAt + 250_000 - Date.now());
    expect(runs).toHaveLength(1);

    const second = load('second', { storage });
    await vi.waitFor(() => expect(runs).toHaveLength(2));
    expect(runs[1]).toMatchObject({ tab: 'second', missed: 3 });
    // Back on the grid: the next firing is at 300 s, not 250 s + 60 s.
    await vi.advanceTimersByTimeAsync(createdAt + 300_000 - Date.now());
    expect(runs.slice(2)).toEqual([{ tab: 'second', at: createdAt + 300_000, missed: 1 }]);
    second.close();

    // Another reload right away: nothing is due, nothing runs twice.
    load('third', { storage });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toHaveLength(3);
  });

  it('with a large storage, the timers are read once the connection is open, not before; the missed firings still run once', async () => {
    const { runs, load, schedule } = setup();
    const storage = createMemoryStorage();
    const first = load('first', { storage });
    await waitForConnection(first, { status: 'open' });
    await schedule({ timerName: 'ticker', interval: 60, repeatable: true });
    first.close();
    await vi.advanceTimersByTimeAsync(250_000);
    for (let i = 0; i < 200; i++) storage.setItem(`site:${i}`, '{}');

    // Counts the reads of keys (the scan for timers) made before the connection opened.
    let open = false;
    let scannedBeforeOpen = 0;
    const counting: StorageLike = {
      getItem: (key) => storage.getItem(key),
      setItem: (key, value) => storage.setItem(key, value),
      removeItem: (key) => storage.removeItem(key),
      key: (index) => {
        if (!open) scannedBeforeOpen++;
        return storage.key!(index);
      },
      get length() {
        return storage.length;
      },
    };
    const second = load('second', { storage: counting });
    second.on('connection:changed', ({ current }) => void (open ||= current.status === 'open'));
    // The firings at 60, 120, 180 and 240 s, missed while no page was open: run once.
    await vi.waitFor(() => expect(runs).toHaveLength(1));
    expect(open).toBe(true);
    expect(scannedBeforeOpen).toBe(0);
    expect(runs[0]).toMatchObject({ tab: 'second', missed: 4 });
  });

  it('a firing is stored as done before its handler runs: a page that dies inside the handler does not run it again', async () => {
    const { engagement, load } = setup();
    const storage = createMemoryStorage();
    let runs = 0;
    /** What the storage held at the instant the handler ran: all a page killed right then leaves behind. */
    let leftBehind: StorageLike | undefined;
    const first = load('first', { storage });
    await waitForConnection(first, { status: 'open' });
    first.commands.register('*', () => {
      runs++;
      leftBehind = copy(storage);
    });
    const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
    await operator.sendCustomCommand({ engagementId: engagement.engagementId, properties: { name: 'x', timerName: 'once', fireAt: '2024-02-20T22:05' } });
    await vi.advanceTimersByTimeAsync(Date.UTC(2024, 1, 20, 22, 5) - Date.now());
    expect(runs).toBe(1);
    first.close();

    const second = load('second', { storage: leftBehind! });
    second.commands.register('*', () => void runs++);
    await waitForConnection(second, { status: 'open' });
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(runs).toBe(1);
  });

  it('a handler that closes the visitor leaves the firings still due to the next load, each run once', async () => {
    const { engagement, load } = setup();
    const storage = createMemoryStorage();
    const ran: string[] = [];
    const first = load('first', { storage });
    await waitForConnection(first, { status: 'open' });
    first.commands.register('*', (properties) => {
      ran.push(`first:${String(properties.timerName)}`);
      first.close();
    });
    for (const timerName of ['a', 'b']) {
      backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'x', timerName, fireAt: '2024-02-20T22:05' } });
    }
    await vi.advanceTimersByTimeAsync(Date.UTC(2024, 1, 20, 22, 6) - Date.now());
    expect(ran).toEqual(['first:a']);

    const second = load('second', { storage });
    second.commands.register('*', (properties) => void ran.push(`second:${String(properties.timerName)}`));
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(ran).toEqual(['first:a', 'second:b']);
  });

  it('close() cancels every timer of the visitor; the timers stay stored for the next load', async () => {
    const { engagement, load, schedule } = setup();
    const storage = createMemoryStorage();
    const visitor = load('only', { storage });
    await waitForConnection(visitor, { status: 'open' });
    await schedule({ timerName: 'a', interval: 60, repeatable: true });
    await schedule({ timerName: 'b', fireAt: '2024-03-01T00:00' });
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    visitor.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(storedTimers(storage, engagement.engagementId).map((t) => t.timerName)).toEqual(['a', 'b']);
  });

  it('a timer weeks away is armed in steps setTimeout can hold, and fires on time', async () => {
    const { runs, load, schedule } = setup();
    const visitor = load('only');
    await waitForConnection(visitor, { status: 'open' });
    await schedule({ timerName: 'far', fireAt: '2024-04-01T00:00Z' });
    await vi.advanceTimersByTimeAsync(Date.UTC(2024, 2, 31, 23, 59) - Date.now());
    expect(runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(Date.UTC(2024, 3, 1) - Date.now());
    expect(runs).toEqual([{ tab: 'only', at: Date.UTC(2024, 3, 1), missed: 1 }]);
  });
});

describe('several tabs', () => {
  it("tabs: 'one': a leading tab the server refuses for good stops firing timers (it gave up its turn); no firing runs twice", async () => {
    const { runs, load, schedule } = setup();
    const storage = createMemoryStorage();
    const locks = createMemoryLocks();
    const a = load('a', { storage, locks });
    const b = load('b', { storage, locks });
    await waitForConnection(a, { status: 'open' });
    await schedule({ timerName: 'ticker', interval: 60, repeatable: true });
    const createdAt = storedTimers(storage, a.engagementId)[0]!.t0 as number;
    await vi.advanceTimersByTimeAsync(createdAt + 2 * 60_000 + 500 - Date.now());
    expect(runs.map((r) => r.tab)).toEqual(['a', 'a']);

    // The engagement is gone: the reconnect's hello is refused (404), for good.
    backend.reset();
    backend.dropConnections();
    await vi.waitFor(() => expect(a.connection).toMatchObject({ status: 'closed', error: expect.anything() }));
    await vi.advanceTimersByTimeAsync(createdAt + 5 * 60_000 + 500 - Date.now());
    await vi.waitFor(() => expect(b.connection.status).not.toBe('connecting'));
    // Each firing ran at most once, in one tab; the refused tab fired nothing after its refusal.
    const ats = runs.map((r) => r.at);
    expect(new Set(ats).size).toBe(ats.length);
    expect(runs.filter((r) => r.tab === 'a').every((r) => r.at <= createdAt + 2 * 60_000)).toBe(true);
  });

  it("tabs: 'one': only the leading tab runs timers; the next one takes over with no firing lost or run twice", async () => {
    const { runs, load, schedule } = setup();
    const storage = createMemoryStorage();
    const locks = createMemoryLocks();
    const a = load('a', { storage, locks });
    const b = load('b', { storage, locks });
    await waitForConnection(a, { status: 'open' });
    expect(b.connection).toEqual({ status: 'standby' });
    await schedule({ timerName: 'ticker', interval: 60, repeatable: true });
    const createdAt = storedTimers(storage, a.engagementId)[0]!.t0 as number;

    await vi.advanceTimersByTimeAsync(createdAt + 3 * 60_000 + 500 - Date.now());
    expect(runs.map((r) => r.tab)).toEqual(['a', 'a', 'a']);

    a.close();
    await waitForConnection(b, { status: 'open' });
    await vi.advanceTimersByTimeAsync(createdAt + 6 * 60_000 + 500 - Date.now());
    expect(runs.map((r) => r.tab)).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    expect(runs.map((r) => r.at - createdAt)).toEqual([1, 2, 3, 4, 5, 6].map((k) => k * 60_000));
    expect(runs.every((r) => r.missed === 1)).toBe(true);
  });

  it("tabs: 'one': a firing due while the leader was closing runs once, in the tab that takes over", async () => {
    const { runs, load, schedule } = setup();
    const storage = createMemoryStorage();
    const locks = createMemoryLocks();
    const a = load('a', { storage, locks });
    await waitForConnection(a, { status: 'open' });
    await schedule({ timerName: 'once', fireAt: '2024-02-20T22:10' });
    // The leader's page freezes (its timers stop) just before 22:10 and closes after it.
    await vi.advanceTimersByTimeAsync(Date.UTC(2024, 1, 20, 22, 9) - Date.now());
    a.close();
    vi.setSystemTime(Date.UTC(2024, 1, 20, 22, 11));
    const b = load('b', { storage, locks });
    await waitForConnection(b, { status: 'open' });
    await vi.advanceTimersByTimeAsync(10);
    expect(runs).toEqual([{ tab: 'b', at: expect.any(Number), missed: 1 }]);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(runs).toHaveLength(1);
  });

  it("tabs: 'each': every tab runs its own timers (command state per tab, like sessionStorage)", async () => {
    const { runs, load, schedule } = setup();
    const a = load('a', { tabs: 'each', locks: createMemoryLocks(), storage: createMemoryStorage() });
    const b = load('b', { tabs: 'each', locks: createMemoryLocks(), storage: createMemoryStorage() });
    await waitForConnection(a, { status: 'open' });
    await waitForConnection(b, { status: 'open' });
    await schedule({ timerName: 'both', fireAt: '2024-02-20T22:10' });
    await vi.waitFor(() => expect(backend.connectedClients()).toBe(2));
    await vi.advanceTimersByTimeAsync(Date.UTC(2024, 1, 20, 22, 10) - Date.now());
    expect(runs.map((r) => r.tab).sort()).toEqual(['a', 'b']);
  });
});
