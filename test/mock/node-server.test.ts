// @vitest-environment node
// The local server (`engagekit/mock/node`): the reference server over real
// HTTP and a real WebSocket. Nothing in this file intercepts the network:
// no msw setupServer, so every request below goes through node:http and
// every socket through the `ws` package.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createVisitor, type Visitor } from '../../src/index.js';
import { startMockServer, type MockServer } from '../../src/mock-node.js';
import { createOperator } from '../../src/operator.js';
import { CURL_SEND_CUSTOM_COMMAND, CURL_SEND_EVENT, DOCUMENTED_HOST } from '../support/documented-curl.js';
import { storedEvent } from '../support/fixtures.js';

const MEDIA = 'application/vnd.salemove.v1+json';
let server: MockServer;
const open: Array<Pick<Visitor, 'close'>> = [];

beforeAll(async () => {
  server = await startMockServer({ port: 0 });
});
afterEach(() => {
  for (const visitor of open.splice(0)) visitor.close();
  server.backend.reset();
});
afterAll(() => server.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startMockServer', () => {
  it('listens on 127.0.0.1 on a free port, and says where', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.wsUrl).toBe(server.url.replace('http:', 'ws:'));
    expect(server.backend.baseUrl).toBe(server.url);
    expect(typeof (globalThis as { WebSocket?: unknown }).WebSocket).toBe('undefined'); // Node 20: only the ws package's
  });

  it("a visitor over a real WebSocket runs a command the operator client PUT, and its result is recorded", async () => {
    const { engagementId, visitorToken, operatorToken } = server.backend.createEngagement();
    const ran: unknown[] = [];
    const visitor = createVisitor({
      baseUrl: server.url,
      engagementId,
      token: visitorToken,
      WebSocket: WebSocket as never,
      handlers: { greet: (properties) => void ran.push(properties) },
      logLevel: 'silent',
    });
    open.push(visitor);
    visitor.connect();
    await vi.waitFor(() => expect(visitor.connection).toMatchObject({ status: 'open', transport: 'websocket' }));
    expect(server.backend.connectedClients(engagementId)).toBe(1);

    const operator = createOperator({ baseUrl: server.url, token: operatorToken });
    const latencies: number[] = [];
    let command!: Awaited<ReturnType<typeof operator.sendCustomCommand>>;
    for (let i = 0; i < 3; i++) {
      const sentAt = Date.now();
      command = await operator.sendCustomCommand({ engagementId, content: 'Hi', properties: { name: 'greet', i } });
      await vi.waitFor(() => expect(ran).toHaveLength(i + 1), { interval: 1 });
      latencies.push(Date.now() - sentAt);
    }
    expect(ran).toEqual([0, 1, 2].map((i) => ({ name: 'greet', i })));
    // The first includes the process's first fetch (undici's setup).
    console.log(`local server, real WebSocket, PUT → handler: ${latencies.join(', ')} ms`);
    await vi.waitFor(async () => expect(await operator.getCustomCommand(engagementId, command.id)).toMatchObject({ result: { status: 'executed' } }));
    await visitor.recordEvent('Visitor read the greeting');
    expect(server.backend.getEvents(engagementId).map((e) => e.content)).toEqual(['Visitor read the greeting']);
  });

  it('a visitor without any WebSocket long-polls the real server and gets a command within 1 s', async () => {
    const { engagementId, visitorToken, operatorToken } = server.backend.createEngagement();
    const ran: number[] = [];
    const visitor = createVisitor({ baseUrl: server.url, engagementId, token: visitorToken, handlers: { '*': () => void ran.push(Date.now()) }, logLevel: 'silent' });
    open.push(visitor);
    visitor.connect();
    await vi.waitFor(() => expect(visitor.connection).toMatchObject({ status: 'open', transport: 'polling' }));
    await sleep(100);
    const sentAt = Date.now();
    await createOperator({ baseUrl: server.url, token: operatorToken }).sendCustomCommand({ engagementId, properties: { name: 'x' } });
    await vi.waitFor(() => expect(ran).toHaveLength(1), { timeout: 1000, interval: 2 });
    console.log(`local server, long polling, PUT → handler: ${ran[0]! - sentAt} ms`);
  });

  it('takes an engagement with fixed ids and tokens at start, and closes what it holds when closed', async () => {
    const fixed = { engagementId: 'demo', visitorToken: 'visitor-demo', operatorToken: 'operator-demo' };
    const other = await startMockServer({ port: 0, engagement: fixed });
    expect(other.engagement).toMatchObject({ ...fixed, subEngagementId: expect.any(String) });
    const held = fetch(`${other.url}/engagements/demo/custom_commands?after=0&wait=20`, { headers: { Authorization: 'Bearer visitor-demo' } });
    const socket = new WebSocket(`${other.wsUrl}/engagements/demo/stream`);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.on('open', resolve));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await closed).toBe(1001);
    // The held poll was answered (not left to its 20 s), or its connection closed with the server.
    await Promise.race([held.then((r) => r.text()).catch(() => 'closed'), sleep(2000).then(() => { throw new Error('held poll still open'); })]);
    await expect(fetch(other.url)).rejects.toThrow();
  });

  it('rejects a port out of range', async () => {
    await expect(startMockServer({ port: 70000 })).rejects.toThrow('startMockServer: port must be an integer from 0 to 65535, got 70000');
  });
});

