import type { IncomingMessage, ServerResponse } from 'node:http';
import { getResponse, type RequestHandler } from 'msw';
import { MAX_BODY_BYTES } from '../mock/limits.js';
import { errorResponse } from '../mock/respond.js';
import { INTERNAL_ERROR } from '../mock/front.js';

/**
 * The local server's HTTP carrier: a `node:http` request becomes a fetch
 * `Request`, msw's `getResponse` runs the same handlers a page runs, and the
 * `Response` is written back, with CORS so that a page on any origin (a dev
 * server on another port, a static file) can call it.
 */

/** What a page may send cross-origin: the headers the SDK and the operator client set. */
export const CORS_ALLOW_HEADERS = 'Authorization, Content-Type, Accept, Idempotency-Key, X-SMCCSDK-SIGNATURE';
export const CORS_ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';

/** On every answer: no cookies are used (tokens go in `Authorization`), so any origin may read it. */
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Retry-After, Allow',
};

export interface HttpCarrierDeps {
  /** `http://host:port`: the request URL is built on it, so that msw matches whatever Host the client used. */
  baseUrl: string;
  handlers: RequestHandler[];
  /** One line per answered request (`--log`). */
  log?: (line: string) => void;
  /** A failure of the carrier itself (answered 500). */
  onError: (error: unknown) => void;
}

/** Reads the body, keeping at most one byte past the limit: the 413 check needs to know it is over, not by how much. */
function readBody(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > MAX_BODY_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

async function write(res: ServerResponse, response: Response, head: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = { ...CORS_HEADERS };
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = head || response.body === null ? undefined : Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, response.statusText || undefined, headers);
  res.end(body);
}

export function httpCarrier({ baseUrl, handlers, log, onError }: HttpCarrierDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.url ?? '/';
    try {
      if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
        // The preflight of a cross-origin request with our headers.
        res.writeHead(204, {
          ...CORS_HEADERS,
          'Access-Control-Allow-Methods': CORS_ALLOW_METHODS,
          'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
          'Access-Control-Max-Age': '600',
          // Chrome's Private Network Access: a public page may call this server on the loopback.
          ...(req.headers['access-control-request-private-network'] === 'true' && { 'Access-Control-Allow-Private-Network': 'true' }),
          Vary: 'Origin',
        });
        res.end();
        log?.(`${method} ${path} 204 (preflight)`);
        return;
      }
      // A client that goes away releases what its request holds (a held poll).
      const abort = new AbortController();
      res.on('close', () => res.writableFinished || abort.abort());
      const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
      const request = new Request(new URL(path, baseUrl), {
        method,
        headers: headersOf(req),
        body: body && body.byteLength > 0 ? body : undefined,
        signal: abort.signal,
      });
      const response =
        (await getResponse(handlers, request)) ??
        errorResponse(404, { message: 'Not found', debug_message: `No endpoint at ${method} ${new URL(path, baseUrl).pathname}` });
      if (abort.signal.aborted) return;
      if (response.type === 'error') {
        // An injected network failure (faults 'network', 'lost-response'): the connection drops, no answer.
        res.destroy();
        log?.(`${method} ${path} dropped (injected network failure)`);
        return;
      }
      await write(res, response, method === 'HEAD');
      log?.(`${method} ${path} ${response.status} ${Date.now() - started} ms`);
    } catch (error) {
      // The handlers answer their own failures (src/mock/front.ts); this is the carrier's own.
      onError(error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      await write(res, errorResponse(500, INTERNAL_ERROR), false).catch(() => res.destroy());
    }
  };
}
