// Bad input against the reference server (docs/protocol.md, "Robustness"):
// what cannot be stored is refused before anything is stored, nothing one
// request sends makes a later one fail, no exception escapes a handler, a
// known path with another method is 405, and the in-process methods check
// their arguments.
import { describe, expect, it, vi } from 'vitest';
import { createMockBackend, MAX_JSON_DEPTH, NUMBER_RANGE_MESSAGE, TOO_DEEP_MESSAGE, type EngagementCredentials } from '../../src/mock.js';
import { useReferenceServer } from '../support/server.js';

let clockBroken = false;
const errors: unknown[][] = [];
const { backend } = useReferenceServer({
  // A clock that can fail: the only way to make a handler throw from outside, through a public option.
  now: () => {
    if (clockBroken) throw new Error('clock failed in /srv/app/src/clock.ts:12');
    return Date.now();
  },
  logger: { warn: () => {}, error: (...args) => void errors.push(args) },
});

const ID = '4cf0d3fe-8f2f-4aad-8e10-c2ffab8929c6';

async function call(e: EngagementCredentials, method: string, path: string, body?: string, token = e.visitorToken) {
  const response = await fetch(`${backend.baseUrl}/engagements/${e.engagementId}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    body,
  });
  const text = await response.text();
  // Typing answers Engage Digital's plain `ok`.
  return { status: response.status, headers: response.headers, body: text && text !== 'ok' ? JSON.parse(text) : text };
}

/** `{"k": {"k": ... {} ...}}`, `levels` objects deep in all (the outer one is level 1). */
const nested = (levels: number) => '{"k":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);

/** Every endpoint that reads a body, with a body whose one value is `inner` (raw JSON text). */
const bodies = (inner: string): Array<[string, string, string, 'visitor' | 'operator']> => [
  ['PUT', `/custom_commands/${ID}`, `{"properties":${inner}}`, 'operator'],
  ['POST', '/events', `{"message":"m","extra":${inner}}`, 'visitor'],
  ['POST', '/events/batch', `{"events":[{"message":"m","extra":${inner}}]}`, 'visitor'],
  ['POST', '/custom_commands/results', `{"results":[{"command_id":"${ID}","status":"executed","extra":${inner}}]}`, 'visitor'],
  ['POST', `/custom_commands/${ID}/result`, `{"status":"executed","extra":${inner}}`, 'visitor'],
  ['POST', '/meta', `{"meta":{"deep":${inner}}}`, 'operator'],
  ['POST', '/typing', `{"action":"typing.start","params":{"x":${inner}}}`, 'visitor'],
];

/** The engagement as a later request sees it: none of these may fail. */
async function everythingStillWorks(e: EngagementCredentials) {
  const poll = await call(e, 'GET', '/custom_commands?after=0');
  expect(poll.status).toBe(200);
  const view = backend.getCommands(e.engagementId).map((entry) => entry.command.id);
  for (const id of view) expect((await call(e, 'GET', `/custom_commands/${id}`, undefined, e.operatorToken)).status).toBe(200);
  expect((await call(e, 'POST', '/events', '{"message":"still here"}')).status).toBe(200);
  expect(() => JSON.stringify([backend.getEvents(e.engagementId), backend.getCommands(e.engagementId), backend.getMeta(e.engagementId)])).not.toThrow();
}

describe('bodies that cannot be stored are refused with 400 before anything is stored', () => {
  /** An engagement with one command (so that its result endpoints get as far as the body), and what a refusal must leave as is. */
  function engagementWithCommand() {
    const e = backend.createEngagement();
    const command = backend.sendCustomCommand(e.engagementId, { id: ID, properties: { name: 'first' } });
    const unchanged = () => {
      expect(backend.getCommands(e.engagementId)).toEqual([{ seq: 1, command, result: null }]);
      expect(backend.getEvents(e.engagementId)).toEqual([]);
      expect(backend.getMeta(e.engagementId)).toEqual({ meta: {}, properties: {} });
      expect(backend.getTyping(e.engagementId).visitor).toEqual({ active: false });
    };
    return { e, unchanged };
  }

  it.each(bodies(nested(MAX_JSON_DEPTH)))(`%s %s nested over ${MAX_JSON_DEPTH} levels: 400`, async (method, path, body, role) => {
    const { e, unchanged } = engagementWithCommand();
    const answer = await call(e, method, path, body, role === 'operator' ? e.operatorToken : e.visitorToken);
    expect(answer).toMatchObject({
      status: 400,
      body: { message: TOO_DEEP_MESSAGE, debug_message: `At most ${MAX_JSON_DEPTH} levels of objects and arrays (the body itself is level 1); this one has more` },
    });
    unchanged();
    await everythingStillWorks(e);
  });

  it(`a body exactly ${MAX_JSON_DEPTH} levels deep is stored, and served back by every read`, async () => {
    const e = backend.createEngagement();
    expect((await call(e, 'PUT', `/custom_commands/${ID}`, `{"properties":${nested(MAX_JSON_DEPTH - 1)}}`, e.operatorToken)).status).toBe(200);
    expect((await call(e, 'PUT', `/custom_commands/${ID}`, `{"properties":${nested(MAX_JSON_DEPTH - 1)}}`, e.operatorToken)).status).toBe(200); // resend compared
    await everythingStillWorks(e);
  });

  it('the report: a PUT whose properties nest 5,000 levels is 400 (not 500), stored nowhere; polling and the stream go on', async () => {
    const e = backend.createEngagement();
    const answer = await call(e, 'PUT', `/custom_commands/${ID}`, `{"properties":${nested(5000)}}`, e.operatorToken);
    expect(answer).toMatchObject({ status: 400, body: { message: TOO_DEEP_MESSAGE } });
    expect(JSON.stringify(answer.body)).not.toMatch(/stack|\.ts|\.js|node_modules/);
    expect(await call(e, 'GET', '/custom_commands?after=0')).toMatchObject({ status: 200, body: { commands: [], last_seq: 0 } });
    await everythingStillWorks(e);
  });

  it('a million levels (2 MB of brackets) is refused as quickly', async () => {
    const e = backend.createEngagement();
    const started = Date.now();
    const answer = await call(e, 'PUT', `/custom_commands/${ID}`, `{"properties":{"a":${'['.repeat(1e6)}${']'.repeat(1e6)}}}`, e.operatorToken);
    expect(answer).toMatchObject({ status: 400, body: { message: TOO_DEEP_MESSAGE } });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each(bodies('1e400'))('%s %s with a number beyond the doubles (1e400): 400', async (method, path, body, role) => {
    const { e, unchanged } = engagementWithCommand();
    const answer = await call(e, method, path, body, role === 'operator' ? e.operatorToken : e.visitorToken);
    expect(answer).toMatchObject({ status: 400, body: { message: NUMBER_RANGE_MESSAGE } });
    unchanged();
    await everythingStillWorks(e);
  });

  it('values JSON carries faithfully are stored and read back: lone surrogates, "__proto__", 10,000 keys, long strings', async () => {
    const e = backend.createEngagement();
    const keys = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const odd = `{"properties":{"lone":"\\ud800","__proto__":{"polluted":true},"keys":${JSON.stringify(keys)},"long":"${'x'.repeat(100_000)}","n":-0,"e":1e308}}`;
    expect((await call(e, 'PUT', `/custom_commands/${ID}`, odd, e.operatorToken)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await everythingStillWorks(e);
    expect(backend.getCommands(e.engagementId)[0]!.command.properties).toMatchObject({ lone: '\ud800', n: -0, e: 1e308 });
  });
});

describe('no exception escapes a handler', () => {
  it('a handler that throws answers 500 in the error format, without stack or paths; the engagement stays usable', async () => {
    const e = backend.createEngagement();
    errors.length = 0;
    clockBroken = true;
    let answer;
    try {
      answer = await call(e, 'POST', '/events', '{"message":"at a bad time"}');
    } finally {
      clockBroken = false;
    }
    expect(answer).toEqual({
      status: 500,
      headers: expect.anything(),
      body: { message: 'Internal server error', debug_message: 'The reference server failed while handling this request' },
    });
    expect(errors).toHaveLength(1);
    expect(String(errors[0]![0])).toContain(`POST ${backend.baseUrl}/engagements/${e.engagementId}/events failed; answered 500`);
    await everythingStillWorks(e);
  });

  it('a stream hub failure on a frame closes that socket with 1011; the server and later sockets go on', async () => {
    const e = backend.createEngagement();
    // The operator types, so greeting a visitor reads the typing state, which reads the clock.
    expect((await call(e, 'POST', '/typing', '{"action":"typing.start","params":{}}', e.operatorToken)).status).toBe(200);
    errors.length = 0;
    const socket = new WebSocket(`${backend.realtimeUrl}/engagements/${e.engagementId}/stream`);
    await new Promise((resolve) => socket.addEventListener('open', resolve));
    const closed = new Promise<number>((resolve) => socket.addEventListener('close', (event) => resolve(event.code)));
    clockBroken = true;
    try {
      socket.send(JSON.stringify({ type: 'hello', token: e.visitorToken }));
      expect(await closed).toBe(1011);
    } finally {
      clockBroken = false;
    }
    expect(errors).toHaveLength(1);
    const again = new WebSocket(`${backend.realtimeUrl}/engagements/${e.engagementId}/stream`);
    const frames: unknown[] = [];
    again.addEventListener('message', (event) => frames.push(JSON.parse(String(event.data))));
    await new Promise((resolve) => again.addEventListener('open', resolve));
    again.send(JSON.stringify({ type: 'hello', token: e.visitorToken }));
    await vi.waitFor(() => expect(frames).toEqual([{ type: 'ready', last_seq: 0 }, { type: 'typing', sender: 'operator', active: true }]));
    again.close();
  });
});

describe('405 Method Not Allowed, with Allow', () => {
  it.each([
    ['DELETE', `/custom_commands/${ID}`, 'GET, PUT'],
    ['GET', '/events', 'POST'],
    ['PUT', '/events/batch', 'POST'],
    ['PATCH', '/meta', 'POST'],
    ['DELETE', '/typing', 'GET, POST'],
    ['PUT', '/custom_commands', 'GET'],
    ['GET', `/custom_commands/${ID}/result`, 'POST'],
  ])('%s %s → 405, Allow: %s', async (method, path, allow) => {
    const e = backend.createEngagement();
    const answer = await call(e, method, path);
    expect(answer.status).toBe(405);
    expect(answer.headers.get('Allow')).toBe(allow);
    expect(answer.body).toEqual({ message: 'Method not allowed', debug_message: `${method} is not served here; this path serves ${allow}` });
  });
});

describe('MockBackend checks its arguments', () => {
  it.each([
    ['getCommandResult(id, undefined)', (e: EngagementCredentials) => backend.getCommandResult(e.engagementId, undefined as never), 'MockBackend.getCommandResult: commandId must be a non-empty string, got undefined'],
    ['getCommandResult(undefined, id)', () => backend.getCommandResult(undefined as never, ID), 'MockBackend.getCommandResult: engagementId must be a non-empty string, got undefined'],
    ['getEvents(42)', () => backend.getEvents(42 as never), 'MockBackend.getEvents: engagementId must be a non-empty string, got number 42'],
    ['getCommands("")', () => backend.getCommands(''), 'MockBackend.getCommands: engagementId must be a non-empty string, got ""'],
    ['sendCustomCommand(id, null)', (e: EngagementCredentials) => backend.sendCustomCommand(e.engagementId, null as never), 'MockBackend.sendCustomCommand: init must be an object { id?, content?, properties }, got null'],
    ['sendCustomCommand with a BigInt', (e: EngagementCredentials) => backend.sendCustomCommand(e.engagementId, { properties: { n: 1n } }), 'MockBackend.sendCustomCommand: init must be JSON data: Do not know how to serialize a BigInt'],
    ['setMeta(id, "x")', (e: EngagementCredentials) => backend.setMeta(e.engagementId, 'x' as never), 'MockBackend.setMeta: change must be an object { meta?, properties? }, got "x"'],
    ['blockWebSockets("yes")', () => backend.blockWebSockets('yes' as never), 'MockBackend.blockWebSockets: blocked must be true or false, got "yes"'],
    ['createEngagement({ engagementId: "" })', () => backend.createEngagement({ engagementId: '' }), 'MockBackend.createEngagement: init.engagementId must be a non-empty string, got ""'],
    ['dropConnections(7)', () => backend.dropConnections(7 as never), 'MockBackend.dropConnections: engagementId must be a non-empty string, got number 7'],
  ])('%s', (_label, act, message) => {
    const e = backend.createEngagement();
    expect(() => act(e)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', message }));
  });

  it('properties nested too deeply or cyclic are refused in process too, with the HTTP message', () => {
    const e = backend.createEngagement();
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) deep = { deep };
    expect(() => backend.sendCustomCommand(e.engagementId, { properties: deep })).toThrow(`MockBackend.sendCustomCommand: init: ${TOO_DEEP_MESSAGE}`);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => backend.setMeta(e.engagementId, { meta: cyclic })).toThrow(`MockBackend.setMeta: change: ${TOO_DEEP_MESSAGE}`);
    expect(backend.getCommands(e.engagementId)).toEqual([]);
  });

  it('unknown engagements and commands still say so by name', () => {
    const e = backend.createEngagement();
    expect(() => backend.getCommandResult(e.engagementId, ID)).toThrow(`MockBackend: no custom command "${ID}" in engagement "${e.engagementId}"`);
    expect(() => backend.getEvents('nope')).toThrow('MockBackend: no engagement "nope"');
  });

  it('createMockBackend checks persist and faults', () => {
    expect(() => createMockBackend({ persist: 'yes' as never })).toThrow('createMockBackend: option "persist" must be true, false or { storage?, key? }, got "yes"');
    expect(() => createMockBackend({ faults: { latency: -1 } })).toThrow('createMockBackend: faults.latency must be ms ≥ 0, or [min, max], got -1');
    expect(() => createMockBackend({ faults: { httpFaults: ['teapot' as never] } })).toThrow("faults.httpFaults must be a list of '5xx', '429', 'lost-response', 'network'");
  });
});