describe('over real HTTP', () => {
  it('answers CORS preflights for the headers the SDK and the operator client send, and CORS headers on answers', async () => {
    const preflight = await fetch(`${server.url}/engagements/x/events`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, Accept, Idempotency-Key, X-SMCCSDK-SIGNATURE');
    const answer = await fetch(`${server.url}/engagements/x/events`, { method: 'POST', headers: { Origin: 'http://localhost:3000' } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('answers an unknown path 404 and a known path with another method 405 + Allow, in the error format', async () => {
    const unknown = await fetch(`${server.url}/nothing/here`);
    expect([unknown.status, await unknown.json()]).toEqual([404, { message: 'Not found', debug_message: 'No endpoint at GET /nothing/here' }]);
    const e = server.backend.createEngagement();
    const wrong = await fetch(`${server.url}/engagements/${e.engagementId}/events`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('refuses a body nested 5,000 levels deep with 400 and stays usable', async () => {
    const e = server.backend.createEngagement();
    const body = '{"properties":' + '{"d":'.repeat(5000) + '{}' + '}'.repeat(5000) + '}';
    const put = await fetch(`${server.url}/engagements/${e.engagementId}/custom_commands/4cf0d3fe-8f2f-4aad-8e10-c2ffab8929c6`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${e.operatorToken}`, 'Content-Type': 'application/json' },
      body,
    });
    expect(put.status).toBe(400);
    expect(await put.json()).toEqual({ message: 'Request body is nested too deeply', debug_message: expect.stringContaining('64') });
    const poll = await fetch(`${server.url}/engagements/${e.engagementId}/custom_commands`, { headers: { Authorization: `Bearer ${e.visitorToken}` } });
    expect(await poll.json()).toEqual({ commands: [], last_seq: 0 });
  });

  it("injects a 'network' fault as a dropped connection", async () => {
    const e = server.backend.createEngagement();
    server.backend.setFaults({ httpFailureRate: 1, httpFaults: ['network'] });
    await expect(fetch(`${server.url}/engagements/${e.engagementId}/custom_commands`, { headers: { Authorization: `Bearer ${e.visitorToken}` } })).rejects.toThrow();
    expect(server.backend.faultCounts.http.network).toBeGreaterThan(0);
  });

  it('keeps serving after a stream client sends binary, oversized and malformed frames', async () => {
    const e = server.backend.createEngagement();
    const socket = new WebSocket(`${server.wsUrl}/engagements/${e.engagementId}/stream`);
    await new Promise((resolve) => socket.on('open', resolve));
    const frames: any[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    const closed = new Promise<number>((resolve) => socket.on('close', resolve));
    socket.send(Buffer.from([1, 2, 3]));
    expect(await closed).toBe(4400);
    expect(frames).toEqual([{ type: 'error', status: 400, message: 'Frame is not valid JSON', debug_message: expect.any(String) }]);
    const big = new WebSocket(`${server.wsUrl}/engagements/${e.engagementId}/stream`);
    await new Promise((resolve) => big.on('open', resolve));
    big.send('x'.repeat(2 * 1024 * 1024));
    expect(await new Promise<number>((resolve) => big.on('close', resolve))).toBe(1009);
    const wrongPath = new WebSocket(`${server.wsUrl}/engagements/${e.engagementId}/elsewhere`);
    await new Promise((resolve) => wrongPath.on('error', resolve));
    expect(server.backend.connectedClients()).toBe(0);
  });
});

describe('admin endpoints (/__engagekit/)', () => {
  const admin = (path: string, init?: RequestInit) => fetch(`${server.url}/__engagekit${path}`, init);
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('POST engagements creates one, with fixed ids and tokens when given; a taken id or token is 409', async () => {
    const created = await admin('/engagements', { method: 'POST' });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ engagementId: expect.any(String), subEngagementId: expect.any(String), visitorToken: expect.any(String), operatorToken: expect.any(String) });
    const fixed = await admin('/engagements', json({ engagementId: 'e-1', visitorToken: 'v-1', operatorToken: 'o-1' }));
    expect(await fixed.json()).toMatchObject({ engagementId: 'e-1', visitorToken: 'v-1', operatorToken: 'o-1' });
    const again = await admin('/engagements', json({ engagementId: 'e-1' }));
    expect([again.status, (await again.json()).message]).toEqual([409, 'Engagement ID already used']);
    const token = await admin('/engagements', json({ visitorToken: 'o-1' }));
    expect([token.status, (await token.json()).message]).toEqual([409, 'Token already in use']);
    const bad = await admin('/engagements', json({ engagementId: 42 }));
    expect([bad.status, (await bad.json()).message]).toEqual([400, "Field 'engagementId' must be a string of 1 to 255 characters"]);
    expect(server.backend.getEvents('e-1')).toEqual([]);
  });

  it('GET events, commands and a result; POST reset forgets everything', async () => {
    const e = server.backend.createEngagement({ engagementId: 'e-2' });
    const command = server.backend.sendCustomCommand('e-2', { properties: { name: 'n' } });
    const event = await fetch(`${server.url}/engagements/e-2/events`, { method: 'POST', headers: { Authorization: `Bearer ${e.visitorToken}`, 'Content-Type': 'application/json' }, body: '{"message":"hi"}' });
    const stored = await event.json();
    expect(await (await admin('/engagements/e-2/events')).json()).toEqual({ events: [stored] });
    expect(await (await admin('/engagements/e-2/commands')).json()).toEqual({ commands: [{ seq: 1, command, result: null, read_at: null }] });
    expect(await (await admin(`/engagements/e-2/commands/${command.id}/result`)).json()).toEqual({ result: null });
    await fetch(`${server.url}/engagements/e-2/custom_commands/${command.id}/result`, { method: 'POST', headers: { Authorization: `Bearer ${e.visitorToken}`, 'Content-Type': 'application/json' }, body: '{"status":"executed"}' });
    expect(await (await admin(`/engagements/e-2/commands/${command.id}/result`)).json()).toEqual({ result: { command_id: command.id, status: 'executed', error: null, reported_at: expect.any(String) } });
    expect((await admin('/engagements/nope/events')).status).toBe(404);
    expect((await admin('/engagements/e-2/commands/nope/result')).status).toBe(404);
    expect((await admin('/reset', { method: 'POST' })).status).toBe(204);
    expect((await admin('/engagements/e-2/events')).status).toBe(404);
  });

  it('GET and PUT faults', async () => {
    const set = await admin('/faults', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ latency: [1, 2], wsDropRate: 0.5 }) });
    expect(await set.json()).toMatchObject({ faults: { latency: [1, 2], wsDropRate: 0.5 }, counts: { wsDrops: 0 } });
    const bad = await admin('/faults', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"httpFailureRate": 2}' });
    expect([bad.status, (await bad.json()).debug_message]).toEqual([400, 'createMockBackend: faults.httpFailureRate must be a number from 0 to 1, got 2']);
  });
});

describe("the documentation's curl examples, verbatim, host replaced", () => {
  /**
   * Runs a documented curl command with the shell, as a reader would paste
   * it; without curl, sends the same request with fetch.
   */
  async function run(script: string, env: Record<string, string>, fallback: () => Promise<Response>): Promise<{ status?: number; body: any }> {
    const command = script.replace(DOCUMENTED_HOST, server.url);
    if (!existsSync('/usr/bin/curl') && !existsSync('/bin/curl')) {
      const response = await fallback();
      return { status: response.status, body: await response.json() };
    }
    const { stdout } = await promisify(execFile)('sh', ['-c', command], { env: { ...process.env, ...env } });
    return { body: JSON.parse(stdout) };
  }

  it('PUT a custom command (the operator, $access_token in double quotes) and POST an event (the literal $access_token)', async () => {
    const e = server.backend.createEngagement({ visitorToken: '$access_token', operatorToken: 'operator-token-for-curl' });
    const id = '4cf0d3fe-8f2f-4aad-8e10-c2ffab8929c6';
    const put = await run(CURL_SEND_CUSTOM_COMMAND, { access_token: e.operatorToken, engagement_id: e.engagementId, id }, () =>
      fetch(`${server.url}/engagements/${e.engagementId}/custom_commands/${id}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${e.operatorToken}`, Accept: MEDIA, 'Content-Type': 'application/json' },
        body: '{\n      "content": "My custom command triggered",\n      "properties": {"key": "value"}\n    }',
      }),
    );
    expect(put.body).toEqual({
      id,
      engagement_id: e.engagementId,
      sub_engagement_id: e.subEngagementId,
      content: 'My custom command triggered',
      properties: { key: 'value' },
    });
    const post = await run(CURL_SEND_EVENT, { access_token: 'not used: single quotes', engagement_id: e.engagementId }, () =>
      fetch(`${server.url}/engagements/${e.engagementId}/events`, {
        method: 'POST',
        headers: { Authorization: 'Bearer $access_token', Accept: MEDIA, 'Content-Type': 'application/json' },
        body: '{\n\t"message": "Visitor navigated to insurance page"\n}',
      }),
    );
    expect(post.body).toEqual(storedEvent(e, 'Visitor navigated to insurance page'));
    expect(server.backend.getCommands(e.engagementId).map((c) => c.command.id)).toEqual([id]);
    expect(server.backend.getEvents(e.engagementId)).toEqual([post.body]);
  });
});
