import type { RequestHandler, WebSocketHandler } from 'msw';
import type { CustomCommand, EngagementEvent, EngagementMeta, MetaChange } from '../protocol/wire.js';
import { trimBase } from '../shared/check.js';
import { acceptCommand, checkCommandBody, checkCommandId, Rejection } from './command-log.js';
import { commandsHandlers } from './commands.js';
import { eventsHandlers } from './events.js';
import { createFaults, type FaultCounts, type MockFaults } from './faults.js';
import { uuidv4 } from './ids.js';
import { limitsHandler } from './limits.js';
import { applyMeta, checkMetaBody, metaFrames, metaHandlers, metaState } from './meta.js';
import { createRealtime, DROP_CODE, type Realtime } from './realtime.js';
import { createStore, type EngagementCredentials, type StoredCommand } from './store.js';
import { createTypingService } from './typing.js';
import type { CommandResult, TypingStatus } from '../protocol/wire.js';

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
  /** Injected failures (none by default); change them later with `setFaults`. */
  faults?: MockFaults;
  /**
   * When set, every operator request with a body must carry
   * `X-SMCCSDK-SIGNATURE`: the hex HMAC-SHA512 of the raw body keyed with this
   * secret (Engage Digital's Send API), or it is refused with 422 "Invalid signature". Give the
   * operator client the same `secret`.
   * @default undefined (no signatures required)
   */
  operatorSecret?: string;
}

export interface MockBackend {
  readonly baseUrl: string;
  /** MSW handlers: pass them to `setupServer(...)` (Node) or `setupWorker(...)` (browser). */
  readonly handlers: Array<RequestHandler | WebSocketHandler>;
  /** The engagement's metadata and properties, as `POST .../meta` left them (a copy). */
  getMeta(engagementId: string): EngagementMeta;
  /**
   * Changes metadata and properties as the operator's `POST .../meta` would, in
   * process: same validation (an `Error` with the 400's message), same `meta`
   * frame to the visitor. Returns the whole new state.
   */
  setMeta(engagementId: string, change: MetaChange): EngagementMeta;
  /** Who is typing now: `{ visitor: { active, preview? }, operator: { active, preview? } }`. */
  getTyping(engagementId: string): TypingStatus;
  /** Opens an engagement and issues its two tokens. Fixed ids and tokens may be given (demos). */
  createEngagement(init?: Partial<EngagementCredentials>): EngagementCredentials;
  /** The events recorded on an engagement, oldest first (copies). */
  getEvents(engagementId: string): EngagementEvent[];
  /** Replaces the injected failures (`{}` for none). */
  setFaults(faults: MockFaults): void;
  /** How many failures of each kind were injected so far. */
  readonly faultCounts: FaultCounts;
  /**
   * The `ws:`/`wss:` form of `baseUrl` the command stream answers on, e.g.
   * `wss://api.engagekit.test`; the stream is `{realtimeUrl}/engagements/{id}/stream`.
   */
  readonly realtimeUrl: string;
  /**
   * The engagement's custom commands in `seq` order, each with the visitor's
   * result or `null` (copies). Throws for an unknown engagement.
   */
  getCommands(engagementId: string): StoredCommand[];
  /**
   * What the visitor reported for a command, or `null` while it has not.
   * Throws for an unknown engagement or command: a typo should not read as "not yet".
   */
  getCommandResult(engagementId: string, commandId: string): CommandResult | null;
  /**
   * Sends a custom command as the operator would with the PUT (Glia's REST API), in
   * process: same validation, same idempotency (an identical resend returns
   * the stored command and is not delivered again), same delivery to the
   * stream. `properties` go through JSON, as they would over the wire.
   * Throws an `Error` whose message is the HTTP error body's `message`
   * (invalid id or body, or 409 "Custom command ID already used").
   * @param init.id a version-4 UUID; a new one when omitted.
   * @returns the command, as the PUT's 200 body (a copy).
   */
  sendCustomCommand(
    engagementId: string,
    init: { id?: string; content?: string | null; properties: Record<string, unknown> },
  ): CustomCommand;
  /**
   * Simulates a network drop: closes every open stream socket (of one
   * engagement, or all) from the server side with code 4000, reason
   * `"dropped by test"`. The commands stay; a client resumes with `after`.
   */
  dropConnections(engagementId?: string): void;
  /**
   * Simulates a network that blocks WebSockets: while `true`, every new
   * stream socket is closed at once with code 4000, reason `"blocked"`,
   * before any frame (it never opens). Open sockets stay; polling works.
   */
  blockWebSockets(blocked: boolean): void;
  /** The number of open stream sockets (of one engagement, or all), authenticated or not. */
  connectedClients(engagementId?: string): number;
  /**
   * Forgets every engagement, token and record (commands included), closes
   * every stream socket (code 1001, reason `"server reset"`) and unblocks WebSockets.
   */
  reset(): void;
}

