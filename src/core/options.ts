import type { CommandHandler, CommandHandlers, DefaultCommandMap } from '../commands/types.js';
import type { RealtimeOptions, WebSocketConstructor } from '../realtime/connection.js';
import type { TranscriptOptions } from '../transcript/transcript.js';
import type { FetchLike } from '../transport/http.js';
import { DEFAULTS } from './defaults.js';
import { ConfigurationError, describe } from './errors.js';
import type { Logger, LogLevel } from './logger.js';
import { engagementPath, isJsonObject, trimBase, type CustomCommand } from './protocol.js';
import { defaultLocks, type LockManagerLike } from './locks.js';
import { createMemoryStorage, defaultStorage, type StorageLike } from './storage.js';
import type { BackoffOptions } from '../transport/retry-policy.js';
import type { TokenSource } from './token.js';

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
  handlers?: CommandHandlers<M>;
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

export interface ResolvedVisitorOptions {
  baseUrl: string;
  engagementId: string;
  token: TokenSource;
  getFetch: () => FetchLike;
  getWebSocket: () => WebSocketConstructor | undefined;
  storage: StorageLike;
  commandStorage: StorageLike;
  tabs: 'one' | 'each';
  locks: LockManagerLike | undefined;
  queue: { limit: number; overflow: 'drop-oldest' | 'reject-new'; backoff: BackoffOptions };
  handlers: Record<string, CommandHandler>;
  nameOf: (command: CustomCommand) => unknown;
  connect: boolean;
  dedupeLimit: number;
  streamUrl: string;
  realtime: RealtimeOptions;
  transcript: TranscriptOptions | undefined;
  logger: Logger | undefined;
  logLevel: LogLevel;
}

const WHERE = 'createVisitor';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'warn', 'error', 'silent'];
const TRANSPORTS = ['auto', 'websocket', 'polling'] as const;

/** Checks every option once, at creation, and names the one that is wrong. */
export function resolveVisitorOptions<M>(options: VisitorOptions<M>): ResolvedVisitorOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('options', `${WHERE}: expected an options object, got ${describe(options)}`);
  }
  const baseUrl = resolveBaseUrl(WHERE, options.baseUrl);
  const engagementId = requireString(WHERE, 'engagementId', options.engagementId);
  const token = options.token;
  if (typeof token === 'string') requireString(WHERE, 'token', token);
  else if (typeof token !== 'function') {
    throw new ConfigurationError(
      'token',
      `${WHERE}: option "token" must be a string or a function returning one, got ${describe(token)}`,
    );
  }
  const fetchOption = optionalFunction(WHERE, 'fetch', options.fetch) as FetchLike | undefined;
  const getFetch = (): FetchLike => {
    if (fetchOption) return fetchOption;
    const global = globalThis.fetch as FetchLike | undefined;
    if (typeof global !== 'function') {
      throw new ConfigurationError('fetch', `${WHERE}: no global fetch here; pass option "fetch"`);
    }
    return global;
  };
  const wsOption = optionalFunction(WHERE, 'WebSocket', options.WebSocket) as WebSocketConstructor | undefined;
  const getWebSocket = () => wsOption ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;

  const logLevel = options.logLevel ?? DEFAULTS.logLevel;
  oneOf('logLevel', logLevel, LOG_LEVELS);
  if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
    throw new ConfigurationError('logger', `${WHERE}: option "logger" must be an object, got ${describe(options.logger)}`);
  }

  const tabs = options.tabs ?? DEFAULTS.tabs;
  oneOf('tabs', tabs, ['one', 'each'] as const);
  if (options.storage !== undefined) {
    for (const method of ['getItem', 'setItem', 'removeItem'] as const) {
      if (typeof (options.storage as unknown as Record<string, unknown>)?.[method] !== 'function') {
        throw new ConfigurationError('storage', `${WHERE}: option "storage" must have a ${method} method (the Web Storage API)`);
      }
    }
  }
  const storage = options.storage ?? defaultStorage('localStorage') ?? createMemoryStorage();
  const commandStorage = options.storage ?? (tabs === 'each' ? defaultStorage('sessionStorage') : undefined) ?? storage;
  const locks = options.locks ?? defaultLocks();
  if (locks !== undefined && typeof (locks as { request?: unknown } | null)?.request !== 'function') {
    throw new ConfigurationError('locks', `${WHERE}: option "locks" must have a request method (the Web Locks API)`);
  }
  const queueOption = options.queue ?? {};
  const overflow = queueOption.overflow ?? DEFAULTS.queue.overflow;
  oneOf('queue.overflow', overflow, ['drop-oldest', 'reject-new'] as const);
  const queue = {
    limit: positiveInteger('queue.limit', queueOption.limit ?? DEFAULTS.queue.limit),
    overflow,
    backoff: resolveBackoff('queue.backoff', { ...DEFAULTS.queue.backoff, ...queueOption.backoff }),
  };

  const handlers = resolveHandlers(options.handlers);
  const nameOf = resolveCommandName(options.commandName ?? DEFAULTS.commandName);
  const realtime = resolveRealtime(options.realtime ?? {});
  const dedupeLimit = positiveInteger('dedupeLimit', options.dedupeLimit ?? DEFAULTS.dedupeLimit);
  const streamUrl =
    options.realtimeUrl === undefined
      ? `${baseUrl.replace(/^http/, 'ws')}${engagementPath(engagementId, '/stream')}`
      : resolveStreamUrl(options.realtimeUrl);
  const connect = options.connect ?? typeof (globalThis as { window?: unknown }).window !== 'undefined';
  if (typeof connect !== 'boolean') {
    throw new ConfigurationError('connect', `${WHERE}: option "connect" must be a boolean, got ${describe(connect)}`);
  }
  if (options.transcript !== undefined && (typeof options.transcript !== 'object' || options.transcript === null)) {
    throw new ConfigurationError('transcript', `${WHERE}: option "transcript" must be an object, got ${describe(options.transcript)}`);
  }

  return {
    baseUrl,
    engagementId,
    token,
    getFetch,
    getWebSocket,
    storage,
    commandStorage,
    tabs,
    locks,
    queue,
    handlers,
    nameOf,
    connect,
    dedupeLimit,
    streamUrl,
    realtime,
    transcript: options.transcript,
    logger: options.logger,
    logLevel,
  };
}

