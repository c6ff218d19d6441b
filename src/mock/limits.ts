import { http, type HttpHandler } from 'msw';
import type { ErrorBody } from '../protocol/wire.js';
import { SIGNATURE_HEADER, verifySignature } from '../protocol/signature.js';
import { BEARER, errorResponse } from './respond.js';
import type { Store } from './store.js';

/**
 * What every endpoint checks before its own checks (Engage Digital's Send API):
 * the body's size, and, when the server has an operator secret, the
 * signature of an operator's body. One handler in front of the others, which
 * answers only to refuse; otherwise the request goes on untouched.
 */

/** Engage Digital: "The request body exceeds the limit of 20 megabytes". */
export const MAX_BODY_BYTES = 20_971_520;

export const TOO_LARGE_MESSAGE = `Invalid request size (max: ${MAX_BODY_BYTES} bytes)`;
export const INVALID_SIGNATURE_MESSAGE = 'Invalid signature';

const tooLarge = (what: string): ErrorBody => ({
  message: TOO_LARGE_MESSAGE,
  debug_message: `${what} is over the limit of 20 MB; send less data per request`,
});

export function limitsHandler(baseUrl: string, store: Store, secret: string | undefined): HttpHandler {
  return http.all(`${baseUrl}/*`, async ({ request }) => {
    // The declared length first: a body that says it is too big is not read at all.
    const declared = Number(request.headers.get('Content-Length') ?? 0);
    if (declared > MAX_BODY_BYTES) return errorResponse(413, tooLarge(`Content-Length ${declared}`));
    if (request.body === null) return undefined;
    // A clone: the endpoint behind reads the body again.
    const bytes = new Uint8Array(await request.clone().arrayBuffer());
    if (bytes.byteLength > MAX_BODY_BYTES) return errorResponse(413, tooLarge(`The body of ${bytes.byteLength} bytes`));

    const token = BEARER.exec(request.headers.get('Authorization') ?? '')?.[1];
    const operator = token !== undefined && store.tokens.get(token)?.role === 'operator';
    if (secret === undefined || !operator || bytes.byteLength === 0) return undefined;
    const signature = request.headers.get(SIGNATURE_HEADER);
    if (signature !== null && (await verifySignature(secret, new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes), signature.trim()))) return undefined;
    return errorResponse(422, {
      message: INVALID_SIGNATURE_MESSAGE,
      debug_message:
        signature === null
          ? `Header ${SIGNATURE_HEADER} is missing: send the hex HMAC-SHA512 of the raw body, keyed with the operator secret`
          : `Header ${SIGNATURE_HEADER} is not the hex HMAC-SHA512 of this body with the operator secret`,
    });
  });
}
