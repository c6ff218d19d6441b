/**
 * One small error hierarchy. Every error has a literal `name` and a stable
 * `code`, so callers can branch on either without parsing messages; the type
 * guards also check `name` so they keep working across bundle copies (a page
 * that loads the script tag and an npm build has two `EngageKitError` classes).
 *
 * The name is derived from the code (`ERR_QUEUE_FULL` → `QueueFullError`), so
 * each class states its code once and a foreign copy's error is recognised by
 * its name and code agreeing, without a list of names in the bundle.
 */

export type ErrorCode =
  | 'ERR_CONFIGURATION'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_INVALID_REQUEST'
  | 'ERR_RETRY_LATER'
  | 'ERR_SERVER'
  | 'ERR_NETWORK'
  | 'ERR_CLOSED'
  | 'ERR_QUEUE_FULL';

export type ErrorName =
  | 'EngageKitError'
  | 'ConfigurationError'
  | 'InvalidArgumentError'
  | 'UnauthorizedError'
  | 'ForbiddenError'
  | 'InvalidRequestError'
  | 'RetryLaterError'
  | 'ServerError'
  | 'NetworkError'
  | 'ClosedError'
  | 'QueueFullError';

/** `ERR_INVALID_ARGUMENT` → `InvalidArgumentError`. */
const nameOf = (code: string): string =>
  code.slice(4).toLowerCase().replace(/(?:^|_)(.)/g, (_, letter: string) => letter.toUpperCase()) + 'Error';

export class EngageKitError extends Error {
  declare name: ErrorName;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    // Error's own `cause` option (ES2022); older engines ignore the argument.
    super(message, options);
    this.code = code;
    this.name = (new.target === EngageKitError ? 'EngageKitError' : nameOf(code)) as ErrorName;
  }
}

