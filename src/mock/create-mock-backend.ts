import type { RequestHandler, WebSocketHandler } from 'msw';
import type { CustomCommand, EngagementEvent, EngagementMeta, MetaChange } from '../protocol/wire.js';
import { badArgument, badOption, isJsonObject, isText, trimBase } from '../shared/check.js';
import { InvalidArgumentError } from '../shared/errors.js';
import type { StorageLike } from '../shared/storage.js';
import { adminHandlers } from './admin.js';
import { acceptCommand, checkCommandBody, checkCommandId, Rejection } from './command-log.js';
import { commandsHandlers } from './commands.js';
import { eventsHandlers } from './events.js';
import { createFaults, type FaultCounts, type MockFaults } from './faults.js';
import { frontHandler } from './front.js';
import { uuidv4 } from './ids.js';
import { unstorable } from './json-limits.js';
import { limitsHandler } from './limits.js';
import { createLongPoll } from './long-poll.js';
import { applyMeta, checkMetaBody, metaFrames, metaHandlers, metaState } from './meta.js';
import { createPersistence, DEFAULT_PERSIST_KEY, type Persistence } from './persist.js';
import { createRealtime, DROP_CODE, type Realtime } from './realtime.js';
import { createStore, type EngagementCredentials, type StoredCommand } from './store.js';
import { mswStreamHandler } from './stream-msw.js';
import { createTypingService } from './typing.js';
import type { CommandResult, ServerFrame, TypingStatus } from '../protocol/wire.js';

/** Where the reference server's state is kept across reloads (`persist`). */
export interface MockPersistOptions {
  /**
   * Any object with `getItem`, `setItem`, `removeItem`.
   * @default globalThis.localStorage
   */
  storage?: StorageLike;
  /** @default 'engagekit-mock:state' */
  key?: string;
}

/** Where the reference server reports its own failures and storage problems. */
export interface MockLogger {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

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
  /**
   * Keep engagements, tokens, commands (with results and read times), events
   * and metadata in Web Storage, so that a page running the server in-page
   * finds them again after a reload. `true`: `localStorage` under
   * `'engagekit-mock:state'`. Written shortly after each change (coalesced)
   * and as the page goes; restored here; `reset()` clears it. A stored state
   * that cannot be read is ignored with a warning.
   *
   * Not shared live: two tabs each running their own in-page server each keep
   * their own state (the last write wins). For two windows on one state, run
   * the local server (`npx engagekit-mock`).
   * @default false
   */
  persist?: boolean | MockPersistOptions;
  /**
   * Where the server reports a failure of its own (answered 500 without
   * details) and storage problems.
   * @default console
   */
  logger?: MockLogger;
}

/** One custom command of an engagement, as `MockBackend.getCommands` lists it (a copy). */
export type MockCommandEntry = StoredCommand;

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
  /**
   * Opens an engagement and issues its two tokens. Fixed ids and tokens may be
   * given (demos); an id or token in use already throws.
   */
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
   * The engagement's custom commands in `seq` order (copies), each
   * `{ seq, command, result, readAt? }`: `seq` 1, 2, 3, ... in the order the
   * server accepted them; `command` the PUT's 200 body; `result` what the
   * visitor reported (`{ command_id, status, error, reported_at }`) or `null`
   * while it has not; `readAt` when the visitor marked it read, absent until
   * then. Throws for an unknown engagement.
   */
  getCommands(engagementId: string): MockCommandEntry[];
  /**
   * What the visitor reported for a command, or `null` while it has not.
   * Throws for an unknown engagement or command: a typo should not read as "not yet".
   */
  getCommandResult(engagementId: string, commandId: string): CommandResult | null;
  /**
   * Sends a custom command as the operator would with the PUT (Glia's REST API), in
   * process: same validation, same idempotency (an identical resend returns
   * the stored command and is not delivered again), same delivery to the
   * stream and to held polls. `properties` go through JSON, as they would over the wire.
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
   * every stream socket (code 1001, reason `"server reset"`), answers every
   * held poll, unblocks WebSockets and clears the persisted state.
   */
  reset(): void;
}

/** What the local server (src/mock-node/) needs beyond the public backend. Not part of the public surface. */
export interface MockServerCore {
  backend: MockBackend;
  /** Hands the hub a stream socket from a carrier other than msw. */
  acceptStream: Realtime['accept'];
  /** The HTTP handlers alone (msw's `getResponse` takes no WebSocket handler). */
  httpHandlers: RequestHandler[];
  /** The credentials of an engagement, or undefined (a restored one, found by id). */
  engagement(engagementId: string): EngagementCredentials | undefined;
  /** Closes the stream sockets (1001), answers the held polls and writes a pending persisted state: the server is going. */
  shutdown(): void;
}

const DEFAULT_BASE_URL = 'https://api.engagekit.test';

