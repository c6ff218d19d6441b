/**
 * The visitor's composition root: it resolves the options once, makes each
 * part with exactly what that part uses, and wires their callbacks together.
 * No part knows another except through what it is handed here.
 * docs/architecture.md draws the two paths through it.
 */
import { nanoid } from 'nanoid';
import { createDispatcher } from '../commands/dispatcher.js';
import { createCommandState } from '../commands/command-state.js';
import { createRegistry } from '../commands/registry.js';
import { createResultReporter } from '../commands/result-reporter.js';
import { createRunner } from '../commands/run.js';
import { createScheduler } from '../commands/scheduler.js';
import type { CommandRegistry, DefaultCommandMap } from '../commands/types.js';
import { createEventDelivery } from '../events/delivery.js';
import { createEventQueue } from '../events/queue.js';
import { createHttpClient } from '../http/client.js';
import { createKeepaliveBudget, type KeepaliveBudget } from '../http/sender.js';
import { createTokenProvider } from '../http/token.js';
import {
  commandPath,
  engagementPath,
  readMeta,
  readTyping,
  type EngagementEvent,
  type EngagementMeta,
  type ReadReceipt,
} from '../protocol/wire.js';
import { createConnection, type ConnectionState } from '../realtime/connection.js';
import { createTranscript, type Transcript } from '../transcript/model.js';
import { badArgument, isText } from '../shared/check.js';
import { createEmitter, type Emitter } from '../shared/emitter.js';
import { ClosedError, QueueFullError } from '../shared/errors.js';
import { createPageSignals, type PagePlatform } from '../shared/lifecycle.js';
import { defaultLocks } from '../shared/locks.js';
import { createLogger } from '../shared/logger.js';
import { createGuardedStorage, createMemoryStorage, platformStorage, type StorageLike, type StorageProblem } from '../shared/storage.js';
import { createTimers } from '../shared/timers.js';
import { DEFAULTS } from './defaults.js';
import { EVENT_ALIASES, type AllVisitorEvents, type DeprecatedVisitorEventMap, type VisitorEventMap } from './events.js';
import { resolveVisitorOptions, type VisitorOptions } from './options.js';
import { createTabs } from './tabs.js';
import { createTyping, type Typing } from './typing.js';

export interface Visitor<M = DefaultCommandMap> extends Emitter<AllVisitorEvents> {
  readonly engagementId: string;
  /** The realtime connection's current state (the `connection:changed` event reports each change). */
  readonly connection: ConnectionState;
  /** Register and unregister command handlers at any time. */
  readonly commands: CommandRegistry<M>;
  /** Operator commands and visitor events, in order (headless; see `mountTranscript`). */
  readonly transcript: Transcript;
  /**
   * The engagement's metadata and properties as the operator set them
   * (ChatShipper's `/set`); `{ meta: {}, properties: {} }` until the server
   * sends them. A snapshot, replaced on every change (`meta:changed`); frozen at its top level, and to be treated as read-only all through.
   */
  readonly meta: Readonly<EngagementMeta>;
  /** Tells the operator the visitor is typing (Engage Digital's typing.start / typing.stop), throttled. */
  readonly typing: Typing;
  /**
   * Tells the operator the visitor has seen an operator command (Engage
   * Digital's `status.mark_as_read`): `POST .../custom_commands/{id}/read`.
   * Resolves with `{ command_id, read_at }`; marking again keeps the first time.
   */
  markAsRead(commandId: string): Promise<ReadReceipt>;
  /**
   * Tells the operator the visitor did something (Glia's `POST
   * /engagements/{engagement_id}/events`). The event is queued and persisted
   * at once, then sent in order; network errors, 408, 425, 429 and 5xx are
   * retried (also after a reload). Resolves with the event the server
   * stored; rejects with an `InvalidArgumentError` before queueing for an
   * empty or non-string message, with the HTTP error of a final refusal
   * (other 4xx), with `QueueFullError` if it was dropped (the events dropped
   * while the queue stays full share one error object, and one warning is
   * logged for them), or with `ClosedError` when the visitor closed first
   * (the event stays queued).
   */
  recordEvent(message: string): Promise<EngagementEvent>;
  /**
   * Resolves when every queued event (also ones left by an earlier page) was
   * delivered or refused; rejects with `ClosedError` when the visitor closes
   * first (the events stay queued for the next page load).
   */
  flush(): Promise<void>;
  /** Starts receiving commands (needed only with `connect: false`, or after the server refused us). */
  connect(): void;
  /**
   * Stops everything the visitor started: socket, timers, listeners. After it,
   * `recordEvent`, `flush` and `markAsRead` reject and `connect` and
   * `typing.start` throw a `ClosedError`; what only removes or reads (`off`,
   * `typing.stop`, the getters) still works; a listener added later is never
   * called.
   */
  close(): void;
}

