// @vitest-environment node
// POST /engagements/{id}/typing (Engage Digital's typing.start / typing.stop), answered with plain HTTP.
import { describe, expect, it } from 'vitest';
import { createOperator } from '../../src/operator.js';
import { TYPING_TOO_MANY, type EngagementCredentials } from '../../src/mock.js';
import { gliaHeaders } from '../support/fixtures.js';
import { useReferenceServer } from '../support/server.js';

let clock = Date.UTC(2024, 1, 20, 22, 0);
const { backend } = useReferenceServer({ now: () => clock });

async function typing(e: EngagementCredentials, body: unknown, token = e.visitorToken) {
  const response = await fetch(`${backend.baseUrl}/engagements/${e.engagementId}/typing`, {
    method: 'POST',
    headers: gliaHeaders(token),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('Retry-After'), body: response.ok ? text : JSON.parse(text) };
}

const START = { action: 'typing.start', params: { preview: 'Hello world' } };

describe('POST /engagements/{id}/typing', () => {
  it('Engage Digital: answers 200 "ok"; the visitor\'s typing is the operator\'s to read, and runs out 10 s after the last start', async () => {
    const e = backend.createEngagement();
    expect(await typing(e, START)).toEqual({ status: 200, retryAfter: null, body: 'ok' });
    const read = await fetch(`${backend.baseUrl}/engagements/${e.engagementId}/typing`, { headers: gliaHeaders(e.operatorToken) });
    expect(await read.json()).toEqual({ visitor: { active: true, preview: 'Hello world' }, operator: { active: false } });
    clock += 9_999;
    expect(backend.getTyping(e.engagementId).visitor.active).toBe(true);
    clock += 1;
    expect(backend.getTyping(e.engagementId).visitor).toEqual({ active: false });
    await typing(e, { action: 'typing.start', params: {} });
    expect(backend.getTyping(e.engagementId).visitor).toEqual({ active: true });
    await typing(e, { action: 'typing.stop', params: { thread_id: '42' } });
    expect(backend.getTyping(e.engagementId).visitor).toEqual({ active: false });
  });

  it('cuts a preview beyond 1,000 characters, by code point', async () => {
    const e = backend.createEngagement();
    await typing(e, { action: 'typing.start', params: { preview: '😀'.repeat(1_200) } });
    expect(Array.from(backend.getTyping(e.engagementId).visitor.preview!)).toHaveLength(1_000);
  });

  it('limits each sender to 10 typing requests per 10 s: then 429 with the seed\'s message and Retry-After', async () => {
    const e = backend.createEngagement();
    for (let i = 0; i < 10; i++) {
      expect((await typing(e, i % 2 ? { action: 'typing.stop', params: {} } : START)).status).toBe(200);
      clock += 500;
    }
    // The first request was 5 s ago: 5 s until the window has room again.
    const refused = await typing(e, START);
    expect(refused).toEqual({
      status: 429,
      retryAfter: '5',
      body: { message: TYPING_TOO_MANY, debug_message: 'At most 10 typing requests per 10 s per sender; retry in 5 s' },
    });
    expect(TYPING_TOO_MANY).toBe('too many typing requests, please try again in a few seconds');
    // Per sender: the operator is not held up by the visitor.
    expect((await typing(e, START, e.operatorToken)).status).toBe(200);
    clock += 5_000;
    expect((await typing(e, START)).status).toBe(200);
  });

  it('the operator client rejects a 429 with a RetryLaterError carrying retryAfter', async () => {
    const e = backend.createEngagement();
    const operator = createOperator({ baseUrl: backend.baseUrl, token: e.operatorToken });
    for (let i = 0; i < 10; i++) await (i % 2 ? operator.typing.stop(e.engagementId) : operator.typing.start(e.engagementId));
    await expect(operator.typing(e.engagementId, 'start')).rejects.toMatchObject({
      name: 'RetryLaterError',
      retryable: true,
      status: 429,
      retryAfter: 10,
      serverMessage: TYPING_TOO_MANY,
    });
  });

  it.each([
    ['no params', { action: 'typing.start' }, 400, 'Invalid request format'],
    ['params an array', { action: 'typing.start', params: [] }, 400, 'Invalid request format'],
    ['no action', { params: {} }, 400, 'Invalid request format'],
    ['another action', { action: 'messages.create', params: {} }, 422, 'Invalid action'],
    ['a preview that is no string', { action: 'typing.start', params: { preview: 5 } }, 422, 'Invalid resource format'],
  ])('%s: %i %s', async (_label, body, status, message) => {
    const e = backend.createEngagement();
    const answer = await typing(e, body);
    expect(answer).toMatchObject({ status, body: { message, debug_message: expect.any(String) } });
    expect(backend.getTyping(e.engagementId).visitor).toEqual({ active: false });
  });

  it("403 for another engagement's token; reading typing is the operator's", async () => {
    const e = backend.createEngagement();
    const other = backend.createEngagement();
    expect(await typing(e, START, other.visitorToken)).toMatchObject({
      status: 403,
      body: { message: "You don't have permissions to send typing indicators" },
    });
    const read = await fetch(`${backend.baseUrl}/engagements/${e.engagementId}/typing`, { headers: gliaHeaders(e.visitorToken) });
    expect(read.status).toBe(403);
    expect(await read.json()).toEqual({
      message: "You don't have permissions to read typing indicators",
      debug_message: "Only the engagement's operator can read the visitor's typing",
    });
  });
});
