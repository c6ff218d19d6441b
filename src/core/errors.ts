/**
 * One small error hierarchy. Every error has a literal `name` and a stable
 * `code`, so callers can branch on either without parsing messages; the type
 * guards also check `name` so they keep working across bundle copies (a page
 * that loads the script tag and an npm build has two `EngageKitError` classes).
 */

export type ErrorCode =
  | 'ERR_CONFIGURATION'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_INVALID_REQUEST'
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
  | 'ServerError'
  | 'NetworkError'
  | 'ClosedError'
  | 'QueueFullError';

const NAMES: ReadonlySet<string> = new Set<ErrorName>([
  'EngageKitError',
  'ConfigurationError',
  'InvalidArgumentError',
  'UnauthorizedError',
  'ForbiddenError',
  'InvalidRequestError',
  'ServerError',
  'NetworkError',
  'ClosedError',
  'QueueFullError',
]);

export class EngageKitError extends Error {
  override name: ErrorName = 'EngageKitError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message);
    this.code = code;
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** A `createVisitor` / `createOperator` option is missing or malformed. */
export class ConfigurationError extends EngageKitError {
  override name = 'ConfigurationError' as const;
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
  override name = 'InvalidArgumentError' as const;
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
  serverMessage?: string;
  /** The server's `debug_message`, when its body had one. */
  debugMessage?: string;
  /** Seconds from a `Retry-After` header, when the server sent one. */
  retryAfter?: number;
}

/** Base of the errors that carry an HTTP response. */
export class HttpError extends EngageKitError {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly serverMessage: string | undefined;
  readonly debugMessage: string | undefined;
  readonly retryAfter: number | undefined;
  constructor(code: ErrorCode, details: HttpErrorDetails) {
    const said = details.serverMessage ?? 'no message';
    const debug = details.debugMessage ? ` (${details.debugMessage})` : '';
    super(code, `${details.method} ${details.url} failed with ${details.status}: ${said}${debug}`);
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.serverMessage = details.serverMessage;
    this.debugMessage = details.debugMessage;
    this.retryAfter = details.retryAfter;
  }
}

/** 401: the token is missing, malformed or unknown (after one refresh, if `token` is a function). */
export class UnauthorizedError extends HttpError {
  override name = 'UnauthorizedError' as const;
  declare readonly code: 'ERR_UNAUTHORIZED';
  constructor(details: HttpErrorDetails) {
    super('ERR_UNAUTHORIZED', details);
  }
}

/** 403: the token is valid but may not do this (for example an operator token recording a visitor event). */
export class ForbiddenError extends HttpError {
  override name = 'ForbiddenError' as const;
  declare readonly code: 'ERR_FORBIDDEN';
  constructor(details: HttpErrorDetails) {
    super('ERR_FORBIDDEN', details);
  }
}

/** Any other 4xx: the request itself was refused; sending it again will not help. */
export class InvalidRequestError extends HttpError {
  override name = 'InvalidRequestError' as const;
  declare readonly code: 'ERR_INVALID_REQUEST';
  constructor(details: HttpErrorDetails) {
    super('ERR_INVALID_REQUEST', details);
  }
}

/** 5xx: the server failed. */
export class ServerError extends HttpError {
  override name = 'ServerError' as const;
  declare readonly code: 'ERR_SERVER';
  constructor(details: HttpErrorDetails) {
    super('ERR_SERVER', details);
  }
}

/** The request never got a response: offline, DNS, CORS, aborted. */
export class NetworkError extends EngageKitError {
  override name = 'NetworkError' as const;
  declare readonly code: 'ERR_NETWORK';
  readonly method: string;
  readonly url: string;
  constructor(method: string, url: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('ERR_NETWORK', `${method} ${url} got no response: ${why}`, { cause });
    this.method = method;
    this.url = url;
  }
}

/** The visitor was closed; the call was not made. */
export class ClosedError extends EngageKitError {
  override name = 'ClosedError' as const;
  declare readonly code: 'ERR_CLOSED';
  constructor(what: string) {
    super('ERR_CLOSED', `${what}: the visitor is closed`);
  }
}

/** The event queue was full and this event gave way (see the `queue` option); an `event:dropped` was emitted. */
export class QueueFullError extends EngageKitError {
  override name = 'QueueFullError' as const;
  declare readonly code: 'ERR_QUEUE_FULL';
  constructor(limit: number, policy: string) {
    super('ERR_QUEUE_FULL', `recordEvent: the event queue holds ${limit} events already; the ${policy === 'reject-new' ? 'new' : 'oldest'} event was dropped (queue.overflow: '${policy}')`);
  }
}

/**
 * True for any EngageKit error, also one thrown by another copy of the SDK.
 * With `code`, true only for errors of that code.
 */
export function isEngageKitError(value: unknown, code?: ErrorCode): value is EngageKitError {
  const ours =
    value instanceof EngageKitError ||
    (value instanceof Error &&
      NAMES.has(value.name) &&
      typeof (value as { code?: unknown }).code === 'string');
  return ours && (code === undefined || (value as EngageKitError).code === code);
}

/** True for an error that carries an HTTP response (`status`, `serverMessage`, ...). */
export function isHttpError(value: unknown): value is HttpError {
  return isEngageKitError(value) && typeof (value as { status?: unknown }).status === 'number';
}

/** Maps a failed response to the error of its class. */
export function httpErrorFor(details: HttpErrorDetails): HttpError {
  const { status } = details;
  if (status === 401) return new UnauthorizedError(details);
  if (status === 403) return new ForbiddenError(details);
  if (status >= 500) return new ServerError(details);
  return new InvalidRequestError(details);
}

/** Describes a value for an error message: its type, and the value itself when short. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    return value.length > 40 ? `a string of length ${value.length}` : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
