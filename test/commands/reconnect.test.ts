import { describe, expect, it, vi } from 'vitest';
import { UnauthorizedError, type ConnectionChange } from '../../src/index.js';
import { createOperator } from '../../src/operator.js';
import { useReferenceServer } from '../support/server.js';
import { tappedWebSocket, useVisitors, waitForConnection } from '../support/visitor.js';

const { backend } = useReferenceServer();
const { start, open } = useVisitors(backend);

/** A handler map that counts runs per command id. */
function counting() {
  const runs = new Map<string, number>();
  const handler = (_p: unknown, { command }: { command: { id: string } }) => {
    runs.set(command.id, (runs.get(command.id) ?? 0) + 1);
  };
  return { runs, handlers: { '*': handler } };
}

describe('reconnect and resume', () => {
  it('a socket dropped while commands are sent resumes after the last seen: none lost, none repeated', async () => {
    const { runs, handlers } = counting();
    const { visitor, send, engagement } = start({ handlers });
    const changes: ConnectionChange[] = [];
    visitor.on('connection', (change) => changes.push(change));
    await waitForConnection(visitor, { status: 'open' });

    const sent: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 4; i++) sent.push((await send({ name: 'n', round, i })).id);
      backend.dropConnections(engagement.engagementId);
      for (let i = 0; i < 3; i++) sent.push((await send({ name: 'n', round, i: `offline-${i}` })).id);
      await waitForConnection(visitor, { status: 'open' });
    }
    await vi.waitFor(() => expect(runs.size).toBe(sent.length));
    expect([...runs.keys()].sort()).toEqual([...sent].sort());
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    // The state machine went through reconnecting, and each change names both ends.
    expect(changes.some((c) => c.previous.status === 'open' && c.current.status === 'reconnecting')).toBe(true);
    expect(changes.every((c, i) => i === 0 || c.previous === changes[i - 1]!.current)).toBe(true);
  });

  it('reconnects at once when the browser comes back online, not after the backoff', async () => {
    const { visitor, engagement } = start({ realtime: { backoff: { initialDelay: 60_000, maxDelay: 60_000, jitter: 0 } } });
    await waitForConnection(visitor, { status: 'open' });
    backend.dropConnections(engagement.engagementId);
    await waitForConnection(visitor, { status: 'reconnecting' });
    expect(visitor.connection).toMatchObject({ delay: 60_000 });
    window.dispatchEvent(new Event('online'));
    await waitForConnection(visitor, { status: 'open' }, 1000);
  });

  it('keeps a socket whose pings are answered, and replaces one whose pings get lost', async () => {
    const sent: string[] = [];
    const healthy = start({ WebSocket: tappedWebSocket(() => true, sent), realtime: { heartbeatInterval: 20, heartbeatTimeout: 20 } });
    await waitForConnection(healthy.visitor, { status: 'open' });
    const changes = vi.fn();
    healthy.visitor.on('connection', changes);
    await vi.waitFor(() => expect(sent.filter((f) => f === '{"type":"ping"}').length).toBeGreaterThanOrEqual(3));
    expect(changes).not.toHaveBeenCalled();

    // A network path that silently eats outgoing pings: the server is real, the pipe is lossy.
    const lossy = tappedWebSocket((data) => !data.includes('"ping"'));
    const { visitor } = start({ WebSocket: lossy, realtime: { heartbeatInterval: 20, heartbeatTimeout: 20 } });
    const seen: string[] = [];
    visitor.on('connection', ({ current }) => seen.push(current.status));
    await waitForConnection(visitor, { status: 'open' });
    await vi.waitFor(() => expect(seen.filter((s) => s === 'open').length).toBeGreaterThanOrEqual(2));
    expect(seen).toContain('reconnecting');
  });
});

