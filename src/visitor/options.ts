import type { CommandHandler, CommandHandlers, DefaultCommandMap } from '../commands/types.js';
import type { RealtimeOptions } from '../realtime/connection.js';
import type { WebSocketConstructor } from '../realtime/websocket.js';
import type { TranscriptOptions } from '../transcript/model.js';
import type { FetchLike } from '../http/client.js';
import { DEFAULTS } from './defaults.js';
import {
  badOption,
  checkUrl,
  isFunction,
  isJsonObject,
  need,
  OPTIONAL_FUNCTION,
  resolveBaseUrl,
  STRING,
  STRING_OR_FUNCTION,
  type Check,
} from '../shared/check.js';
import type { Logger, LogLevel } from '../shared/logger.js';
import { engagementPath, toRealtimeUrl, type CustomCommand } from '../protocol/wire.js';
import type { LockManagerLike } from '../shared/locks.js';
import type { StorageLike } from '../shared/storage.js';
import type { BackoffOptions } from '../http/retry-policy.js';
import type { TokenSource } from '../http/token.js';

/** Options of `createVisitor`. `M` declares the commands you handle (see `DefaultCommandMap`). */
export interface VisitorOptions<M = DefaultCommandMap> {
  /**
   * The API's base URL, e.g. `https://api.example.com`. A path-only URL such
   * as `/api` is resolved against the page's location.
   */
  baseUrl: string;
  /** The engagement this visitor takes part in. */
  engagementId: string;
  /**
   * The visitor's access token, or a function returning one (sync or async).
   * A function is called on first use and once more after a 401 to get a
   * fresh token; the request is then sent again.
   */
  token: TokenSource;
  /**
   * Command handlers by name; `'*'` catches every command without one of its own.
   * @default {}
   */
  handlers?: CommandHandlers<NoInfer<M>>;
  /**
   * Which property of `command.properties` names the handler, or a function
   * that returns the name.
   * @default 'name'
   */
  commandName?: string | ((command: CustomCommand) => unknown);
  /**
   * Start receiving commands at once. Off, call `visitor.connect()` yourself.
   * @default true in a browser (where `window` exists), false elsewhere (server-side rendering)
   */
  connect?: boolean;
  /**
   * The `fetch` to use.
   * @default globalThis.fetch, read on every request
   */
  fetch?: FetchLike;
  /**
   * The WebSocket constructor to use.
   * @default globalThis.WebSocket, read at every connect (so MSW's patch applies)
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Where waiting events, executed command ids and the stream position are
   * kept, so that a reload or a closed tab loses nothing and re-runs nothing.
   * The token is never written to it.
   * @default localStorage (with `tabs: 'each'`, sessionStorage for the command state), or memory where unavailable
   */
  storage?: StorageLike;
  /**
   * With several tabs of one visitor open: `'one'` runs each command in one
   * tab (the oldest; the others stand by and take over when it closes),
   * `'each'` runs it in every tab. Needs Web Locks; without them every tab
   * behaves as `'each'`.
   * @default 'one'
   */
  tabs?: 'one' | 'each';
  /**
   * The Web Locks API used to coordinate tabs.
   * @default navigator.locks
   */
  locks?: LockManagerLike;
  /** The event queue: `limit` (1000 per tab), `overflow` (`'drop-oldest'`), `backoff` (1 s doubling to 30 s, half random). */
  queue?: { limit?: number; overflow?: 'drop-oldest' | 'reject-new'; backoff?: Partial<BackoffOptions> };
  /**
   * Command ids remembered for exactly-once (the stream position covers older ones).
   * @default 500
   */
  dedupeLimit?: number;
  /**
   * The command stream's WebSocket URL.
   * @default baseUrl with http→ws / https→wss, plus `/engagements/{engagementId}/stream`
   */
  realtimeUrl?: string;
  /** Transport, fallback, reconnect and heartbeat settings; see `RealtimeOptions` for defaults. */
  realtime?: Partial<Omit<RealtimeOptions, 'backoff'>> & { backoff?: Partial<RealtimeOptions['backoff']> };
  /** Transcript settings: `fallbackText` (the generic text), `limit`. */
  transcript?: TranscriptOptions;
  /**
   * Where log lines go.
   * @default console
   */
  logger?: Logger;
  /**
   * The least severe level written to the logger.
   * @default 'warn'
   */
  logLevel?: LogLevel;
}

