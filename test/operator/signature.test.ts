// @vitest-environment node
// Engage Digital's request signatures between the operator client and a reference server that requires them.
import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError, createVisitor } from '../../src/index.js';
import { SIGNATURE_HEADER } from '../../src/protocol/signature.js';
import { INVALID_SIGNATURE_MESSAGE } from '../../src/mock.js';
import { createOperator, sendCommandLine } from '../../src/operator.js';
import { useReferenceServer } from '../support/server.js';

// The seed's example secret (a source access_token).
const SECRET = '56e79ea426735090665b1c107c757d6d3a692c061335e4728899af27f215edf3';
const { backend, requests } = useReferenceServer({ operatorSecret: SECRET });
const hmac = (body: string, secret = SECRET) => createHmac('sha512', secret).update(body, 'utf8').digest('hex');

function operatorFor(secret?: string) {
  const e = backend.createEngagement();
  const operator = createOperator({ baseUrl: backend.baseUrl, token: e.operatorToken, secret, retries: 0 });
  return { e, operator };
}

describe('a server with an operator secret', () => {
  it('accepts the operator client with the same secret: every body carries X-SMCCSDK-SIGNATURE, the hex HMAC-SHA512 of its raw bytes', async () => {
    const { e, operator } = operatorFor(SECRET);
    await operator.sendCustomCommand({ engagementId: e.engagementId, properties: { name: 'highlight', text: 'Grüße 😀' }, content: 'Look' });
    await operator.setMeta(e.engagementId, { meta: { engagement: 'high' } });
    await operator.typing(e.engagementId, 'start', 'Hi');
    await sendCommandLine(operator, e.engagementId, '/set @language de');
    await vi.waitFor(() => expect(requests.every((r) => r.body !== '' || r.method === 'GET')).toBe(true));
    expect(requests).toHaveLength(4);
    for (const request of requests) {
      expect(request.headers['x-smccsdk-signature']).toMatch(/^[0-9a-f]{128}$/);
      expect(request.headers['x-smccsdk-signature']).toBe(hmac(request.body));
    }
    expect(backend.getCommands(e.engagementId)).toHaveLength(1);
    expect(backend.getMeta(e.engagementId)).toEqual({ meta: { engagement: 'high' }, properties: { language: 'de' } });
  });

  it('refuses an unsigned or wrongly signed operator body with 422 "Invalid signature", and stores nothing', async () => {
    for (const secret of [undefined, 'another secret']) {
      const { e, operator } = operatorFor(secret);
      const error = await operator.sendCustomCommand({ engagementId: e.engagementId, properties: { name: 'x' } }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'InvalidRequestError', status: 422, serverMessage: INVALID_SIGNATURE_MESSAGE });
      expect((error as { debugMessage: string }).debugMessage).toContain(secret ? 'is not the hex HMAC-SHA512' : 'is missing');
      await expect(operator.setMeta(e.engagementId, { meta: { a: 1 } })).rejects.toMatchObject({ status: 422 });
      expect(backend.getCommands(e.engagementId)).toEqual([]);
      expect(backend.getMeta(e.engagementId)).toEqual({ meta: {}, properties: {} });
    }
  });

  it('signs the raw body, byte for byte: the seed\'s PHP-style request with its own spacing is accepted', async () => {
    const e = backend.createEngagement();
    const body = '{\n  "content": "My custom command triggered",\n  "properties": {"key": "value"}\n}';
    const put = (signature: string) =>
      fetch(`${backend.baseUrl}/engagements/${e.engagementId}/custom_commands/${crypto.randomUUID()}`, {
        method: 'PUT',
        headers: {
          Authorization: `Bearer ${e.operatorToken}`,
          'Content-Type': 'application/json',
          [SIGNATURE_HEADER]: signature,
        },
        body,
      });
    expect((await put(hmac(body).toUpperCase())).status).toBe(200);
    // The same JSON value re-serialized is another body: its signature does not fit.
    const reserialized = JSON.stringify(JSON.parse(body));
    const refused = await put(hmac(reserialized));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({
      message: 'Invalid signature',
      debug_message: 'Header X-SMCCSDK-SIGNATURE is not the hex HMAC-SHA512 of this body with the operator secret',
    });
  });

  it('asks nothing of requests without a body, nor of the visitor', async () => {
    const { e, operator } = operatorFor();
    const command = backend.sendCustomCommand(e.engagementId, { properties: { name: 'x' } });
    await expect(operator.getCustomCommand(e.engagementId, command.id)).resolves.toMatchObject({ id: command.id });
    await expect(operator.getTyping(e.engagementId)).resolves.toEqual({ visitor: { active: false }, operator: { active: false } });
    const visitor = createVisitor({ baseUrl: backend.baseUrl, engagementId: e.engagementId, token: e.visitorToken, connect: false });
    await expect(visitor.recordEvent('Visitor opened pricing')).resolves.toMatchObject({ content: 'Visitor opened pricing' });
    await expect(visitor.markAsRead(command.id)).resolves.toMatchObject({ command_id: command.id });
    expect(requests.some((r) => SIGNATURE_HEADER.toLowerCase() in r.headers)).toBe(false);
    visitor.close();
  });

  it('the size limit comes before the signature: an unsigned 20 MB + 1 body is 413, not 422', async () => {
    const e = backend.createEngagement();
    const response = await fetch(`${backend.baseUrl}/engagements/${e.engagementId}/meta`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${e.operatorToken}`, 'Content-Type': 'application/json' },
      body: `{"meta":{"a":"${'x'.repeat(20_971_520)}"}}`,
    });
    expect(response.status).toBe(413);
  }, 30_000);
});

describe('createOperator({ secret })', () => {
  it('must be a non-empty string', () => {
    for (const secret of ['', 42]) {
      expect(() => createOperator({ baseUrl: backend.baseUrl, token: 't', secret: secret as string })).toThrow(ConfigurationError);
    }
    expect(() => createOperator({ baseUrl: backend.baseUrl, token: 't', secret: '' })).toThrow(
      'createOperator: option "secret" must be a non-empty string, got ""',
    );
  });

  it('createMockBackend refuses an empty operatorSecret', async () => {
    const { createMockBackend } = await import('../../src/mock.js');
    expect(() => createMockBackend({ operatorSecret: '' })).toThrow('createMockBackend: operatorSecret must be a non-empty string');
  });
});
