// @vitest-environment node
// The reference server answered with plain HTTP, as the Glia events API curl example sends it.
import { describe, expect, it } from 'vitest';
import { gliaHeaders, storedEvent } from '../support/fixtures.js';
import { useReferenceServer } from '../support/server.js';

const BASE = 'https://api.engagekit.test';
const { backend } = useReferenceServer();


async function post(engagementId: string, headers: Record<string, string>, body: string) {
  const response = await fetch(`${BASE}/engagements/${engagementId}/events`, { method: 'POST', headers, body });
  return { status: response.status, body: await response.json() };
}

describe('POST /engagements/{engagement_id}/events (Glia events API)', () => {
  it('answers the curl example with the documented response shape', async () => {
    const e = backend.createEngagement();
    const { status, body } = await post(
      e.engagementId,
      gliaHeaders(e.visitorToken),
      '{\n\t"message": "Visitor navigated to insurance page"\n}',
    );
    expect(status).toBe(200);
    expect(body).toEqual(storedEvent(e, 'Visitor navigated to insurance page'));
    expect(backend.getEvents(e.engagementId)).toEqual([body]);
  });

  const MISSING = {
    message: 'Authorization information missing',
    debug_message: "Authorization header must have format 'token_type token' where token_type is SessionId or AuthToken",
  };
  const INVALID = { message: 'Invalid token', debug_message: 'Authorization header must contain a valid token' };

  it.each([
    ['no Authorization header', undefined],
    ['a header with no token type', 'just-a-token'],
    ['another token type', 'Basic dXNlcjpwYXNz'],
    ['Bearer with no token', 'Bearer '],
  ])('401 Authorization information missing: %s', async (_label, authorization) => {
    const e = backend.createEngagement();
    const headers: Record<string, string> = { ...gliaHeaders(e.visitorToken) };
    if (authorization === undefined) delete headers.Authorization;
    else headers.Authorization = authorization;
    expect(await post(e.engagementId, headers, '{"message":"x"}')).toEqual({ status: 401, body: MISSING });
  });

  it('401 Invalid token for an unknown Bearer token', async () => {
    const e = backend.createEngagement();
    expect(await post(e.engagementId, gliaHeaders('nope'), '{"message":"x"}')).toEqual({ status: 401, body: INVALID });
  });

  it('403 with the seed message when the sender is not a visitor', async () => {
    const e = backend.createEngagement();
    expect(await post(e.engagementId, gliaHeaders(e.operatorToken), '{"message":"x"}')).toEqual({
      status: 403,
      body: { message: "You don't have permissions to send a event message", debug_message: '' },
    });
    expect(backend.getEvents(e.engagementId)).toEqual([]);
  });

  it('404 for an unknown engagement', async () => {
    const e = backend.createEngagement();
    expect(await post('unknown', gliaHeaders(e.visitorToken), '{"message":"x"}')).toEqual({
      status: 404,
      body: { message: 'Engagement not found', debug_message: "No engagement with id 'unknown'" },
    });
  });

  it.each([
    ['not JSON', '{"message": ', 'Request body is not valid JSON'],
    ['a JSON array', '["x"]', 'Request body must be a JSON object'],
    ['no message', '{}', "Parameter 'message' is required and must be a non-empty string"],
    ['a number message', '{"message": 5}', "Parameter 'message' is required and must be a non-empty string"],
    ['an empty message', '{"message": ""}', "Parameter 'message' is required and must be a non-empty string"],
  ])('400 for a body that is %s', async (_label, body, message) => {
    const e = backend.createEngagement();
    const response = await post(e.engagementId, gliaHeaders(e.visitorToken), body);
    expect(response.status).toBe(400);
    expect(response.body.message).toBe(message);
    expect(typeof response.body.debug_message).toBe('string');
    expect(backend.getEvents(e.engagementId)).toEqual([]);
  });

  it('415 for a body that is not sent as JSON (extension)', async () => {
    const e = backend.createEngagement();
    const response = await post(e.engagementId, { ...gliaHeaders(e.visitorToken), 'Content-Type': 'text/plain' }, '{"message":"x"}');
    expect(response).toEqual({
      status: 415,
      body: { message: 'Unsupported content type', debug_message: "Content-Type must be application/json, got 'text/plain'" },
    });
  });

  it('406 for an Accept header that excludes v1 (extension); */* is fine', async () => {
    const e = backend.createEngagement();
    const v2 = await post(e.engagementId, { ...gliaHeaders(e.visitorToken), Accept: 'application/vnd.salemove.v2+json' }, '{"message":"x"}');
    expect(v2).toEqual({
      status: 406,
      body: { message: 'Unsupported API version', debug_message: 'Accept header must be application/vnd.salemove.v1+json' },
    });
    const any = await post(e.engagementId, { ...gliaHeaders(e.visitorToken), Accept: '*/*' }, '{"message":"x"}');
    expect(any.status).toBe(200);
  });
});
