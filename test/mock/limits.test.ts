// @vitest-environment node
// Engage Digital's request size limit, on every endpoint of the reference server.
import { describe, expect, it } from 'vitest';
import { createVisitor, InvalidRequestError } from '../../src/index.js';
import { createOperator } from '../../src/operator.js';
import { MAX_BODY_BYTES, TOO_LARGE_MESSAGE } from '../../src/mock.js';
import { gliaHeaders } from '../support/fixtures.js';
import { useReferenceServer } from '../support/server.js';

const { backend } = useReferenceServer();
const ID = '4cf0d3fe-8f2f-4aad-8e10-c2ffab8929c6';

/** A JSON object body of exactly `bytes` UTF-8 bytes: `{"message":"xxx…"}`. */
const bodyOf = (bytes: number) => `{"message":"${'x'.repeat(bytes - 14)}"}`;

describe('request bodies over 20 MB', () => {
  it('the limit is Engage Digital\'s: 20,971,520 bytes', () => {
    expect(MAX_BODY_BYTES).toBe(20_971_520);
    expect(TOO_LARGE_MESSAGE).toBe('Invalid request size (max: 20971520 bytes)');
    expect(new TextEncoder().encode(bodyOf(1_000)).length).toBe(1_000);
  });

  it('20 MB + 1 byte is refused with 413 before anything else; exactly 20 MB is accepted', async () => {
    const e = backend.createEngagement();
    const post = (body: string, token = e.visitorToken) =>
      fetch(`${backend.baseUrl}/engagements/${e.engagementId}/events`, { method: 'POST', headers: gliaHeaders(token), body });
    const tooBig = await post(bodyOf(MAX_BODY_BYTES + 1));
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toEqual({
      message: 'Invalid request size (max: 20971520 bytes)',
      debug_message: 'The body of 20971521 bytes is over the limit of 20 MB; send less data per request',
    });
    // Before authentication too: the size is the first thing a server sees.
    expect((await post(bodyOf(MAX_BODY_BYTES + 1), 'unknown-token')).status).toBe(413);
    expect(backend.getEvents(e.engagementId)).toEqual([]);

    const atLimit = await post(bodyOf(MAX_BODY_BYTES));
    expect(atLimit.status).toBe(200);
    expect(backend.getEvents(e.engagementId)).toHaveLength(1);
  }, 30_000);

  it('counts bytes, not characters: 2-byte characters reach the limit at half the length', async () => {
    const e = backend.createEngagement();
    const body = `{"message":"${'é'.repeat(MAX_BODY_BYTES / 2)}"}`;
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    const response = await fetch(`${backend.baseUrl}/engagements/${e.engagementId}/events`, { method: 'POST', headers: gliaHeaders(e.visitorToken), body });
    expect(response.status).toBe(413);
  }, 30_000);

  it('a Content-Length over the limit is refused without reading the body', async () => {
    const e = backend.createEngagement();
    const request = new Request(`${backend.baseUrl}/engagements/${e.engagementId}/events`, {
      method: 'POST',
      headers: { ...gliaHeaders(e.visitorToken), 'Content-Length': String(MAX_BODY_BYTES + 1) },
      body: '{"message":"small"}',
    });
    // A client that declares a length too big is told so at once (fetch in Node keeps a Content-Length set by hand).
    expect(request.headers.get('Content-Length')).toBe(String(MAX_BODY_BYTES + 1));
    const response = await fetch(request);
    expect(response.status).toBe(413);
    expect((await response.json()).debug_message).toBe(`Content-Length ${MAX_BODY_BYTES + 1} is over the limit of 20 MB; send less data per request`);
  });

  it('on every endpoint that takes a body, from the visitor and the operator alike', async () => {
    const e = backend.createEngagement();
    backend.sendCustomCommand(e.engagementId, { id: ID, properties: {} });
    const big = bodyOf(MAX_BODY_BYTES + 1);
    const base = `${backend.baseUrl}/engagements/${e.engagementId}`;
    const calls: Array<[string, string, string]> = [
      ['PUT', `${base}/custom_commands/${crypto.randomUUID()}`, e.operatorToken],
      ['POST', `${base}/custom_commands/${ID}/result`, e.visitorToken],
      ['POST', `${base}/custom_commands/${ID}/read`, e.visitorToken],
      ['POST', `${base}/meta`, e.operatorToken],
      ['POST', `${base}/typing`, e.visitorToken],
      ['POST', `${base}/events`, e.visitorToken],
    ];
    for (const [method, url, token] of calls) {
      const response = await fetch(url, { method, headers: gliaHeaders(token), body: big });
      expect([method, url, response.status]).toEqual([method, url, 413]);
      expect((await response.json()).message).toBe(TOO_LARGE_MESSAGE);
    }
    expect(backend.getCommands(e.engagementId)).toHaveLength(1);
    expect(backend.getCommandResult(e.engagementId, ID)).toBeNull();
  }, 60_000);

  it('the SDK and the operator client reject with an InvalidRequestError 413 carrying the server\'s message', async () => {
    const e = backend.createEngagement();
    const visitor = createVisitor({ baseUrl: backend.baseUrl, engagementId: e.engagementId, token: e.visitorToken, connect: false, logLevel: 'silent' });
    const error = await visitor.recordEvent('x'.repeat(MAX_BODY_BYTES)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 413, serverMessage: TOO_LARGE_MESSAGE });
    visitor.close();

    const operator = createOperator({ baseUrl: backend.baseUrl, token: e.operatorToken });
    await expect(operator.setMeta(e.engagementId, { meta: { blob: 'x'.repeat(MAX_BODY_BYTES) } })).rejects.toMatchObject({
      name: 'InvalidRequestError',
      status: 413,
      serverMessage: TOO_LARGE_MESSAGE,
    });
  }, 30_000);
});
