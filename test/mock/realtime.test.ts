// The reference server's command stream (docs/protocol.md, "Delivery to the
// visitor"). happy-dom gives a global WebSocket; msw's interceptor replaces it
// once `server.listen()` has run, so sockets are made at test time.
import { describe, expect, it } from 'vitest';
import { createMockBackend, type EngagementCredentials } from '../../src/mock.js';
import { useReferenceServer } from '../support/server.js';

const BASE = 'https://api.engagekit.test';
const { backend } = useReferenceServer();

const ID_1 = '4cf0d3fe-8f2f-4aad-8e10-c2ffab8929c6';
const ID_2 = '9b2c6f1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f';

const AUTH_MISSING = {
  message: 'Authorization information missing',
  debug_message: "Authorization header must have format 'token_type token' where token_type is SessionId or AuthToken",
};
const AUTH_INVALID = { message: 'Invalid token', debug_message: 'Authorization header must contain a valid token' };

/** A stream socket that records what it gets; `next()` waits for the next unread frame, never on a timer. */
class StreamClient {
  readonly socket: WebSocket;
  readonly frames: any[] = [];
  readonly closed: Promise<CloseEvent>;
  readonly opened: Promise<void>;
  wasOpen = false;
  private closeEvent: CloseEvent | null = null;
  private cursor = 0;
  private wake: Array<() => void> = [];

  constructor(url: string) {
    this.socket = new globalThis.WebSocket(url);
    this.opened = new Promise<void>((resolve, reject) => {
      this.socket.addEventListener('open', () => {
        this.wasOpen = true;
        resolve();
      });
      this.socket.addEventListener('close', (event) => reject(new Error(`closed (${event.code}) before opening`)));
    });
    this.opened.catch(() => {}); // Some sockets are meant never to open.
    this.socket.addEventListener('message', (event) => {
      this.frames.push(JSON.parse(String(event.data)));
      this.notify();
    });
    this.closed = new Promise((resolve) =>
      this.socket.addEventListener('close', (event) => {
        this.closeEvent = event;
        resolve(event);
        this.notify();
      }),
    );
  }

