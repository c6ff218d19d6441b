// @vitest-environment node
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError, ForbiddenError, InvalidArgumentError, InvalidRequestError, NetworkError, ServerError, UnauthorizedError } from '../../src/index.js';
import { createOperator } from '../../src/operator.js';
import { useReferenceServer } from '../support/server.js';

const { backend, server, requests } = useReferenceServer();

function operatorFor(options: Partial<Parameters<typeof createOperator>[0]> = {}) {
  const e = backend.createEngagement();
  const operator = createOperator({ baseUrl: backend.baseUrl, token: e.operatorToken, backoff: { initialDelay: 1, maxDelay: 5 }, ...options });
  return { e, operator };
}

describe('createOperator().sendCustomCommand (Glia custom commands)', () => {
  it('PUTs with the seed headers, a generated UUID v4, and resolves with the seed response', async () => {
    const { e, operator } = operatorFor();
    const command = await operator.sendCustomCommand({
      engagementId: e.engagementId,
      content: 'My custom command triggered',
      properties: { key: 'value' },
    });
    expect(command).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      engagement_id: e.engagementId,
      sub_engagement_id: e.subEngagementId,
      content: 'My custom command triggered',
      properties: { key: 'value' },
    });
    expect(requests[0]).toMatchObject({
      method: 'PUT',
      url: `${backend.baseUrl}/engagements/${e.engagementId}/custom_commands/${command.id}`,
      headers: expect.objectContaining({
        authorization: `Bearer ${e.operatorToken}`,
        accept: 'application/vnd.salemove.v1+json',
        'content-type': 'application/json',
      }),
    });
    expect(backend.getCommands(e.engagementId)).toHaveLength(1);
  });

  it('is safe to retry with the same id: one stored command', async () => {
    const { e, operator } = operatorFor();
    const id = crypto.randomUUID();
    const first = await operator.sendCustomCommand({ engagementId: e.engagementId, id, properties: { name: 'x' } });
    const again = await operator.sendCustomCommand({ engagementId: e.engagementId, id, properties: { name: 'x' } });
    expect(again).toEqual(first);
    expect(backend.getCommands(e.engagementId)).toHaveLength(1);
  });

  it('retries a 503 and a lost connection with the same id, then succeeds', async () => {
    const { e, operator } = operatorFor();
    let failures = 0;
    server.use(
      // Two injected failures; after them the resolver returns nothing and the reference handler answers.
      http.put(`${backend.baseUrl}/engagements/:id/custom_commands/:cid`, () => {
        failures++;
        if (failures === 1) return HttpResponse.json({ message: 'busy', debug_message: '' }, { status: 503 });
        if (failures === 2) return HttpResponse.error();
        return undefined;
      }),
    );
    const command = await operator.sendCustomCommand({ engagementId: e.engagementId, properties: { name: 'x' } });
    expect(failures).toBe(3);
    const ids = requests.filter((r) => r.method === 'PUT').map((r) => r.url.split('/').at(-1));
    expect(ids).toHaveLength(3);
    expect(new Set(ids)).toEqual(new Set([command.id]));
  });

  it('gives up after `retries` and rejects with the last error', async () => {
    const { e, operator } = operatorFor({ retries: 1 });
    server.use(http.put(`${backend.baseUrl}/engagements/:id/custom_commands/:cid`, () => HttpResponse.json({ message: 'down', debug_message: '' }, { status: 500 })));
    await expect(operator.sendCustomCommand({ engagementId: e.engagementId, properties: {} })).rejects.toBeInstanceOf(ServerError);
    expect(requests).toHaveLength(2);
  });

  it('does not retry a refusal: 403 for a visitor token, 409 for a reused id', async () => {
    const e = backend.createEngagement();
    const asVisitor = createOperator({ baseUrl: backend.baseUrl, token: e.visitorToken });
    const error = await asVisitor.sendCustomCommand({ engagementId: e.engagementId, properties: {} }).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ serverMessage: "You don't have permissions to send a custom command" });
    expect(requests).toHaveLength(1);

    const operator = createOperator({ baseUrl: backend.baseUrl, token: e.operatorToken });
    const id = crypto.randomUUID();
    await operator.sendCustomCommand({ engagementId: e.engagementId, id, properties: { a: 1 } });
    const conflict = await operator.sendCustomCommand({ engagementId: e.engagementId, id, properties: { a: 2 } }).catch((x: unknown) => x);
    expect(conflict).toBeInstanceOf(InvalidRequestError);
    expect(conflict).toMatchObject({ status: 409, serverMessage: 'Custom command ID already used' });
  });

  it.each([
    ['properties an array', { properties: [] }, 'properties', 'sendCustomCommand: properties must be a JSON object, got an array'],
    ['properties null', { properties: null }, 'properties', 'sendCustomCommand: properties must be a JSON object, got null'],
    ['content a number', { properties: {}, content: 5 }, 'content', 'sendCustomCommand: content must be a string, got number 5'],
    ['a non-v4 id', { properties: {}, id: 'abc' }, 'id', 'sendCustomCommand: id must be a version-4 UUID, got "abc"'],
    ['no engagementId', { properties: {}, engagementId: '' }, 'engagementId', 'sendCustomCommand: engagementId must be a non-empty string, got ""'],
  ])('refuses %s before any request', async (_label, input, argument, message) => {
    const { e, operator } = operatorFor();
    const error = await operator
      .sendCustomCommand({ engagementId: e.engagementId, ...(input as object) } as never)
      .catch((x: unknown) => x);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument, message });
    expect(requests).toHaveLength(0);
  });

  it('getCustomCommand returns the command with its seq and the result once reported', async () => {
    const { e, operator } = operatorFor();
    const command = await operator.sendCustomCommand({ engagementId: e.engagementId, properties: { name: 'x' } });
    expect(await operator.getCustomCommand(e.engagementId, command.id)).toEqual({ ...command, seq: 1, result: null });
    await fetch(`${backend.baseUrl}/engagements/${e.engagementId}/custom_commands/${command.id}/result`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${e.visitorToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'failed', error: 'no such element' }),
    });
    expect(await operator.getCustomCommand(e.engagementId, command.id)).toMatchObject({
      result: { command_id: command.id, status: 'failed', error: 'no such element' },
    });
  });

  it('waits what a 429 Retry-After says instead of the backoff', async () => {
    // A backoff of a minute would time the test out: the header's 0 s is what is waited.
    const { e, operator } = operatorFor({ backoff: { initialDelay: 60_000, maxDelay: 60_000 } });
    let calls = 0;
    server.use(
      http.put(`${backend.baseUrl}/engagements/:id/custom_commands/:cid`, () =>
        calls++ ? undefined : HttpResponse.json({ message: 'slow down', debug_message: '' }, { status: 429, headers: { 'Retry-After': '0' } }),
      ),
    );
    await operator.sendCustomCommand({ engagementId: e.engagementId, properties: { name: 'x' } });
    expect(calls).toBe(2);
  });

  it('rejects with a NetworkError when no response comes, after its retries', async () => {
    const { e, operator } = operatorFor({ retries: 0 });
    server.use(http.put(`${backend.baseUrl}/engagements/:id/custom_commands/:cid`, () => HttpResponse.error()));
    const error = await operator.sendCustomCommand({ engagementId: e.engagementId, properties: {} }).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ method: 'PUT', message: expect.stringMatching(/^PUT http\S+ got no response: /) });
  });

  it('a secret where WebCrypto is missing (a plain http page) is refused by createOperator, before any request', () => {
    vi.stubGlobal('crypto', {});
    try {
      expect(() => createOperator({ baseUrl: backend.baseUrl, token: 't', secret: 's3cret' })).toThrow(
        expect.objectContaining({ name: 'ConfigurationError', option: 'secret', message: expect.stringContaining('needs WebCrypto (crypto.subtle)') }),
      );
      expect(() => createOperator({ baseUrl: backend.baseUrl, token: 't' })).not.toThrow();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(requests).toHaveLength(0);
  });

  it('configuration errors name the option', () => {
    expect(() => createOperator({ baseUrl: 'nope:', token: 't' })).toThrow(expect.objectContaining({ option: 'baseUrl' }));
    expect(() => createOperator({ baseUrl: 'https://x', token: 7 as never })).toThrow(expect.objectContaining({ option: 'token' }));
    expect(() => createOperator({ baseUrl: 'https://x', token: 't', retries: -1 })).toThrow(expect.objectContaining({ option: 'retries' }));
  });

  it.each([
    ['no options', undefined, 'baseUrl', 'createOperator: option "baseUrl" must be a non-empty string, got undefined'],
    ['a baseUrl with a query', { baseUrl: 'https://x/api?a=1', token: 't' }, 'baseUrl', 'createOperator: option "baseUrl" must be an http(s) URL or path, without query or fragment, got "https://x/api?a=1"'],
    ['an empty baseUrl', { baseUrl: ' ', token: 't' }, 'baseUrl', 'createOperator: option "baseUrl" must be a non-empty string, got " "'],
    ['an empty token', { baseUrl: 'https://x', token: '' }, 'token', 'createOperator: option "token" must be a non-empty string or a function, got ""'],
    ['a fractional retries', { baseUrl: 'https://x', token: 't', retries: 1.5 }, 'retries', 'createOperator: option "retries" must be a non-negative integer, got number 1.5'],
    ['a fetch that is no function', { baseUrl: 'https://x', token: 't', fetch: 'fetch' }, 'fetch', 'createOperator: option "fetch" must be a function, got "fetch"'],
  ])('refuses %s with a ConfigurationError saying where and what', (_label, options, option, message) => {
    const error = (() => {
      try {
        createOperator(options as never);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option, message });
  });

  it('takes the base URL without its trailing slashes', async () => {
    const e = backend.createEngagement();
    const operator = createOperator({ baseUrl: `${backend.baseUrl}//`, token: e.operatorToken });
    await operator.getTyping(e.engagementId);
    expect(requests[0]!.url).toBe(`${backend.baseUrl}/engagements/${e.engagementId}/typing`);
  });

  it('refuses bad arguments of the other methods before any request, saying where and what', async () => {
    const { e, operator } = operatorFor();
    await expect(operator.setMeta('', { meta: {} })).rejects.toThrow('setMeta: engagementId must be a non-empty string, got ""');
    await expect(operator.setMeta(e.engagementId, [] as never)).rejects.toThrow('setMeta: change must be an object, got an array');
    await expect(operator.typing(e.engagementId, 'go' as never)).rejects.toThrow("typing: action must be 'start' or 'stop', got \"go\"");
    await expect(operator.typing(e.engagementId, 'start', 5 as never)).rejects.toThrow('typing: preview must be a string, got number 5');
    await expect(operator.getTyping(7 as never)).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'engagementId' });
    expect(requests).toHaveLength(0);
  });
});