const DEFAULT_BASE_URL = 'https://api.engagekit.test';

/**
 * The reference server: the endpoints of Glia's REST API and their extensions implemented as MSW handlers, with
 * an in-memory store. No browser-only or Node-only code: the same handlers
 * run under `setupServer` and `setupWorker`.
 */
export function createMockBackend(options: MockBackendOptions = {}): MockBackend {
  const baseUrl = trimBase(options.baseUrl ?? DEFAULT_BASE_URL);
  // Read at call time, like the SDK does: fake timers installed later apply.
  const now = options.now ?? (() => Date.now());
  const store = createStore();
  const faults = createFaults(options.faults);
  const { operatorSecret } = options;
  if (operatorSecret !== undefined && (typeof operatorSecret !== 'string' || operatorSecret === '')) {
    throw new Error(`createMockBackend: operatorSecret must be a non-empty string, got ${typeof operatorSecret}`);
  }
  // Each needs the other, only when called: the stream greets with the typing the service keeps.
  const broadcast: Realtime['broadcast'] = (engagementId, frame) => realtime.broadcast(engagementId, frame);
  const typing = createTypingService({ baseUrl, store, now, broadcast });
  const realtime = createRealtime(baseUrl, store, faults, (record) => [...metaFrames(record), ...typing.frames(record)]);
  const context = { baseUrl, store, now, deliver: realtime.deliver, broadcast };
  const httpHandlers = [
    limitsHandler(baseUrl, store, operatorSecret),
    ...eventsHandlers(context),
    ...commandsHandlers(context),
    ...metaHandlers(context),
    ...typing.handlers,
  ];
  const engagement = (id: string) => {
    const record = store.engagements.get(id);
    if (!record) throw new Error(`MockBackend: no engagement "${id}"`);
    return record;
  };
  const command = (engagementId: string, commandId: string) => {
    const entry = engagement(engagementId).commandsById.get(commandId.toLowerCase());
    if (!entry) throw new Error(`MockBackend: no custom command "${commandId}" in engagement "${engagementId}"`);
    return entry;
  };
  const orThrow = <T>(value: T | Rejection): T => {
    if (value instanceof Rejection) throw new Error(value.body.message);
    return value;
  };

  return {
    baseUrl,
    realtimeUrl: realtime.url,
    handlers: [faults.handler(baseUrl, () => httpHandlers), ...httpHandlers, realtime.handler],
    setFaults: (next) => faults.set(next),
    faultCounts: faults.counts,
    createEngagement(init) {
      const { engagementId, subEngagementId, visitorToken, operatorToken } = store.create(init);
      return { engagementId, subEngagementId, visitorToken, operatorToken };
    },
    getEvents: (id) => engagement(id).events.map((event) => structuredClone(event)),
    getCommands: (id) => engagement(id).commands.map((entry) => structuredClone(entry)),
    getCommandResult: (engagementId, commandId) => structuredClone(command(engagementId, commandId).result),
    getMeta: (id) => metaState(engagement(id)),
    setMeta(id, change) {
      const record = engagement(id);
      const checked = orThrow(checkMetaBody(JSON.parse(JSON.stringify(change ?? {}))));
      return applyMeta(record, checked, broadcast);
    },
    getTyping: (id) => typing.status(engagement(id)),
    sendCustomCommand(engagementId, { id = uuidv4(), content, properties }) {
      const record = engagement(engagementId);
      const commandId = orThrow(checkCommandId(String(id)));
      // Through JSON, as over the wire: what is stored and compared is what a PUT would carry.
      const json = JSON.parse(JSON.stringify({ content, properties })) as Record<string, unknown>;
      const body = orThrow(checkCommandBody(json));
      const { entry } = orThrow(acceptCommand(record, commandId, body, realtime.deliver));
      return structuredClone(entry.command);
    },
    dropConnections: (id) => realtime.close(DROP_CODE, 'dropped by test', id),
    blockWebSockets: (blocked) => realtime.setBlocked(blocked),
    connectedClients: (id) => realtime.count(id),
    reset() {
      realtime.close(1001, 'server reset');
      realtime.setBlocked(false);
      typing.clear();
      faults.set(options.faults ?? {});
      store.clear();
    },
  };
}
