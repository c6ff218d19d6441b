// @vitest-environment node
// The reference server's custom command endpoints, answered with plain HTTP as
// The Glia custom commands curl example sends it (docs/protocol.md is the contract).
import { describe, expect, it } from 'vitest';
import type { EngagementCredentials } from '../../src/mock.js';
import { gliaHeaders } from '../support/fixtures.js';
import { useReferenceServer } from '../support/server.js';

const BASE = 'https://api.engagekit.test';
const REPORTED_AT = '2019-08-28T13:55:24Z';
const { backend } = useReferenceServer({ now: () => Date.UTC(2019, 7, 28, 13, 55, 24, 678) });


// Fixed, valid version-4 ids, so that a failure message names them.
const ID_1 = '4cf0d3fe-8f2f-4aad-8e10-c2ffab8929c6';
const ID_2 = '9b2c6f1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f';
const V1_UUID = 'c232ab00-9414-11ec-b3c8-9e6bdeced846';

interface Answer {
  status: number;
  body: any;
}

async function call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const response = await fetch(`${BASE}${path}`, { method, headers, body });
  return { status: response.status, body: await response.json() };
}

const commandPath = (e: EngagementCredentials, id: string) => `/engagements/${e.engagementId}/custom_commands/${id}`;

function put(e: EngagementCredentials, id: string, body: unknown, token = e.operatorToken) {
  return call('PUT', commandPath(e, id), gliaHeaders(token), typeof body === 'string' ? body : JSON.stringify(body));
}

function poll(e: EngagementCredentials, query = '', token = e.visitorToken) {
  return call('GET', `/engagements/${e.engagementId}/custom_commands${query}`, gliaHeaders(token));
}

function report(e: EngagementCredentials, id: string, body: unknown, token = e.visitorToken) {
  return call('POST', `${commandPath(e, id)}/result`, gliaHeaders(token), JSON.stringify(body));
}

function view(e: EngagementCredentials, id: string, token = e.operatorToken) {
  return call('GET', commandPath(e, id), gliaHeaders(token));
}

const AUTH_MISSING = {
  message: 'Authorization information missing',
  debug_message: "Authorization header must have format 'token_type token' where token_type is SessionId or AuthToken",
};
const AUTH_INVALID = { message: 'Invalid token', debug_message: 'Authorization header must contain a valid token' };
const SEND_FORBIDDEN = {
  message: "You don't have permissions to send a custom command",
  debug_message: "Only the engagement's operator can send custom commands",
};