/** `isJsonObject` without narrowing: the typed value keeps its type after the check. */
const isObject = (value: unknown): boolean => isJsonObject(value);

/**
 * The reference server: the endpoints of Glia's REST API and their extensions implemented as MSW handlers, with
 * an in-memory store. No browser-only or Node-only code: the same handlers
 * run under `setupServer` and `setupWorker`, and behind the local server.
 */
export function createMockBackend(options: MockBackendOptions = {}): MockBackend {
  return createMockServerCore(options).backend;
}

function persistence(option: MockBackendOptions['persist'], deps: Omit<Parameters<typeof createPersistence>[0], 'storage' | 'key'>): Persistence | undefined {
  if (option === undefined || option === false) return undefined;
  const where = 'createMockBackend';
  if (option !== true && !isObject(option)) badOption(where, 'persist', 'true, false or { storage?, key? }', option);
  const given = option === true ? {} : option;
  let storage = given.storage;
  if (storage === undefined) {
    try {
      storage = (globalThis as { localStorage?: StorageLike }).localStorage;
    } catch {
      // Site data blocked: reported below as no storage.
    }
    if (!storage) badOption(where, 'persist', 'given a storage ({ storage }) where there is no localStorage', option);
  }
  if (typeof storage?.getItem !== 'function' || typeof storage.setItem !== 'function' || typeof storage.removeItem !== 'function') {
    badOption(where, 'persist.storage', 'an object with getItem, setItem and removeItem', storage);
  }
  const key = given.key ?? DEFAULT_PERSIST_KEY;
  if (!isText(key)) badOption(where, 'persist.key', 'a non-empty string', key);
  return createPersistence({ ...deps, storage, key });
}

