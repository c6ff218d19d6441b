import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryLocks } from '../support/locks.js';
import { createMemoryStorage, type StorageLike } from '../../src/shared/storage.js';
import { createVisitor, QueueFullError, type Visitor, type VisitorOptions } from '../../src/index.js';
import { KEEPALIVE_BUDGET } from '../../src/http/sender.js';
import { useReferenceServer } from '../support/server.js';
import { FAST_REALTIME, waitForConnection } from '../support/visitor.js';

const { backend, requests, server } = useReferenceServer();
const open: Visitor[] = [];
afterEach(() => {
  for (const visitor of open.splice(0)) visitor.close();
  vi.restoreAllMocks();
});

const quiet = { debug() {}, warn() {}, error() {} };
function make(engagement: ReturnType<typeof backend.createEngagement>, options: Partial<VisitorOptions> = {}) {
  const visitor = createVisitor({
    baseUrl: backend.baseUrl,
    engagementId: engagement.engagementId,
    token: engagement.visitorToken,
    connect: false,
    logger: quiet,
    storage: createMemoryStorage(),
    realtime: FAST_REALTIME,
    queue: { backoff: { initialDelay: 1, maxDelay: 10 } },
    ...options,
  });
  open.push(visitor);
  return visitor;
}
const eventPosts = () => requests.filter((r) => r.method === 'POST' && r.url.endsWith('/events'));
const keyCounts = () => {
  const counts = new Map<string, number>();
  for (const r of eventPosts()) counts.set(r.headers['idempotency-key']!, (counts.get(r.headers['idempotency-key']!) ?? 0) + 1);
  return counts;
};

describe('idempotency keys', () => {
  it('every event carries its own Idempotency-Key; a response lost after the write creates no duplicate', async () => {
    const engagement = backend.createEngagement();
    backend.setFaults({ httpFailureRate: 1, httpFaults: ['lost-response'] });
    const visitor = make(engagement);
    const recording = visitor.recordEvent('bought a plan');
    await vi.waitFor(() => expect(eventPosts().length).toBeGreaterThanOrEqual(2));
    backend.setFaults({});
    const event = await recording;
    const keys = new Set(eventPosts().map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[\w-]{21}$/);
    expect(backend.getEvents(engagement.engagementId)).toEqual([event]);
  });
});

describe('retries', () => {
  it('honours Retry-After on 429 before sending again', async () => {
    const engagement = backend.createEngagement();
    backend.setFaults({ httpFailureRate: 1, httpFaults: ['429'], retryAfter: 1 });
    // When each POST reached the server: the test's own polling would see the first one late on a busy machine.
    const sentAt: number[] = [];
    const onStart = ({ request }: { request: Request }) => {
      if (request.method === 'POST' && request.url.endsWith('/events')) sentAt.push(Date.now());
    };
    server.events.on('request:start', onStart);
    try {
      const visitor = make(engagement);
      const recording = visitor.recordEvent('x');
      await vi.waitFor(() => expect(eventPosts()).toHaveLength(1));
      backend.setFaults({});
      await recording;
    } finally {
      server.events.removeListener('request:start', onStart);
    }
    expect(eventPosts()).toHaveLength(2);
    // The 429 came after the first request started, so a full second lies between the two starts (less a timer's rounding).
    expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(995);
  });

  it('a 2xx whose body is cut off is a network failure: sent again, stored once', async () => {
    const engagement = backend.createEngagement();
    const cut = () => new ReadableStream({ start: (controller) => controller.error(new Error('connection reset')) });
    server.use(http.post(`${backend.baseUrl}/engagements/:id/events`, () => new HttpResponse(cut(), { status: 200 }), { once: true }));
    const visitor = make(engagement);
    await expect(visitor.recordEvent('x')).resolves.toMatchObject({ content: 'x' });
    expect(eventPosts()).toHaveLength(2);
    expect(backend.getEvents(engagement.engagementId).map((e) => e.content)).toEqual(['x']);
  });

  it('pauses while offline and sends as soon as the browser is back online', async () => {
    const engagement = backend.createEngagement();
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const visitor = make(engagement);
    const recording = visitor.recordEvent('while offline');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(eventPosts()).toHaveLength(0);
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event('online'));
    await expect(recording).resolves.toMatchObject({ content: 'while offline' });
  });
});

