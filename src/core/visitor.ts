import { createDispatcher, type CommandOutcome } from '../commands/dispatcher.js';
import { createExecutedIds } from '../commands/executed-ids.js';
import { createRegistry } from '../commands/registry.js';
import { createResultReporter } from '../commands/result-reporter.js';
import { createScheduler } from '../commands/scheduler.js';
import type { CommandRegistry, CommandStatus, DefaultCommandMap } from '../commands/types.js';
import { createConnection, type ConnectionChange, type ConnectionState } from '../realtime/connection.js';
import { createTyping, type Typing } from '../realtime/typing.js';
import { createTranscript, type Transcript } from '../transcript/transcript.js';
import { createEventDelivery } from '../transport/event-delivery.js';
import { createEventQueue, type QueuedEvent } from '../transport/event-queue.js';
import { createHttpTransport } from '../transport/http.js';
import { nanoid } from 'nanoid';
import { createEmitter, type Emitter } from './emitter.js';
import { ClosedError, describe, InvalidArgumentError, QueueFullError, type EngageKitError } from './errors.js';
import { holdLock } from './locks.js';
import { createLogger } from './logger.js';
import { resolveVisitorOptions, type VisitorOptions } from './options.js';
import { DEFAULTS } from './defaults.js';
import {
  commandPath,
  engagementPath,
  eventsPath,
  isJsonObject,
  type CustomCommand,
  type EngagementEvent,
  type EngagementMeta,
} from './protocol.js';
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
  /** A new command arrived; its handler runs right after (a scheduled command's when its timer fires). */
  command: { command: CustomCommand; name: string | undefined; seq: number };
  /**
   * A command's handler finished (`executed`), threw (`failed`), or there was
   * none (`unhandled`); or the command set a timer (`scheduled`), changed one
   * (`executed`), or had an invalid schedule (`failed`, with the reason).
   */
  'command:result': CommandOutcome;
  /** A scheduled command's timer fired and its handler ran (seed 002). */
  timer: TimerEvent;
  /** The operator changed the engagement's metadata or properties; the whole new state (also `visitor.meta`). */
  meta: EngagementMeta;
  /** The server refused the connection for good (bad token, wrong engagement). */
  error: { error: EngageKitError };
}

/** The payload of the `timer` event: one firing of a scheduled command, and what its handler came to. */
export interface TimerEvent {
  timerName: string;
  /** The command that set the timer. */
  command: CustomCommand;
  name: string | undefined;
  /** When it fired (epoch ms). */
  at: number;
  /** How many firings this run stands for (more than 1 after a page was closed through several). */
  missed: number;
  status: Exclude<CommandStatus, 'scheduled'>;
  /** With `failed`: what the handler threw or rejected with. */
  error?: unknown;
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
   * The engagement's metadata and properties as the operator set them (seed
   * 001's `/set`); `{ meta: {}, properties: {} }` until the server sends them.
   * A frozen snapshot, replaced on every change (see the `meta` event).
   */
  readonly meta: Readonly<EngagementMeta>;
  /** Tells the operator the visitor is typing (seed 004's typing.start / typing.stop), throttled. */
  readonly typing: Typing;
  /**
   * Tells the operator the visitor has seen an operator command (seed 004's
   * `status.mark_as_read`): `POST .../custom_commands/{id}/read`. Resolves with
   * `{ command_id, read_at }`; marking again keeps the first time.
   */
  markAsRead(commandId: string): Promise<{ command_id: string; read_at: string }>;
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
  const timers = createTimers((error, key) => logger.error(`timer "${key}" threw`, error));
  const executed = createExecutedIds(config.commandStorage, `${prefix}commands`, config.dedupeLimit, timers);
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
  const reporter = createResultReporter({
    http,
    path: engagementPath(config.engagementId, '/custom_commands/results'),
    backoff: config.queue.backoff,
    timers,
    logger,
  });

  // Scheduled commands (seed 002): kept with the command state, so that with
  // tabs: 'each' every tab has its own, with 'one' the leading tab runs them.
  const scheduler = createScheduler({
    storage: config.commandStorage,
    key: `${prefix}timers`,
    timers,
    fire(entry, at, missed) {
      const { timerName, command, name } = entry;
      dispatcher.run(
        command,
        name,
        entry.seq,
        (status, error) => !closed && emitter.emit('timer', { timerName, command, name, at, missed, status, error } as TimerEvent),
        { name: timerName, at, missed },
      );
    },
  });

