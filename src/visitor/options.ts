import type { CommandHandler, CommandHandlers, DefaultCommandMap } from '../commands/types.js';
import type { RealtimeOptions } from '../realtime/connection.js';
import type { WebSocketConstructor } from '../realtime/websocket.js';
import type { TranscriptOptions } from '../transcript/model.js';
import type { FetchLike } from '../http/client.js';
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
const BOOLEAN: Check = [(value: unknown) => value === undefined || typeof value === 'boolean', 'a boolean'];
// The option kinds that have a default, given with it:
const oneOf = (values: string[], fallback = values[0]): Check => [(value: unknown) => values.includes(value as string), 'one of ' + values.join(', '), fallback];
const integer = (fallback: number): Check => [(value: unknown) => Number.isSafeInteger(value) && (value as number) > 0, 'a positive integer', fallback];
const number = (fallback: number): Check => [(value: unknown) => Number.isFinite(value) && (value as number) > 0, 'a positive number', fallback];

/** A check for one option (with its default, if it has one), or the rules of an option object (`queue`, `realtime.backoff`, ...). */
type Rule = Check | Rules;
interface Rules {
  readonly [option: string]: Rule;
}
const isCheck = (rule: Rule): rule is Check => Array.isArray(rule);

/**
 * Every option but `baseUrl` and `realtimeUrl` (URLs, resolved apart), in the
 * order they are checked, with its default: one line each, instead of one
 * statement each. The TSDoc of each option repeats its default. Made when
 * needed: built at the top level, its calls would stay in every bundle of
 * the index, `createVisitor` used or not (they are not known to be pure).
 */
const rules = () => {
  /** Reconnect and resend delays: 1 s doubling to 30 s, half of each delay random. Shared by `queue` and `realtime`. */
  const backoff = {
    initialDelay: number(1_000),
    maxDelay: number(30_000),
    factor: number(2),
    jitter: [(value: unknown) => Number.isFinite(value) && (value as number) >= 0 && (value as number) <= 1, 'a number from 0 to 1', 0.5],
  } satisfies Rules;
  return {
    engagementId: STRING,
    token: STRING_OR_FUNCTION,
    handlers: OBJECT,
    // The property of `command.properties` that names the handler.
    commandName: [STRING_OR_FUNCTION[0], STRING_OR_FUNCTION[1], 'name'],
    connect: BOOLEAN,
    fetch: OPTIONAL_FUNCTION,
    WebSocket: OPTIONAL_FUNCTION,
    storage: withMethods('getItem', 'setItem', 'removeItem'),
    // One tab of a visitor runs the commands; 'each' runs them in every tab.
    tabs: oneOf(['one', 'each']),
    locks: withMethods('request'),
    // Events kept waiting per tab; beyond it `overflow` decides (an `event:dropped` is emitted).
    queue: { limit: integer(1_000), overflow: oneOf(['drop-oldest', 'reject-new']), backoff },
    // Command ids remembered per engagement for exactly-once (the seq covers older ones).
    dedupeLimit: integer(500),
    realtime: {
      transport: oneOf(['auto', 'websocket', 'polling']),
      fallbackAfter: integer(3),
      pollInterval: number(3_000),
      websocketRetryInterval: number(60_000),
      heartbeatInterval: number(25_000),
      heartbeatTimeout: number(10_000),
      backoff,
    },
    transcript: OBJECT,
    logger: OBJECT,
    logLevel: oneOf(['debug', 'warn', 'error', 'silent'], 'warn'),
  } satisfies { [K in keyof VisitorOptions]?: Rule };
};

/**
 * `given` checked against `rules`, option by option; `null` and `undefined`
 * take the rule's default. An option object is given or `{}`, checked to be an
 * object, and resolved the same way, its options named `parent.option`.
 * Every object returned is a fresh one, frozen.
 */
function resolve(rules: Rules, given: Record<string, unknown>, path: string): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const key in rules) {
    const rule = rules[key]!;
    const name = path + key;
    resolved[key] = isCheck(rule)
      ? need(W, name, given[key] ?? rule[2], rule)
      : resolve(rule, need<Record<string, unknown> | undefined>(W, name, given[key] ?? undefined, OBJECT) ?? {}, name + '.');
  }
  return Object.freeze(resolved);
}

/** Checks every option once, at creation, names the one that is wrong, and returns them frozen. */
export function resolveVisitorOptions<M>(options: VisitorOptions<M>): ResolvedVisitorOptions {
  if (!isJsonObject(options)) badOption(W, 'options', 'an object', options);
  const o = options as unknown as Record<string, unknown>;
  const baseUrl = resolveBaseUrl(W, o.baseUrl);
  const { handlers = {}, commandName, connect, fetch, WebSocket, ...rest } = resolve(rules(), o, '') as Omit<
    ResolvedVisitorOptions,
    'baseUrl' | 'getFetch' | 'getWebSocket' | 'nameOf' | 'connect' | 'streamUrl'
  > & { commandName: string | ((command: CustomCommand) => unknown); connect?: boolean; fetch?: FetchLike; WebSocket?: WebSocketConstructor };
  for (const name in handlers) need(W, 'handlers.' + name, handlers[name], [isFunction, 'a function']);

  return Object.freeze({
    ...rest,
    baseUrl,
    getFetch: () => fetch ?? globalThis.fetch ?? badOption(W, 'fetch', 'given (no global fetch)', fetch),
    getWebSocket: () => WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    handlers: Object.freeze({ ...handlers }),
    nameOf: isFunction(commandName)
      ? commandName
      : // Own properties only: "constructor" must not name Object's constructor.
        (command: CustomCommand) => Object.prototype.hasOwnProperty.call(command.properties, commandName) && command.properties[commandName],
    connect: connect ?? typeof window !== 'undefined',
    streamUrl:
      o.realtimeUrl === undefined
        ? toRealtimeUrl(baseUrl) + engagementPath(rest.engagementId, '/stream')
        : checkUrl(W, 'realtimeUrl', o.realtimeUrl, /^wss?:/, 'a ws(s) URL'),
  });
}
