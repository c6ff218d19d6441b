// What the visitor does when the page leaves and when storage misbehaves, in
// happy-dom against the reference server. The same guarantees are proved in
// real Chromium by test/e2e/guarantees.test.ts; these pin each rule down.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createVisitor, type Visitor, type VisitorOptions } from '../../src/index.js';
import { createMemoryStorage, type StorageLike } from '../../src/shared/storage.js';
import { useReferenceServer } from '../support/server.js';
import { FAST_REALTIME, waitForConnection } from '../support/visitor.js';
import { createMemoryLocks } from '../support/locks.js';
import type { LockManagerLike } from '../../src/shared/locks.js';

const { backend, requests } = useReferenceServer();
const open: Visitor[] = [];
afterEach(() => {
  for (const visitor of open.splice(0)) visitor.close();
});

type Engagement = ReturnType<typeof backend.createEngagement>;

/** A page load: a visitor that counts handler runs into `runs` and logs into `log`. */
function load(engagement: Engagement, options: Partial<VisitorOptions> & { runs?: Map<string, number> } = {}) {
  const runs = options.runs ?? new Map<string, number>();
  const log: string[] = [];
  const visitor = createVisitor({
    baseUrl: backend.baseUrl,
    engagementId: engagement.engagementId,
    token: engagement.visitorToken,
    logger: { debug() {}, warn: (...args: unknown[]) => log.push(args.map(String).join(' ')), error: (...args: unknown[]) => log.push(args.map(String).join(' ')) },
    realtime: FAST_REALTIME,
    handlers: { '*': (_p, { command }) => void runs.set(command.id, (runs.get(command.id) ?? 0) + 1) },
    ...options,
  });
  open.push(visitor);
  return { visitor, runs, log };
}

const send = (engagement: Engagement, n: number) =>
  Array.from({ length: n }, (_, i) => backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'n', i } }).id);

const leave = () => window.dispatchEvent(new Event('pagehide'));

