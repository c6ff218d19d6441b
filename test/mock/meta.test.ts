// @vitest-environment node
// POST /engagements/{id}/meta (extension for ChatShipper's /set), answered with plain HTTP.
import { describe, expect, it } from 'vitest';
import type { EngagementCredentials } from '../../src/mock.js';
import { gliaHeaders } from '../support/fixtures.js';
import { useReferenceServer } from '../support/server.js';

const { backend } = useReferenceServer();

async function post(e: EngagementCredentials, body: unknown, token = e.operatorToken) {
  const response = await fetch(`${backend.baseUrl}/engagements/${e.engagementId}/meta`, {
    method: 'POST',
    headers: gliaHeaders(token),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('POST /engagements/{id}/meta', () => {
  it('merges meta key by key and sets properties; answers the whole state', async () => {
    const e = backend.createEngagement();
    expect(await post(e, { meta: { engagement: 'low', keep: 1 } })).toEqual({ status: 200, body: { meta: { engagement: 'low', keep: 1 }, properties: {} } });
    expect(await post(e, { meta: { engagement: { level: 'high' } }, properties: { name: 'Account Review', category: 0 } })).toEqual({
      status: 200,
      body: { meta: { engagement: { level: 'high' }, keep: 1 }, properties: { name: 'Account Review', category: 0 } },
    });
    expect(await post(e, { properties: { category: 'Used Car', touchpoint: 'sms', language: 'de' } })).toMatchObject({
      body: { properties: { name: 'Account Review', category: 'Used Car', touchpoint: 'sms', language: 'de' } },
    });
    expect(backend.getMeta(e.engagementId).meta).toEqual({ engagement: { level: 'high' }, keep: 1 });
  });

  it('"__proto__" is a metadata key like any other', async () => {
    const e = backend.createEngagement();
    const answer = await post(e, '{"meta": {"__proto__": {"polluted": true}}}');
    expect(answer.status).toBe(200);
    expect(Object.keys(backend.getMeta(e.engagementId).meta)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is the operator\'s: a visitor token gets 403, no token 401', async () => {
    const e = backend.createEngagement();
    expect(await post(e, { meta: { a: 1 } }, e.visitorToken)).toEqual({
      status: 403,
      body: {
        message: "You don't have permissions to change the engagement's metadata",
        debug_message: "Only the engagement's operator can change its metadata and properties",
      },
    });
    const response = await fetch(`${backend.baseUrl}/engagements/${e.engagementId}/meta`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(backend.getMeta(e.engagementId)).toEqual({ meta: {}, properties: {} });
  });

  it.each([
    ['neither meta nor properties', { other: 1 }, "Request body must have 'meta' or 'properties'"],
    ['meta an array', { meta: [1] }, "Parameter 'meta' must be a JSON object"],
    ['properties a string', { properties: 'x' }, "Parameter 'properties' must be a JSON object"],
    ['an unknown property', { properties: { colour: 'red' } }, "Property 'colour' is not an engagement property (name, category, touchpoint, language)"],
    ['an empty name', { properties: { name: ' ' } }, "Property 'name' must be a non-empty string"],
    ['a negative category', { properties: { category: -1 } }, "Property 'category' must be a non-empty string (a name) or a non-negative integer (the index of its slot)"],
    ['an unknown touchpoint', { properties: { touchpoint: 'fax' } }, "Property 'touchpoint' must be one of web, email, sms, facebook"],
    ['a language in capitals', { properties: { language: 'DE' } }, "Property 'language' must be a two-letter lowercase language code such as de"],
  ])('400 for %s, and nothing changes', async (_label, body, message) => {
    const e = backend.createEngagement();
    const answer = await post(e, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ message, debug_message: expect.any(String) });
    expect(backend.getMeta(e.engagementId)).toEqual({ meta: {}, properties: {} });
  });

  it('backend.setMeta validates and merges alike, in process', () => {
    const e = backend.createEngagement();
    expect(backend.setMeta(e.engagementId, { meta: { a: 1 } })).toEqual({ meta: { a: 1 }, properties: {} });
    expect(() => backend.setMeta(e.engagementId, { properties: { language: 'deu' } })).toThrow(
      "Property 'language' must be a two-letter lowercase language code such as de",
    );
  });
});

describe('the polling page carries the state', () => {
  it('as "meta" once there is any; absent before', async () => {
    const e = backend.createEngagement();
    const poll = async () =>
      (await fetch(`${backend.baseUrl}/engagements/${e.engagementId}/custom_commands`, { headers: gliaHeaders(e.visitorToken) })).json();
    expect(await poll()).toEqual({ commands: [], last_seq: 0 });
    backend.setMeta(e.engagementId, { properties: { touchpoint: 'web' } });
    expect(await poll()).toEqual({ commands: [], last_seq: 0, meta: { meta: {}, properties: { touchpoint: 'web' } } });
  });
});