describe('the queue is persisted and bounded', () => {
  it('survives a reload before anything was sent, and never stores the token', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    const locks = createMemoryLocks();
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const first = make(engagement, { storage, locks });
    void first.recordEvent('one').catch(() => {});
    void first.recordEvent('two').catch(() => {});
    await Promise.resolve();
    first.close();
    const dump = Array.from({ length: storage.length! }, (_, i) => storage.getItem(storage.key!(i)!)).join('\n');
    expect(dump).toContain('"message":"one"');
    expect(dump).not.toContain(engagement.visitorToken);

    onLine.mockReturnValue(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const second = make(engagement, { storage, locks });
    await second.flush();
    expect(backend.getEvents(engagement.engagementId).map((e) => e.content)).toEqual(['one', 'two']);
  });

  it("overflow 'drop-oldest' drops the oldest with an event:dropped and rejects its promise", async () => {
    const engagement = backend.createEngagement();
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const visitor = make(engagement, { queue: { limit: 2 } });
    const dropped = vi.fn();
    visitor.on('event:dropped', dropped);
    const a = visitor.recordEvent('a');
    visitor.recordEvent('b').catch(() => {});
    visitor.recordEvent('c').catch(() => {});
    await expect(a).rejects.toBeInstanceOf(QueueFullError);
    await expect(a).rejects.toMatchObject({ code: 'ERR_QUEUE_FULL', message: expect.stringContaining("the oldest one was dropped (queue.overflow 'drop-oldest')") });
    expect(dropped).toHaveBeenCalledWith(expect.objectContaining({ message: 'a', reason: 'overflow' }));
  });

  it('a full queue warns once per burst of drops, and still rejects and reports every dropped event', async () => {
    const engagement = backend.createEngagement();
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const warnings: string[] = [];
    const visitor = make(engagement, { queue: { limit: 2 }, logger: { debug() {}, warn: (...args) => warnings.push(args.join(' ')), error() {} } });
    const dropped: string[] = [];
    visitor.on('event:dropped', ({ message }) => dropped.push(message));
    const calls = ['a', 'b', 'c', 'd', 'e'].map((message) => visitor.recordEvent(message));
    const outcomes = await Promise.allSettled(calls.slice(0, 3));
    expect(dropped).toEqual(['a', 'b', 'c']);
    const errors = outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason);
    for (const error of errors) expect(error).toBeInstanceOf(QueueFullError);
    // One error object for the burst, and one warning.
    expect(new Set(errors).size).toBe(1);
    expect(warnings.filter((w) => w.includes('ERR_QUEUE_FULL') || w.includes('queue holds'))).toHaveLength(1);

    // The queue drains: a later burst is told again.
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event('online'));
    await expect(Promise.all(calls.slice(3))).resolves.toHaveLength(2);
    onLine.mockReturnValue(false);
    const again = ['f', 'g', 'h'].map((message) => visitor.recordEvent(message));
    await expect(again[0]).rejects.toBeInstanceOf(QueueFullError);
    expect(dropped).toEqual(['a', 'b', 'c', 'f']);
    expect(warnings.filter((w) => w.includes('queue holds'))).toHaveLength(2);
    for (const call of again.slice(1)) call.catch(() => {});
  });

  it("overflow 'reject-new' keeps the queue and refuses the new event", async () => {
    const engagement = backend.createEngagement();
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const visitor = make(engagement, { queue: { limit: 1, overflow: 'reject-new' } });
    const dropped = vi.fn();
    visitor.on('event:dropped', dropped);
    visitor.recordEvent('kept').catch(() => {});
    await expect(visitor.recordEvent('refused')).rejects.toMatchObject({ name: 'QueueFullError' });
    expect(dropped).toHaveBeenCalledWith(expect.objectContaining({ message: 'refused' }));
  });
});

describe('page unload', () => {
  it('pagehide sends the queue in order, in one keepalive request within the 64 KiB budget; what does not fit stays queued', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    const keepalive: string[] = [];
    let requests = 0;
    let stuck = 0;
    const visitor = make(engagement, {
      storage,
      // Observe the flag the browser needs; the request still goes to the reference server.
      fetch: (url, init) => {
        if (init?.keepalive) {
          requests++;
          const body = JSON.parse(String(init.body)) as { events: Array<{ message: string }> };
          keepalive.push(...body.events.map((e) => e.message));
          return fetch(url, init);
        }
        stuck++;
        return new Promise<Response>(() => {}); // the normal loop is stuck
      },
    });
    const big = 'x'.repeat(20 * 1024);
    for (const n of [1, 2, 3, 4]) visitor.recordEvent(`${n}:${big}`).catch(() => {});
    // Sending has begun (the queues of closed tabs were looked for first: until then an unload sends nothing).
    await vi.waitFor(() => expect(stuck).toBe(1));
    window.dispatchEvent(new Event('pagehide'));
    // Sent from the pagehide handler's microtasks (after the cached token resolves), before any unload.
    await vi.waitFor(() => expect(keepalive.map((m) => m.slice(0, 2))).toEqual(['1:', '2:', '3:']));
    expect(requests).toBe(1);
    expect(3 * (big.length + 16)).toBeLessThan(KEEPALIVE_BUDGET);
    await vi.waitFor(() => expect(backend.getEvents(engagement.engagementId).map((e) => e.content.slice(0, 2))).toEqual(['1:', '2:', '3:']));
    // The fourth is still persisted for the next load.
    await Promise.resolve();
    const queued = Array.from({ length: storage.length! }, (_, i) => storage.getItem(storage.key!(i)!) ?? '').join();
    expect(queued).toContain('4:');
  });
});