/** Every option of `createVisitor`, checked, defaulted and frozen: what the composition root wires. */
export interface ResolvedVisitorOptions {
  readonly baseUrl: string;
  readonly engagementId: string;
  readonly token: TokenSource;
  /** The `fetch` option, or the global one read at each call. */
  readonly getFetch: () => FetchLike;
  /** The `WebSocket` option, or the global one read at each connect (MSW patches it late). */
  readonly getWebSocket: () => WebSocketConstructor | undefined;
  /** The `storage` option; undefined: the platform's (localStorage, sessionStorage), chosen by the root. */
  readonly storage: StorageLike | undefined;
  readonly tabs: 'one' | 'each';
  /** The `locks` option; undefined: `navigator.locks`, read by the root. */
  readonly locks: LockManagerLike | undefined;
  readonly queue: Readonly<{ limit: number; overflow: 'drop-oldest' | 'reject-new'; backoff: BackoffOptions }>;
  readonly handlers: Readonly<Record<string, CommandHandler>>;
  /** The handler name of a command (option `commandName`). */
  readonly nameOf: (command: CustomCommand) => unknown;
  readonly connect: boolean;
  readonly dedupeLimit: number;
  readonly streamUrl: string;
  readonly realtime: Readonly<RealtimeOptions>;
  readonly transcript: TranscriptOptions | undefined;
  readonly logger: Logger | undefined;
  readonly logLevel: LogLevel;
}

const W = 'createVisitor';

const OBJECT: Check = [(value: unknown) => value === undefined || (typeof value === 'object' && value !== null), 'an object'];
/** An object (arrays count) with the methods of `list`. */
const withMethods = (...methods: string[]): Check => [
  (value: unknown) => value === undefined || (typeof value === 'object' && value !== null && methods.every((m) => isFunction((value as Record<string, unknown>)[m]))),
  'an object with methods ' + methods.join(', '),
];
const oneOf = (...values: string[]): Check => [(value: unknown) => values.includes(value as string), 'one of ' + values.join(', ')];
const INTEGER: Check = [(value: unknown) => Number.isSafeInteger(value) && (value as number) > 0, 'a positive integer'];
const NUMBER: Check = [(value: unknown) => Number.isFinite(value) && (value as number) > 0, 'a positive number'];
const JITTER: Check = [(value: unknown) => Number.isFinite(value) && (value as number) >= 0 && (value as number) <= 1, 'a number from 0 to 1'];
const BOOLEAN: Check = [(value: unknown) => value === undefined || typeof value === 'boolean', 'a boolean'];

/** `null` and `undefined` take the default; anything else must pass `check`. */
const option = <T>(name: string, value: unknown, fallback: T | undefined, check: Check): T => need<T>(W, name, value ?? fallback, check);

/** An option object (`queue`, `realtime.backoff`, ...): given or `{}`, checked to be an object. */
const group = (name: string, value: unknown): Record<string, unknown> => need<Record<string, unknown> | undefined>(W, name, value ?? undefined, OBJECT) ?? {};

function resolveBackoff(name: string, value: unknown, defaults: BackoffOptions): BackoffOptions {
  const given = group(name, value);
  return {
    initialDelay: option(`${name}.initialDelay`, given.initialDelay, defaults.initialDelay, NUMBER),
    maxDelay: option(`${name}.maxDelay`, given.maxDelay, defaults.maxDelay, NUMBER),
    factor: option(`${name}.factor`, given.factor, defaults.factor, NUMBER),
    jitter: option(`${name}.jitter`, given.jitter, defaults.jitter, JITTER),
  };
}

