// @vitest-environment node
// The README's Node recipe, as a user runs it: vitest's defaults (the node
// environment), Node 20 without flags (no global WebSocket), msw's
// setupServer with the reference server's handlers, a visitor created with
// no WebSocket option. The SDK says once that it polls, and the server
// holds each poll until a command comes, so the handler runs within
// moments of the operator's PUT, not after a 3 s polling interval.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { createVisitor, type Visitor } from '../../src/index.js';
import { createMockBackend } from '../../src/mock.js';
import { createOperator } from '../../src/operator.js';

const backend = createMockBackend();
const server = setupServer(...backend.handlers);
beforeAll(() => server.listen());
afterEach(() => backend.reset());
afterAll(() => server.close());

let visitor: Visitor | undefined;
afterEach(() => visitor?.close());

it('a Node process without a global WebSocket gets a command within 1 s of the PUT (long polling)', async () => {
  expect(typeof (globalThis as { WebSocket?: unknown }).WebSocket).toBe('undefined');
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const { engagementId, visitorToken, operatorToken } = backend.createEngagement();
  const ran: Array<{ at: number; text: unknown }> = [];
  visitor = createVisitor({
    baseUrl: backend.baseUrl,
    engagementId,
    token: visitorToken,
    handlers: { greet: ({ text }) => void ran.push({ at: Date.now(), text }) },
  });
  visitor.connect(); // outside a browser, the visitor does not connect by itself
  await vi.waitFor(() => expect(visitor!.connection).toMatchObject({ status: 'open', transport: 'polling' }));
  expect(warn.mock.calls.map((call) => call.join(' ')).filter((line) => line.includes('WebSocket unavailable'))).toEqual([
    expect.stringContaining(
      'WebSocket unavailable: there is no WebSocket here (no global WebSocket and no "WebSocket" option): using HTTP polling, looking for one again every 60 s',
    ),
  ]);
  // Let the first held poll reach the server, so that the PUT is what answers it.
  await new Promise((resolve) => setTimeout(resolve, 100));

  const operator = createOperator({ baseUrl: backend.baseUrl, token: operatorToken });
  const latencies: number[] = [];
  for (const text of ['hello', 'again', 'and again']) {
    const sentAt = Date.now();
    await operator.sendCustomCommand({ engagementId, properties: { name: 'greet', text } });
    await vi.waitFor(() => expect(ran.map((r) => r.text)).toContain(text), { timeout: 1000, interval: 2 });
    latencies.push(ran.find((r) => r.text === text)!.at - sentAt);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  console.log(`long polling in Node, PUT → handler: ${latencies.join(', ')} ms`);
  for (const ms of latencies) expect(ms).toBeLessThan(1000);
  await vi.waitFor(() => expect(backend.getCommands(engagementId).every((c) => c.result?.status === 'executed')).toBe(true));
  // The warning was said once, not at every poll.
  expect(warn.mock.calls.filter((call) => call.join(' ').includes('WebSocket unavailable'))).toHaveLength(1);
});