describe('several tabs of one visitor', () => {
  function tabs(engagement: ReturnType<typeof backend.createEngagement>, options: Partial<VisitorOptions> = {}) {
    const storage: StorageLike = createMemoryStorage();
    const locks = createMemoryLocks();
    return (more: Partial<VisitorOptions> = {}) => make(engagement, { storage, locks, ...options, ...more });
  }

  it('share the persisted queue without sending an event twice', async () => {
    const engagement = backend.createEngagement();
    const tab = tabs(engagement);
    const a = tab();
    const b = tab();
    const recorded = [];
    for (let i = 0; i < 50; i++) recorded.push(a.recordEvent(`a${i}`), b.recordEvent(`b${i}`));
    await Promise.all(recorded);
    expect(backend.getEvents(engagement.engagementId)).toHaveLength(100);
    expect([...keyCounts().values()].every((n) => n === 1)).toBe(true);
  });

  it('a tab closed with events waiting hands them to a tab still open', async () => {
    const engagement = backend.createEngagement();
    const tab = tabs(engagement);
    const survivor = tab();
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const closing = tab();
    closing.recordEvent('left behind').catch(() => {});
    await Promise.resolve();
    closing.close();
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(backend.getEvents(engagement.engagementId).map((e) => e.content)).toEqual(['left behind']));
    await survivor.flush();
    expect(keyCounts().size).toBe(1);
  });

  it("tabs: 'one' runs each command in one tab; when it closes the next takes over with nothing lost or repeated", async () => {
    const engagement = backend.createEngagement();
    const runs: string[] = [];
    const tab = tabs(engagement, { connect: true });
    const handler = (name: string) => ({ '*': (_p: unknown, { command }: { command: { id: string } }) => void runs.push(`${name}:${command.id}`) });
    const first = tab({ handlers: handler('first') });
    const second = tab({ handlers: handler('second') });
    await waitForConnection(first, { status: 'open' });
    expect(second.connection).toEqual({ status: 'standby' });
    const a = backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'x' } });
    await vi.waitFor(() => expect(runs).toEqual([`first:${a.id}`]));
    first.close();
    const b = backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'y' } });
    await waitForConnection(second, { status: 'open' });
    await vi.waitFor(() => expect(runs).toEqual([`first:${a.id}`, `second:${b.id}`]));
    expect(backend.connectedClients(engagement.engagementId)).toBe(1);
  });

  it("tabs: 'each' runs commands in every tab", async () => {
    const engagement = backend.createEngagement();
    const runs: string[] = [];
    const make2 = (name: string) =>
      make(engagement, {
        connect: true,
        tabs: 'each',
        locks: createMemoryLocks(),
        handlers: { '*': () => void runs.push(name) },
      });
    const a = make2('a');
    const b = make2('b');
    await waitForConnection(a, { status: 'open' });
    await waitForConnection(b, { status: 'open' });
    backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'x' } });
    await vi.waitFor(() => expect(runs.sort()).toEqual(['a', 'b']));
  });
});

describe('command state on unload', () => {
  it('pagehide writes the executed ids at once, so a reload right after a command does not run it again', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    const runs: string[] = [];
    const visitor = make(engagement, { storage, connect: true, handlers: { '*': (_p, { command }) => void runs.push(command.id) } });
    await waitForConnection(visitor, { status: 'open' });
    // Two commands in quick succession: the second falls inside the write throttle.
    const key = `engagekit:${engagement.engagementId}:commands`;
    const a = backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'a' } });
    await vi.waitFor(() => expect(JSON.parse(storage.getItem(key) ?? '{}').seq).toBe(1), { interval: 1 });
    const b = backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'b' } });
    await vi.waitFor(() => expect(runs).toEqual([a.id, b.id]), { interval: 1 });
    expect(JSON.parse(storage.getItem(key)!).seq).toBe(1); // within the write throttle
    window.dispatchEvent(new Event('pagehide'));
    expect(JSON.parse(storage.getItem(key)!)).toMatchObject({ seq: 2, ids: [a.id, b.id] });
  });
});

