import type { RequestHandler, WebSocketHandler } from 'msw';
import type { EngagementEvent } from '../core/protocol.js';
import { trimBase } from '../core/protocol.js';
import { eventsHandlers } from './events.js';
import { createStore, type EngagementCredentials } from './store.js';

export type { EngagementCredentials } from './store.js';
export { AUTH_MISSING, AUTH_INVALID } from './respond.js';
export { EVENTS_FORBIDDEN } from './events.js';

export interface MockBackendOptions {
  /**
   * The origin and path the handlers answer on; the visitor's `baseUrl`.
   * @default 'https://api.engagekit.test'
   */
  baseUrl?: string;
  /**
   * The clock for timestamps.
   * @default Date.now
   */
  now?: () => number;
}

export interface MockBackend {
  readonly baseUrl: string;
  /** MSW handlers: pass them to `setupServer(...)` (Node) or `setupWorker(...)` (browser). */
  readonly handlers: Array<RequestHandler | WebSocketHandler>;
  /** Opens an engagement and issues its two tokens. Fixed ids and tokens may be given (demos). */
  createEngagement(init?: Partial<EngagementCredentials>): EngagementCredentials;
  /** The events recorded on an engagement, oldest first (copies). */
  getEvents(engagementId: string): EngagementEvent[];
  /** Forgets every engagement, token and record. */
  reset(): void;
}

const DEFAULT_BASE_URL = 'https://api.engagekit.test';

/**
 * The reference server: the seed endpoints implemented as MSW handlers, with
 * an in-memory store. No browser-only or Node-only code: the same handlers
 * run under `setupServer` and `setupWorker`.
 */
export function createMockBackend(options: MockBackendOptions = {}): MockBackend {
  const baseUrl = trimBase(options.baseUrl ?? DEFAULT_BASE_URL);
  const now = options.now ?? Date.now;
  const store = createStore();
  const context = { baseUrl, store, now };
  const engagement = (id: string) => {
    const record = store.engagements.get(id);
    if (!record) throw new Error(`MockBackend: no engagement "${id}"`);
    return record;
  };

  return {
    baseUrl,
    handlers: [...eventsHandlers(context)],
    createEngagement(init) {
      const { engagementId, subEngagementId, visitorToken, operatorToken } = store.create(init);
      return { engagementId, subEngagementId, visitorToken, operatorToken };
    },
    getEvents: (id) => engagement(id).events.map((event) => structuredClone(event)),
    reset: () => store.clear(),
  };
}
