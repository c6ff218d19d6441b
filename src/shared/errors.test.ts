import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  ConfigurationError,
  EngageKitError,
  ForbiddenError,
  httpErrorFor,
  InvalidArgumentError,
  InvalidRequestError,
  isEngageKitError,
  isHttpError,
  NetworkError,
  QueueFullError,
  RetryLaterError,
  ServerError,
  UnauthorizedError,
} from './errors.js';

const details = { status: 503, method: 'POST', url: '/engagements/e1/events' };

describe('errors', () => {
  it('every class has its literal name and stable code', () => {
    const cases: Array<[Error, string, string]> = [
      [new EngageKitError('ERR_SERVER', 'm'), 'EngageKitError', 'ERR_SERVER'],
      [new ConfigurationError('baseUrl', 'm'), 'ConfigurationError', 'ERR_CONFIGURATION'],
      [new InvalidArgumentError('message', 'm'), 'InvalidArgumentError', 'ERR_INVALID_ARGUMENT'],
      [new UnauthorizedError(details), 'UnauthorizedError', 'ERR_UNAUTHORIZED'],
      [new ForbiddenError(details), 'ForbiddenError', 'ERR_FORBIDDEN'],
      [new InvalidRequestError(details), 'InvalidRequestError', 'ERR_INVALID_REQUEST'],
      [new ServerError(details), 'ServerError', 'ERR_SERVER'],
      [new NetworkError('GET', '/x', new TypeError('Failed to fetch')), 'NetworkError', 'ERR_NETWORK'],
      [new ClosedError('recordEvent'), 'ClosedError', 'ERR_CLOSED'],
      [new QueueFullError(3, 'reject-new'), 'QueueFullError', 'ERR_QUEUE_FULL'],
    ];
    for (const [error, name, code] of cases) {
      expect(error).toBeInstanceOf(EngageKitError);
      expect(error).toMatchObject({ name, code });
      expect(isEngageKitError(error)).toBe(true);
    }
  });

  it('messages say what failed and where', () => {
    expect(new ServerError({ ...details, serverMessage: 'down', debugMessage: 'db' }).message).toBe(
      'POST /engagements/e1/events failed with 503: down (db)',
    );
    expect(new ServerError(details).message).toBe('POST /engagements/e1/events failed with 503: no message');
    expect(new NetworkError('GET', '/x', new TypeError('Failed to fetch')).message).toBe('GET /x got no response: Failed to fetch');
    expect(new NetworkError('POST', '/x', new Error('down'), 'was not sent: the token function failed').message).toBe('POST /x was not sent: the token function failed: down');
    expect(new QueueFullError(3, 'reject-new').message).toMatch(/recordEvent: .*3 events.*new one was dropped.*reject-new/);
    expect(new QueueFullError(3, 'drop-oldest').message).toMatch(/oldest one was dropped/);
  });

  it('HTTP errors carry every response field, undefined when absent', () => {
    const error = httpErrorFor({ ...details, status: 429, retryAfter: 2 });
    expect(error).toBeInstanceOf(RetryLaterError);
    expect({ ...error }).toMatchObject({ status: 429, method: 'POST', url: details.url, retryAfter: 2, retryable: true });
    for (const status of [408, 425]) expect(httpErrorFor({ ...details, status })).toMatchObject({ name: 'RetryLaterError', code: 'ERR_RETRY_LATER', retryable: true });
    expect(httpErrorFor({ ...details, status: 400 })).toMatchObject({ name: 'InvalidRequestError', retryable: false });
    expect(httpErrorFor(details)).toMatchObject({ name: 'ServerError', retryable: true });
    expect('serverMessage' in error && 'debugMessage' in error).toBe(true);
    expect(httpErrorFor({ ...details, status: 401 })).toBeInstanceOf(UnauthorizedError);
    expect(httpErrorFor({ ...details, status: 403 })).toBeInstanceOf(ForbiddenError);
    expect(httpErrorFor(details)).toBeInstanceOf(ServerError);
    expect(isHttpError(httpErrorFor(details))).toBe(true);
    expect(isHttpError(new ClosedError('x'))).toBe(false);
  });

  it('recognises another copy only when name and code agree', () => {
    const foreign = (name: string, code: string) => Object.assign(new Error('x'), { name, code });
    expect(isEngageKitError(foreign('QueueFullError', 'ERR_QUEUE_FULL'), 'ERR_QUEUE_FULL')).toBe(true);
    expect(isEngageKitError(foreign('QueueFullError', 'ERR_SERVER'))).toBe(false);
    expect(isEngageKitError(foreign('Error', 'ERR_'))).toBe(false);
    expect(isEngageKitError(foreign('TypeError', 'ECONNRESET'))).toBe(false);
  });
});
