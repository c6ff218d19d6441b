// @vitest-environment node
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, InvalidArgumentError, InvalidRequestError, ServerError } from '../src/index.js';
import { createOperator } from '../src/operator/index.js';
import { useReferenceServer } from './support/server.js';

const { backend, server, requests } = useReferenceServer();

function operatorFor(options: Partial<Parameters<typeof createOperator>[0]> = {}) {
  const e = backend.createEngagement();
  const operator = createOperator({ baseUrl: backend.baseUrl, token: e.operatorToken, backoff: { initialDelay: 1, maxDelay: 5 }, ...options });
  return { e, operator };
}

describe('createOperator().sendCustomCommand (seed 000)', () => {
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

  it('configuration errors name the option', () => {
    expect(() => createOperator({ baseUrl: 'nope:', token: 't' })).toThrow(expect.objectContaining({ option: 'baseUrl' }));
    expect(() => createOperator({ baseUrl: 'https://x', token: 7 as never })).toThrow(expect.objectContaining({ option: 'token' }));
    expect(() => createOperator({ baseUrl: 'https://x', token: 't', retries: -1 })).toThrow(expect.objectContaining({ option: 'retries' }));
  });
});