describe('polling fallback', () => {
  it('falls back to polling after repeated WebSocket failures, delivers, and goes back to the socket when it works', async () => {
    backend.blockWebSockets(true);
    const { runs, handlers } = counting();
    const { visitor, send, warnings } = start({ handlers });
    await waitForConnection(visitor, { status: 'open', transport: 'polling' });
    expect(warnings.some((w) => String(w[1]).includes('WebSocket failed 3 times'))).toBe(true);

    const a = await send({ name: 'while-polling' });
    await vi.waitFor(() => expect(runs.get(a.id)).toBe(1));

    backend.blockWebSockets(false);
    await waitForConnection(visitor, { status: 'open', transport: 'websocket' });
    const b = await send({ name: 'on-socket' });
    await vi.waitFor(() => expect(runs.get(b.id)).toBe(1));
    expect(runs.get(a.id)).toBe(1);
  });

  it("transport: 'polling' never opens a socket and pages through a long backlog", async () => {
    const engagement = backend.createEngagement();
    const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
    for (let i = 0; i < 230; i++) backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'n', i } });
    await operator.sendCustomCommand({ engagementId: engagement.engagementId, properties: { name: 'last' } });
    const { runs, handlers } = counting();
    const { visitor } = start({ engagement, handlers, realtime: { transport: 'polling' } });
    await vi.waitFor(() => expect(runs.size).toBe(231));
    expect(visitor.connection).toMatchObject({ status: 'open', transport: 'polling' });
    expect(backend.connectedClients(engagement.engagementId)).toBe(0);
  });
});