/** A `createVisitor` / `createOperator` option is missing or malformed. */
export class ConfigurationError extends EngageKitError {
  declare name: 'ConfigurationError';
  declare readonly code: 'ERR_CONFIGURATION';
  /** The option that was wrong, e.g. `"baseUrl"`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super('ERR_CONFIGURATION', message);
    this.option = option;
  }
}

/** A method was called with an argument it cannot use; no request was made. */
export class InvalidArgumentError extends EngageKitError {
  declare name: 'InvalidArgumentError';
  declare readonly code: 'ERR_INVALID_ARGUMENT';
  /** The argument that was wrong, e.g. `"message"`. */
  readonly argument: string;
  constructor(argument: string, message: string) {
    super('ERR_INVALID_ARGUMENT', message);
    this.argument = argument;
  }
}

export interface HttpErrorDetails {
  status: number;
  method: string;
  url: string;
  /** The server's `message`, when its body had one. */
  serverMessage?: string | undefined;
  /** The server's `debug_message`, when its body had one. */
  debugMessage?: string | undefined;
  /** Seconds from a `Retry-After` header, when the server sent one. */
  retryAfter?: number | undefined;
}

/** Base of the errors that carry an HTTP response. */
export class HttpError extends EngageKitError {
  declare readonly status: number;
  declare readonly method: string;
  declare readonly url: string;
  declare readonly serverMessage: string | undefined;
  declare readonly debugMessage: string | undefined;
  declare readonly retryAfter: number | undefined;
  /**
   * Whether sending the same request again later may succeed: true for 408,
   * 425, 429, 500, 502, 503 and 504 (`RETRYABLE_STATUSES`), which the SDK
   * retries itself (with backoff, or after
   * `retryAfter`); false for a refusal that a resend would only repeat.
   */
  declare readonly retryable: boolean;
  constructor(code: ErrorCode, details: HttpErrorDetails) {
    const { method, url, status, serverMessage, debugMessage } = details;
    super(code, `${method} ${url} failed with ${status}: ${serverMessage ?? 'no message'}${debugMessage ? ` (${debugMessage})` : ''}`);
    // Every field present, undefined when the response did not say.
    Object.assign(this, { serverMessage, debugMessage, retryAfter: undefined }, details, { retryable: RETRYABLE_STATUSES.has(status) });
  }
}

/** 401: the token is missing, malformed or unknown (after one refresh, if `token` is a function). */
export class UnauthorizedError extends HttpError {
  declare name: 'UnauthorizedError';
  declare readonly code: 'ERR_UNAUTHORIZED';
  constructor(details: HttpErrorDetails) {
    super('ERR_UNAUTHORIZED', details);
  }
}

/** 403: the token is valid but may not do this (for example an operator token recording a visitor event). */
export class ForbiddenError extends HttpError {
  declare name: 'ForbiddenError';
  declare readonly code: 'ERR_FORBIDDEN';
  constructor(details: HttpErrorDetails) {
    super('ERR_FORBIDDEN', details);
  }
}

/** Any other 4xx (not 401, 403, 408, 425, 429): the request itself was refused; sending it again will not help. */
export class InvalidRequestError extends HttpError {
  declare name: 'InvalidRequestError';
  declare readonly code: 'ERR_INVALID_REQUEST';
  constructor(details: HttpErrorDetails) {
    super('ERR_INVALID_REQUEST', details);
  }
}

/**
 * 408, 425 or 429: the server asks to be asked again later (timed out, too
 * early, too many requests); `retryAfter` says when, if it did. The SDK
 * retries these itself; a caller sees one only when it gave up.
 */
export class RetryLaterError extends HttpError {
  declare name: 'RetryLaterError';
  declare readonly code: 'ERR_RETRY_LATER';
  constructor(details: HttpErrorDetails) {
    super('ERR_RETRY_LATER', details);
  }
}

/** 5xx: the server failed; `retryable` for 500, 502, 503 and 504 (a 501 or 505 would fail again). */
export class ServerError extends HttpError {
  declare name: 'ServerError';
  declare readonly code: 'ERR_SERVER';
  constructor(details: HttpErrorDetails) {
    super('ERR_SERVER', details);
  }
}

/**
 * The request got no (whole) response, or could not be sent: offline, DNS,
 * CORS, aborted, a body cut off, the token function failing. Retryable.
 */
export class NetworkError extends EngageKitError {
  declare name: 'NetworkError';
  declare readonly code: 'ERR_NETWORK';
  readonly method: string;
  readonly url: string;
  /** `what`: what happened to the request, e.g. "was not sent: the token function failed". */
  constructor(method: string, url: string, cause: unknown, what = 'got no response') {
    super('ERR_NETWORK', `${method} ${url} ${what}: ${(cause as Error)?.message ?? cause}`, { cause });
    this.method = method;
    this.url = url;
  }
}

/** The visitor was closed; the call was not made. */
export class ClosedError extends EngageKitError {
  declare name: 'ClosedError';
  declare readonly code: 'ERR_CLOSED';
  constructor(what: string) {
    super('ERR_CLOSED', `${what}: the visitor is closed`);
  }
}

/** The event queue was full and this event gave way (see the `queue` option); an `event:dropped` was emitted. */
export class QueueFullError extends EngageKitError {
  declare name: 'QueueFullError';
  declare readonly code: 'ERR_QUEUE_FULL';
  constructor(limit: number, policy: string) {
    super('ERR_QUEUE_FULL', `recordEvent: the queue holds ${limit} events; the ${policy === 'reject-new' ? 'new' : 'oldest'} one was dropped (queue.overflow '${policy}')`);
  }
}

/**
 * True for any EngageKit error, also one thrown by another copy of the SDK
 * (recognised by a `name` that matches its `code`). With `code`, true only for
 * errors of that code.
 */
export function isEngageKitError(value: unknown, code?: ErrorCode): value is EngageKitError {
  const own = value as EngageKitError;
  return (
    (value instanceof EngageKitError ||
      (value instanceof Error && /^ERR_./.test(own.code) && own.name === nameOf(own.code))) &&
    (!code || own.code === code)
  );
}

/** True for an error that carries an HTTP response (`status`, `serverMessage`, ...). */
export function isHttpError(value: unknown): value is HttpError {
  return isEngageKitError(value) && typeof (value as HttpError).status === 'number';
}

/**
 * Statuses worth sending again: the request may succeed later unchanged.
 * Every other 4xx is final: resending the same request gets the same answer.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([
  408, // Request Timeout: the server gave up waiting for us
  425, // Too Early: replay-safe later
  429, // Too Many Requests: wait Retry-After
  500, // Internal Server Error: often transient
  502, // Bad Gateway: a proxy lost its upstream
  503, // Service Unavailable: wait Retry-After
  504, // Gateway Timeout
]);

/** Maps a failed response to the error of its class. */
export function httpErrorFor(details: HttpErrorDetails): HttpError {
  const { status } = details;
  const ErrorClass =
    status === 401
      ? UnauthorizedError
      : status === 403
        ? ForbiddenError
        : status >= 500
          ? ServerError
          : RETRYABLE_STATUSES.has(status)
            ? RetryLaterError
            : InvalidRequestError;
  return new ErrorClass(details);
}

/** The message of anything thrown, without ever throwing itself. */
export function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) return error.message || error.name;
    return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    return 'unknown error';
  }
}
