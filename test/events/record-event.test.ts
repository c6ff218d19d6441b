import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createVisitor,
  ForbiddenError,
  InvalidArgumentError,
  InvalidRequestError,
  isEngageKitError,
  UnauthorizedError,
  type EngagementEvent,
} from '../../src/index.js';
import { storedEvent } from '../support/fixtures.js';
import { useReferenceServer } from '../support/server.js';

const BASE = 'https://api.engagekit.test';
const { backend, requests } = useReferenceServer();

/**
 * The refusals below are provoked on purpose: the SDK warns of each on the
 * console, as it would in a page, and the tests check the errors themselves.
 * Printed, those lines would read as failures of a passing run.
 */
const expectRefusalLogs = () => beforeEach(() => void vi.spyOn(console, 'warn').mockImplementation(() => {}));

function visitorFor(token?: Parameters<typeof createVisitor>[0]['token']) {
  const e = backend.createEngagement();
  const visitor = createVisitor({ baseUrl: BASE, connect: false, engagementId: e.engagementId, token: token ?? e.visitorToken });
  return { e, visitor };
}

describe('recordEvent: success (Glia events API)', () => {
  it('POSTs the message with the documented headers and resolves with the event object', async () => {
    const { e, visitor } = visitorFor();
    const event = await visitor.recordEvent('Visitor navigated to insurance page');

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(`${BASE}/engagements/${e.engagementId}/events`);
    expect(request!.headers).toMatchObject({
      authorization: `Bearer ${e.visitorToken}`,
      accept: 'application/vnd.salemove.v1+json',
      'content-type': 'application/json',
    });
    await vi.waitFor(() => expect(JSON.parse(request!.body)).toEqual({ message: 'Visitor navigated to insurance page' }));

    expect(event).toEqual(storedEvent(e, 'Visitor navigated to insurance page'));
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('stores events on the backend in the order they were recorded', async () => {
    const { e, visitor } = visitorFor();
    const first = await visitor.recordEvent('one');
    const second = await visitor.recordEvent('two');
    expect(backend.getEvents(e.engagementId)).toEqual([first, second]);
  });

  it('emits event:recorded with the event, and a throwing listener does not break the call', async () => {
    const { visitor } = visitorFor();
    const seen: EngagementEvent[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    visitor.on('event:recorded', () => {
      throw new Error('listener bug');
    });
    visitor.on('event:recorded', ({ event }) => seen.push(event));
    const event = await visitor.recordEvent('clicked buy');
    expect(seen).toEqual([event]);
    expect(error).toHaveBeenCalledWith('[EngageKit]', 'a listener of "event:recorded" threw', expect.any(Error));
  });

  it('off() removes a listener', async () => {
    const { visitor } = visitorFor();
    const listener = vi.fn();
    visitor.on('event:recorded', listener);
    visitor.off('event:recorded', listener);
    await visitor.recordEvent('x');
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('recordEvent: failures carry the seed messages', () => {
  expectRefusalLogs();
  it('401 Invalid token for an unknown token, with code, status and both messages', async () => {
    const { visitor } = visitorFor('not-a-token');
    const error = await visitor.recordEvent('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({
      name: 'UnauthorizedError',
      code: 'ERR_UNAUTHORIZED',
      status: 401,
      serverMessage: 'Invalid token',
      debugMessage: 'Authorization header must contain a valid token',
    });
  });

  it('403 for an operator token, with the seed message', async () => {
    const e = backend.createEngagement();
    const visitor = createVisitor({ baseUrl: BASE, connect: false, engagementId: e.engagementId, token: e.operatorToken });
    const error = await visitor.recordEvent('x').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({
      code: 'ERR_FORBIDDEN',
      status: 403,
      serverMessage: "You don't have permissions to send a event message",
      debugMessage: undefined,
    });
    expect(backend.getEvents(e.engagementId)).toEqual([]);
  });

  it('403 for a visitor token of another engagement', async () => {
    const a = backend.createEngagement();
    const b = backend.createEngagement();
    const visitor = createVisitor({ baseUrl: BASE, connect: false, engagementId: b.engagementId, token: a.visitorToken });
    await expect(visitor.recordEvent('x')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('404 for an unknown engagement is an InvalidRequestError', async () => {
    const e = backend.createEngagement();
    const visitor = createVisitor({ baseUrl: BASE, connect: false, engagementId: 'no-such-engagement', token: e.visitorToken });
    const error = await visitor.recordEvent('x').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_REQUEST', status: 404, serverMessage: 'Engagement not found' });
  });

  it('a 5xx and a failed connection are retried until the server accepts: nothing lost, nothing doubled', async () => {
    const { e } = visitorFor();
    let calls = 0;
    const failing = createVisitor({
      connect: false,
      baseUrl: BASE,
      engagementId: e.engagementId,
      token: e.visitorToken,
      queue: { backoff: { initialDelay: 1, maxDelay: 5 } },
      // The platform is injected: a flaky network in front of the real reference server.
      fetch: async (url, init) => {
        calls++;
        if (calls === 1) return new Response('upstream timed out', { status: 502, statusText: 'Bad Gateway' });
        if (calls === 2) throw new TypeError('Failed to fetch');
        return fetch(url, init);
      },
    });
    const failed = vi.fn();
    failing.on('event:failed', failed);
    const event = await failing.recordEvent('x');
    expect(calls).toBe(3);
    expect(failed).not.toHaveBeenCalled();
    expect(backend.getEvents(e.engagementId)).toEqual([event]);
  });

  it('a final refusal (4xx) rejects with its error and emits event:failed; the next event still goes', async () => {
    const e = backend.createEngagement();
    const visitor = createVisitor({ baseUrl: BASE, connect: false, engagementId: e.engagementId, token: e.operatorToken });
    const failed = vi.fn();
    visitor.on('event:failed', failed);
    const error = await visitor.recordEvent('x').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(failed).toHaveBeenCalledWith({ message: 'x', id: expect.any(String), error });
  });

  it('errors are recognised by the guard, also across bundle copies (by name)', async () => {
    const { visitor } = visitorFor('bad');
    const error = await visitor.recordEvent('x').catch((e: unknown) => e);
    expect(isEngageKitError(error)).toBe(true);
    expect(isEngageKitError(error, 'ERR_UNAUTHORIZED')).toBe(true);
    expect(isEngageKitError(error, 'ERR_FORBIDDEN')).toBe(false);
    const foreign = Object.assign(new Error('x'), { name: 'UnauthorizedError', code: 'ERR_UNAUTHORIZED' });
    expect(isEngageKitError(foreign, 'ERR_UNAUTHORIZED')).toBe(true);
    expect(isEngageKitError(new Error('plain'))).toBe(false);
    expect(isEngageKitError({ name: 'UnauthorizedError', code: 'ERR_UNAUTHORIZED' })).toBe(false);
  });
});

describe('token refresh', () => {
  expectRefusalLogs();
  it('calls a token function again once after a 401 and resends with the fresh token', async () => {
    const e = backend.createEngagement();
    const tokens = ['expired-token', e.visitorToken];
    const token = vi.fn(async () => tokens.shift()!);
    const visitor = createVisitor({ baseUrl: BASE, connect: false, engagementId: e.engagementId, token });
    const event = await visitor.recordEvent('after refresh');
    expect(event.content).toBe('after refresh');
    expect(token).toHaveBeenCalledTimes(2);
    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer expired-token', `Bearer ${e.visitorToken}`]);
    // The fresh token is kept: the next call does not ask again.
    await visitor.recordEvent('again');
    expect(token).toHaveBeenCalledTimes(2);
  });

  it('gives up after one refresh when the fresh token is refused too', async () => {
    const e = backend.createEngagement();
    const token = vi.fn(() => 'always-bad');
    const visitor = createVisitor({ baseUrl: BASE, connect: false, engagementId: e.engagementId, token });
    await expect(visitor.recordEvent('x')).rejects.toBeInstanceOf(UnauthorizedError);
    expect(token).toHaveBeenCalledTimes(2);
    expect(requests).toHaveLength(2);
  });

  it('does not retry a plain string token', async () => {
    const { visitor } = visitorFor('bad-string');
    await expect(visitor.recordEvent('x')).rejects.toBeInstanceOf(UnauthorizedError);
    expect(requests).toHaveLength(1);
  });

  it('concurrent 401s share one refresh', async () => {
    const e = backend.createEngagement();
    let calls = 0;
    const token = async () => (calls++ === 0 ? 'stale' : e.visitorToken);
    const visitor = createVisitor({ baseUrl: BASE, connect: false, engagementId: e.engagementId, token });
    await Promise.all([visitor.recordEvent('a'), visitor.recordEvent('b'), visitor.recordEvent('c')]);
    expect(calls).toBe(2);
    expect(backend.getEvents(e.engagementId)).toHaveLength(3);
  });

  it('a token function that returns no string is a configuration error naming "token"', async () => {
    const e = backend.createEngagement();
    const visitor = createVisitor({ baseUrl: BASE, connect: false, engagementId: e.engagementId, token: () => undefined as unknown as string });
    await expect(visitor.recordEvent('x')).rejects.toMatchObject({
      name: 'ConfigurationError',
      option: 'token',
      message: 'createVisitor: option "token" returned undefined, not a non-empty string',
    });
    expect(requests).toHaveLength(0);
  });
});

describe('recordEvent: bad input is refused before any request', () => {
  it.each([
    ['an empty string', '', '""'],
    ['blank space', '   ', '"   "'],
    ['a number', 42, 'number 42'],
    ['null', null, 'null'],
    ['an object', { message: 'x' }, 'an object'],
  ])('%s', async (_label, input, shown) => {
    const { visitor } = visitorFor();
    const error = await visitor.recordEvent(input as string).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'message' });
    expect((error as Error).message).toBe(`recordEvent: message must be a non-empty string, got ${shown}`);
    expect(requests).toHaveLength(0);
  });

  it('after close(), recordEvent rejects with ClosedError and sends nothing', async () => {
    const { visitor } = visitorFor();
    visitor.close();
    await expect(visitor.recordEvent('x')).rejects.toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
    expect(requests).toHaveLength(0);
  });
});
