import { ConfigurationError } from '../shared/errors.js';

/**
 * Request signing after Engage Digital's Send API: the hex
 * HMAC-SHA512 of the raw request body, keyed with a shared secret, in one
 * header. WebCrypto only, so it runs in browsers, workers, Node 20+, Deno and
 * edge runtimes alike.
 *
 * The secret signs requests as the operator: it belongs on a server, never in
 * a page a visitor can read.
 */

/** The header that carries the signature (Engage Digital's Send API). */
export const SIGNATURE_HEADER = 'X-SMCCSDK-SIGNATURE';

/**
 * The lowercase hex HMAC-SHA512 of `rawBody`'s UTF-8 bytes, keyed with
 * `secret`'s UTF-8 bytes: what PHP's `hash_hmac('sha512', $body, $secret)`
 * and Ruby's `OpenSSL::HMAC.hexdigest` give. Sign the exact string you send:
 * any re-serialization (key order, spacing, `\/`) changes the signature.
 */
export async function signBody(secret: string, rawBody: string): Promise<string> {
  const k = await key('signBody', secret, 'sign'); // first: it says when there is no crypto.subtle
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', k, encode(rawBody))));
}

/**
 * Whether `signatureHex` is `rawBody`'s signature with `secret`. Upper or
 * lower case hex; anything that is not 128 hex digits is simply false. The
 * comparison is WebCrypto's HMAC verify, which takes the same time wherever
 * the digests differ.
 */
export async function verifySignature(secret: string, rawBody: string, signatureHex: string): Promise<boolean> {
  const k = await key('verifySignature', secret, 'verify');
  const pairs = /^[\da-f]{128}$/i.test(signatureHex) && signatureHex.match(/../g)!;
  return !!pairs && crypto.subtle.verify('HMAC', k, new Uint8Array(pairs.map((pair) => parseInt(pair, 16))), encode(rawBody));
}

/**
 * Throws the `ConfigurationError` for option "secret" when WebCrypto is
 * missing: browsers hide crypto.subtle outside secure contexts (plain http
 * pages). createOperator calls it when configured, so that the first request
 * does not find out.
 */
export function requireWebCrypto(where: string): void {
  if (!globalThis.crypto?.subtle) throw new ConfigurationError('secret', `${where}: signing needs WebCrypto (crypto.subtle), which is missing here`);
}

const encode = (text: string) => new TextEncoder().encode(text);

/** Lowercase hex, two digits a byte. */
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join('');

/**
 * The HMAC key of `secret`. The arguments are not checked again here: both
 * callers validated the secret when configured (createOperator,
 * createMockBackend) and sign or verify a body string.
 */
function key(where: string, secret: string, usage: KeyUsage): Promise<CryptoKey> {
  requireWebCrypto(where);
  return crypto.subtle.importKey('raw', encode(secret), { name: 'HMAC', hash: 'SHA-512' }, false, [usage]);
}