describe('the page leaving', () => {
  it('nothing runs after pagehide; the next page runs what came after, each once', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    const first = load(engagement, { storage });
    await waitForConnection(first.visitor, { status: 'open' });
    const before = send(engagement, 5);
    await vi.waitFor(() => expect(first.runs.size).toBe(5));
    leave();
    expect(first.visitor.connection).toMatchObject({ status: 'closed', reason: 'the page is going away' });
    const after = send(engagement, 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(first.runs.size).toBe(5);
    first.visitor.close();

    const next = load(engagement, { storage, runs: first.runs });
    await vi.waitFor(() => expect(next.runs.size).toBe(10));
    expect([...before, ...after].every((id) => next.runs.get(id) === 1)).toBe(true);
  });

  it('a handler still running at pagehide is reported as interrupted, by the next page if not before', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    const first = load(engagement, { storage, handlers: { slow: () => new Promise<void>(() => {}) } });
    await waitForConnection(first.visitor, { status: 'open' });
    const [id] = [backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'slow' } }).id];
    await vi.waitFor(() => expect(first.visitor.transcript.entries).toHaveLength(1));
    // The keepalive report is lost (as a closing page's may be): the state keeps it.
    backend.setFaults({ httpFailureRate: 1, httpFaults: ['network'] });
    leave();
    await new Promise((resolve) => setTimeout(resolve, 20));
    first.visitor.close();
    backend.setFaults({});
    expect(backend.getCommandResult(engagement.engagementId, id!)).toBeNull();
    load(engagement, { storage });
    await vi.waitFor(() =>
      expect(backend.getCommandResult(engagement.engagementId, id!)).toMatchObject({ status: 'failed', error: expect.stringContaining('interrupted') }),
    );
  });

  it('state another script cleared is written again at pagehide: the next page runs nothing again', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    const first = load(engagement, { storage });
    await waitForConnection(first.visitor, { status: 'open' });
    send(engagement, 8);
    await vi.waitFor(() => expect(first.runs.size).toBe(8));
    await new Promise((resolve) => setTimeout(resolve, 150));
    for (const key of [...Array(storage.length)].map((_, i) => storage.key!(i)!)) storage.removeItem(key);
    leave();
    first.visitor.close();
    const next = load(engagement, { storage, runs: first.runs });
    await waitForConnection(next.visitor, { status: 'open' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([...next.runs.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('the page leaving with events waiting', () => {
  it('600 waiting events: one keepalive batch of the first 500 (the server takes no more), in order; the next page sends the rest', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    // The single-event endpoint is down, so events wait; the batch endpoint works.
    let refused = 0;
    const down: typeof fetch = (input, init) => {
      if (!String(input).endsWith('/events')) return fetch(input, init);
      refused++;
      return Promise.resolve(new Response('{"message":"down","debug_message":""}', { status: 503, headers: { 'Content-Type': 'application/json' } }));
    };
    const first = load(engagement, { storage, connect: false, fetch: down });
    const messages = Array.from({ length: 600 }, (_, i) => `event ${i}`);
    for (const message of messages) first.visitor.recordEvent(message).catch(() => {});
    // Sending has begun (until the queues of closed tabs are looked for, an unload sends nothing).
    await vi.waitFor(() => expect(refused).toBeGreaterThan(0));
    leave();
    await vi.waitFor(() => expect(backend.getEvents(engagement.engagementId)).toHaveLength(500));
    expect(backend.getEvents(engagement.engagementId).map((event) => event.content)).toEqual(messages.slice(0, 500));
    first.visitor.close();

    const next = load(engagement, { storage, connect: false });
    await next.visitor.flush();
    expect(backend.getEvents(engagement.engagementId).map((event) => event.content)).toEqual(messages);
  });
  it('a page closed before it looked for closed tabs\' events: once it has, it sends theirs and its own with keepalive, in order', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    // A tab that closed with two events unsent.
    const gone = load(engagement, { storage, connect: false, fetch: () => Promise.reject(new TypeError('offline')) });
    gone.visitor.recordEvent('old 1').catch(() => {});
    gone.visitor.recordEvent('old 2').catch(() => {});
    gone.visitor.close();
    // The next page's Web Locks answer late (a busy browser), so it is still looking when it records and closes.
    let answer!: () => void;
    const late = new Promise<void>((resolve) => (answer = resolve));
    const memory = createMemoryLocks();
    const locks: LockManagerLike = { request: (name, options, callback) => late.then(() => memory.request(name, options, callback)) };
    const next = load(engagement, { storage, connect: false, locks });
    for (const message of ['new 1', 'new 2', 'new 3']) next.visitor.recordEvent(message).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    leave();
    // Its pagehide sent nothing: its own events may not overtake the closed tab's.
    expect(requests.filter((request) => request.url.includes('/events'))).toEqual([]);
    answer();
    await vi.waitFor(() => expect(backend.getEvents(engagement.engagementId)).toHaveLength(5));
    expect(backend.getEvents(engagement.engagementId).map((event) => event.content)).toEqual(['old 1', 'old 2', 'new 1', 'new 2', 'new 3']);
    // In one keepalive request, as an unload sends: a page being closed may not finish another.
    const batch = requests.find((request) => request.url.endsWith('/events/batch'));
    expect(JSON.parse(batch?.body ?? '{}').events?.map((event: { message: string }) => event.message)).toEqual(['old 1', 'old 2', 'new 1', 'new 2', 'new 3']);
  });
});

describe('storage that misbehaves', () => {
  it('corrupt JSON in the command state is removed with a warning, and commands run', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    const key = `engagekit:${engagement.engagementId}:commands`;
    storage.setItem(key, '{"seq": 3, "ids": [');
    const page = load(engagement, { storage });
    send(engagement, 2);
    await vi.waitFor(() => expect(page.runs.size).toBe(2));
    expect(page.log.filter((line) => line.includes(`removed a corrupt stored item: ${key}`))).toHaveLength(1);
    page.visitor.close();
    expect(JSON.parse(storage.getItem(key)!)).toMatchObject({ seq: 2 });
  });

  it.each(['websocket', 'polling'] as const)(
    'a stored position the server does not know (%s) is reset at the hello: the waiting commands run',
    async (transport) => {
      const engagement = backend.createEngagement();
      const storage = createMemoryStorage();
      storage.setItem(`engagekit:${engagement.engagementId}:commands`, JSON.stringify({ seq: 999999, ids: [] }));
      const ids = send(engagement, 3);
      const page = load(engagement, { storage, realtime: { ...FAST_REALTIME, transport } });
      await vi.waitFor(() => expect(page.runs.size).toBe(3));
      expect(ids.every((id) => page.runs.get(id) === 1)).toBe(true);
      expect(page.log.filter((line) => line.includes('past the server'))).toHaveLength(1);
    },
  );

  it('every Storage method throwing mid-run: recordEvent still settles, commands still run, one warning', async () => {
    const engagement = backend.createEngagement();
    const memory = createMemoryStorage();
    let broken = false;
    const fail = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    const storage: StorageLike = {
      getItem: (k) => (broken ? fail() : memory.getItem(k)),
      setItem: (k, v) => (broken ? fail() : memory.setItem(k, v)),
      removeItem: (k) => (broken ? fail() : memory.removeItem(k)),
      key: (i) => (broken ? fail() : memory.key!(i)),
      get length() {
        return broken ? fail() : memory.length!;
      },
    };
    const page = load(engagement, { storage });
    await waitForConnection(page.visitor, { status: 'open' });
    broken = true;
    const events = await Promise.all(['a', 'b', 'c'].map((m) => page.visitor.recordEvent(m)));
    expect(events.map((e) => e.content)).toEqual(['a', 'b', 'c']);
    send(engagement, 3);
    await vi.waitFor(() => expect(page.runs.size).toBe(3));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const warnings = page.log.filter((line) => line.includes('storage refused a write (SecurityError)'));
    expect(warnings).toHaveLength(1);
  });

  it('site data blocked (localStorage throws, Web Locks refuse): commands run in the tab, and it says so once per loss', async () => {
    const engagement = backend.createEngagement();
    const blocked = () => {
      throw new DOMException('Access is denied for this document.', 'SecurityError');
    };
    vi.stubGlobal('localStorage', undefined);
    Object.defineProperty(globalThis, 'localStorage', { configurable: true, get: blocked });
    try {
      const locks = { request: () => Promise.reject(new DOMException('Access denied', 'SecurityError')) };
      const page = load(engagement, { locks });
      await waitForConnection(page.visitor, { status: 'open' });
      send(engagement, 2);
      await vi.waitFor(() => expect(page.runs.size).toBe(2));
      await expect(page.visitor.recordEvent('still works')).resolves.toMatchObject({ content: 'still works' });
      expect(page.log.filter((line) => line.includes('localStorage is unavailable (SecurityError)'))).toHaveLength(1);
      expect(page.log.filter((line) => line.includes('Web Locks are unavailable (SecurityError)'))).toHaveLength(1);
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
      vi.unstubAllGlobals();
    }
  });

  it('a storage full from the start is still read, and the refused writes are said once', async () => {
    const engagement = backend.createEngagement();
    const memory = createMemoryStorage();
    const key = `engagekit:${engagement.engagementId}:commands`;
    const [old] = send(engagement, 1);
    memory.setItem(key, JSON.stringify({ seq: 1, ids: [old] }));
    const full: StorageLike = {
      ...memory,
      getItem: memory.getItem,
      removeItem: memory.removeItem,
      key: memory.key,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
      get length() {
        return memory.length!;
      },
    };
    const page = load(engagement, { storage: full });
    send(engagement, 2);
    await vi.waitFor(() => expect(page.runs.size).toBe(2));
    expect(page.runs.has(old!)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(page.log.filter((line) => line.includes('storage refused a write (QuotaExceededError)'))).toHaveLength(1);
  });
});