  const dispatcher = createDispatcher({
    registry: registry as never,
    executed,
    nameOf: config.nameOf,
    logger,
    intercept: scheduler.accept,
    onReceived(command, name, seq) {
      transcript.addCommand(command);
      emitter.emit('command', { command, name, seq });
    },
    onOutcome(outcome) {
      if (closed) return;
      reporter.report(outcome);
      emitter.emit('command:result', outcome);
    },
  });

  const connection = createConnection({
    ...config.realtime,
    streamUrl: config.streamUrl,
    pollPath: engagementPath(config.engagementId, '/custom_commands'),
    getWebSocket: config.getWebSocket,
    token,
    http,
    timers,
    logger,
    lastSeq: () => executed.lastSeq,
    onCommand: (seq, command) => dispatcher.dispatch(seq, command),
    onMeta(state) {
      const { meta: data, properties } = state as EngagementMeta;
      if (!isJsonObject(data) || !isJsonObject(properties)) return logger.warn('ignored malformed engagement meta', state);
      // Polling repeats the state with every page: only a change is news.
      const json = JSON.stringify([data, properties]);
      if (json === metaJson) return;
      metaJson = json;
      emitter.emit('meta', (meta = Object.freeze({ meta: data, properties })));
    },
    onTyping(frame) {
      const { active, preview } = frame as { active?: unknown; preview?: unknown };
      transcript.setTyping(active === true ? (typeof preview === 'string' && preview ? { sender: 'operator', preview } : { sender: 'operator' }) : undefined);
    },
    onChange(change) {
      emitter.emit('connection', change);
      const { current } = change;
      // A stop sent while we were away would never arrive: the server repeats a typing that still goes on.
      if (current.status !== 'open') transcript.setTyping(undefined);
      if (current.status === 'closed' && current.error) emitter.emit('error', { error: current.error });
    },
    // One tab leads: the browser hands the lock to the next tab when the leader goes.
    ...(config.tabs === 'one' && locks
      ? {
          waitForTurn() {
            const lock = holdLock(locks, `${prefix}commands`);
            // Taking over from a tab that closed: continue from where it got to.
            void lock.acquired.then((granted) => {
              if (!granted) return;
              executed.reload();
              scheduler.start();
            });
            return lock;
          },
        }
      : {}),
  });

  let meta: Readonly<EngagementMeta> = Object.freeze({ meta: {}, properties: {} });
  let metaJson = '';
  const typing = createTyping({ http, path: engagementPath(config.engagementId, '/typing'), timers, logger, ...DEFAULTS.typing });
  // With a leading tab, timers start when this tab takes the lead (waitForTurn above).
  const connect = () => {
    if (!(config.tabs === 'one' && locks)) scheduler.start();
    connection.connect();
  };

  // ---- the page going away: send what fits with keepalive
  const page = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
  const doc = (globalThis as { document?: Document }).document;
  const onPageHide = () => {
    executed.flush();
    reporter.flushOnUnload();
    delivery.flushOnUnload();
  };
  const onVisibility = () => doc?.visibilityState === 'hidden' && onPageHide();
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
    get meta() {
      return meta;
    },
    typing: {
      start(preview) {
        if (closed) throw new ClosedError('typing.start');
        typing.start(preview);
      },
      stop: typing.stop,
    },
    markAsRead(commandId) {
      if (closed) return Promise.reject(new ClosedError('markAsRead'));
      if (typeof commandId !== 'string' || commandId === '') {
        return Promise.reject(
          new InvalidArgumentError('commandId', `markAsRead: commandId must be a non-empty string, got ${describe(commandId)}`),
        );
      }
      return http.send({ method: 'POST', path: `${commandPath(config.engagementId, commandId)}/read` });
    },
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
      const event = { id: nanoid(), message, at: Date.now() };
      const promise = new Promise<EngagementEvent>((resolve, reject) => pending.set(event.id, { resolve, reject }));
      const evicted = queue.push(event);
      if (evicted) dropped(evicted);
      delivery.kick();
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
      connect();
    },

    close() {
      if (closed) return;
      closed = true;
      typing.stop();
      scheduler.stop();
      executed.flush();
      reporter.close();
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
  const adopting = queue
    .adoptOrphans((count) => {
      logger.debug(`sending ${count} events left by a page that is gone`);
      delivery.kick();
    })
    .then(() => !closed && delivery.start());
  if (config.connect) connect();
  return visitor;
}
