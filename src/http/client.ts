import { httpErrorFor, NetworkError } from '../shared/errors.js';
import { MEDIA_TYPE } from '../protocol/wire.js';
import { tokenFailure, type TokenProvider } from './token.js';

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
export interface HttpClient {
  send<T>(request: HttpRequest): Promise<T>;
}

export interface HttpClientOptions {
  baseUrl: string;
  token: TokenProvider;
  /** Read on every request, so a fetch patched after creation (MSW, tests) is used. */
  getFetch: () => FetchLike;
}

/** A body as JSON, as text when it is not JSON, `undefined` when empty. */
const read = (response: Response): Promise<unknown> =>
  response.text().then((text) => {
    try {
      return JSON.parse(text);
    } catch {
      return text || undefined;
    }
  });

/**
 * Sends one request with the documented headers and maps failures onto the error
 * hierarchy. The only retry here is the one the token contract asks for: after
 * a 401, a function token is asked once for a fresh token and the request is
 * sent again. Retrying on 5xx/network is a wrapper's job (see the retry policy).
 */
export function createHttpClient({ baseUrl, token, getFetch }: HttpClientOptions): HttpClient {
  return {
    async send<T>(request: HttpRequest): Promise<T> {
      const { method, body } = request;
      const url = baseUrl + request.path;
      const attempt = async (bearer: string) => {
        try {
          // getFetch()(...) calls the fetch as a plain function, never as a method
          // of another object ("Illegal invocation" in browsers). fetch ignores `path`.
          return await getFetch()(url, {
            ...request,
            headers: {
              Authorization: `Bearer ${bearer}`,
              Accept: MEDIA_TYPE,
              ...(body !== undefined && { 'Content-Type': 'application/json' }),
              ...request.headers,
            },
            // undefined for no body
            body: JSON.stringify(body),
          });
        } catch (cause) {
          throw new NetworkError(method, url, cause);
        }
      };
      const tokenOr = <R>(pending: Promise<R>) => pending.catch((error: unknown) => Promise.reject(tokenFailure(error, method, url)));
      const first = await tokenOr(token.get());
      let response = await attempt(first);
      let fresh: string | undefined;
      if (response.status === 401 && (fresh = await tokenOr(token.refresh(first))) !== undefined) {
        // Drain rather than cancel: cancel() on an MSW-mocked body never settles in some environments.
        await response.text().catch(() => {});
        response = await attempt(fresh);
      }
      // A body cut off mid-read is a lost connection, not a refusal: retryable
      // (a resent request carries the same idempotency key).
      if (response.ok) return read(response).catch((cause) => { throw new NetworkError(method, url, cause, 'lost its response body'); }) as Promise<T>;
      const said = await read(response).catch(() => {});
      const { message, debug_message } = ((typeof said === 'object' && said) || {}) as Record<string, unknown>;
      throw httpErrorFor({
        status: response.status,
        method,
        url,
        serverMessage:
          typeof message === 'string'
            ? message
            : (typeof said === 'string' && said.slice(0, 200)) || response.statusText || undefined,
        debugMessage: (typeof debug_message === 'string' && debug_message) || undefined,
        retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
      });
    },
  };
}

/** Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value?.trim()) return;
  const seconds = isFinite(+value) ? +value : (Date.parse(value) - now) / 1000;
  return isNaN(seconds) ? undefined : Math.max(0, seconds);
}
