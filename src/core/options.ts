import type { CommandHandler, CommandHandlers, DefaultCommandMap } from '../commands/types.js';
import type { RealtimeOptions, WebSocketConstructor } from '../realtime/connection.js';
import type { TranscriptOptions } from '../transcript/transcript.js';
import type { FetchLike } from '../transport/http.js';
import { DEFAULTS } from './defaults.js';
import { ConfigurationError, describe } from './errors.js';
import type { Logger, LogLevel } from './logger.js';
import { engagementPath, trimBase, type CustomCommand } from './protocol.js';
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

const W = 'createVisitor';

/** The one message of every option error: `<where>: option "<option>" must be <must>, got <value>`. */
const fail = (option: string, must: string, value: unknown, where = W): never => {
  throw new ConfigurationError(option, `${where}: option "${option}" must be ${must}, got ${describe(value)}`);
};

/** A kind of option value: its test, and what the error says it must be. */
type Check = [ok: (value: any) => unknown, must: string];

/** `value` if it passes `check`, else a ConfigurationError naming `option`. */
const need = (where: string, option: string, value: any, [ok, must]: Check) => (ok(value) ? value : fail(option, must, value, where));

const isFunction = (value: unknown) => typeof value == 'function';
const STRING: Check = [(value) => typeof value == 'string' && value.trim(), 'a non-empty string'];
const STRING_OR_FUNCTION: Check = [(value) => isFunction(value) || STRING[0](value), 'a non-empty string or a function'];
// FUNCTION, shape() and `connect` let `undefined` through: those options have no default.
const FUNCTION: Check = [(value) => value === undefined || isFunction(value), 'a function'];
/** An object (arrays count) with the methods of `list` (`, `-separated). */
const shape = (list: string): Check => [
  (value) => value === undefined || (typeof value == 'object' && value && list.split(', ').every((method) => isFunction(value[method]) || !method)),
  list ? 'an object with methods ' + list : 'an object',
];
const OBJECT = shape('');
const oneOf = (list: string): Check => [(value) => list.split(', ').includes(value), 'one of ' + list];
const INTEGER: Check = [(value) => Number.isSafeInteger(value) && value > 0, 'a positive integer'];

/**
 * The top-level options, each with its kind, checked in this order (`baseUrl` and
 * `realtimeUrl` are URLs, resolved apart). `queue` and `realtime` are option
 * objects: each of their keys (the keys of their `DEFAULTS`) is checked by
 * `NESTED`, or else must be a positive number.
 */
const CHECKS: Record<string, Check> = {
  engagementId: STRING,
  token: STRING_OR_FUNCTION,
  handlers: OBJECT,
  commandName: STRING_OR_FUNCTION,
  connect: [(value) => value === undefined || typeof value == 'boolean', 'a boolean'],
  fetch: FUNCTION,
  WebSocket: FUNCTION,
  storage: shape('getItem, setItem, removeItem'),
  tabs: oneOf('one, each'),
  locks: shape('request'),
  queue: OBJECT,
  dedupeLimit: INTEGER,
  realtime: OBJECT,
  transcript: OBJECT,
  logger: OBJECT,
  logLevel: oneOf('debug, warn, error, silent'),
};
const NESTED: Record<string, Check> = {
  limit: INTEGER,
  overflow: oneOf('drop-oldest, reject-new'),
  backoff: OBJECT,
  jitter: [(value) => Number.isFinite(value) && value >= 0 && value <= 1, 'a number from 0 to 1'],
  transport: oneOf('auto, websocket, polling'),
  fallbackAfter: INTEGER,
};
const NUMBER: Check = [(value) => Number.isFinite(value) && value > 0, 'a positive number'];

/**
 * Each option of `checks` (by default, each key of `defaults`), given (`null` and
 * `undefined` take the default) or defaulted, and checked. An object of `defaults`
 * is an option object (`queue`, `realtime`, `*.backoff`), resolved key by key into
 * a fresh object. `path` prefixes the option names in errors (`'queue.'`).
 */
function resolve(path: string, given: any, defaults: any, checks?: Record<string, Check>): any {
  const out: any = {};
  for (const key in checks ?? defaults) {
    const option = path + key;
    const fallback = defaults[key];
    const value = need(W, option, given[key] ?? fallback, (checks ?? NESTED)[key] ?? NUMBER);
    out[key] = typeof fallback == 'object' ? resolve(option + '.', value, fallback) : value;
  }
  return out;
}

/** Checks every option once, at creation, and names the one that is wrong. */
export function resolveVisitorOptions<M>(options: VisitorOptions<M>): ResolvedVisitorOptions {
  if (typeof options != 'object' || !options) fail('options', 'an object', options);
  const baseUrl = resolveBaseUrl(W, options.baseUrl);
  const resolved = resolve('', options, DEFAULTS, CHECKS);
  const { engagementId, commandName, fetch, WebSocket } = resolved;
  const storage = resolved.storage ?? defaultStorage('localStorage') ?? createMemoryStorage();
  const handlers = resolved.handlers ?? {};
  for (const name in handlers) need(W, 'handlers.' + name, handlers[name], [isFunction, 'a function']);

  return {
    ...resolved,
    baseUrl,
    getFetch: () => fetch ?? globalThis.fetch ?? fail('fetch', 'given (no global fetch)', fetch),
    getWebSocket: () => WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    storage,
    commandStorage: resolved.storage || (resolved.tabs == 'each' && defaultStorage('sessionStorage')) || storage,
    locks: resolved.locks ?? defaultLocks(),
    handlers,
    nameOf: isFunction(commandName)
      ? commandName
      : // Own properties only: "constructor" must not name Object's constructor.
        (command: CustomCommand) => ({}).hasOwnProperty.call(command.properties, commandName) && command.properties[commandName],
    connect: resolved.connect ?? typeof window != 'undefined',
    streamUrl:
      options.realtimeUrl === undefined
        ? baseUrl.replace(/^http/, 'ws') + engagementPath(engagementId, '/stream')
        : url(W, 'realtimeUrl', options.realtimeUrl, /^wss?:/, 'a ws(s) URL'),
  };
}

/** `value` resolved against the page as a URL whose href matches `pattern`, else a ConfigurationError. */
function url(where: string, option: string, value: unknown, pattern: RegExp, must: string): string {
  const raw = need(where, option, value, STRING);
  try {
    const href = new URL(raw, globalThis.location?.href).href;
    if (pattern.test(href)) return href;
  } catch {
    // reported below
  }
  return fail(option, must, raw, where);
}

export function requireString(where: string, option: string, value: unknown): string {
  return need(where, option, value, STRING);
}

export function optionalFunction(where: string, option: string, value: unknown): unknown {
  return need(where, option, value, FUNCTION);
}

/** An absolute http(s) URL, or a path resolved against the page; no query or fragment; no trailing slash. */
export function resolveBaseUrl(where: string, value: unknown): string {
  return trimBase(url(where, 'baseUrl', value, /^https?:[^?#]*$/, 'an http(s) URL or path, without query or fragment'));
}
