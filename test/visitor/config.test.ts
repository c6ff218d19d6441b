import { describe, expect, it } from 'vitest';
import { ConfigurationError, createVisitor, type VisitorOptions } from '../../src/index.js';
import { useReferenceServer } from '../support/server.js';

const { backend, requests } = useReferenceServer({ baseUrl: 'https://shop.example/api' });

const valid: VisitorOptions = { baseUrl: 'https://api.example.com', engagementId: 'e1', token: 't', connect: false };

function configError(options: unknown): ConfigurationError {
  try {
    createVisitor(options as VisitorOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('createVisitor did not throw');
}

describe('createVisitor: configuration errors name the option', () => {
  it.each([
    ['no options', undefined, 'options', 'createVisitor: option "options" must be an object, got undefined'],
    ['missing baseUrl', { ...valid, baseUrl: undefined }, 'baseUrl', 'createVisitor: option "baseUrl" must be a non-empty string, got undefined'],
    ['non-http baseUrl', { ...valid, baseUrl: 'ftp://x' }, 'baseUrl', 'createVisitor: option "baseUrl" must be an http(s) URL or path, without query or fragment, got "ftp://x"'],
    ['baseUrl with a query', { ...valid, baseUrl: 'https://x/?a=1' }, 'baseUrl', 'createVisitor: option "baseUrl" must be an http(s) URL or path, without query or fragment, got "https://x/?a=1"'],
    ['baseUrl with a fragment', { ...valid, baseUrl: 'https://x/#top' }, 'baseUrl', 'createVisitor: option "baseUrl" must be an http(s) URL or path, without query or fragment, got "https://x/#top"'],
    ['missing engagementId', { ...valid, engagementId: undefined }, 'engagementId', 'createVisitor: option "engagementId" must be a non-empty string, got undefined'],
    ['numeric engagementId', { ...valid, engagementId: 7 }, 'engagementId', 'createVisitor: option "engagementId" must be a non-empty string, got number 7'],
    ['missing token', { ...valid, token: undefined }, 'token', 'createVisitor: option "token" must be a non-empty string or a function, got undefined'],
    ['empty token', { ...valid, token: '' }, 'token', 'createVisitor: option "token" must be a non-empty string or a function, got ""'],
    ['fetch not a function', { ...valid, fetch: 'fetch' }, 'fetch', 'createVisitor: option "fetch" must be a function, got "fetch"'],
    ['unknown logLevel', { ...valid, logLevel: 'loud' }, 'logLevel', 'createVisitor: option "logLevel" must be one of debug, warn, error, silent, got "loud"'],
    ['a handler not a function', { ...valid, handlers: { wave: 1 } }, 'handlers.wave', 'createVisitor: option "handlers.wave" must be a function, got number 1'],
    ['blank commandName', { ...valid, commandName: ' ' }, 'commandName', 'createVisitor: option "commandName" must be a non-empty string or a function, got " "'],
    ['connect not a boolean', { ...valid, connect: 'yes' }, 'connect', 'createVisitor: option "connect" must be a boolean, got "yes"'],
    ['storage without removeItem', { ...valid, storage: { getItem() {}, setItem() {} } }, 'storage', 'createVisitor: option "storage" must be an object with methods getItem, setItem, removeItem, got an object'],
    ['locks without request', { ...valid, locks: {} }, 'locks', 'createVisitor: option "locks" must be an object with methods request, got an object'],
    ['logger not an object', { ...valid, logger: 'console' }, 'logger', 'createVisitor: option "logger" must be an object, got "console"'],
    ['unknown tabs', { ...valid, tabs: 'all' }, 'tabs', 'createVisitor: option "tabs" must be one of one, each, got "all"'],
    ['queue not an object', { ...valid, queue: 5 }, 'queue', 'createVisitor: option "queue" must be an object, got number 5'],
    ['fractional queue.limit', { ...valid, queue: { limit: 1.5 } }, 'queue.limit', 'createVisitor: option "queue.limit" must be a positive integer, got number 1.5'],
    ['unknown queue.overflow', { ...valid, queue: { overflow: 'drop' } }, 'queue.overflow', 'createVisitor: option "queue.overflow" must be one of drop-oldest, reject-new, got "drop"'],
    ['zero queue.backoff.factor', { ...valid, queue: { backoff: { factor: 0 } } }, 'queue.backoff.factor', 'createVisitor: option "queue.backoff.factor" must be a positive number, got number 0'],
    ['zero dedupeLimit', { ...valid, dedupeLimit: 0 }, 'dedupeLimit', 'createVisitor: option "dedupeLimit" must be a positive integer, got number 0'],
    ['unknown realtime.transport', { ...valid, realtime: { transport: 'sse' } }, 'realtime.transport', 'createVisitor: option "realtime.transport" must be one of auto, websocket, polling, got "sse"'],
    ['infinite realtime.pollInterval', { ...valid, realtime: { pollInterval: Infinity } }, 'realtime.pollInterval', 'createVisitor: option "realtime.pollInterval" must be a positive number, got number Infinity'],
    ['realtime.backoff.jitter above 1', { ...valid, realtime: { backoff: { jitter: 2 } } }, 'realtime.backoff.jitter', 'createVisitor: option "realtime.backoff.jitter" must be a number from 0 to 1, got number 2'],
    ['http realtimeUrl', { ...valid, realtimeUrl: 'https://x/stream' }, 'realtimeUrl', 'createVisitor: option "realtimeUrl" must be a ws(s) URL, got "https://x/stream"'],
    ['transcript not an object', { ...valid, transcript: 'short' }, 'transcript', 'createVisitor: option "transcript" must be an object, got "short"'],
  ])('%s', (_label, options, option, message) => {
    const error = configError(options);
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'ERR_CONFIGURATION', option, message });
  });

  it('resolves a path-only baseUrl against the page and trims the trailing slash', async () => {
    // happy-dom's page location is about:blank unless set; give it one.
    (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL('https://shop.example/products/1');
    // The reference server answers on the page's origin, as a same-origin deployment would.
    const e = backend.createEngagement();
    const visitor = createVisitor({ ...valid, baseUrl: '/api/', engagementId: e.engagementId, token: e.visitorToken });
    await visitor.recordEvent('hello');
    expect(requests.map((r) => r.url)).toEqual([`https://shop.example/api/engagements/${e.engagementId}/events`]);
    expect(backend.getEvents(e.engagementId)).toHaveLength(1);
  });

  it('encodes the engagement id in the path', async () => {
    const e = backend.createEngagement({ engagementId: 'a/b?c' });
    const visitor = createVisitor({ ...valid, baseUrl: 'https://shop.example/api', engagementId: 'a/b?c', token: e.visitorToken });
    await visitor.recordEvent('hello');
    expect(requests.map((r) => r.url)).toEqual(['https://shop.example/api/engagements/a%2Fb%3Fc/events']);
    expect(backend.getEvents('a/b?c')).toHaveLength(1);
  });
});