  async next(): Promise<any> {
    while (this.cursor >= this.frames.length) {
      if (this.closeEvent) throw new Error(`closed (${this.closeEvent.code}) with no frame left to read`);
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
    return this.frames[this.cursor++];
  }

  send(frame: unknown) {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** A ping's pong proves that every frame sent before it has arrived: frames keep their order. */
  async sync(): Promise<any[]> {
    const from = this.cursor;
    this.send({ type: 'ping' });
    while ((await this.next()).type !== 'pong');
    return this.frames.slice(from, this.cursor - 1);
  }

  private notify() {
    for (const resolve of this.wake.splice(0)) resolve();
  }
}

const streamUrl = (engagementId: string) => `wss://api.engagekit.test/engagements/${engagementId}/stream`;

async function open(engagementId: string): Promise<StreamClient> {
  const client = new StreamClient(streamUrl(engagementId));
  await client.opened;
  return client;
}

/** Opens a stream and says hello; resolves once `ready` has arrived. */
async function connect(e: EngagementCredentials, after?: number): Promise<StreamClient> {
  const client = await open(e.engagementId);
  client.send({ type: 'hello', token: e.visitorToken, ...(after === undefined ? {} : { after }) });
  const ready = await client.next();
  expect(ready).toEqual({ type: 'ready', last_seq: expect.any(Number) });
  return client;
}

function putCommand(e: EngagementCredentials, id: string, body: unknown) {
  return fetch(`${BASE}/engagements/${e.engagementId}/custom_commands/${id}`, {
    method: 'PUT',
    headers: {
      Authorization: `Bearer ${e.operatorToken}`,
      Accept: 'application/vnd.salemove.v1+json',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
}

describe('the command stream: hello, backlog, live', () => {
  it('answers hello with ready and the backlog after `after`, then live commands from a PUT', async () => {
    const e = backend.createEngagement();
    const sent = [1, 2, 3].map((n) => backend.sendCustomCommand(e.engagementId, { properties: { n } }));
    const client = await open(e.engagementId);
    client.send({ type: 'hello', token: e.visitorToken, after: 1 });
    expect(await client.next()).toEqual({ type: 'ready', last_seq: 3 });
    expect(await client.next()).toEqual({ type: 'command', seq: 2, command: sent[1] });
    expect(await client.next()).toEqual({ type: 'command', seq: 3, command: sent[2] });

    const response = await putCommand(e, ID_1, { content: 'Live', properties: { name: 'live' } });
    const command = await response.json();
    expect(await client.next()).toEqual({ type: 'command', seq: 4, command });
    expect(command).toMatchObject({ id: ID_1, content: 'Live' });
  });

  it('sends the whole backlog when `after` is absent, and nothing when it is past the end', async () => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    backend.sendCustomCommand(e.engagementId, { id: ID_2, properties: {} });
    const all = await connect(e);
    expect((await all.sync()).map((f) => [f.type, f.seq, f.command.id])).toEqual([
      ['command', 1, ID_1],
      ['command', 2, ID_2],
    ]);
    const none = await connect(e, 7);
    expect(none.frames[0]).toEqual({ type: 'ready', last_seq: 2 });
    expect(await none.sync()).toEqual([]);
  });

  it('does not deliver an identical resend twice', async () => {
    const e = backend.createEngagement();
    const client = await connect(e);
    const body = { properties: { name: 'once', nested: { a: 1, b: 2 } } };
    expect((await putCommand(e, ID_1, body)).status).toBe(200);
    expect((await putCommand(e, ID_1, { properties: { name: 'once', nested: { b: 2, a: 1 } } })).status).toBe(200);
    backend.sendCustomCommand(e.engagementId, { id: ID_1, ...body });
    const frames = await client.sync();
    expect(frames.map((f) => [f.type, f.seq, f.command.id])).toEqual([['command', 1, ID_1]]);
  });

  it('delivers live commands to every client of the engagement and to no other', async () => {
    const e = backend.createEngagement();
    const other = backend.createEngagement();
    const [first, second, stranger] = await Promise.all([connect(e), connect(e), connect(other)]);
    const command = backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: { to: 'both' } });
    expect(await first.next()).toEqual({ type: 'command', seq: 1, command });
    expect(await second.next()).toEqual({ type: 'command', seq: 1, command });
    expect(await stranger.sync()).toEqual([]);
  });

  it('does not send commands to a socket that has not said hello yet', async () => {
    const e = backend.createEngagement();
    const client = await open(e.engagementId);
    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    client.send({ type: 'hello', token: e.visitorToken, after: 0 });
    // The command comes once, as backlog after ready, not before it.
    expect(await client.next()).toEqual({ type: 'ready', last_seq: 1 });
    expect(await client.next()).toMatchObject({ type: 'command', seq: 1 });
    expect(await client.sync()).toEqual([]);
  });

  it('answers ping with pong, and ignores frames it does not know after the hello', async () => {
    const e = backend.createEngagement();
    const client = await connect(e);
    client.send('not json');
    client.send({ type: 'subscribe' });
    client.send([1, 2]);
    client.send({ type: 'hello', token: 'whatever' });
    client.socket.send(new Uint8Array([1, 2, 3]));
    client.send({ type: 'ping' });
    expect(await client.next()).toEqual({ type: 'pong' });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    expect(backend.connectedClients(e.engagementId)).toBe(1);
  });
});

describe('the command stream: refusals', () => {
  async function refused(engagementId: string, first: unknown) {
    const client = await open(engagementId);
    client.send(first);
    const frame = await client.next();
    const close = await client.closed;
    return { frame, code: close.code, frames: client.frames.length };
  }

  it.each([
    ['not JSON', '{"type": "hello"', 'Frame is not valid JSON'],
    ['a ping', { type: 'ping' }, 'The first frame must be a hello'],
    ['a JSON array', ['hello'], 'The first frame must be a hello'],
    ['a JSON string', '"hello"', 'The first frame must be a hello'],
    ['a hello with a negative after', { type: 'hello', token: 'TOKEN', after: -1 }, "Field 'after' must be a non-negative integer"],
    ['a hello with a string after', { type: 'hello', token: 'TOKEN', after: '1' }, "Field 'after' must be a non-negative integer"],
    ['a hello with a fractional after', { type: 'hello', token: 'TOKEN', after: 1.5 }, "Field 'after' must be a non-negative integer"],
  ])('sends an error frame (400) and closes 4400 for a first frame that is %s', async (_label, first, message) => {
    const e = backend.createEngagement();
    const frame = typeof first === 'object' && !Array.isArray(first) ? { ...first, token: e.visitorToken } : first;
    expect(await refused(e.engagementId, frame)).toEqual({
      frame: { type: 'error', status: 400, message, debug_message: expect.any(String) },
      code: 4400,
      frames: 1,
    });
  });

  it('closes 4400 for a binary first frame', async () => {
    const e = backend.createEngagement();
    const client = await open(e.engagementId);
    client.socket.send(new Uint8Array([123, 125]));
    expect(await client.next()).toMatchObject({ type: 'error', status: 400 });
    expect((await client.closed).code).toBe(4400);
  });

  it.each([
    ['an unknown token', { type: 'hello', token: 'nope', after: 0 }, AUTH_INVALID],
    ['no token', { type: 'hello', after: 0 }, AUTH_MISSING],
    ['a token that is not a string', { type: 'hello', token: 42 }, AUTH_MISSING],
    ['an empty token', { type: 'hello', token: '' }, AUTH_MISSING],
  ])('sends the Glia 401 message and closes 4401 for %s', async (_label, hello, body) => {
    const e = backend.createEngagement();
    expect(await refused(e.engagementId, hello)).toEqual({ frame: { type: 'error', status: 401, ...body }, code: 4401, frames: 1 });
  });

  it("closes 4403 for the operator's token and for another engagement's visitor", async () => {
    const e = backend.createEngagement();
    const other = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { properties: {} });
    const forbidden = {
      type: 'error',
      status: 403,
      message: "You don't have permissions to receive custom commands",
      debug_message: "Only the engagement's visitor can open its command stream",
    };
    expect(await refused(e.engagementId, { type: 'hello', token: e.operatorToken, after: 0 })).toEqual({ frame: forbidden, code: 4403, frames: 1 });
    expect(await refused(e.engagementId, { type: 'hello', token: other.visitorToken })).toEqual({ frame: forbidden, code: 4403, frames: 1 });
  });

  it('closes 4404 for an unknown engagement', async () => {
    const e = backend.createEngagement();
    expect(await refused('nowhere', { type: 'hello', token: e.visitorToken, after: 0 })).toEqual({
      frame: { type: 'error', status: 404, message: 'Engagement not found', debug_message: "No engagement with id 'nowhere'" },
      code: 4404,
      frames: 1,
    });
  });

  it('checks the token before the engagement, as HTTP does', async () => {
    expect((await refused('nowhere', { type: 'hello', token: 'nope' })).code).toBe(4401);
  });
});

describe('the command stream: network simulation', () => {
  it('dropConnections closes the sockets of one engagement with 4000, then all; commands stay', async () => {
    const e = backend.createEngagement();
    const other = backend.createEngagement();
    const [a, notYetHello, b] = [await connect(e), await open(e.engagementId), await connect(other)];
    expect(backend.connectedClients()).toBe(3);

    backend.dropConnections(e.engagementId);
    for (const dropped of [a, notYetHello]) {
      const close = await dropped.closed;
      expect([close.code, close.reason]).toEqual([4000, 'dropped by test']);
    }
    expect(backend.connectedClients(e.engagementId)).toBe(0);
    expect(await b.sync()).toEqual([]);

    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    const back = await connect(e, 0);
    expect(await back.next()).toMatchObject({ type: 'command', seq: 1, command: { id: ID_1 } });

    backend.dropConnections();
    expect((await b.closed).code).toBe(4000);
    expect((await back.closed).code).toBe(4000);
    expect(backend.connectedClients()).toBe(0);
  });

  it('blockWebSockets closes new sockets with 4000 before any frame; open ones stay; polling still works', async () => {
    const e = backend.createEngagement();
    const before = await connect(e);
    backend.blockWebSockets(true);

    const blocked = new StreamClient(streamUrl(e.engagementId));
    const close = await blocked.closed;
    expect([close.code, close.reason]).toEqual([4000, 'blocked']);
    expect(blocked.wasOpen).toBe(false);
    expect(blocked.frames).toEqual([]);
    expect(backend.connectedClients(e.engagementId)).toBe(1);

    const command = backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: { via: 'poll' } });
    const poll = await fetch(`${BASE}/engagements/${e.engagementId}/custom_commands?after=0`, {
      headers: { Authorization: `Bearer ${e.visitorToken}`, Accept: 'application/vnd.salemove.v1+json' },
    });
    expect(poll.status).toBe(200);
    expect(await poll.json()).toEqual({ commands: [{ seq: 1, command }], last_seq: 1 });
    expect(await before.next()).toEqual({ type: 'command', seq: 1, command });

    backend.blockWebSockets(false);
    const after = await connect(e, 1);
    expect(after.frames[0]).toEqual({ type: 'ready', last_seq: 1 });
  });

