import { describe, expect, it } from 'vitest';
import { ConfigurationError, createVisitor, type VisitorOptions } from '../src/index.js';
import { useReferenceServer } from './support/server.js';

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
    ['no options', undefined, 'options', 'createVisitor: expected an options object, got undefined'],
    ['missing baseUrl', { ...valid, baseUrl: undefined }, 'baseUrl', 'createVisitor: option "baseUrl" must be a non-empty string, it is missing'],
    ['non-http baseUrl', { ...valid, baseUrl: 'ftp://x' }, 'baseUrl', 'createVisitor: option "baseUrl" must use http or https, got "ftp://x"'],
    ['baseUrl with a query', { ...valid, baseUrl: 'https://x/?a=1' }, 'baseUrl', 'createVisitor: option "baseUrl" must not have a query or fragment, got "https://x/?a=1"'],
    ['missing engagementId', { ...valid, engagementId: undefined }, 'engagementId', 'createVisitor: option "engagementId" must be a non-empty string, it is missing'],
    ['numeric engagementId', { ...valid, engagementId: 7 }, 'engagementId', 'createVisitor: option "engagementId" must be a non-empty string, got number 7'],
    ['missing token', { ...valid, token: undefined }, 'token', 'createVisitor: option "token" must be a string or a function returning one, got undefined'],
    ['empty token', { ...valid, token: '' }, 'token', 'createVisitor: option "token" must be a non-empty string, got ""'],
    ['fetch not a function', { ...valid, fetch: 'fetch' }, 'fetch', 'createVisitor: option "fetch" must be a function, got "fetch"'],
    ['unknown logLevel', { ...valid, logLevel: 'loud' }, 'logLevel', 'createVisitor: option "logLevel" must be one of debug, warn, error, silent, got "loud"'],
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
