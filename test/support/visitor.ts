import { afterEach, vi } from 'vitest';
import { createVisitor, type ConnectionState, type Visitor, type VisitorOptions } from '../../src/index.js';
import { createMemoryStorage, type StorageLike } from '../../src/shared/storage.js';
import type { MockBackend } from '../../src/mock.js';
import { createOperator } from '../../src/operator.js';

/** Fast reconnects so scenario tests do not wait seconds; everything else as shipped. */
export const FAST_REALTIME = {
  backoff: { initialDelay: 5, maxDelay: 50 },
  pollInterval: 20,
  websocketRetryInterval: 200,
} as const;

export interface TestVisitor {
  visitor: Visitor;
  storage: StorageLike;
  warnings: unknown[][];
  engagement: ReturnType<MockBackend['createEngagement']>;
}

/** A visitor on a fresh engagement of `backend`, with a quiet logger that records warnings. */
export function startVisitor(
  backend: MockBackend,
  options: Partial<VisitorOptions> & { engagement?: TestVisitor['engagement'] } = {},
): TestVisitor {
  const engagement = options.engagement ?? backend.createEngagement();
  const storage = options.storage ?? createMemoryStorage();
  const warnings: unknown[][] = [];
  const visitor = createVisitor({
    baseUrl: backend.baseUrl,
    engagementId: engagement.engagementId,
    token: engagement.visitorToken,
    storage,
    logger: { debug() {}, warn: (...args) => warnings.push(args), error: (...args) => warnings.push(args) },
    ...options,
    realtime: { ...FAST_REALTIME, ...options.realtime },
  });
  return { visitor, storage, warnings, engagement };
}

/**
 * The timers a visitor has stored (`engagekit:{engagementId}:timer:{timerName}`,
 * docs/protocol.md), in the order of the storage's keys.
 */
export function storedTimers(storage: StorageLike, engagementId: string): Array<Record<string, unknown>> {
  const prefix = `engagekit:${engagementId}:timer:`;
  const timers: Array<Record<string, unknown>> = [];
  for (let i = 0; i < storage.length!; i++) {
    const key = storage.key!(i)!;
    if (key.startsWith(prefix)) timers.push(JSON.parse(storage.getItem(key)!) as Record<string, unknown>);
  }
  return timers;
}

/** Resolves once the visitor's connection matches. */
export async function waitForConnection(visitor: Visitor, match: Partial<ConnectionState>, timeout = 3000) {
  await vi.waitFor(
    () => {
      const state = visitor.connection as Record<string, unknown>;
      for (const [key, value] of Object.entries(match)) {
        if (state[key] !== value) throw new Error(`connection is ${JSON.stringify(state)}, waiting for ${JSON.stringify(match)}`);
      }
    },
    { timeout, interval: 5 },
  );
}

/**
 * A WebSocket constructor that delegates to the real (MSW-patched) one but lets
 * a test see and drop outgoing frames: a lossy network, not a fake server.
 * Subclassing does not work: MSW's WebSocket is a Proxy that ignores `new.target`.
 */
export function tappedWebSocket(keep: (data: string) => boolean, sent: string[] = []) {
  return class TappedWebSocket {
    private readonly real: WebSocket;
    constructor(url: string) {
      this.real = new globalThis.WebSocket(url);
    }
    send(data: string) {
      sent.push(data);
      if (keep(data)) this.real.send(data);
    }
    close(code?: number, reason?: string) {
      this.real.close(code, reason);
    }
    set onopen(listener: WebSocket['onopen']) {
      this.real.onopen = listener;
    }
    get onopen() {
      return this.real.onopen;
    }
    set onmessage(listener: WebSocket['onmessage']) {
      this.real.onmessage = listener;
    }
    get onmessage() {
      return this.real.onmessage;
    }
    set onclose(listener: WebSocket['onclose']) {
      this.real.onclose = listener;
    }
    get onclose() {
      return this.real.onclose;
    }
    set onerror(listener: WebSocket['onerror']) {
      this.real.onerror = listener;
    }
    get onerror() {
      return this.real.onerror;
    }
  };
}

/**
 * For a test file: `start()` opens a visitor on a fresh engagement (closed
 * after each test) with an operator client for it, and `send()` sends it a
 * custom command through the reference server.
 */
export function useVisitors(backend: MockBackend) {
  const open: Visitor[] = [];
  afterEach(() => {
    for (const visitor of open.splice(0)) visitor.close();
  });
  const start = (options: Parameters<typeof startVisitor>[1] = {}) => {
    const started = startVisitor(backend, options);
    open.push(started.visitor);
    const operator = createOperator({ baseUrl: backend.baseUrl, token: started.engagement.operatorToken });
    const send = (properties: Record<string, unknown>, content?: string, id?: string) =>
      operator.sendCustomCommand({ engagementId: started.engagement.engagementId, properties, content, id });
    return { ...started, operator, send };
  };
  return { start, open };
}