/** Checks every option once, at creation, names the one that is wrong, and returns them frozen. */
export function resolveVisitorOptions<M>(options: VisitorOptions<M>): ResolvedVisitorOptions {
  if (!isJsonObject(options)) badOption(W, 'options', 'an object', options);
  const o = options as unknown as Record<string, unknown>;
  const baseUrl = resolveBaseUrl(W, o.baseUrl);
  const engagementId = option<string>('engagementId', o.engagementId, undefined, STRING);
  const token = option<TokenSource>('token', o.token, undefined, STRING_OR_FUNCTION);
  const handlers = option<Record<string, CommandHandler> | undefined>('handlers', o.handlers, undefined, OBJECT) ?? {};
  const commandName = option<string | ((command: CustomCommand) => unknown)>('commandName', o.commandName, DEFAULTS.commandName, STRING_OR_FUNCTION);
  const connect = option<boolean | undefined>('connect', o.connect, undefined, BOOLEAN);
  const fetch = option<FetchLike | undefined>('fetch', o.fetch, undefined, OPTIONAL_FUNCTION);
  const WebSocket = option<WebSocketConstructor | undefined>('WebSocket', o.WebSocket, undefined, OPTIONAL_FUNCTION);
  const storage = option<StorageLike | undefined>('storage', o.storage, undefined, withMethods('getItem', 'setItem', 'removeItem'));
  const tabs = option<'one' | 'each'>('tabs', o.tabs, DEFAULTS.tabs, oneOf('one', 'each'));
  const locks = option<LockManagerLike | undefined>('locks', o.locks, undefined, withMethods('request'));
  const queue = group('queue', o.queue);
  const resolvedQueue = {
    limit: option('queue.limit', queue.limit, DEFAULTS.queue.limit, INTEGER),
    overflow: option<'drop-oldest' | 'reject-new'>('queue.overflow', queue.overflow, DEFAULTS.queue.overflow, oneOf('drop-oldest', 'reject-new')),
    backoff: resolveBackoff('queue.backoff', queue.backoff, DEFAULTS.queue.backoff),
  };
  const dedupeLimit = option('dedupeLimit', o.dedupeLimit, DEFAULTS.dedupeLimit, INTEGER);
  const realtime = group('realtime', o.realtime);
  const r = DEFAULTS.realtime;
  const resolvedRealtime: RealtimeOptions = {
    transport: option('realtime.transport', realtime.transport, r.transport, oneOf('auto', 'websocket', 'polling')),
    fallbackAfter: option('realtime.fallbackAfter', realtime.fallbackAfter, r.fallbackAfter, INTEGER),
    pollInterval: option('realtime.pollInterval', realtime.pollInterval, r.pollInterval, NUMBER),
    websocketRetryInterval: option('realtime.websocketRetryInterval', realtime.websocketRetryInterval, r.websocketRetryInterval, NUMBER),
    heartbeatInterval: option('realtime.heartbeatInterval', realtime.heartbeatInterval, r.heartbeatInterval, NUMBER),
    heartbeatTimeout: option('realtime.heartbeatTimeout', realtime.heartbeatTimeout, r.heartbeatTimeout, NUMBER),
    backoff: resolveBackoff('realtime.backoff', realtime.backoff, r.backoff),
  };
  const transcript = option<TranscriptOptions | undefined>('transcript', o.transcript, undefined, OBJECT);
  const logger = option<Logger | undefined>('logger', o.logger, undefined, OBJECT);
  const logLevel = option<LogLevel>('logLevel', o.logLevel, DEFAULTS.logLevel, oneOf('debug', 'warn', 'error', 'silent'));
  for (const name in handlers) need(W, 'handlers.' + name, handlers[name], [isFunction, 'a function']);

  return Object.freeze({
    baseUrl,
    engagementId,
    token,
    getFetch: () => fetch ?? globalThis.fetch ?? badOption(W, 'fetch', 'given (no global fetch)', fetch),
    getWebSocket: () => WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    storage,
    tabs,
    locks,
    queue: Object.freeze(resolvedQueue),
    handlers: Object.freeze({ ...handlers }),
    nameOf: isFunction(commandName)
      ? commandName
      : // Own properties only: "constructor" must not name Object's constructor.
        (command: CustomCommand) => Object.prototype.hasOwnProperty.call(command.properties, commandName) && command.properties[commandName],
    connect: connect ?? typeof window !== 'undefined',
    dedupeLimit,
    streamUrl:
      o.realtimeUrl === undefined
        ? toRealtimeUrl(baseUrl) + engagementPath(engagementId, '/stream')
        : checkUrl(W, 'realtimeUrl', o.realtimeUrl, /^wss?:/, 'a ws(s) URL'),
    realtime: Object.freeze(resolvedRealtime),
    transcript,
    logger,
    logLevel,
  });
}