  it('connectedClients counts open sockets, said hello or not, per engagement and in all', async () => {
    const e = backend.createEngagement();
    const other = backend.createEngagement();
    expect(backend.connectedClients()).toBe(0);
    const raw = await open(e.engagementId);
    const hello = await connect(e);
    await connect(other);
    const unknown = await open('nowhere');
    expect(backend.connectedClients(e.engagementId)).toBe(2);
    expect(backend.connectedClients(other.engagementId)).toBe(1);
    expect(backend.connectedClients('nowhere')).toBe(1);
    expect(backend.connectedClients()).toBe(4);

    raw.socket.close();
    await raw.closed;
    expect(backend.connectedClients(e.engagementId)).toBe(1);
    unknown.send({ type: 'hello', token: e.visitorToken });
    await unknown.closed;
    expect(backend.connectedClients()).toBe(2);
    hello.socket.close(1000);
    await hello.closed;
    expect(backend.connectedClients(e.engagementId)).toBe(0);
  });

  it('reset closes every socket, forgets the commands and unblocks', async () => {
    const e = backend.createEngagement();
    const client = await connect(e);
    backend.sendCustomCommand(e.engagementId, { properties: {} });
    backend.blockWebSockets(true);
    backend.reset();
    expect((await client.closed).code).toBe(1001);
    expect(backend.connectedClients()).toBe(0);
    const again = backend.createEngagement();
    expect(backend.getCommands(again.engagementId)).toEqual([]);
    await connect(again);
  });

  it('realtimeUrl is baseUrl with http → ws and https → wss', () => {
    expect(backend.realtimeUrl).toBe('wss://api.engagekit.test');
    expect(createMockBackend({ baseUrl: 'http://localhost:9999/api/' }).realtimeUrl).toBe('ws://localhost:9999/api');
  });
});
