import { ConfigurationError, describe, InvalidArgumentError } from './errors.js';

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

const encoder = new TextEncoder();

/**
 * The lowercase hex HMAC-SHA512 of `rawBody`'s UTF-8 bytes, keyed with
 * `secret`'s UTF-8 bytes: what PHP's `hash_hmac('sha512', $body, $secret)`
 * and Ruby's `OpenSSL::HMAC.hexdigest` give. Sign the exact string you send:
 * any re-serialization (key order, spacing, `\/`) changes the signature.
 */
export async function signBody(secret: string, rawBody: string): Promise<string> {
  const key = await importKey(secret, 'sign', 'signBody');
  if (typeof rawBody !== 'string') {
    throw new InvalidArgumentError('rawBody', `signBody: rawBody must be the request body as a string, got ${describe(rawBody)}`);
  }
  const mac = await subtle('signBody').sign('HMAC', key, encoder.encode(rawBody));
  return toHex(new Uint8Array(mac));
}

/**
 * Whether `signatureHex` is `rawBody`'s signature with `secret`. Upper or
 * lower case hex; anything that is not 128 hex digits is simply false. The
 * comparison is WebCrypto's HMAC verify, which takes the same time wherever
 * the digests differ.
 */
export async function verifySignature(secret: string, rawBody: string, signatureHex: string): Promise<boolean> {
  const key = await importKey(secret, 'verify', 'verifySignature');
  if (typeof rawBody !== 'string') {
    throw new InvalidArgumentError('rawBody', `verifySignature: rawBody must be the request body as a string, got ${describe(rawBody)}`);
  }
  const signature = typeof signatureHex === 'string' ? fromHex(signatureHex) : undefined;
  if (signature === undefined || signature.length !== 64) return false;
  return subtle('verifySignature').verify('HMAC', key, signature, encoder.encode(rawBody));
}

function subtle(where: string): SubtleCrypto {
  const value = globalThis.crypto?.subtle;
  if (value === undefined) {
    // Browsers hide crypto.subtle outside secure contexts (plain http pages).
    throw new ConfigurationError('secret', `${where}: signing needs WebCrypto (globalThis.crypto.subtle), which this environment does not have`);
  }
  return value;
}

async function importKey(secret: string, usage: 'sign' | 'verify', where: string): Promise<CryptoKey> {
  // WebCrypto refuses an empty HMAC key; say so in our words rather than its DataError.
  if (typeof secret !== 'string' || secret === '') {
    throw new InvalidArgumentError('secret', `${where}: secret must be a non-empty string, got ${describe(secret)}`);
  }
  return subtle(where).importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-512' }, false, [usage]);
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** The bytes, or `undefined` when `hex` is not an even run of hex digits. */
function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