describe('PUT /engagements/{engagement_id}/custom_commands/{command_id} (Glia custom commands)', () => {
  it('answers the curl example with exactly the seed response shape', async () => {
    const e = backend.createEngagement();
    const { status, body } = await call(
      'PUT',
      commandPath(e, ID_1),
      gliaHeaders(e.operatorToken),
      '{\n      "content": "My custom command triggered",\n      "properties": {"key": "value"}\n    }',
    );
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['id', 'engagement_id', 'sub_engagement_id', 'content', 'properties']);
    expect(body).toEqual({
      id: ID_1,
      engagement_id: e.engagementId,
      sub_engagement_id: e.subEngagementId,
      content: 'My custom command triggered',
      properties: { key: 'value' },
    });
    expect(backend.getCommands(e.engagementId)).toEqual([{ seq: 1, command: body, result: null }]);
  });

  it('answers content null when none was sent, and numbers commands 1, 2, 3 in order', async () => {
    const e = backend.createEngagement();
    const first = await put(e, ID_1, { properties: {} });
    expect(first).toEqual({ status: 200, body: expect.objectContaining({ id: ID_1, content: null, properties: {} }) });
    expect((await put(e, ID_2, { content: null, properties: { name: 'x' } })).body.content).toBeNull();
    backend.sendCustomCommand(e.engagementId, { properties: { n: 3 } });
    expect(backend.getCommands(e.engagementId).map((c) => [c.seq, c.command.properties])).toEqual([
      [1, {}],
      [2, { name: 'x' }],
      [3, { n: 3 }],
    ]);
  });

  describe('refusals', () => {
    it.each([
      ['no Authorization header', undefined, AUTH_MISSING],
      ['a header with no token type', 'just-a-token', AUTH_MISSING],
      ['Bearer with no token', 'Bearer ', AUTH_MISSING],
      ['an unknown Bearer token', 'Bearer nope', AUTH_INVALID],
    ])('401 for %s, with the seed body', async (_label, authorization, expected) => {
      const e = backend.createEngagement();
      const headers: Record<string, string> = gliaHeaders(e.operatorToken);
      if (authorization === undefined) delete headers.Authorization;
      else headers.Authorization = authorization;
      expect(await call('PUT', commandPath(e, ID_1), headers, '{"properties":{}}')).toEqual({ status: 401, body: expected });
      expect(backend.getCommands(e.engagementId)).toEqual([]);
    });

    it("403 for the engagement's visitor token and for another engagement's operator", async () => {
      const e = backend.createEngagement();
      const other = backend.createEngagement();
      expect(await put(e, ID_1, { properties: {} }, e.visitorToken)).toEqual({ status: 403, body: SEND_FORBIDDEN });
      expect(await put(e, ID_1, { properties: {} }, other.operatorToken)).toEqual({ status: 403, body: SEND_FORBIDDEN });
      expect(backend.getCommands(e.engagementId)).toEqual([]);
    });

    it('403 comes before the id check, and 404 for an unknown engagement', async () => {
      const e = backend.createEngagement();
      expect((await put(e, 'not-a-uuid', { properties: {} }, e.visitorToken)).status).toBe(403);
      const missing = { ...e, engagementId: 'nowhere' };
      expect(await put(missing, ID_1, { properties: {} })).toEqual({
        status: 404,
        body: { message: 'Engagement not found', debug_message: "No engagement with id 'nowhere'" },
      });
    });

    it.each([
      ['a word', 'not-a-uuid'],
      ['a version-1 UUID', V1_UUID],
      ['a v4 with a bad variant nibble', '4cf0d3fe-8f2f-4aad-ce10-c2ffab8929c6'],
      ['a UUID without dashes', '4cf0d3fe8f2f4aad8e10c2ffab8929c6'],
      ['a v4 with an extra character', `${ID_1}0`],
    ])('400 for a command id that is %s', async (_label, id) => {
      const e = backend.createEngagement();
      expect(await put(e, id, { properties: {} })).toEqual({
        status: 400,
        body: { message: 'Custom command ID must be a Version 4 UUID', debug_message: `Got '${id}'` },
      });
      expect(backend.getCommands(e.engagementId)).toEqual([]);
    });

    it('checks the id before reading the body', async () => {
      const e = backend.createEngagement();
      const answer = await put(e, V1_UUID, '{ not json');
      expect(answer.body.message).toBe('Custom command ID must be a Version 4 UUID');
    });

    it.each([
      ['an array', ['key', 'value'], 'Got an array'],
      ['null', null, 'Got null'],
      ['a string', '{"key":"value"}', 'Got string'],
      ['a number', 42, 'Got number'],
      ['a boolean', true, 'Got boolean'],
      ['missing', undefined, 'Got nothing'],
    ])('400 for properties that are %s', async (_label, properties, debug) => {
      const e = backend.createEngagement();
      expect(await put(e, ID_1, { content: 'x', properties })).toEqual({
        status: 400,
        body: { message: "Parameter 'properties' is required and must be a JSON object", debug_message: debug },
      });
      expect(backend.getCommands(e.engagementId)).toEqual([]);
    });

    it.each([
      ['a number', 5, 'Got number'],
      ['an object', { text: 'x' }, 'Got object'],
      ['a boolean', false, 'Got boolean'],
      ['an array', ['x'], 'Got an array'],
    ])('400 for content that is %s', async (_label, content, debug) => {
      const e = backend.createEngagement();
      expect(await put(e, ID_1, { content, properties: {} })).toEqual({
        status: 400,
        body: { message: "Parameter 'content' must be a string", debug_message: debug },
      });
      expect(backend.getCommands(e.engagementId)).toEqual([]);
    });

    it.each([
      ['not JSON', '{"properties": ', 'Request body is not valid JSON'],
      ['empty', '', 'Request body is not valid JSON'],
      ['a JSON array', '[{"properties": {}}]', 'Request body must be a JSON object'],
      ['a JSON string', '"properties"', 'Request body must be a JSON object'],
    ])('400 for a body that is %s', async (_label, body, message) => {
      const e = backend.createEngagement();
      const answer = await put(e, ID_1, body);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe(message);
      expect(typeof answer.body.debug_message).toBe('string');
      expect(backend.getCommands(e.engagementId)).toEqual([]);
    });

    it('415 for a body sent as something other than JSON', async () => {
      const e = backend.createEngagement();
      const headers = { ...gliaHeaders(e.operatorToken), 'Content-Type': 'text/plain' };
      expect((await call('PUT', commandPath(e, ID_1), headers, '{"properties":{}}')).status).toBe(415);
    });
  });

  describe('idempotency', () => {
    it('returns the stored command with 200 for an identical resend, without a new seq', async () => {
      const e = backend.createEngagement();
      const first = await put(e, ID_1, { content: 'Go', properties: { name: 'go', n: [1, 2] } });
      const again = await put(e, ID_1, { content: 'Go', properties: { name: 'go', n: [1, 2] } });
      expect(again).toEqual({ status: 200, body: first.body });
      expect(backend.getCommands(e.engagementId).map((c) => c.seq)).toEqual([1]);
      await put(e, ID_2, { properties: {} });
      expect(backend.getCommands(e.engagementId).map((c) => c.seq)).toEqual([1, 2]);
    });

    it('compares as JSON values: key order does not matter, and absent content equals null', async () => {
      const e = backend.createEngagement();
      await put(e, ID_1, '{"properties": {"a": 1, "b": {"c": [1, {"d": 2, "e": 3}]}}}');
      const reordered = await put(e, ID_1, '{"content": null, "properties": {"b": {"c": [1, {"e": 3, "d": 2}]}, "a": 1.0}}');
      expect(reordered.status).toBe(200);
      expect(backend.getCommands(e.engagementId)).toHaveLength(1);
    });

    it('treats an uppercase version-4 id as the same command, stored in lower case', async () => {
      const e = backend.createEngagement();
      const upper = await put(e, ID_1.toUpperCase(), { properties: {} });
      expect(upper).toEqual({ status: 200, body: expect.objectContaining({ id: ID_1 }) });
      expect((await put(e, ID_1, { properties: {} })).status).toBe(200);
      expect((await put(e, ID_1.toUpperCase(), { properties: { x: 1 } })).status).toBe(409);
      expect(backend.getCommands(e.engagementId)).toHaveLength(1);
    });

    const A = { content: 'A', properties: { k: 'v', list: [1, 2] } };
    it.each([
      ['another content', { ...A, content: 'B' }],
      ['no content instead of one', { properties: A.properties }],
      ['another property value', { ...A, properties: { ...A.properties, k: 'w' } }],
      ['an extra property', { ...A, properties: { ...A.properties, x: null } }],
      ['an array in another order', { ...A, properties: { ...A.properties, list: [2, 1] } }],
    ])('409 for the same id with %s', async (_label, body) => {
      const e = backend.createEngagement();
      await put(e, ID_1, A);
      expect(await put(e, ID_1, body)).toEqual({
        status: 409,
        body: {
          message: 'Custom command ID already used',
          debug_message: `Custom command '${ID_1}' was sent before with a different body; use a new ID for a new command`,
        },
      });
      expect(backend.getCommands(e.engagementId).map((c) => c.command)).toEqual([expect.objectContaining(A)]);
    });

    it('keeps command ids per engagement', async () => {
      const a = backend.createEngagement();
      const b = backend.createEngagement();
      await put(a, ID_1, { properties: { for: 'a' } });
      const other = await put(b, ID_1, { properties: { for: 'b' } });
      expect(other).toEqual({ status: 200, body: expect.objectContaining({ engagement_id: b.engagementId }) });
    });
  });

  describe('MockBackend.sendCustomCommand (in process)', () => {
    it('validates, deduplicates and numbers like the PUT, and generates a v4 id', async () => {
      const e = backend.createEngagement();
      const sent = backend.sendCustomCommand(e.engagementId, { properties: { name: 'go' } });
      expect(sent).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        engagement_id: e.engagementId,
        sub_engagement_id: e.subEngagementId,
        content: null,
        properties: { name: 'go' },
      });
      expect(backend.sendCustomCommand(e.engagementId, { id: sent.id, content: null, properties: { name: 'go' } })).toEqual(sent);
      // The HTTP resend of an in-process command is idempotent too.
      expect(await put(e, sent.id, { properties: { name: 'go' } })).toEqual({ status: 200, body: sent });
      expect(backend.getCommands(e.engagementId)).toHaveLength(1);
    });

    it('throws the HTTP message for an invalid id, body or a conflict', () => {
      const e = backend.createEngagement();
      const send = (init: unknown) => () => backend.sendCustomCommand(e.engagementId, init as never);
      expect(send({ id: V1_UUID, properties: {} })).toThrow('Custom command ID must be a Version 4 UUID');
      expect(send({ properties: [] })).toThrow("Parameter 'properties' is required and must be a JSON object");
      expect(send({})).toThrow("Parameter 'properties' is required and must be a JSON object");
      expect(send({ content: 1, properties: {} })).toThrow("Parameter 'content' must be a string");
      backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: { a: 1 } });
      expect(send({ id: ID_1, properties: { a: 2 } })).toThrow('Custom command ID already used');
      expect(backend.getCommands(e.engagementId)).toHaveLength(1);
      expect(() => backend.sendCustomCommand('nowhere', { properties: {} })).toThrow('no engagement "nowhere"');
    });

    it('stores copies: mutating what was passed or returned changes nothing', () => {
      const e = backend.createEngagement();
      const properties = { list: [1] };
      const sent = backend.sendCustomCommand(e.engagementId, { id: ID_1, properties });
      properties.list.push(2);
      (sent.properties as { list: number[] }).list.push(3);
      backend.getCommands(e.engagementId)[0]!.command.properties.list = 'changed';
      expect(backend.getCommands(e.engagementId)[0]!.command.properties).toEqual({ list: [1] });
    });
  });
});

