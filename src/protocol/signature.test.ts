// @vitest-environment node
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../shared/errors.js';
import { SIGNATURE_HEADER, signBody, verifySignature } from './signature.js';

/** Engage Digital's source access_token. */
const SEED_SECRET = '56e79ea426735090665b1c107c757d6d3a692c061335e4728899af27f215edf3';
/** The body of Engage Digital's Ruby example, as `to_json` writes it. */
const RUBY_BODY =
  '{"action":"messages.create","params":{"id":"890","author":{"id":"42","created_at":"06/11/2017","screenname":"Alice"},"body":"Nice post !","thread_id":"888"}}';
/** The body of Engage Digital's PHP example, as `json_encode` writes it: slashes escaped. */
const PHP_BODY =
  '{"action":"messages.create","params":{"id":"890","author":{"id":"42","created_at":"06\\/11\\/2017","screenname":"Alice"},"body":"Nice post!","thread_id":"888"}}';

const nodeHmac = (secret: string, body: string) => createHmac('sha512', secret).update(body, 'utf8').digest('hex');

describe('signBody', () => {
  it("uses the header name of Engage Digital's Send API", () => {
    expect(SIGNATURE_HEADER).toBe('X-SMCCSDK-SIGNATURE');
  });

  it('matches RFC 4231 test case 2', async () => {
    expect(await signBody('Jefe', 'what do ya want for nothing?')).toBe(
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    );
  });

  it("signs Engage Digital's Ruby and PHP bodies as `openssl dgst -sha512 -hmac` does, byte for byte", async () => {
    // Computed with: printf '%s' "$BODY" | openssl dgst -sha512 -hmac "$SECRET"
    expect(await signBody(SEED_SECRET, RUBY_BODY)).toBe(
      '43994677ae946631a4500ef5487f2f6b6b6d7783164f478462d5a7877e2711ce8636cea6f0f8e895daf678f732b5fe9b733c83cadb0413978d9f1ca9afc6d07e',
    );
    expect(await signBody(SEED_SECRET, PHP_BODY)).toBe(
      '6d4548c9d9c1450cac7b50e20a0bdef468442a5f931dd73679fa3474133068fa9fea5466f71535d94abb1e3fd57eec487ae1ff8f2fe369d4a855fe54b117ef6c',
    );
    expect(await signBody(SEED_SECRET, RUBY_BODY)).toBe(nodeHmac(SEED_SECRET, RUBY_BODY));
    expect(await signBody(SEED_SECRET, PHP_BODY)).toBe(nodeHmac(SEED_SECRET, PHP_BODY));
  });

  it('signs the raw text: the same JSON serialized differently has another signature', async () => {
    const compact = JSON.stringify(JSON.parse(PHP_BODY));
    expect(JSON.parse(compact)).toEqual(JSON.parse(PHP_BODY));
    expect(await signBody(SEED_SECRET, compact)).not.toBe(await signBody(SEED_SECRET, PHP_BODY));
  });

  it('hashes UTF-8 bytes of unicode bodies and secrets', async () => {
    for (const [secret, body] of [
      [SEED_SECRET, '{"body":"Grüße, 李, 😀"}'],
      ['sécret 🔑', 'naïve'],
      [SEED_SECRET, ''],
      [SEED_SECRET, '\u0000\uFFFD'],
    ] as const) {
      expect(await signBody(secret, body)).toBe(nodeHmac(secret, body));
    }
    // Precomposed and decomposed é are different bytes, so different signatures.
    expect(await signBody(SEED_SECRET, '\u00e9')).not.toBe(await signBody(SEED_SECRET, 'e\u0301'));
  });

  it('agrees with node:crypto on any secret and body (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1 }), fc.string({ unit: 'grapheme' }), async (secret, body) => {
        const signature = await signBody(secret, body);
        expect(signature).toMatch(/^[0-9a-f]{128}$/);
        expect(signature).toBe(nodeHmac(secret, body));
      }),
      { numRuns: 50 },
    );
  });

  // The secret and body are not checked again here: createOperator and
  // createMockBackend validate the secret (see test/operator/signature.test.ts).

  it('says WebCrypto is missing where it is (a browser page on plain http)', async () => {
    vi.stubGlobal('crypto', {});
    try {
      const error = await signBody(SEED_SECRET, RUBY_BODY).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({
        option: 'secret',
        message: 'signBody: signing needs WebCrypto (crypto.subtle), which is missing here',
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('verifySignature', () => {
  it('accepts the right signature, in lower or upper case', async () => {
    const signature = nodeHmac(SEED_SECRET, RUBY_BODY);
    expect(await verifySignature(SEED_SECRET, RUBY_BODY, signature)).toBe(true);
    expect(await verifySignature(SEED_SECRET, RUBY_BODY, signature.toUpperCase())).toBe(true);
  });

  it('refuses another body, another secret, or a changed signature', async () => {
    const signature = nodeHmac(SEED_SECRET, RUBY_BODY);
    expect(await verifySignature(SEED_SECRET, PHP_BODY, signature)).toBe(false);
    expect(await verifySignature(`${SEED_SECRET}0`, RUBY_BODY, signature)).toBe(false);
    for (const at of [0, 63, 127]) {
      const flipped = signature.slice(0, at) + (signature[at] === '0' ? '1' : '0') + signature.slice(at + 1);
      expect(await verifySignature(SEED_SECRET, RUBY_BODY, flipped)).toBe(false);
    }
  });

  it('is false, not an error, for a malformed signature', async () => {
    const signature = nodeHmac(SEED_SECRET, RUBY_BODY);
    for (const bad of ['', signature.slice(0, 126), `${signature}00`, `${signature.slice(0, 127)}g`, ` ${signature.slice(1)}`, `sha512=${signature}`]) {
      expect(await verifySignature(SEED_SECRET, RUBY_BODY, bad)).toBe(false);
    }
    expect(await verifySignature(SEED_SECRET, RUBY_BODY, null as unknown as string)).toBe(false);
    expect(await verifySignature(SEED_SECRET, RUBY_BODY, undefined as unknown as string)).toBe(false);
  });

  it('round-trips with signBody, also for unicode (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1 }), fc.string({ unit: 'grapheme' }), async (secret, body) => {
        expect(await verifySignature(secret, body, await signBody(secret, body))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

});

it('the module uses only WebCrypto and standard JavaScript: no Node import or global', () => {
  const source = readFileSync(new URL('./signature.ts', import.meta.url), 'utf8');
  expect(source).not.toMatch(/from '(node:)?(crypto|buffer|fs|util)'/);
  expect(source).not.toMatch(/\b(require|Buffer|process)\b/);
});
