import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandContext, Visitor } from '../../src/index.js';
import { createOperator } from '../../src/operator.js';
import { MAX_TIMERS } from '../../src/protocol/wire.js';
import { createMemoryStorage, type StorageLike } from '../../src/shared/storage.js';
import { useReferenceServer } from '../support/server.js';
import { startVisitor, storedTimers, useVisitors, waitForConnection } from '../support/visitor.js';

// Scheduled commands at scale: the cap of 100 timers per visitor (the reference
// server's PUT and the SDK), and a page load with 1,000 overdue timers.
const { backend } = useReferenceServer();
const { open } = useVisitors(backend);
const MIN = 60_000;

describe('at most 100 timers per visitor', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true, now: Date.UTC(2024, 1, 20, 22, 0) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the PUT refuses a 101st timer name with 400; setting a name again, enabling, and setting after a cancel are accepted', async () => {
    const engagement = backend.createEngagement();
    const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
    const put = (properties: Record<string, unknown>, id?: string) =>
      operator.sendCustomCommand({ engagementId: engagement.engagementId, properties: { name: 'x', ...properties }, id });
    const first = await put({ timerName: 't0', fireAt: '2024-02-20T22:05' });
    for (let i = 1; i < MAX_TIMERS; i++) await put({ timerName: `t${i}`, interval: 60 });

    const error = await put({ timerName: 'one-too-many', interval: 60 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, serverMessage: 'Too many timers (max: 100 per visitor)' });
    expect((error as { debugMessage: string }).debugMessage).toBe(
      "Timer 'one-too-many' would be timer 101 of this engagement: 100 timers are set (timer names set and not cancelled; a one-shot that fired counts until it is cancelled or set again). Cancel one first (cancel=true)",
    );
    expect(backend.getCommands(engagement.engagementId)).toHaveLength(MAX_TIMERS);

    // Not new names: accepted at the cap.
    await put({ timerName: 't5', interval: 120 });
    await put({ timerName: 't5', enabled: false });
    // An identical resend of an accepted command is answered as before (200, nothing new).
    await expect(put(first.properties, first.id)).resolves.toMatchObject({ id: first.id });
    // Past t0's time a visitor's page has fired and forgotten it; the server cannot know: it still counts.
    vi.setSystemTime(Date.UTC(2024, 1, 20, 22, 6));
    await expect(put({ timerName: 'after-t0-fired', interval: 60 })).rejects.toMatchObject({ status: 400 });
    await put({ timerName: 't0', cancel: true });
    await expect(put({ timerName: 'after-t0-fired', interval: 60 })).resolves.toMatchObject({ properties: { timerName: 'after-t0-fired' } });
    await expect(put({ timerName: 'and-one-more', interval: 60 })).rejects.toMatchObject({ status: 400 });
    // Ordinary commands are not timers.
    await put({ selector: '#a' });
  });

  it('the SDK reports a 101st timer failed with the reason, even from a server that lets it through; one that fired frees its place', async () => {
    const { visitor, engagement, storage } = startVisitor(backend, { handlers: { '*': () => {} }, realtime: { heartbeatInterval: 1e9 } });
    open.push(visitor);
    await waitForConnection(visitor, { status: 'open' });
    const { engagementId } = engagement;
    // Past the server's check: backend.sendCustomCommand does not count.
    const send = async (properties: Record<string, unknown>) => {
      const command = backend.sendCustomCommand(engagementId, { properties: { name: 'x', ...properties } });
      await vi.waitFor(() => expect(backend.getCommandResult(engagementId, command.id)).not.toBeNull());
      return backend.getCommandResult(engagementId, command.id)!;
    };
    await send({ timerName: 'soon', fireAt: '2024-02-20T22:05' });
    for (let i = 1; i < MAX_TIMERS; i++) backend.sendCustomCommand(engagementId, { properties: { name: 'x', timerName: `t${i}`, interval: 3600 } });
    await vi.waitFor(() => expect(storedTimers(storage, engagementId)).toHaveLength(MAX_TIMERS));

    expect(await send({ timerName: 'late', interval: 60 })).toMatchObject({
      status: 'failed',
      error: 'timer "late" not set: 100 timers are set, the most a visitor can have; cancel one first',
    });
    expect(await send({ timerName: 't7', interval: 7200 })).toMatchObject({ status: 'scheduled' });
    expect(storedTimers(storage, engagementId)).toHaveLength(MAX_TIMERS);

    // The one-shot fires and is forgotten: its place is free on the visitor's page.
    await vi.advanceTimersByTimeAsync(Date.UTC(2024, 1, 20, 22, 5) - Date.now());
    expect(await send({ timerName: 'late', interval: 60 })).toMatchObject({ status: 'scheduled' });
    expect(await send({ timerName: 'later', interval: 60 })).toMatchObject({ status: 'failed' });
  });
});

