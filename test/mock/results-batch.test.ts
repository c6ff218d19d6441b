// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { useReferenceServer } from '../support/server.js';

const { backend } = useReferenceServer();

function post(engagementId: string, token: string, body: unknown) {
  return fetch(`${backend.baseUrl}/engagements/${engagementId}/custom_commands/results`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
}

describe('POST /engagements/{id}/custom_commands/results (extension: batched results)', () => {
  it('stores each result, first report wins, and answers item by item in order', async () => {
    const e = backend.createEngagement();
    const a = backend.sendCustomCommand(e.engagementId, { properties: { name: 'a' } });
    const b = backend.sendCustomCommand(e.engagementId, { properties: { name: 'b' } });
    const { status, body } = await post(e.engagementId, e.visitorToken, {
      results: [
        { command_id: a.id, status: 'executed' },
        { command_id: b.id, status: 'failed', error: 'boom' },
        { command_id: a.id, status: 'failed', error: 'too late' },
        { command_id: '00000000-0000-4000-8000-000000000000', status: 'executed' },
        { command_id: b.id, status: 'nope' },
        { status: 'executed' },
      ],
    });
    expect(status).toBe(200);
    expect(body.results).toMatchObject([
      { command_id: a.id, status: 'executed', error: null },
      { command_id: b.id, status: 'failed', error: 'boom' },
      { command_id: a.id, status: 'executed' },
      { command_id: '00000000-0000-4000-8000-000000000000', rejected: { status: 404, message: 'Custom command not found' } },
      { command_id: b.id, rejected: { status: 400 } },
      { command_id: null, rejected: { status: 400, message: "Each result needs a string 'command_id'" } },
    ]);
    expect(backend.getCommandResult(e.engagementId, a.id)).toMatchObject({ status: 'executed' });
    expect(backend.getCommandResult(e.engagementId, b.id)).toMatchObject({ status: 'failed', error: 'boom' });
  });

  it('refuses an empty, oversized or missing list, and tokens other than the visitor\'s', async () => {
    const e = backend.createEngagement();
    for (const results of [[], undefined, 'x', Array.from({ length: 501 }, () => ({}))]) {
      const { status, body } = await post(e.engagementId, e.visitorToken, { results });
      expect(status).toBe(400);
      expect(body.message).toBe("Parameter 'results' must be an array of 1 to 500 results");
    }
    expect((await post(e.engagementId, e.operatorToken, { results: [] })).status).toBe(403);
    expect((await post(e.engagementId, 'nope', { results: [] })).body).toMatchObject({ message: 'Invalid token' });
  });
});
