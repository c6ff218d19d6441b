import { getResponse, http, HttpHandler, matchRequestUrl, type RequestHandler } from 'msw';
import { errorResponse } from './respond.js';

/**
 * The one handler in front of every endpoint (docs/protocol.md, "Every
 * error, in one format"). It runs the endpoints itself, so that:
 *
 * - no exception escapes a handler: a bug of ours is a 500 in the error
 *   format, with no stack and no file paths (msw would answer its own 500
 *   with the stack), and the server goes on;
 * - a known path asked with a method it does not serve is 405 with `Allow`
 *   (msw would treat it as unhandled);
 * - whoever keeps state (persistence) hears of every request that may have
 *   changed it.
 *
 * A path no endpoint knows stays unhandled, so that msw's
 * `onUnhandledRequest` applies as before.
 */

export const INTERNAL_ERROR = {
  message: 'Internal server error',
  debug_message: 'The reference server failed while handling this request',
};

export interface FrontDeps {
  baseUrl: string;
  /** Tried in order, as msw would: the first response wins. */
  routes: RequestHandler[];
  /** Told of a failure, with the request it failed on (for a log line). */
  onError(error: unknown, request: Request): void;
  /** After every request that is not a GET, answered or not: it may have changed something. */
  onWrite(): void;
}

/** The methods the endpoints serve at this URL (`all` handlers excluded: they serve no path of their own). */
function allowed(routes: RequestHandler[], url: URL): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (!(route instanceof HttpHandler)) continue;
    const { method, path } = route.info;
    if (typeof method !== 'string' || typeof path !== 'string' && !(path instanceof RegExp)) continue;
    if (matchRequestUrl(url, path).matches) methods.add(method.toUpperCase());
  }
  return [...methods].sort();
}

export function frontHandler({ baseUrl, routes, onError, onWrite }: FrontDeps): HttpHandler {
  return http.all(`${baseUrl}/*`, async ({ request }) => {
    try {
      const response = await getResponse(routes, request);
      if (response) return response;
      const allow = allowed(routes, new URL(request.url));
      if (allow.length === 0) return undefined;
      return errorResponse(
        405,
        { message: 'Method not allowed', debug_message: `${request.method} is not served here; this path serves ${allow.join(', ')}` },
        { Allow: allow.join(', ') },
      );
    } catch (error) {
      onError(error, request);
      return errorResponse(500, INTERNAL_ERROR);
    } finally {
      if (request.method !== 'GET') onWrite();
    }
  });
}
