import { ConfigurationError } from './errors.js';
import { toHex } from './uuid.js';

/**
 * Request signing after seed 004 (Engage Digital's Send API): the hex
 * HMAC-SHA512 of the raw request body, keyed with a shared secret, in one
 * header. WebCrypto only, so it runs in browsers, workers, Node 20+, Deno and
 * edge runtimes alike.
 *
 * The secret signs requests as the operator: it belongs on a server, never in
 * a page a visitor can read.
 */

/** The header that carries the signature (seed 004). */
export const SIGNATURE_HEADER = 'X-SMCCSDK-SIGNATURE';

/**
 * The lowercase hex HMAC-SHA512 of `rawBody`'s UTF-8 bytes, keyed with
 * `secret`'s UTF-8 bytes: what PHP's `hash_hmac('sha512', $body, $secret)`
 * and Ruby's `OpenSSL::HMAC.hexdigest` give. Sign the exact string you send:
 * any re-serialization (key order, spacing, `\/`) changes the signature.
 */
export async function signBody(secret: string, rawBody: string): Promise<string> {
  const [subtle, key, body] = await hmac('signBody', secret, rawBody, 'sign');
  return toHex(new Uint8Array(await subtle.sign('HMAC', key, body)));
}

/**
 * Whether `signatureHex` is `rawBody`'s signature with `secret`. Upper or
 * lower case hex; anything that is not 128 hex digits is simply false. The
 * comparison is WebCrypto's HMAC verify, which takes the same time wherever
 * the digests differ.
 */
export async function verifySignature(secret: string, rawBody: string, signatureHex: string): Promise<boolean> {
  const [subtle, key, body] = await hmac('verifySignature', secret, rawBody, 'verify');
  const pairs = /^[\da-f]{128}$/i.test(signatureHex) && signatureHex.match(/../g)!;
  return !!pairs && subtle.verify('HMAC', key, new Uint8Array(pairs.map((pair) => parseInt(pair, 16))), body);
}

/**
 * WebCrypto, the HMAC key and the body's bytes. The arguments are not checked
 * again here: both callers validated the secret when configured (createOperator,
 * createMockBackend) and sign or verify a body string.
 */
async function hmac(where: string, secret: string, rawBody: string, usage: KeyUsage): Promise<[SubtleCrypto, CryptoKey, Uint8Array<ArrayBuffer>]> {
  const subtle = globalThis.crypto?.subtle;
  // Browsers hide crypto.subtle outside secure contexts (plain http pages).
  if (!subtle) throw new ConfigurationError('secret', `${where}: signing needs WebCrypto (crypto.subtle), which is missing here`);
  const encoder = new TextEncoder();
  return [subtle, await subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-512' }, false, [usage]), encoder.encode(rawBody)];
}
