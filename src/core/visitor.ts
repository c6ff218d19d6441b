import { createDispatcher, errorMessage, type CommandOutcome } from '../commands/dispatcher.js';
import { createExecutedIds } from '../commands/executed-ids.js';
import { createRegistry } from '../commands/registry.js';
import type { CommandRegistry, DefaultCommandMap } from '../commands/types.js';
import { createConnection, type ConnectionChange, type ConnectionState } from '../realtime/connection.js';
import { createTranscript, type Transcript } from '../transcript/transcript.js';
import { createEventDelivery } from '../transport/event-delivery.js';
import { createEventQueue, type QueuedEvent } from '../transport/event-queue.js';
import { createHttpTransport } from '../transport/http.js';
import { retryDelay } from '../transport/retry-policy.js';
import { nanoid } from 'nanoid';
import { createEmitter, type Emitter } from './emitter.js';
import { ClosedError, describe, InvalidArgumentError, QueueFullError, type EngageKitError } from './errors.js';
import { holdLock } from './locks.js';
import { createLogger } from './logger.js';
import { resolveVisitorOptions, type VisitorOptions } from './options.js';
import { commandPath, eventsPath, type CustomCommand, type EngagementEvent } from './protocol.js';
import { createTimers } from './timers.js';
import { createTokenProvider } from './token.js';

/** What a visitor emits; subscribe with `visitor.on(name, listener)`. */
export interface VisitorEventMap {
  /** The server accepted an event. */
  'event:recorded': { event: EngagementEvent };
  /** The server refused an event for good (a 4xx); `recordEvent` rejected with the same error. */
  'event:failed': { message: string; error: EngageKitError };
  /** The queue was full: this event was dropped (`queue.overflow`). */
  'event:dropped': { message: string; id: string; reason: 'overflow' };
  /** The realtime connection changed state. */
  connection: ConnectionChange;
  /** A new command arrived; its handler runs right after. */
  command: { command: CustomCommand; name: string | undefined; seq: number };
  /** A command's handler finished (`executed`), threw (`failed`), or there was none (`unhandled`). */
  'command:result': CommandOutcome;
  /** The server refused the connection for good (bad token, wrong engagement). */
  error: { error: EngageKitError };
}

export interface Visitor<M = DefaultCommandMap> extends Emitter<VisitorEventMap> {
  readonly engagementId: string;
  /** The realtime connection's current state. */
  readonly connection: ConnectionState;
  /** Register and unregister command handlers at any time. */
  readonly commands: CommandRegistry<M>;
  /** Operator commands and visitor events, in order (headless; see `mountTranscript`). */
  readonly transcript: Transcript;
  /**
   * Tells the operator the visitor did something (seed 003:
   * `POST /engagements/{engagement_id}/events`). The event is queued and
   * persisted at once, then sent in order; network errors, 408, 429 and 5xx
   * are retried (also after a reload). Resolves with the event the server
   * stored; rejects with an `InvalidArgumentError` before queueing for an
   * empty or non-string message, with the HTTP error of a final refusal
   * (other 4xx), or with `QueueFullError` if it was dropped.
   */
  recordEvent(message: string): Promise<EngagementEvent>;
  /** Resolves when every queued event (also ones left by an earlier page) was delivered or refused. */
  flush(): Promise<void>;
  /** Starts receiving commands (needed only with `connect: false`, or after the server refused us). */
  connect(): void;
  /** Stops everything the visitor started: socket, timers, listeners. Later calls reject with `ClosedError`. */
  close(): void;
}