describe('createOperator: token refresh', () => {
  it('calls a token function again once after a 401, resends with the fresh token, and keeps it', async () => {
    const e = backend.createEngagement();
    const tokens = ['expired-token', e.operatorToken];
    const token = vi.fn(async () => tokens.shift()!);
    const operator = createOperator({ baseUrl: backend.baseUrl, token });
    await operator.sendCustomCommand({ engagementId: e.engagementId, properties: { name: 'x' } });
    expect(token).toHaveBeenCalledTimes(2);
    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer expired-token', `Bearer ${e.operatorToken}`]);
    await operator.getTyping(e.engagementId);
    expect(token).toHaveBeenCalledTimes(2);
  });

  it('gives up after one refresh when the fresh token is refused too; a plain string is not refreshed', async () => {
    const e = backend.createEngagement();
    const token = vi.fn(() => 'always-bad');
    await expect(createOperator({ baseUrl: backend.baseUrl, token }).getTyping(e.engagementId)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(token).toHaveBeenCalledTimes(2);
    expect(requests).toHaveLength(2);
    requests.length = 0;
    await expect(createOperator({ baseUrl: backend.baseUrl, token: 'bad-string' }).getTyping(e.engagementId)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(requests).toHaveLength(1);
  });

  it('concurrent 401s share one refresh', async () => {
    const e = backend.createEngagement();
    let calls = 0;
    const token = async () => (calls++ === 0 ? 'stale' : e.operatorToken);
    const operator = createOperator({ baseUrl: backend.baseUrl, token });
    await Promise.all(['a', 'b', 'c'].map((n) => operator.sendCustomCommand({ engagementId: e.engagementId, properties: { n } })));
    expect(calls).toBe(2);
    expect(backend.getCommands(e.engagementId)).toHaveLength(3);
  });

  it('a failed token call is not kept: the next request calls again', async () => {
    const e = backend.createEngagement();
    const token = vi.fn().mockRejectedValueOnce(new Error('vault down')).mockResolvedValue(e.operatorToken);
    const operator = createOperator({ baseUrl: backend.baseUrl, token });
    await expect(operator.getTyping(e.engagementId)).rejects.toThrow('vault down');
    await expect(operator.getTyping(e.engagementId)).resolves.toMatchObject({ visitor: { active: false } });
    expect(token).toHaveBeenCalledTimes(2);
  });

  it('a token function that returns no string is a configuration error naming "token"', async () => {
    const e = backend.createEngagement();
    const operator = createOperator({ baseUrl: backend.baseUrl, token: () => undefined as unknown as string });
    await expect(operator.getTyping(e.engagementId)).rejects.toMatchObject({
      name: 'ConfigurationError',
      option: 'token',
      message: 'createOperator: option "token" returned undefined, not a non-empty string',
    });
    expect(requests).toHaveLength(0);
  });
});
