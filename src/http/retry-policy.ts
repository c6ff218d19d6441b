/**
 * The retry policy: pure functions of an error and an attempt number. The
 * sender (./sender.ts) is the one loop that applies them.
 */
import { isEngageKitError, isHttpError, type HttpError } from '../shared/errors.js';

/** Capped exponential backoff with jitter. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  initialDelay: number;
  /** No delay is ever longer than this, in ms. */
  maxDelay: number;
  /** Growth per attempt. */
  factor: number;
  /**
   * Share of the delay that is random, 0 to 1: with 0.5 a delay of 1000 ms
   * becomes 500 to 1000 ms. Spreads out many clients reconnecting at once.
   */
  jitter: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): the
 * exponential delay capped at `maxDelay`, minus up to `jitter` of it.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  return Math.round(
    Math.min(options.maxDelay, options.initialDelay * options.factor ** Math.max(0, attempt - 1)) * (1 - options.jitter * random()),
  );
}

/**
 * How long to wait before sending a failed request again, or `undefined` when
 * it must not be sent again. Network errors and the retryable statuses
 * (`HttpError.retryable`: 408, 425, 429, 500, 502, 503, 504) are retried with backoff. A `Retry-After` on 429/503
 * (the two statuses RFC 9110 §10.2.3 gives it a meaning for) replaces the
 * backoff, even when longer than `maxDelay` (the server knows when it will
 * take us back), but never more than `maxRetryAfter` (default 10 minutes) so
 * that a bogus header cannot park us for a day.
 */
export function retryDelay(
  error: unknown,
  attempt: number,
  options: BackoffOptions & { maxRetryAfter?: number },
  random: () => number = Math.random,
): number | undefined {
  if (isHttpError(error) ? !error.retryable : !isEngageKitError(error, 'ERR_NETWORK')) return;
  // A NetworkError has neither field: backoff.
  const { status, retryAfter } = error as HttpError;
  return (status === 429 || status === 503) && retryAfter !== undefined
    ? Math.min(retryAfter * 1000, options.maxRetryAfter ?? 6e5)
    : backoffDelay(attempt, options, random);
}
