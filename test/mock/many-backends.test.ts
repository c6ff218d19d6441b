// A suite that makes a reference server per test (a backend in each
// `beforeEach`, the usual way): every backend answers its own sockets, none is
// kept alive by the ones before it, and Node prints no "possible memory leak".
import { setupServer } from 'msw/node';
import { expect, it } from 'vitest';
import { createMockBackend, type MockBackend } from '../../src/mock.js';

/** Opens a stream to `backend`, says hello, resolves with the first frame (`ready`). */
function hello(backend: MockBackend, engagementId: string, token: string): Promise<{ socket: WebSocket; first: unknown }> {
  const socket = new globalThis.WebSocket(`${backend.realtimeUrl}/engagements/${engagementId}/stream`);
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'hello', token })));
    socket.addEventListener('message', (event) => resolve({ socket, first: JSON.parse(String(event.data)) }), { once: true });
    socket.addEventListener('close', (event) => reject(new Error(`closed (${event.code}) before the first frame`)));
  });
}

it('twenty backends one after another on the same URL: each gets only its own sockets, and no warning is printed', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    let previous: MockBackend | undefined;
    for (let round = 1; round <= 20; round++) {
      const backend = createMockBackend();
      const e = backend.createEngagement();
      for (let n = 0; n < round; n++) backend.sendCustomCommand(e.engagementId, { properties: { n } });
      const server = setupServer(...backend.handlers);
      server.listen({ onUnhandledRequest: 'error' });
      try {
        const { socket, first } = await hello(backend, e.engagementId, e.visitorToken);
        expect(first).toEqual({ type: 'ready', last_seq: round }); // this backend's log, not an earlier one's
        expect(backend.connectedClients()).toBe(1);
        expect(previous?.connectedClients() ?? 0).toBe(0);
        socket.close();
      } finally {
        server.close();
      }
      previous = backend;
    }
    await new Promise((resolve) => setTimeout(resolve, 20)); // Node emits warnings on a later tick
  } finally {
    process.off('warning', onWarning);
  }
  expect(warnings).toEqual([]);
});
