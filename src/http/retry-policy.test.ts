// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { InvalidRequestError, NetworkError, ServerError, UnauthorizedError } from '../shared/errors.js';
import { RETRYABLE_STATUSES } from '../shared/errors.js';
import { backoffDelay, retryDelay } from './retry-policy.js';

const options = { initialDelay: 1000, maxDelay: 30_000, factor: 2, jitter: 0.5 };
const http = (status: number, retryAfter?: number) => {
  const details = { status, method: 'POST', url: 'https://x/y', retryAfter };
  if (status === 401) return new UnauthorizedError(details);
  return status >= 500 ? new ServerError(details) : new InvalidRequestError(details);
};

describe('backoffDelay', () => {
  it('grows exponentially from initialDelay and is capped at maxDelay (no jitter at random()=0)', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 10].map((attempt) => backoffDelay(attempt, options, () => 0));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitter takes off at most its share of the delay', () => {
    expect(backoffDelay(3, options, () => 1)).toBe(2000);
    expect(backoffDelay(3, options, () => 0.5)).toBe(3000);
    const samples = Array.from({ length: 1000 }, () => backoffDelay(3, options));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(4000);
    expect(new Set(samples).size).toBeGreaterThan(100);
  });

  it('treats attempt 0 or below as the first', () => {
    expect(backoffDelay(0, options, () => 0)).toBe(1000);
  });
});

describe('retryDelay', () => {
  it('retries network errors and the retryable statuses with backoff', () => {
    expect(retryDelay(new NetworkError('GET', 'u', new Error('x')), 2, options, () => 0)).toBe(2000);
    for (const status of RETRYABLE_STATUSES) {
      expect(retryDelay(http(status), 1, options, () => 0), String(status)).toBe(1000);
    }
  });

  it('never retries other 4xx, nor non-HTTP errors', () => {
    for (const status of [400, 401, 403, 404, 409, 413, 422]) expect(retryDelay(http(status), 1, options)).toBeUndefined();
    expect(retryDelay(new Error('bug'), 1, options)).toBeUndefined();
    expect(retryDelay('nope', 1, options)).toBeUndefined();
  });

  it('honours Retry-After on 429 and 503, beyond maxDelay but capped at maxRetryAfter', () => {
    expect(retryDelay(http(429, 2), 1, options)).toBe(2000);
    expect(retryDelay(http(503, 120), 1, options)).toBe(120_000);
    expect(retryDelay(http(503, 86_400), 1, { ...options, maxRetryAfter: 60_000 })).toBe(60_000);
    // Retry-After on another status is not the server's instruction for a retry: backoff.
    expect(retryDelay(http(500, 120), 1, options, () => 0)).toBe(1000);
  });
});