describe('GET /engagements/{engagement_id}/custom_commands?after= (polling)', () => {
  it('lists everything for after=0 or no after, oldest first, with last_seq; both tokens may read', async () => {
    const e = backend.createEngagement();
    const a = backend.sendCustomCommand(e.engagementId, { id: ID_1, content: 'A', properties: { n: 1 } });
    const b = backend.sendCustomCommand(e.engagementId, { id: ID_2, properties: { n: 2 } });
    const expected = { commands: [{ seq: 1, command: a }, { seq: 2, command: b }], last_seq: 2 };
    expect(await poll(e, '?after=0')).toEqual({ status: 200, body: expected });
    expect(await poll(e)).toEqual({ status: 200, body: expected });
    expect(await poll(e, '', e.operatorToken)).toEqual({ status: 200, body: expected });
  });

  it('answers only the commands after `after`, and none past the end', async () => {
    const e = backend.createEngagement();
    for (let n = 1; n <= 5; n++) backend.sendCustomCommand(e.engagementId, { properties: { n } });
    const answer = await poll(e, '?after=3');
    expect(answer.body.commands.map((c: any) => [c.seq, c.command.properties.n])).toEqual([
      [4, 4],
      [5, 5],
    ]);
    expect(answer.body.last_seq).toBe(5);
    expect(await poll(e, '?after=5')).toEqual({ status: 200, body: { commands: [], last_seq: 5 } });
    expect(await poll(e, '?after=99')).toEqual({ status: 200, body: { commands: [], last_seq: 5 } });
  });

  it('answers an empty engagement with no commands and last_seq 0', async () => {
    const e = backend.createEngagement();
    expect(await poll(e)).toEqual({ status: 200, body: { commands: [], last_seq: 0 } });
  });

  it('pages by 100: 150 commands come as 1-100, then 101-150', async () => {
    const e = backend.createEngagement();
    for (let n = 1; n <= 150; n++) backend.sendCustomCommand(e.engagementId, { properties: { n } });
    const first = await poll(e, '?after=0');
    expect(first.body.commands).toHaveLength(100);
    expect(first.body.commands.map((c: any) => c.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(first.body.last_seq).toBe(150);
    const second = await poll(e, '?after=100');
    expect(second.body.commands.map((c: any) => c.command.properties.n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 101));
    expect(second.body.last_seq).toBe(150);
  });

  it.each(['-1', '1.5', 'abc', '', '1e2', '+1', '0x10', '99999999999999999999'])('400 for after=%s', async (after) => {
    const e = backend.createEngagement();
    expect(await poll(e, `?after=${encodeURIComponent(after)}`)).toEqual({
      status: 400,
      body: { message: "Query parameter 'after' must be a non-negative integer", debug_message: `Got '${after}'` },
    });
  });

  it("403 for another engagement's tokens, 401 without a token", async () => {
    const e = backend.createEngagement();
    const other = backend.createEngagement();
    const forbidden = {
      status: 403,
      body: {
        message: "You don't have permissions to read custom commands",
        debug_message: "Only the engagement's visitor and operator can read its custom commands",
      },
    };
    expect(await poll(e, '', other.visitorToken)).toEqual(forbidden);
    expect(await poll(e, '', other.operatorToken)).toEqual(forbidden);
    const headers: Record<string, string> = gliaHeaders('');
    delete headers.Authorization;
    expect(await call('GET', `/engagements/${e.engagementId}/custom_commands`, headers)).toEqual({ status: 401, body: AUTH_MISSING });
  });
});

describe('POST /engagements/{engagement_id}/custom_commands/{command_id}/result', () => {
  it.each([
    ['executed', { status: 'executed' }, null],
    ['failed with its error', { status: 'failed', error: 'the handler threw' }, 'the handler threw'],
    ['failed without an error', { status: 'failed' }, null],
    ['unhandled', { status: 'unhandled', error: null }, null],
  ])('stores and answers %s', async (_label, body, error) => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    const expected = { command_id: ID_1, status: body.status, error, reported_at: REPORTED_AT };
    expect(await report(e, ID_1, body)).toEqual({ status: 200, body: expected });
    expect(backend.getCommandResult(e.engagementId, ID_1)).toEqual(expected);
    expect(backend.getCommands(e.engagementId)[0]!.result).toEqual(expected);
  });

  it.each([
    ['an unknown status', { status: 'done' }, "Parameter 'status' must be one of 'executed', 'failed', 'unhandled', 'scheduled'"],
    ['no status', { error: 'x' }, "Parameter 'status' must be one of 'executed', 'failed', 'unhandled', 'scheduled'"],
    ['a status in capitals', { status: 'EXECUTED' }, "Parameter 'status' must be one of 'executed', 'failed', 'unhandled', 'scheduled'"],
    ['an error that is not a string', { status: 'failed', error: { message: 'x' } }, "Parameter 'error' must be a string"],
    ['an error without failed', { status: 'executed', error: 'x' }, "Parameter 'error' is only allowed with status 'failed'"],
  ])('400 for %s, and nothing is stored', async (_label, body, message) => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    const answer = await report(e, ID_1, body);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(message);
    expect(typeof answer.body.debug_message).toBe('string');
    expect(backend.getCommandResult(e.engagementId, ID_1)).toBeNull();
  });

  it('cuts an error longer than 1,000 characters, by code point', async () => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    backend.sendCustomCommand(e.engagementId, { id: ID_2, properties: {} });
    expect((await report(e, ID_1, { status: 'failed', error: 'x'.repeat(1500) })).body.error).toBe('x'.repeat(1000));
    const emoji = `${'x'.repeat(999)}😀😀`;
    const cut = (await report(e, ID_2, { status: 'failed', error: emoji })).body.error as string;
    expect(cut).toBe(`${'x'.repeat(999)}😀`);
    expect(Array.from(cut)).toHaveLength(1000);
  });

  it('keeps an error of exactly 1,000 characters whole', async () => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    expect((await report(e, ID_1, { status: 'failed', error: 'y'.repeat(1000) })).body.error).toBe('y'.repeat(1000));
  });

  it('lets the first report win: a repeat answers the stored one with 200', async () => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    const first = await report(e, ID_1, { status: 'failed', error: 'boom' });
    expect(await report(e, ID_1, { status: 'executed' })).toEqual({ status: 200, body: first.body });
    expect(backend.getCommandResult(e.engagementId, ID_1)).toEqual(first.body);
  });

  it('403 with the documented body for the operator, 404 for an unknown command', async () => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    expect(await report(e, ID_1, { status: 'executed' }, e.operatorToken)).toEqual({
      status: 403,
      body: { message: "You don't have permissions to report a custom command result", debug_message: '' },
    });
    expect(await report(e, ID_2, { status: 'executed' })).toEqual({
      status: 404,
      body: { message: 'Custom command not found', debug_message: `No custom command with id '${ID_2}' in engagement '${e.engagementId}'` },
    });
    expect(backend.getCommandResult(e.engagementId, ID_1)).toBeNull();
  });

  it('getCommandResult throws for an unknown command or engagement', () => {
    const e = backend.createEngagement();
    expect(() => backend.getCommandResult(e.engagementId, ID_1)).toThrow(`no custom command "${ID_1}"`);
    expect(() => backend.getCommandResult('nowhere', ID_1)).toThrow('no engagement "nowhere"');
  });
});

describe('GET /engagements/{engagement_id}/custom_commands/{command_id} (operator)', () => {
  it('answers the command with seq and result null, then with the reported result', async () => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { properties: {} });
    const command = backend.sendCustomCommand(e.engagementId, { id: ID_1, content: 'Go', properties: { name: 'go' } });
    expect(await view(e, ID_1)).toEqual({ status: 200, body: { ...command, seq: 2, result: null } });
    await report(e, ID_1, { status: 'unhandled' });
    expect(await view(e, ID_1)).toEqual({
      status: 200,
      body: { ...command, seq: 2, result: { command_id: ID_1, status: 'unhandled', error: null, reported_at: REPORTED_AT } },
    });
  });

  it('403 for the visitor, 404 for an unknown command', async () => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { id: ID_1, properties: {} });
    expect(await view(e, ID_1, e.visitorToken)).toEqual({
      status: 403,
      body: {
        message: "You don't have permissions to view a custom command",
        debug_message: "Only the engagement's operator can view a custom command and its result",
      },
    });
    expect((await view(e, ID_2)).status).toBe(404);
  });
});
