// Closing a visitor releases everything it set up: 1,000 visitors created,
// connected to the reference server's stream and closed leave none reachable.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { createVisitor } from '../../src/index.js';
import { createMemoryStorage } from '../../src/shared/storage.js';
import { figures, quiet } from '../support/fixtures.js';
import { useReferenceServer } from '../support/server.js';
import { FAST_REALTIME, waitForConnection } from '../support/visitor.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { backend } = useReferenceServer();

/**
 * The page's WebSocket, but every socket made is kept for ever, as msw's
 * client manager keeps its clients in a browser: what the SDK leaves on a
 * socket it let go must not keep its visitor alive.
 */
const kept: WebSocket[] = [];
class KeptWebSocket {
  private readonly real: WebSocket;
  constructor(url: string) {
    this.real = new globalThis.WebSocket(url);
    kept.push(this.real);
  }
  send(data: string) {
    this.real.send(data);
  }
  close(code?: number, reason?: string) {
    this.real.close(code, reason);
  }
  set onopen(listener: WebSocket['onopen']) {
    this.real.onopen = listener;
  }
  set onmessage(listener: WebSocket['onmessage']) {
    this.real.onmessage = listener;
  }
  set onclose(listener: WebSocket['onclose']) {
    this.real.onclose = listener;
  }
  set onerror(listener: WebSocket['onerror']) {
    this.real.onerror = listener;
  }
  get onopen() {
    return this.real.onopen;
  }
  get onmessage() {
    return this.real.onmessage;
  }
  get onclose() {
    return this.real.onclose;
  }
  get onerror() {
    return this.real.onerror;
  }
}

it('1,000 visitors opened on the stream and closed leave none reachable', async () => {
  const engagement = backend.createEngagement();
  const refs: Array<Array<WeakRef<object>>> = [];
  const TOTAL = 1_000;
  for (let i = 0; i < TOTAL; i++) {
    const visitor = createVisitor({
      baseUrl: backend.baseUrl,
      engagementId: engagement.engagementId,
      token: engagement.visitorToken,
      storage: createMemoryStorage(),
      tabs: 'each',
      logger: quiet,
      realtime: FAST_REALTIME,
      handlers: { '*': () => {} },
      WebSocket: KeptWebSocket,
    });
    await waitForConnection(visitor, { status: 'open' });
    visitor.transcript.subscribe(() => {});
    visitor.on('command:received', () => {});
    visitor.close();
    // The transcript too: the visitor's own closures hold it, so it stays reachable if any of them does.
    refs.push([new WeakRef(visitor), new WeakRef(visitor.transcript)]);
  }
  // Let the closed sockets' close events and pending microtasks run out.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const reachable = refs.filter((pair) => pair.some((ref) => ref.deref() !== undefined)).length;
  figures('visitors closed, then garbage collected', {
    created: TOTAL,
    'closed sockets the test keeps alive on purpose': kept.length,
    'visitors still reachable': reachable,
    'open stream sockets': backend.connectedClients(),
  });
  expect(backend.connectedClients()).toBe(0);
  expect(reachable).toBe(0);
}, 120_000);