describe('exactly once', () => {
  it('after a simulated reload (same storage): nothing replays, commands sent meanwhile run once', async () => {
    const { runs, handlers } = counting();
    const first = start({ handlers });
    await waitForConnection(first.visitor, { status: 'open' });
    await first.send({ name: 'a' });
    await first.send({ name: 'b' });
    await vi.waitFor(() => expect(runs.size).toBe(2));
    first.visitor.close();
    await first.send({ name: 'while-away' });

    const second = start({ handlers, engagement: first.engagement, storage: first.storage });
    await waitForConnection(second.visitor, { status: 'open' });
    await vi.waitFor(() => expect(runs.size).toBe(3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([...runs.values()]).toEqual([1, 1, 1]);
  });

  it('when the server replays the whole stream (lost position), ids already run are not run again', async () => {
    const { runs, handlers } = counting();
    const first = start({ handlers });
    await waitForConnection(first.visitor, { status: 'open' });
    for (let i = 0; i < 5; i++) await first.send({ name: 'n', i });
    await vi.waitFor(() => expect(runs.size).toBe(5));
    first.visitor.close();
    // Forget the stream position but keep the ids: the server now sends everything again.
    const key = `engagekit:${first.engagement.engagementId}:commands`;
    const saved = JSON.parse(first.storage.getItem(key)!);
    first.storage.setItem(key, JSON.stringify({ ...saved, seq: 0 }));

    const second = start({ handlers, engagement: first.engagement, storage: first.storage });
    await waitForConnection(second.visitor, { status: 'open' });
    await second.send({ name: 'new' });
    await vi.waitFor(() => expect(runs.size).toBe(6));
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });

  it('an identical PUT resent by the operator (same id) is not delivered twice', async () => {
    const { runs, handlers } = counting();
    const { visitor, engagement } = start({ handlers });
    await waitForConnection(visitor, { status: 'open' });
    const operator = createOperator({ baseUrl: backend.baseUrl, token: engagement.operatorToken });
    const id = crypto.randomUUID();
    const input = { engagementId: engagement.engagementId, id, properties: { name: 'once' }, content: 'Once' };
    await Promise.all([operator.sendCustomCommand(input), operator.sendCustomCommand(input), operator.sendCustomCommand(input)]);
    await vi.waitFor(() => expect(runs.get(id)).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs.get(id)).toBe(1);
    expect(backend.getCommands(engagement.engagementId)).toHaveLength(1);
  });
});

describe('refusals and close()', () => {
  it('a refused token closes the connection for good with UnauthorizedError and an error event', async () => {
    const engagement = backend.createEngagement();
    const errors: unknown[] = [];
    const { visitor } = start({ engagement, token: 'not-a-token' });
    visitor.on('error', ({ error }) => errors.push(error));
    await waitForConnection(visitor, { status: 'closed' });
    expect((visitor.connection as { error?: unknown }).error).toBeInstanceOf(UnauthorizedError);
    expect((visitor.connection as { error?: UnauthorizedError }).error).toMatchObject({ serverMessage: 'Invalid token' });
    expect(errors).toHaveLength(1);
    expect(backend.connectedClients(engagement.engagementId)).toBe(0);
  });

  it('a token function is asked once more after the socket is refused, then the stream opens', async () => {
    const engagement = backend.createEngagement();
    const token = vi.fn().mockResolvedValueOnce('stale').mockResolvedValue(engagement.visitorToken);
    const { visitor } = start({ engagement, token });
    await waitForConnection(visitor, { status: 'open' });
    expect(token).toHaveBeenCalledTimes(2);
  });

  it('an operator token on the visitor stream is refused for good (4403)', async () => {
    const engagement = backend.createEngagement();
    const { visitor } = start({ engagement, token: engagement.operatorToken });
    await waitForConnection(visitor, { status: 'closed' });
    expect((visitor.connection as { error?: { status: number } }).error?.status).toBe(403);
  });

  // Fake timers that still advance with the clock: the SDK's timers (read from
  // globalThis at call time) are counted, and the socket traffic proceeds.
  const fakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], shouldAdvanceTime: true });

  it('close() releases every timer and socket, and nothing runs after it', async () => {
    fakeClock();
    const { runs, handlers } = counting();
    const { visitor, send, engagement } = start({ handlers });
    try {
      await waitForConnection(visitor, { status: 'open' });
      expect(backend.connectedClients(engagement.engagementId)).toBe(1);
      expect(vi.getTimerCount()).toBeGreaterThan(0); // the heartbeat
      visitor.close();
      expect(vi.getTimerCount()).toBe(0);
      expect(visitor.connection).toMatchObject({ status: 'closed' });
    } finally {
      vi.useRealTimers();
    }
    await vi.waitFor(() => expect(backend.connectedClients(engagement.engagementId)).toBe(0));
    await send({ name: 'after-close' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs.size).toBe(0);
    await expect(visitor.recordEvent('x')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('close() while reconnecting or polling leaves no timers behind (fake timers)', async () => {
    fakeClock();
    backend.blockWebSockets(true);
    const { visitor } = start();
    try {
      await waitForConnection(visitor, { status: 'open', transport: 'polling' });
      expect(vi.getTimerCount()).toBeGreaterThan(0); // the next poll and the socket retry
      visitor.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('default storage', () => {
  it('keeps executed ids and the stream position in localStorage by default, so a reload does not re-run', async () => {
    const { createVisitor } = await import('../../src/index.js');
    const engagement = backend.createEngagement();
    const runs = vi.fn();
    const make = () =>
      createVisitor({
        baseUrl: backend.baseUrl,
        engagementId: engagement.engagementId,
        token: engagement.visitorToken,
        handlers: { '*': runs },
        logLevel: 'silent',
      });
    const first = make();
    open.push(first);
    await waitForConnection(first, { status: 'open' });
    backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'x' } });
    await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(1));
    first.close();
    expect(JSON.parse(localStorage.getItem(`engagekit:${engagement.engagementId}:commands`)!)).toMatchObject({ seq: 1 });

    const second = make();
    open.push(second);
    await waitForConnection(second, { status: 'open' });
    backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'y' } });
    await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(2));
    expect(runs.mock.calls.map((call) => call[0].name)).toEqual(['x', 'y']);
  });
});
