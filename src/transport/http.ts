import { httpErrorFor, NetworkError, type HttpErrorDetails } from '../core/errors.js';
import { MEDIA_TYPE } from '../core/protocol.js';
import type { TokenProvider } from '../core/token.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Path below `baseUrl`, starting with `/`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  keepalive?: boolean;
  signal?: AbortSignal;
}

/** The tiny interface every HTTP caller in the SDK goes through. */
export interface HttpTransport {
  send<T>(request: HttpRequest): Promise<T>;
}

export interface HttpTransportOptions {
  baseUrl: string;
  token: TokenProvider;
  /** Read on every request, so a fetch patched after creation (MSW, tests) is used. */
  getFetch: () => FetchLike;
}

/**
 * Sends one request with the seed's headers and maps failures onto the error
 * hierarchy. The only retry here is the one the token contract asks for: after
 * a 401, a function token is asked once for a fresh token and the request is
 * sent again. Retrying on 5xx/network is a wrapper's job (see the retry policy).
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const attempt = async (request: HttpRequest, token: string): Promise<Response> => {
    const url = options.baseUrl + request.path;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: MEDIA_TYPE,
      ...request.headers,
    };
    const init: RequestInit = { method: request.method, headers };
    if (request.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(request.body);
    }
    if (request.keepalive) init.keepalive = true;
    if (request.signal) init.signal = request.signal;
    // Held in a local so that a global fetch is never called as a method of
    // another object ("Illegal invocation" in browsers).
    const fetchFn = options.getFetch();
    try {
      return await fetchFn(url, init);
    } catch (cause) {
      throw new NetworkError(request.method, url, cause);
    }
  };

  return {
    async send<T>(request: HttpRequest): Promise<T> {
      const token = await options.token.get();
      let response = await attempt(request, token);
      if (response.status === 401) {
        const fresh = await options.token.refresh(token);
        if (fresh !== undefined) {
          // Drain rather than cancel: cancel() on an MSW-mocked body never settles in some environments.
          await response.text().catch(() => undefined);
          response = await attempt(request, fresh);
        }
      }
      if (!response.ok) throw await errorFrom(request, options.baseUrl + request.path, response);
      return (await readJson(response)) as T;
    },
  };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function errorFrom(request: HttpRequest, url: string, response: Response) {
  const body = await readJson(response).catch(() => undefined);
  const details: HttpErrorDetails = { status: response.status, method: request.method, url };
  if (body && typeof body === 'object') {
    const { message, debug_message } = body as Record<string, unknown>;
    if (typeof message === 'string') details.serverMessage = message;
    if (typeof debug_message === 'string' && debug_message !== '') details.debugMessage = debug_message;
  } else if (typeof body === 'string' && body !== '') {
    details.serverMessage = body.slice(0, 200);
  }
  details.serverMessage ??= response.statusText || undefined;
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  if (retryAfter !== undefined) details.retryAfter = retryAfter;
  return httpErrorFor(details);
}

/** Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