describe('a token function that fails now and then', () => {
  it('an event is retried, not lost: recordEvent resolves once the token function works again', async () => {
    const engagement = backend.createEngagement();
    let calls = 0;
    // The host's token endpoint blips once (a fetch inside the token function fails).
    const token = async () => {
      if (++calls === 1) throw new TypeError('Failed to fetch');
      return engagement.visitorToken;
    };
    const visitor = make(engagement, { token });
    const stored = await visitor.recordEvent('e1');
    expect(stored.content).toBe('e1');
    expect(backend.getEvents(engagement.engagementId).map((event) => event.content)).toEqual(['e1']);
    expect(calls).toBe(2);
  });

  it('the connection backs off and opens, instead of closing for good', async () => {
    const engagement = backend.createEngagement();
    let calls = 0;
    const token = async () => {
      if (++calls === 1) throw new TypeError('Failed to fetch');
      return engagement.visitorToken;
    };
    const refused = vi.fn();
    const visitor = make(engagement, { token, connect: true });
    visitor.on('connection:refused', refused);
    await waitForConnection(visitor, { status: 'open' });
    expect(refused).not.toHaveBeenCalled();
    backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'ping' } });
    await vi.waitFor(() => expect(visitor.transcript.entries).toHaveLength(1));
  });

  it('a token function that returns no token is a configuration error, said once, not retried', async () => {
    const engagement = backend.createEngagement();
    const visitor = make(engagement, { token: async () => undefined as unknown as string });
    await expect(visitor.recordEvent('e1')).rejects.toMatchObject({ name: 'ConfigurationError', option: 'token' });
  });
});

describe('flush and close', () => {
  it('close() while flush() waits (the adoption still under way): flush rejects with ClosedError, the event stays queued', async () => {
    const engagement = backend.createEngagement();
    const storage = createMemoryStorage();
    const visitor = make(engagement, { storage });
    visitor.recordEvent('a').catch(() => {});
    const flushed = visitor.flush();
    visitor.close();
    await expect(flushed).rejects.toMatchObject({ name: 'ClosedError', message: 'flush: the visitor is closed' });
    const next = make(engagement, { storage });
    await next.flush();
    expect(backend.getEvents(engagement.engagementId).map((event) => event.content)).toEqual(['a']);
  });

  it('close() while flush() waits for a stuck request: flush rejects with ClosedError', async () => {
    const engagement = backend.createEngagement();
    let sent = 0;
    const visitor = make(engagement, {
      fetch: () => {
        sent++;
        return new Promise<Response>(() => {});
      },
    });
    visitor.recordEvent('a').catch(() => {});
    const flushed = visitor.flush();
    await vi.waitFor(() => expect(sent).toBe(1));
    visitor.close();
    await expect(flushed).rejects.toMatchObject({ name: 'ClosedError' });
  });
});

describe('a full queue while a request is in flight', () => {
  it("drop-oldest drops the oldest event not being sent: the one in flight is stored, resolves, and is not reported dropped", async () => {
    const engagement = backend.createEngagement();
    // A slow server: the first event's request is still in flight when the queue fills.
    const slow: typeof fetch = (input, init) => new Promise((resolve) => setTimeout(resolve, 200)).then(() => fetch(input, init));
    const visitor = make(engagement, { fetch: slow, queue: { limit: 2, overflow: 'drop-oldest', backoff: { initialDelay: 1, maxDelay: 10 } } });
    const dropped: string[] = [];
    visitor.on('event:dropped', ({ message }) => dropped.push(message));
    const e1 = visitor.recordEvent('e1');
    await new Promise((resolve) => setTimeout(resolve, 50)); // e1 is in flight
    const e2 = visitor.recordEvent('e2');
    const e3 = visitor.recordEvent('e3');
    await expect(e2).rejects.toMatchObject({ name: 'QueueFullError' });
    expect(dropped).toEqual(['e2']);
    await expect(e1).resolves.toMatchObject({ content: 'e1' });
    await expect(e3).resolves.toMatchObject({ content: 'e3' });
    expect(backend.getEvents(engagement.engagementId).map((event) => event.content)).toEqual(['e1', 'e3']);
  });
});