function resolveHandlers(value: unknown): Record<string, CommandHandler> {
  if (value === undefined) return {};
  if (!isJsonObject(value)) {
    throw new ConfigurationError('handlers', `${WHERE}: option "handlers" must be an object of functions, got ${describe(value)}`);
  }
  const handlers = value as Record<string, unknown>;
  for (const name of Object.keys(handlers)) {
    if (typeof handlers[name] !== 'function') {
      throw new ConfigurationError(
        `handlers.${name}`,
        `${WHERE}: option "handlers.${name}" must be a function, got ${describe(handlers[name])}`,
      );
    }
  }
  return handlers as Record<string, CommandHandler>;
}

function resolveCommandName(value: unknown): (command: CustomCommand) => unknown {
  if (typeof value === 'function') return value as (command: CustomCommand) => unknown;
  if (typeof value === 'string' && value !== '') {
    // Own properties only: "constructor" must not name Object's constructor.
    return (command) => (Object.prototype.hasOwnProperty.call(command.properties, value) ? command.properties[value] : undefined);
  }
  throw new ConfigurationError(
    'commandName',
    `${WHERE}: option "commandName" must be a property name or a function, got ${describe(value)}`,
  );
}

function resolveRealtime(value: NonNullable<VisitorOptions['realtime']>): RealtimeOptions {
  if (value === null || typeof value !== 'object') {
    throw new ConfigurationError('realtime', `${WHERE}: option "realtime" must be an object, got ${describe(value)}`);
  }
  const d = DEFAULTS.realtime;
  const transport = value.transport ?? d.transport;
  oneOf('realtime.transport', transport, TRANSPORTS);
  return {
    transport,
    fallbackAfter: positiveInteger('realtime.fallbackAfter', value.fallbackAfter ?? d.fallbackAfter),
    pollInterval: positiveNumber('realtime.pollInterval', value.pollInterval ?? d.pollInterval),
    websocketRetryInterval: positiveNumber('realtime.websocketRetryInterval', value.websocketRetryInterval ?? d.websocketRetryInterval),
    heartbeatInterval: positiveNumber('realtime.heartbeatInterval', value.heartbeatInterval ?? d.heartbeatInterval),
    heartbeatTimeout: positiveNumber('realtime.heartbeatTimeout', value.heartbeatTimeout ?? d.heartbeatTimeout),
    backoff: resolveBackoff('realtime.backoff', { ...d.backoff, ...value.backoff }),
  };
}

function resolveBackoff(option: string, backoff: BackoffOptions): BackoffOptions {
  const { jitter } = backoff;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw new ConfigurationError(`${option}.jitter`, `${WHERE}: option "${option}.jitter" must be a number from 0 to 1, got ${describe(jitter)}`);
  }
  return {
    initialDelay: positiveNumber(`${option}.initialDelay`, backoff.initialDelay),
    maxDelay: positiveNumber(`${option}.maxDelay`, backoff.maxDelay),
    factor: positiveNumber(`${option}.factor`, backoff.factor),
    jitter,
  };
}

function resolveStreamUrl(value: unknown): string {
  const raw = requireString(WHERE, 'realtimeUrl', value);
  try {
    const url = new URL(raw, globalThis.location?.href);
    if (url.protocol === 'ws:' || url.protocol === 'wss:') return url.href;
  } catch {
    // reported below
  }
  throw new ConfigurationError('realtimeUrl', `${WHERE}: option "realtimeUrl" must be a ws: or wss: URL, got ${describe(raw)}`);
}

function oneOf<T>(option: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new ConfigurationError(option, `${WHERE}: option "${option}" must be one of ${allowed.join(', ')}, got ${describe(value)}`);
  }
}

function positiveNumber(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(option, `${WHERE}: option "${option}" must be a positive number, got ${describe(value)}`);
  }
  return value;
}

function positiveInteger(option: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new ConfigurationError(option, `${WHERE}: option "${option}" must be a positive integer, got ${describe(value)}`);
  }
  return value as number;
}

export function requireString(where: string, option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    const got = value === undefined ? 'it is missing' : `got ${describe(value)}`;
    throw new ConfigurationError(option, `${where}: option "${option}" must be a non-empty string, ${got}`);
  }
  return value;
}

export function optionalFunction(where: string, option: string, value: unknown): unknown {
  if (value !== undefined && typeof value !== 'function') {
    throw new ConfigurationError(option, `${where}: option "${option}" must be a function, got ${describe(value)}`);
  }
  return value;
}

export function resolveBaseUrl(where: string, value: unknown): string {
  const raw = requireString(where, 'baseUrl', value);
  let url: URL;
  try {
    url = new URL(raw, globalThis.location?.href);
  } catch {
    throw new ConfigurationError(
      'baseUrl',
      `${where}: option "baseUrl" must be an absolute http(s) URL (or a path on a page), got ${describe(raw)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError('baseUrl', `${where}: option "baseUrl" must use http or https, got ${describe(raw)}`);
  }
  if (url.search || url.hash) {
    throw new ConfigurationError('baseUrl', `${where}: option "baseUrl" must not have a query or fragment, got ${describe(raw)}`);
  }
  return trimBase(url.href);
}
