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
import { createEventQueue } from '../transport/event-queue.js';
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
  const { engagementId, locks } = config;
  const logger = createLogger(config.logLevel, config.logger);
  const { on, once, off, emit, clear } = createEmitter<VisitorEventMap>((error, event) =>
    logger.error(`a listener of "${event}" threw`, error),
  );
  const token = createTokenProvider(config.token);
  const http = createHttpTransport({ ...config, token });
  const transcript = createTranscript(config.transcript, (error) => logger.error('a transcript listener threw', error));
  const registry = createRegistry<M>(config.handlers);
  // The public part: all but `resolve`.
  const { resolve: _, ...commands } = registry;
  const prefix = `engagekit:${engagementId}:`;
  const commandsKey = prefix + 'commands';
  const timers = createTimers((error, key) => logger.error(`timer "${key}" threw`, error));
  const executed = createExecutedIds(config.commandStorage, commandsKey, config.dedupeLimit, timers);
  // What the parts below are made from: the resolved options (the queue's
  // flattened in: limit, overflow, backoff) and the shared services. Each
  // part's factory destructures the fields it needs and ignores the rest.
  // Only resolved options are in it (no unknown user keys); an option added
  // later with the name of a factory's field would reach that factory.
  const deps = { ...config, ...config.queue, token, http, timers, logger };
  const path = (rest: string) => engagementPath(engagementId, rest);
  const commandsPath = path('/custom_commands');
  // One tab leads (tabs: 'one', with Web Locks): it alone runs commands and timers.
  const leads = config.tabs == 'one' && locks;
  let closed = false;
  const freeze = (data: EngagementMeta['meta'], properties: EngagementMeta['properties']) => Object.freeze({ meta: data, properties });
  let meta: Readonly<EngagementMeta> = freeze({}, {});
  let metaJson: string | undefined;

  // ---- events: queue, delivery, and the promises of this page's recordEvent calls
  const pending = new Map<string, (error?: unknown, stored?: EngagementEvent) => void>();
  const drainWaiters: Array<() => void> = [];
  const drained = () => {
    for (const resolve of drainWaiters.splice(0)) resolve();
  };
  const settle = (id: string, error?: unknown, stored?: EngagementEvent) => {
    pending.get(id)?.(error, stored);
    pending.delete(id);
  };
  const queue = createEventQueue({ ...deps, prefix: prefix + 'events:', tabId: nanoid(10) });
  const delivery = createEventDelivery({
    ...deps,
    queue,
    path: path('/events'),
    onAccepted(queued, stored) {
      // The server said yes; a body we cannot show must not turn that into a rejection.
      if (typeof stored?.id == 'string') transcript.addEvent(stored);
      else logger.warn('events: a 2xx without an event object', stored);
      settle(queued.id, undefined, stored);
      emit('event:recorded', { event: stored });
    },
    onRefused(queued, error) {
      logger.warn(`event refused, not retried: ${error.message}`);
      settle(queued.id, error);
      emit('event:failed', { message: queued.message, error });
    },
    onDrained: drained,
  });

  // ---- commands
  const reporter = createResultReporter({ ...deps, path: commandsPath + '/results' });

  // Scheduled commands (seed 002): kept with the command state, so that with
  // tabs: 'each' every tab has its own, with 'one' the leading tab runs them.
  const scheduler = createScheduler({
    ...deps,
    storage: config.commandStorage,
    key: prefix + 'timers',
    fire({ timerName, command, name, seq }, at, missed) {
      dispatcher.run(
        command,
        name,
        seq,
        (status, error) => !closed && emit('timer', { timerName, command, name, at, missed, status, error } as TimerEvent),
        { name: timerName, at, missed },
      );
    },
  });

  const dispatcher = createDispatcher({
    ...deps,
    registry: registry as never,
    executed,
    intercept: scheduler.accept,
    onReceived(command, name, seq) {
      transcript.addCommand(command);
      emit('command', { command, name, seq });
    },
    onOutcome(outcome) {
      if (closed) return;
      reporter.report(outcome);
      emit('command:result', outcome);
    },
  });

  const connection = createConnection({
    ...deps,
    ...config.realtime,
    pollPath: commandsPath,
    lastSeq: () => executed.lastSeq,
    onCommand: dispatcher.dispatch,
    onMeta(state) {
      const { meta: data, properties } = state as EngagementMeta;
      if (!isJsonObject(data) || !isJsonObject(properties)) return logger.warn('ignored malformed meta', state);
      // Polling repeats the state with every page: only a change is news.
      const json = JSON.stringify([data, properties]);
      if (json == metaJson) return;
      metaJson = json;
      emit('meta', (meta = freeze(data, properties)));
    },
    onTyping(frame) {
      const { active, preview } = frame as { active?: unknown; preview?: unknown };
      transcript.setTyping(
        active === true ? { sender: 'operator', ...(typeof preview == 'string' && preview ? { preview } : {}) } : undefined,
      );
    },
    onChange(change) {
      emit('connection', change);
      // Only a closed state has an error.
      const { status, error } = change.current as { status: string; error?: EngageKitError };
      // A stop sent while we were away would never arrive: the server repeats a typing that still goes on.
      if (status != 'open') transcript.setTyping(undefined);
      if (error) emit('error', { error });
    },
    // The browser hands the lock to the next tab when the leader goes.
    ...(leads && {
      waitForTurn() {
        const lock = holdLock(leads, commandsKey);
        // Taking over from a tab that closed: continue from where it got to.
        void lock.acquired.then((granted) => {
          if (!granted) return;
          executed.reload();
          scheduler.start();
        });
        return lock;
      },
    }),
  });

  const typing = createTyping({ ...deps, path: path('/typing'), ...DEFAULTS.typing });
  // With a leading tab, timers start when this tab takes the lead (waitForTurn above).
  const connect = () => {
    if (!leads) scheduler.start();
    connection.connect();
  };

  /** After close(), a ClosedError; with `name`, an InvalidArgumentError unless `value` is a non-empty (with `trim`, non-blank) string. */
  const check = (where: string, name?: string, value?: unknown, trim?: boolean) => {
    if (closed) throw new ClosedError(where);
    if (name && !(typeof value == 'string' && (trim ? value.trim() : value))) {
      throw new InvalidArgumentError(name, `${where}: ${name} must be a non-empty string, got ${describe(value)}`);
    }
  };

  // ---- the page going away: send what fits with keepalive
  const page = globalThis as Partial<Pick<Window, 'addEventListener' | 'removeEventListener' | 'document'>>;
  const doc = page.document;
  const onPageHide = () => {
    executed.flush();
    reporter.flushOnUnload();
    delivery.flushOnUnload();
  };
  const onVisibility = () => doc?.visibilityState == 'hidden' && onPageHide();
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    page[method]?.('pagehide', onPageHide);
    doc?.[method]?.('visibilitychange', onVisibility);
  };
  listen('addEventListener');

  const visitor: Visitor<M> = {
    engagementId,
    get connection() {
      return connection.state;
    },
    commands,
    transcript,
    get meta() {
      return meta;
    },
    typing: {
      start(preview) {
        check('typing.start');
        typing.start(preview);
      },
      stop: typing.stop,
    },
    // async: a throw of check() becomes the rejection.
    async markAsRead(commandId) {
      check('markAsRead', 'commandId', commandId);
      return http.send({ method: 'POST', path: `${commandPath(engagementId, commandId)}/read` });
    },
    on,
    once,
    off,

    async recordEvent(message) {
      check('recordEvent', 'message', message, true);
      const event = { id: nanoid(), message, at: Date.now() };
      const promise = new Promise<EngagementEvent>((resolve, reject) =>
        pending.set(event.id, (error, stored) => (error ? reject(error) : resolve(stored!))),
      );
      const evicted = queue.push(event);
      if (evicted) {
        const error = new QueueFullError(deps.limit, deps.overflow);
        logger.warn(error.message);
        settle(evicted.id, error);
        emit('event:dropped', { message: evicted.message, id: evicted.id, reason: 'overflow' });
      }
      delivery.kick();
      return promise;
    },

    async flush() {
      check('flush');
      await adopting;
      // Waiting first: the kick may drain the queue at once.
      if (queue.size) {
        await new Promise<void>((resolve) => {
          drainWaiters.push(resolve);
          delivery.kick();
        });
      }
    },

    connect() {
      check('connect');
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
      listen('removeEventListener');
      // Still queued and persisted: the next page load sends them.
      for (const [id] of pending) settle(id, new ClosedError('recordEvent'));
      drained();
      clear();
    },
  };

  // Events left by a page that is gone (a reload, a closed tab) go out first;
  // flush() waits for them too.
  const adopting = queue
    .adoptOrphans((count) => {
      logger.debug(`sending ${count} events of a page that is gone`);
      delivery.kick();
    })
    .then(() => !closed && delivery.start());
  if (config.connect) connect();
  return visitor;
}
