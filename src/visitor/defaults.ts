/** Reconnect and resend delays: 1 s doubling to 30 s, half of each delay random. Shared by `queue` and `realtime`. */
const backoff = { initialDelay: 1_000, maxDelay: 30_000, factor: 2, jitter: 0.5 };

/**
 * Every default of the SDK, in one place. The TSDoc of each option repeats its value.
 * `resolveVisitorOptions` reads it beside its table of rules (options.ts), which has
 * the same shape: each key here (but `typing`) is an option of `createVisitor`, and a
 * nested object is an option object (`queue`, `realtime`).
 * Only the top level is frozen (the nested objects are never handed out: options are
 * resolved into fresh objects).
 */
export const DEFAULTS = Object.freeze({
  logLevel: 'warn' as 'debug' | 'warn' | 'error' | 'silent',
  /** The property of `command.properties` that names the handler. */
  commandName: 'name',
  /** Command ids remembered per engagement for exactly-once (the seq covers older ones). */
  dedupeLimit: 500,
  /** One tab of a visitor runs the commands; `'each'` runs them in every tab. */
  tabs: 'one' as 'one' | 'each',
  queue: {
    /** Events kept waiting per tab; beyond it `overflow` decides (an `event:dropped` is emitted). */
    limit: 1_000,
    overflow: 'drop-oldest' as 'drop-oldest' | 'reject-new',
    backoff,
  },
  /**
   * `visitor.typing`: at most one `typing.start` per `throttle` ms, and a
   * `typing.stop` `idle` ms after the last `start()`. With the reference
   * server's limit of 10 typing requests per 10 s per sender, that is at most
   * 8 (4 starts, 4 stops): normal typing never gets a 429.
   * Not an option (`resolveVisitorOptions` skips it).
   */
  typing: { throttle: 3_000, idle: 5_000 },
  realtime: {
    transport: 'auto' as 'auto' | 'websocket' | 'polling',
    fallbackAfter: 3,
    pollInterval: 3_000,
    websocketRetryInterval: 60_000,
    heartbeatInterval: 25_000,
    heartbeatTimeout: 10_000,
    backoff,
  },
});