/** A memory storage that counts the UTF-8 bytes of every key and value written. */
function countingStorage(): StorageLike & { bytes: number } {
  const inner = createMemoryStorage();
  const counted = {
    bytes: 0,
    getItem: inner.getItem,
    setItem(key: string, value: string) {
      counted.bytes += new TextEncoder().encode(key + value).length;
      inner.setItem(key, value);
    },
    removeItem: inner.removeItem,
    key: inner.key,
    get length() {
      return inner.length;
    },
  };
  return counted;
}

/**
 * How long `run` held the thread, in ms: its wall time, or the CPU time the
 * process used meanwhile when that is less (the machine was busy with other
 * work: time this page would not have lost; other threads' CPU, such as a
 * parallel GC, can only make it more).
 */
function timed(run: () => void): number {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  run();
  const used = process.cpuUsage(cpu);
  return Math.min(performance.now() - wall, (used.user + used.system) / 1000);
}

/** Holds the thread for `ms` of CPU time (not wall time, which a busy machine would shorten): a handler with real work to do. */
function busy(ms: number) {
  const cpu = process.cpuUsage();
  for (let used = process.cpuUsage(cpu); used.user + used.system < ms * 1000; used = process.cpuUsage(cpu));
}

describe('a page load with 1,000 overdue timers', () => {
  it('fires each once with its missed count, in tasks under 50 ms, writing under 1 MB; a reload then finds nothing due', async () => {
    const engagement = backend.createEngagement();
    const storage = countingStorage();
    const now = Date.now();
    // As a page left them an hour ago: repeatable every minute since ten hours ago, done up to an hour ago.
    for (let i = 0; i < 1000; i++) {
      const timerName = `t${i}`;
      const command = {
        id: `c${i}`,
        engagement_id: engagement.engagementId,
        sub_engagement_id: engagement.subEngagementId,
        content: `Reminder ${i}: show the follow-up offer once more if the cart is still open.`,
        properties: { name: 'remind', timerName, interval: '60', repeatable: 'true' },
      };
      const record = { timerName, ms: MIN, rep: true, on: true, t0: now - 600 * MIN, last: now - 60 * MIN, command, name: 'remind', seq: i + 1 };
      storage.setItem(`engagekit:${engagement.engagementId}:timer:${timerName}`, JSON.stringify(record));
    }
    storage.bytes = 0;

    const runs = new Map<string, number[]>();
    // 0.2 ms of CPU per firing: 200 ms in all, far over a long task if it ran in one.
    const remind = (_p: unknown, { timer }: CommandContext) => {
      busy(0.2);
      runs.set(timer!.timerName, [...(runs.get(timer!.timerName) ?? []), timer!.missed]);
    };

    // Each timeout's callback is a task of its own (in a browser, the page renders and takes input
    // between two): the longest of them, and the synchronous start (createVisitor reads the timers).
    let longest = 0;
    const setTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) =>
      setTimeout(() => (longest = Math.max(longest, timed(callback))), ms)) as typeof globalThis.setTimeout);
    // A first visitor, without timers, so that the figure is not the SDK's code warming up.
    startVisitor(backend, { realtime: { heartbeatInterval: 1e9 } }).visitor.close();
    let visitor!: Visitor;
    const start = timed(() => ({ visitor } = startVisitor(backend, { engagement, storage, handlers: { remind }, realtime: { heartbeatInterval: 1e9 } })));
    open.push(visitor);
    await vi.waitFor(() => expect(runs.size).toBe(1000), { timeout: 10_000, interval: 20 });

    expect(start).toBeLessThan(50);
    expect([...runs.values()].every((missed) => missed.length === 1 && missed[0] === 60)).toBe(true);
    expect(longest).toBeLessThan(50);
    expect(storage.bytes).toBeGreaterThan(0);
    expect(storage.bytes).toBeLessThan(2 ** 20);

    // Every firing was persisted as done: a reload runs nothing (the next is a minute away).
    visitor.close();
    const reload = startVisitor(backend, { engagement, storage, handlers: { remind }, realtime: { heartbeatInterval: 1e9 } });
    open.push(reload.visitor);
    await waitForConnection(reload.visitor, { status: 'open' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([...runs.values()].every((missed) => missed.length === 1)).toBe(true);
  });
});