export type { VisitorEventMap, DeprecatedVisitorEventMap };

export function createVisitor<M = DefaultCommandMap>(options: VisitorOptions<M>): Visitor<M> {
  const config = resolveVisitorOptions(options);
  const { engagementId } = config;
  const logger = createLogger(config.logLevel, config.logger);
  const reportListenerError = (error: unknown, event: string) => logger.error(`a listener of "${event}" threw`, error);
  const emitter = createEmitter<VisitorEventMap>(reportListenerError);
  const { emit } = emitter;
  const timers = createTimers((error) => logger.error('a timer callback threw', error));
  const signals = createPageSignals(globalThis as PagePlatform, reportListenerError);
  const token = createTokenProvider(config.token);
  const http = createHttpClient({ baseUrl: config.baseUrl, token, getFetch: config.getFetch });
  const transcript = createTranscript(config.transcript, (error) => logger.error('a transcript listener threw', error));
  const path = (rest: string) => engagementPath(engagementId, rest);
  const prefix = `engagekit:${engagementId}:`;
  const commandsKey = prefix + 'commands';
  let closed = false;

  // ---- storage: the option, else the platform's, else memory; guarded, and what it costs said once
  const said = new Set<string>();
  const once = (what: string, message: string) => {
    if (said.has(what)) return;
    said.add(what);
    logger.warn(message);
  };
  const storageProblem = (problem: StorageProblem) => {
    if (problem.kind === 'corrupt') return logger.warn(`removed a corrupt stored item: ${problem.key}`);
    const name = (problem.error as Error | undefined)?.name ?? 'refused';
    once(
      problem.kind,
      problem.kind === 'write'
        ? `storage refused a write (${name}): until it accepts writes again, commands run now may run again after a reload, and events not yet sent are lost if the page closes`
        : `storage failed to read (${name}): what an earlier page left (events to send, commands run) may be missed, and commands may run again`,
    );
  };
  const raw = config.storage ?? pickStorage('localStorage', once);
  // With tabs: 'each', every tab keeps its own command state (sessionStorage).
  const rawCommands = config.storage ?? ((config.tabs === 'each' && platformStorage('sessionStorage').storage) || raw);
  const storage = createGuardedStorage(raw, storageProblem);
  const commandStorage = rawCommands === raw ? storage : createGuardedStorage(rawCommands, storageProblem);
  const locks = config.locks ?? defaultLocks();

  // ---- events: queue, delivery, and the promises of this page's recordEvent calls
  const pending = new Map<string, (error?: unknown, stored?: EngagementEvent) => void>();
  /** While the queue is full: the one error its dropped events reject with, and how many it dropped. */
  let overflow: { error: QueueFullError; dropped: number } | undefined;
  const drainWaiters: Array<() => void> = [];
  const drained = () => {
    for (const resolve of drainWaiters.splice(0)) resolve();
  };
  const settle = (id: string, error?: unknown, stored?: EngagementEvent) => {
    pending.get(id)?.(error, stored);
    pending.delete(id);
  };
  const queue = createEventQueue({
    storage,
    prefix: prefix + 'events:',
    tabId: nanoid(10),
    limit: config.queue.limit,
    overflow: config.queue.overflow,
    locks,
    timer: timers.timer(),
  });
  const delivery = createEventDelivery({
    queue,
    http,
    path: path('/events'),
    backoff: config.queue.backoff,
    timers,
    logger,
    signals,
    onAccepted(queued, stored) {
      // The server said yes; a body we cannot show must not turn that into a rejection.
      if (typeof stored?.id === 'string') transcript.addEvent(stored);
      else logger.warn('events: a 2xx without an event object', stored);
      settle(queued.id, undefined, stored);
      emit('event:recorded', { event: stored });
    },
    onRefused(queued, error) {
      logger.warn(`event refused, not retried: ${error.message}`);
      settle(queued.id, error);
      emit('event:failed', { message: queued.message, id: queued.id, error });
    },
    onDrained: drained,
  });

  // ---- commands: registry, runner, exactly-once ids, timers, dispatcher, results
  const registry = createRegistry<M>(config.handlers);
  const run = createRunner({ registry: registry as never, logger });
  const state = createCommandState({
    storage: commandStorage,
    key: commandsKey,
    limit: config.dedupeLimit,
    timers,
    signals,
    onWriteFailed: () => storageProblem({ kind: 'write', error: undefined }),
  });
  const reporter = createResultReporter({
    http,
    path: path('/custom_commands/results'),
    backoff: config.queue.backoff,
    timers,
    logger,
    signals,
    state,
  });
  // Kept with the command state: with tabs: 'each' every tab has its own, with 'one' the leading tab runs them.
  const scheduler = createScheduler({
    storage: commandStorage,
    prefix,
    timer: timers.timer(),
    run,
    onFired: (firing) => !closed && emit('timer:fired', firing),
  });
  // Work that scans every key of a storage (the scheduler's stored timers, the event queues of
  // closed tabs) must never delay the connection: with a large storage it waits until the
  // connection is open or standing by (then runs in the next task), or `ms` passed; `now()` runs
  // it at once if it is still due (a command needs the timers).
  const deferred = (work: () => void) => {
    const timer = timers.timer();
    let due = false;
    const now = () => {
      if (!due) return;
      due = false;
      timer.clear();
      work();
    };
    emitter.on('connection:changed', ({ current }) => {
      if (due && (current.status === 'open' || current.status === 'standby')) timer.set(now, 0);
    });
    return {
      now,
      /** Due from now: run after `ms`, or at once for a negative `ms`. */
      soon(ms: number) {
        due = true;
        if (ms < 0) now();
        else timer.set(now, ms);
      },
      cancel() {
        due = false;
        timer.clear();
      },
    };
  };
  const large = (of: StorageLike) => (of.length ?? 0) > 100;
  const schedulerStart = deferred(scheduler.start);
  const startScheduler = () => schedulerStart.soon(large(commandStorage) ? 1_000 : -1);
  const stopScheduler = () => {
    schedulerStart.cancel();
    scheduler.stop();
  };
  const dispatcher = createDispatcher({
    executed: state,
    nameOf: config.nameOf,
    scheduler: {
      accept(command, name, seq) {
        schedulerStart.now();
        return scheduler.accept(command, name, seq);
      },
    },
    run,
    logger,
    onReceived(command, name, seq) {
      transcript.addCommand(command);
      // Per command: without a listener, no payload is built and no emit made.
      if (emitter.has('command:received')) emit('command:received', { command, name, seq });
    },
    onOutcome(outcome) {
      if (closed) return;
      reporter.report(outcome);
      if (emitter.has('command:handled')) emit('command:handled', outcome);
    },
  });

  // ---- tabs and the connection
  const tabs = createTabs({
    mode: config.tabs,
    locks,
    lockName: commandsKey,
    logger,
    // Taking over from a tab that closed: continue from where it got to.
    async onLead(mine) {
      await state.takeOver(mine);
      // The turn was given up meanwhile (the page left): the tab that leads now runs the timers.
      if (!mine()) return;
      reporter.kick();
      startScheduler();
    },
  });
  let meta: Readonly<EngagementMeta> = Object.freeze({ meta: {}, properties: {} });
  let metaJson: string | undefined;
  const connection = createConnection({
    streamUrl: config.streamUrl,
    pollPath: path('/custom_commands'),
    getWebSocket: config.getWebSocket,
    token,
    http,
    options: config.realtime,
    timers,
    logger,
    signals,
    position: () => state.lastSeq,
    onUnknownPosition(serverLastSeq) {
      logger.warn(
        `the stored stream position (${state.lastSeq}) is past the server's newest (${serverLastSeq}): another or a reset server; starting from the beginning (commands already run stay skipped)`,
      );
      state.resetPosition();
    },
    onCommand(seq, command) {
      // The transcript's listeners (the renderer's DOM work) are called once
      // the handler has run: the command shows at once, but it is not on the
      // path from the frame to the handler.
      transcript.hold();
      try {
        dispatcher.dispatch(seq, command);
      } finally {
        transcript.release();
      }
    },
    onMeta(value) {
      const state = readMeta(value);
      if (!state) return logger.warn('ignored malformed meta', value);
      // Polling repeats the state with every page: only a change is news.
      const json = JSON.stringify(state);
      if (json === metaJson) return;
      metaJson = json;
      emit('meta:changed', (meta = Object.freeze(state)));
    },
    onTyping(frame) {
      const view = readTyping(frame);
      transcript.setTyping(view && { sender: 'operator', ...(view.preview === undefined ? {} : { preview: view.preview }) });
    },
    onChange(change) {
      emit('connection:changed', change);
      const { current } = change;
      // A stop sent while we were away would never arrive: the server repeats a typing that still goes on.
      if (current.status !== 'open') transcript.setTyping(undefined);
      if (current.status === 'closed' && current.error) {
        // Refused for good: this tab gave up its turn (another may lead now), so it stops
        // firing timers and writes its last state, as when the page leaves. connect() starts again.
        stopScheduler();
        state.flush(true);
        emit('connection:refused', { error: current.error });
      }
    },
    waitForTurn: tabs.waitForTurn,
  });

  const typing = createTyping({ http, path: path('/typing'), timers, logger, ...DEFAULTS.typing });
  // With a leading tab, the state is taken over and timers start when this tab gets the lead (tabs' onLead).
  const connect = () => {
    if (!tabs.leads) {
      state.start();
      reporter.kick();
      startScheduler();
    }
    connection.connect();
  };

  /** After close(), a ClosedError; with `name`, an InvalidArgumentError unless `value` is a non-blank string. */
  const check = (where: string, name?: string, value?: unknown) => {
    if (closed) throw new ClosedError(where);
    if (name !== undefined && !isText(value)) badArgument(where, name, 'a non-empty string', value);
  };

  // ---- the page going away: stop, write state, send what fits with keepalive
  const send = (budget = createKeepaliveBudget()) => {
    reporter.unload(budget);
    delivery.unload(budget);
  };
  /** Whether the connection ran when the page left: a return from the back/forward cache starts it again. */
  let resume = false;
  /** Since pagehide (until a return from the back/forward cache): the page's keepalive allowance. */
  let leaving: KeepaliveBudget | undefined;
  signals.on('leave', () => {
    if (closed) return;
    leaving = createKeepaliveBudget();
    // Nothing runs after pagehide: a command not run yet is the next page's (or tab's).
    resume = connection.state.status !== 'idle' && !(connection.state.status === 'closed' && connection.state.error);
    connection.close('the page is going away');
    stopScheduler();
    state.interrupt('interrupted: the page went away before the handler settled');
    // Final: the next leader continues from exactly here.
    state.flush(true);
    send(leaving);
  });
  signals.on('hidden', () => {
    // The page may be killed without a pagehide (mobile): write, and send what waits, but keep running.
    state.flush();
    send();
  });
  // Back from the back/forward cache: take a turn again (another tab may have led meanwhile).
  signals.on('return', () => {
    leaving = undefined;
    if (!closed && resume) connect();
  });

  const alias = <K extends keyof AllVisitorEvents>(event: K) => (EVENT_ALIASES[event as keyof DeprecatedVisitorEventMap] ?? event) as keyof VisitorEventMap;

  const visitor: Visitor<M> = {
    engagementId,
    get connection() {
      return connection.state;
    },
    commands: { register: registry.register, unregister: registry.unregister, has: registry.has },
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
    on: (event, listener) => emitter.on(alias(event), listener as never),
    once: (event, listener) => emitter.once(alias(event), listener as never),
    off: (event, listener) => emitter.off(alias(event), listener as never),

    // Not async: a call is one promise, not one wrapped in another (this is a hot path).
    recordEvent(message) {
      try {
        check('recordEvent', 'message', message);
      } catch (error) {
        return Promise.reject(error);
      }
      const event = { id: nanoid(), message, at: Date.now() };
      const promise = new Promise<EngagementEvent>((resolve, reject) =>
        pending.set(event.id, (error, stored) => (error ? reject(error) : resolve(stored!))),
      );
      const evicted = queue.push(event);
      if (evicted) {
        // A full queue drops one event per call for as long as it stays full (offline, a dead
        // server): one error and one warning per such burst, not one each, which cost more than
        // the call itself. Each dropped event still has its event:dropped and its rejection.
        if (!overflow) {
          overflow = { error: new QueueFullError(config.queue.limit, config.queue.overflow), dropped: 0 };
          logger.warn(overflow.error.message);
        }
        overflow.dropped++;
        settle(evicted.id, overflow.error);
        emit('event:dropped', { message: evicted.message, id: evicted.id, reason: 'overflow' });
      } else if (overflow) {
        logger.debug(`the event queue has room again; ${overflow.dropped} events were dropped while it was full`);
        overflow = undefined;
      }
      delivery.kick();
      return promise;
    },

    async flush() {
      check('flush');
      // close() settles this wait too: it may cancel the adoption (its lock waits and timers).
      await Promise.race([adopt(), new Promise<void>((resolve) => drainWaiters.push(resolve))]);
      // Waiting first: the kick may drain the queue at once.
      if (!closed && queue.size > 0) {
        await new Promise<void>((resolve) => {
          drainWaiters.push(resolve);
          delivery.kick();
        });
      }
      // Closed meanwhile: what is still queued is the next page load's to send.
      if (closed) throw new ClosedError('flush');
    },

    connect() {
      check('connect');
      connect();
    },

    close() {
      if (closed) return;
      closed = true;
      typing.stop();
      stopScheduler();
      state.flush(true);
      reporter.close();
      connection.close();
      delivery.close();
      queue.close();
      timers.clearAll();
      signals.dispose();
      // Still queued and persisted: the next page load sends them.
      for (const [id] of pending) settle(id, new ClosedError('recordEvent'));
      drained();
      emitter.clear();
    },
  };

  // Events left by a page that is gone (a reload, a closed tab) go out first,
  // so this page's wait until they are adopted; flush() waits for them too.
  // The adoption scans the storage and takes a lock per dead tab: deferred as
  // above, in the next task with a small storage.
  let adopting: Promise<void> | undefined;
  const adopt = () =>
    (adopting ??= queue
      .adoptOrphans((count) => {
        logger.debug(`sending ${count} events of a page that is gone`);
        delivery.kick();
      })
      .then(() => {
        if (closed) return;
        delivery.start();
        // Adopted after pagehide (a page closed right after it loaded): its unload sent no event,
        // as ours may not overtake the closed tabs'. The page's scripts may still run: send them
        // all now, in order, with keepalive, rather than leave them to the next page load.
        if (leaving) delivery.unload(leaving);
      }));
  if (config.connect) connect();
  deferred(() => void adopt()).soon(config.connect && large(storage) ? 1_000 : 0);
  return visitor;
}

/**
 * The platform's storage, or memory. A storage the page has but cannot use
 * is said once, plainly; a full one is still used (what it holds can be read;
 * each refused write is seen and said).
 */
function pickStorage(name: 'localStorage', once: (what: string, message: string) => void): StorageLike {
  const { storage, problem } = platformStorage(name);
  if (storage) return storage;
  if (problem === 'QuotaExceededError') return (globalThis as unknown as Record<string, StorageLike>)[name]!;
  if (problem !== undefined) {
    once(
      'unavailable',
      `${name} is unavailable (${problem}): waiting events and run commands are kept in memory only; after a reload, commands may run again and unsent events are lost`,
    );
  }
  return createMemoryStorage();
}