export function createVisitor<M = DefaultCommandMap>(options: VisitorOptions<M>): Visitor<M> {
  const config = resolveVisitorOptions(options);
  const logger = createLogger(config.logLevel, config.logger);
  const emitter = createEmitter<VisitorEventMap>((error, event) => logger.error(`a listener of "${event}" threw`, error));
  const token = createTokenProvider(config.token);
  const http = createHttpTransport({ baseUrl: config.baseUrl, token, getFetch: config.getFetch });
  const transcript = createTranscript(config.transcript, (error) => logger.error('a transcript listener threw', error));
  const registry = createRegistry<M>(config.handlers);
  const prefix = `engagekit:${config.engagementId}:`;
  const executed = createExecutedIds(config.commandStorage, `${prefix}commands`, config.dedupeLimit);
  const timers = createTimers((error, key) => logger.error(`timer "${key}" threw`, error));
  const { locks } = config;
  let closed = false;

  // ---- events: queue, delivery, and the promises of this page's recordEvent calls
  const pending = new Map<string, { resolve(event: EngagementEvent): void; reject(error: unknown): void }>();
  let drainWaiters: Array<() => void> = [];
  const settle = (id: string, error: unknown, stored?: EngagementEvent) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (error === undefined) waiter?.resolve(stored!);
    else waiter?.reject(error);
  };
  const queue = createEventQueue({
    storage: config.storage,
    prefix: `${prefix}events:`,
    tabId: nanoid(10),
    limit: config.queue.limit,
    overflow: config.queue.overflow,
    locks,
  });
  const delivery = createEventDelivery({
    queue,
    http,
    path: eventsPath(config.engagementId),
    backoff: config.queue.backoff,
    timers,
    logger,
    onAccepted(queued, stored) {
      // The server said yes; a body we cannot show must not turn that into a rejection.
      if (typeof stored?.id === 'string') transcript.addEvent(stored);
      else logger.warn('the events endpoint answered 2xx without an event object', stored);
      settle(queued.id, undefined, stored);
      emitter.emit('event:recorded', { event: stored });
    },
    onRefused(queued, error) {
      logger.warn(`event refused by the server, not retried: ${error.message}`);
      settle(queued.id, error);
      emitter.emit('event:failed', { message: queued.message, error });
    },
    onDrained() {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const resolve of waiters) resolve();
    },
  });
  const dropped = (event: QueuedEvent) => {
    const error = new QueueFullError(config.queue.limit, config.queue.overflow);
    logger.warn(error.message);
    settle(event.id, error);
    emitter.emit('event:dropped', { message: event.message, id: event.id, reason: 'overflow' });
  };

  // ---- commands
  // Retried like events (the server keeps the first report, so a repeat is harmless);
  // kept in memory only: a page that unloads first leaves that result unreported.
  const report = (outcome: CommandOutcome, attempt = 1): void => {
    const body: { status: string; error?: string } = { status: outcome.status };
    if (outcome.status === 'failed') body.error = errorMessage(outcome.error);
    const { id } = outcome.command;
    http.send({ method: 'POST', path: `${commandPath(config.engagementId, id)}/result`, body }).catch((error: unknown) => {
      const delay = closed ? undefined : retryDelay(error, attempt, config.queue.backoff);
      if (delay === undefined) logger.warn(`could not report the result of command ${id}`, error);
      else timers.set(`report:${id}`, () => report(outcome, attempt + 1), delay);
    });
  };

  const dispatcher = createDispatcher({
    registry: registry as never,
    executed,
    nameOf: config.nameOf,
    logger,
    onReceived(command, name, seq) {
      transcript.addCommand(command);
      emitter.emit('command', { command, name, seq });
    },
    onOutcome(outcome) {
      if (closed) return;
      report(outcome);
      emitter.emit('command:result', outcome);
    },
  });

  const connection = createConnection({
    ...config.realtime,
    streamUrl: config.streamUrl,
    pollPath: `/engagements/${encodeURIComponent(config.engagementId)}/custom_commands`,
    getWebSocket: config.getWebSocket,
    token,
    http,
    timers,
    logger,
    lastSeq: () => executed.lastSeq,
    onCommand: (seq, command) => dispatcher.dispatch(seq, command),
    onChange(change) {
      emitter.emit('connection', change);
      const { current } = change;
      if (current.status === 'closed' && current.error) emitter.emit('error', { error: current.error });
    },
    // One tab leads: the browser hands the lock to the next tab when the leader goes.
    ...(config.tabs === 'one' && locks
      ? {
          waitForTurn() {
            const lock = holdLock(locks, `${prefix}commands`);
            // Taking over from a tab that closed: continue from where it got to.
            void lock.acquired.then((granted) => granted && executed.reload());
            return lock;
          },
        }
      : {}),
  });

  // ---- the page going away: send what fits with keepalive
  const page = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
  const doc = (globalThis as { document?: Document }).document;
  const onPageHide = () => delivery.flushOnUnload();
  const onVisibility = () => doc?.visibilityState === 'hidden' && delivery.flushOnUnload();
  page.addEventListener?.('pagehide', onPageHide);
  doc?.addEventListener?.('visibilitychange', onVisibility);

  const visitor: Visitor<M> = {
    engagementId: config.engagementId,
    get connection() {
      return connection.state;
    },
    commands: {
      register: (name, handler) => registry.register(name, handler),
      unregister: (name) => registry.unregister(name),
      has: (name) => registry.has(name),
    },
    transcript,
    on: emitter.on,
    once: emitter.once,
    off: emitter.off,

    recordEvent(message) {
      if (closed) return Promise.reject(new ClosedError('recordEvent'));
      if (typeof message !== 'string' || message.trim() === '') {
        return Promise.reject(
          new InvalidArgumentError('message', `recordEvent: message must be a non-empty string, got ${describe(message)}`),
        );
      }
      const event: QueuedEvent = { id: nanoid(), message, at: Date.now() };
      const promise = new Promise<EngagementEvent>((resolve, reject) => pending.set(event.id, { resolve, reject }));
      const evicted = queue.push(event);
      if (evicted) dropped(evicted);
      // Until the queues of earlier pages are adopted, sending ours would put them out of order.
      if (ready) delivery.kick();
      return promise;
    },

    async flush() {
      if (closed) throw new ClosedError('flush');
      await adopting;
      if (queue.size === 0) return;
      const done = new Promise<void>((resolve) => drainWaiters.push(resolve));
      delivery.kick();
      return done;
    },

    connect() {
      if (closed) throw new ClosedError('connect');
      connection.connect();
    },

    close() {
      if (closed) return;
      closed = true;
      connection.close();
      delivery.close();
      queue.close();
      timers.clearAll();
      page.removeEventListener?.('pagehide', onPageHide);
      doc?.removeEventListener?.('visibilitychange', onVisibility);
      // Still queued and persisted: the next page load sends them.
      for (const id of [...pending.keys()]) settle(id, new ClosedError('recordEvent'));
      for (const resolve of drainWaiters.splice(0)) resolve();
      emitter.clear();
    },
  };

  // Events left by a page that is gone (a reload, a closed tab) go out first;
  // flush() waits for them too.
  let ready = false;
  const adopting = queue
    .adoptOrphans((count) => {
      logger.debug(`sending ${count} events left by a page that is gone`);
      if (ready) delivery.kick();
    })
    .then(() => {
      ready = true;
      if (!closed) delivery.kick();
    });
  if (config.connect) connection.connect();
  return visitor;
}