export function createMockServerCore(options: MockBackendOptions = {}): MockServerCore {
  if (!isObject(options)) badArgument('createMockBackend', 'options', 'an object', options);
  const baseUrl = trimBase(options.baseUrl ?? DEFAULT_BASE_URL);
  // Read at call time, like the SDK does: fake timers installed later apply.
  const now = options.now ?? (() => Date.now());
  const logger: MockLogger = options.logger ?? {
    warn: (...args) => globalThis.console?.warn(...args),
    error: (...args) => globalThis.console?.error(...args),
  };
  const store = createStore();
  const faults = createFaults(options.faults);
  const { operatorSecret } = options;
  if (operatorSecret !== undefined && (typeof operatorSecret !== 'string' || operatorSecret === '')) {
    throw new Error(`createMockBackend: operatorSecret must be a non-empty string, got ${typeof operatorSecret}`);
  }
  const persist = persistence(options.persist, { store, logger });
  const changed = () => persist?.changed();
  const polls = createLongPoll();

  // Each needs the other, only when called: the stream greets with the typing the service keeps.
  const broadcast = (engagementId: string, frame: ServerFrame) => {
    realtime.broadcast(engagementId, frame);
    // Held polls carry the meta state, not typing (docs/protocol.md).
    if (frame.type === 'meta') polls.wake(engagementId);
  };
  const deliver: Realtime['deliver'] = (engagementId, entry) => {
    realtime.deliver(engagementId, entry);
    polls.wake(engagementId);
  };
  const typing = createTypingService({ baseUrl, store, now, broadcast });
  const realtime = createRealtime({
    baseUrl,
    store,
    faults,
    greet: (record) => [...metaFrames(record), ...typing.frames(record)],
    onError: (error) => logger.error('EngageKit reference server: the command stream failed on a frame; the socket was closed (1011):', error),
  });
  const context = { baseUrl, store, now, deliver, broadcast, polls };
  const endpoints = [
    limitsHandler(baseUrl, store, operatorSecret),
    ...eventsHandlers(context),
    ...commandsHandlers(context),
    ...metaHandlers(context),
    ...typing.handlers,
  ];

  const where = (method: string) => `MockBackend.${method}`;
  const id = (method: string, name: string, value: unknown): string =>
    isText(value) ? value : badArgument(where(method), name, 'a non-empty string', value);
  const engagement = (method: string, value: unknown) => {
    const record = store.engagements.get(id(method, 'engagementId', value));
    if (!record) throw new Error(`MockBackend: no engagement "${String(value)}"`);
    return record;
  };
  const command = (method: string, engagementId: unknown, commandId: unknown) => {
    const record = engagement(method, engagementId);
    const entry = record.commandsById.get(id(method, 'commandId', commandId).toLowerCase());
    if (!entry) throw new Error(`MockBackend: no custom command "${String(commandId)}" in engagement "${String(engagementId)}"`);
    return entry;
  };
  const orThrow = <T>(value: T | Rejection): T => {
    if (value instanceof Rejection) throw new Error(value.body.message);
    return value;
  };
  /** Through JSON, as over the wire, refusing what the HTTP endpoints refuse to store. */
  const asJson = (method: string, name: string, value: unknown): Record<string, unknown> => {
    const problem = unstorable(value);
    if (problem) throw new InvalidArgumentError(name, `${where(method)}: ${name}: ${problem.message} (${problem.debug_message})`);
    try {
      return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    } catch (error) {
      throw new InvalidArgumentError(name, `${where(method)}: ${name} must be JSON data: ${(error as Error).message}`);
    }
  };

  // The closures read `backend` when called, after it exists.
  const routes = [
    // The admin endpoints come first: never faulted, never size- or signature-checked.
    ...adminHandlers({
      baseUrl,
      store,
      createEngagement: (init) => backend.createEngagement(init),
      reset: () => backend.reset(),
      setFaults: (next) => faults.set(next),
      faults: () => faults.current(),
      faultCounts: faults.counts,
    }),
    faults.handler(baseUrl, () => endpoints),
    ...endpoints,
  ];
  const front = frontHandler({
    baseUrl,
    routes,
    onError: (error, request) =>
      logger.error(`EngageKit reference server: ${request.method} ${request.url} failed; answered 500:`, error),
    onWrite: changed,
  });
  const backend: MockBackend = {
    baseUrl,
    realtimeUrl: realtime.url,
    handlers: [front, mswStreamHandler(realtime)],
    setFaults(next) {
      faults.set(next);
    },
    faultCounts: faults.counts,
    createEngagement(init = {}) {
      if (!isObject(init)) badArgument(where('createEngagement'), 'init', 'an object', init);
      for (const field of ['engagementId', 'subEngagementId', 'visitorToken', 'operatorToken'] as const) {
        if (init[field] !== undefined) id('createEngagement', `init.${field}`, init[field]);
      }
      const { engagementId, subEngagementId, visitorToken, operatorToken } = store.create(init);
      changed();
      return { engagementId, subEngagementId, visitorToken, operatorToken };
    },
    getEvents: (engagementId) => engagement('getEvents', engagementId).events.map((event) => structuredClone(event)),
    getCommands: (engagementId) => engagement('getCommands', engagementId).commands.map((entry) => structuredClone(entry)),
    getCommandResult: (engagementId, commandId) => structuredClone(command('getCommandResult', engagementId, commandId).result),
    getMeta: (engagementId) => metaState(engagement('getMeta', engagementId)),
    setMeta(engagementId, change) {
      const record = engagement('setMeta', engagementId);
      if (!isObject(change)) badArgument(where('setMeta'), 'change', 'an object { meta?, properties? }', change);
      const checked = orThrow(checkMetaBody(asJson('setMeta', 'change', change)));
      const state = applyMeta(record, checked, broadcast);
      changed();
      return state;
    },
    getTyping: (engagementId) => typing.status(engagement('getTyping', engagementId)),
    sendCustomCommand(engagementId, init) {
      const record = engagement('sendCustomCommand', engagementId);
      if (!isObject(init)) badArgument(where('sendCustomCommand'), 'init', 'an object { id?, content?, properties }', init);
      const { id: given = uuidv4(), content, properties } = init;
      const commandId = orThrow(checkCommandId(String(given)));
      const body = orThrow(checkCommandBody(asJson('sendCustomCommand', 'init', { content, properties })));
      const { entry, created } = orThrow(acceptCommand(record, commandId, body, deliver));
      if (created) changed();
      return structuredClone(entry.command);
    },
    dropConnections(engagementId) {
      if (engagementId !== undefined) id('dropConnections', 'engagementId', engagementId);
      realtime.close(DROP_CODE, 'dropped by test', engagementId);
    },
    blockWebSockets(blocked) {
      if (typeof blocked !== 'boolean') badArgument(where('blockWebSockets'), 'blocked', 'true or false', blocked);
      realtime.setBlocked(blocked);
    },
    connectedClients(engagementId) {
      if (engagementId !== undefined) id('connectedClients', 'engagementId', engagementId);
      return realtime.count(engagementId);
    },
    reset() {
      realtime.close(1001, 'server reset');
      realtime.setBlocked(false);
      typing.clear();
      faults.set(options.faults ?? {});
      store.clear();
      // After the store is empty: a released poll answers as a new request would (401).
      polls.releaseAll();
      persist?.clear();
    },
  };

  persist?.restore();

  return {
    backend,
    acceptStream: realtime.accept,
    httpHandlers: [front],
    engagement(engagementId) {
      const record = store.engagements.get(engagementId);
      if (!record) return undefined;
      const { subEngagementId, visitorToken, operatorToken } = record;
      return { engagementId, subEngagementId, visitorToken, operatorToken };
    },
    shutdown() {
      realtime.close(1001, 'server stopped');
      polls.releaseAll();
      persist?.flush();
    },
  };
}
