// createMockBackend({ persist }): the reference server's state in Web Storage,
// restored by the next backend on the same storage (a reload). Through the
// handlers (msw's setupServer), as a page's worker would reach them.
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockBackend, type MockBackend, type StorageLike } from '../../src/mock.js';
import { createMemoryStorage } from '../../src/shared/storage.js';

const KEY = 'engagekit-mock:state';
const ID = '4cf0d3fe-8f2f-4aad-8e10-c2ffab8929c6';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `body` with `backend`'s handlers answering, as one page load would. */
async function serving<T>(backend: MockBackend, body: () => Promise<T>): Promise<T> {
  const server = setupServer(...backend.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  try {
    return await body();
  } finally {
    server.close();
  }
}

const request = (backend: MockBackend, token: string, method: string, path: string, body?: unknown) =>
  fetch(`${backend.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** A storage that counts writes. */
function counting(storage = createMemoryStorage()) {
  const writes: string[] = [];
  const wrapped: StorageLike = {
    getItem: (key) => storage.getItem(key),
    setItem: (key, value) => (writes.push(key), storage.setItem(key, value)),
    removeItem: (key) => storage.removeItem(key),
  };
  return { storage: wrapped, writes, raw: storage };
}

afterEach(() => localStorage.clear());

describe('persist', () => {
  it('a second backend on the same storage has the engagements, tokens, commands with results and read times, events and metadata', async () => {
    const storage = createMemoryStorage();
    const first = createMockBackend({ persist: { storage } });
    const e = first.createEngagement({ engagementId: 'kept' });
    const before = await serving(first, async () => {
      const put = await request(first, e.operatorToken, 'PUT', `/engagements/kept/custom_commands/${ID}`, { content: 'Hi', properties: { name: 'n' } });
      await request(first, e.visitorToken, 'POST', '/engagements/kept/custom_commands/results', { results: [{ command_id: ID, status: 'failed', error: 'boom' }] });
      await request(first, e.visitorToken, 'POST', `/engagements/kept/custom_commands/${ID}/read`);
      await fetch(`${first.baseUrl}/engagements/kept/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${e.visitorToken}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'key-1' },
        body: '{"message":"hello"}',
      });
      await fetch(`${first.baseUrl}/engagements/kept/meta`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${e.operatorToken}`, 'Content-Type': 'application/json' },
        body: '{"meta":{"__proto__":1,"tier":"gold"},"properties":{"language":"de"}}',
      });
      return put.json();
    });
    await sleep(100); // the coalesced write

    const second = createMockBackend({ persist: { storage } });
    expect(second.getCommands('kept')).toEqual(first.getCommands('kept'));
    expect(second.getCommands('kept')).toEqual([
      { seq: 1, command: before, result: { command_id: ID, status: 'failed', error: 'boom', reported_at: expect.any(String) }, readAt: expect.any(String) },
    ]);
    expect(second.getEvents('kept')).toEqual(first.getEvents('kept'));
    expect(second.getMeta('kept')).toEqual({ meta: { ['__proto__']: 1, tier: 'gold' }, properties: { language: 'de' } });
    await serving(second, async () => {
      // The old tokens work; the idempotency key and the command id are remembered; seq goes on.
      const again = await fetch(`${second.baseUrl}/engagements/kept/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${e.visitorToken}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'key-1' },
        body: '{"message":"hello"}',
      });
      expect((await again.json()).id).toBe(second.getEvents('kept')[0]!.id);
      const resend = await request(second, e.operatorToken, 'PUT', `/engagements/kept/custom_commands/${ID}`, { content: 'Hi', properties: { name: 'n' } });
      expect(resend.status).toBe(200);
      const poll = await request(second, e.visitorToken, 'GET', '/engagements/kept/custom_commands?after=0');
      expect(await poll.json()).toMatchObject({ commands: [{ seq: 1, command: before }], last_seq: 1 });
    });
    expect(second.sendCustomCommand('kept', { properties: {} })).toMatchObject({ engagement_id: 'kept' });
    expect(second.getCommands('kept').map((c) => c.seq)).toEqual([1, 2]);
  });

  it('writes once for a burst of changes, shortly after them', async () => {
    const { storage, writes } = counting();
    const backend = createMockBackend({ persist: { storage, key: 'mine' } });
    const e = backend.createEngagement();
    for (let i = 0; i < 50; i++) backend.sendCustomCommand(e.engagementId, { properties: { i } });
    expect(writes).toEqual([]);
    await sleep(100);
    expect(writes).toEqual(['mine']);
  });

  it('reset() clears the stored state', async () => {
    const storage = createMemoryStorage();
    const backend = createMockBackend({ persist: { storage } });
    backend.createEngagement();
    await sleep(100);
    expect(storage.getItem(KEY)).not.toBeNull();
    backend.reset();
    expect(storage.getItem(KEY)).toBeNull();
    expect(JSON.parse(JSON.stringify(createMockBackend({ persist: { storage } }).connectedClients()))).toBe(0);
  });

  it("persist: true uses localStorage under 'engagekit-mock:state'", async () => {
    const backend = createMockBackend({ persist: true });
    const e = backend.createEngagement();
    await sleep(100);
    expect(JSON.parse(localStorage.getItem(KEY)!).engagements[0].engagementId).toBe(e.engagementId);
    expect(createMockBackend({ persist: true }).getEvents(e.engagementId)).toEqual([]);
  });

  it.each([
    ['not JSON', '{"version":1,', 'JSON'],
    ['another version', '{"version":2,"engagements":[]}', 'version 2, expected 1'],
    ['a malformed command', JSON.stringify({ version: 1, engagements: [{ engagementId: 'e', subEngagementId: 's', visitorToken: 'v', operatorToken: 'o', events: [], eventKeys: [], commands: [{ seq: 2, command: {}, result: null }], meta: {}, properties: {} }] }), 'engagement 0: command 1 is malformed'],
    ['a token used twice', JSON.stringify({ version: 1, engagements: ['a', 'b'].map((id) => ({ engagementId: id, subEngagementId: 's', visitorToken: 'v', operatorToken: `o-${id}`, events: [], eventKeys: [], commands: [], meta: {}, properties: {} })) }), 'token "v" appears twice'],
    ['nesting too deep', `{"version":1,"engagements":[],"x":${'['.repeat(200)}${']'.repeat(200)}}`, 'Request body is nested too deeply'],
  ])('ignores a stored state that is %s, with a warning, and starts empty', (_label, stored, why) => {
    const storage = createMemoryStorage();
    storage.setItem(KEY, stored);
    const warn = vi.fn();
    const backend = createMockBackend({ persist: { storage }, logger: { warn, error: () => {} } });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(new RegExp(`^EngageKit reference server: ignoring the state stored under "${KEY}" \\(.*${why.replace(/[()[\]]/g, '\\$&')}.*\\); starting empty$`));
    expect(() => backend.getEvents('e')).toThrow('no engagement');
    expect(() => backend.createEngagement({ visitorToken: 'v' })).not.toThrow();
  });

  it('a storage that refuses writes (full) warns once and the server goes on in memory', async () => {
    const warn = vi.fn();
    const full: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    const backend = createMockBackend({ persist: { storage: full }, logger: { warn, error: () => {} } });
    const e = backend.createEngagement();
    await sleep(100);
    backend.sendCustomCommand(e.engagementId, { properties: {} });
    await sleep(100);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('could not save its state under "engagekit-mock:state" (QuotaExceededError)');
    expect(backend.getCommands(e.engagementId)).toHaveLength(1);
  });

  it('refuses persist options it cannot use', () => {
    expect(() => createMockBackend({ persist: { storage: {} as never } })).toThrow('createMockBackend: option "persist.storage" must be an object with getItem, setItem and removeItem');
    expect(() => createMockBackend({ persist: { storage: createMemoryStorage(), key: '' } })).toThrow('createMockBackend: option "persist.key" must be a non-empty string, got ""');
  });
});
