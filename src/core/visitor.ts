import { createDispatcher, errorMessage, type CommandOutcome } from '../commands/dispatcher.js';
import { createExecutedIds } from '../commands/executed-ids.js';
import { createRegistry } from '../commands/registry.js';
import type { CommandRegistry, DefaultCommandMap } from '../commands/types.js';
import { createConnection, type ConnectionChange, type ConnectionState } from '../realtime/connection.js';
import { createTranscript, type Transcript } from '../transcript/transcript.js';
import { createHttpTransport } from '../transport/http.js';
import { createEmitter, type Emitter } from './emitter.js';
import { ClosedError, describe, InvalidArgumentError, type EngageKitError } from './errors.js';
import { createLogger } from './logger.js';
import { resolveVisitorOptions, type VisitorOptions } from './options.js';
import { commandPath, eventsPath, type CustomCommand, type EngagementEvent } from './protocol.js';
import { createTimers } from './timers.js';
import { createTokenProvider } from './token.js';

/** What a visitor emits; subscribe with `visitor.on(name, listener)`. */
export interface VisitorEventMap {
  /** The server accepted an event. */
  'event:recorded': { event: EngagementEvent };
  /** An event could not be recorded; `recordEvent` rejected with the same error. */
  'event:failed': { message: string; error: EngageKitError };
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
   * `POST /engagements/{engagement_id}/events`). Resolves with the event the
   * server created; rejects with an `InvalidArgumentError` before any request
   * for an empty or non-string message, or with the HTTP error class of the
   * response.
   */
  recordEvent(message: string): Promise<EngagementEvent>;
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
  const executed = createExecutedIds(config.storage, `engagekit:${config.engagementId}:commands`, config.dedupeLimit);
  const timers = createTimers((error, key) => logger.error(`timer "${key}" threw`, error));
  let closed = false;

  const report = (outcome: CommandOutcome) => {
    const body: { status: string; error?: string } = { status: outcome.status };
    if (outcome.status === 'failed') body.error = errorMessage(outcome.error);
    http
      .send({ method: 'POST', path: `${commandPath(config.engagementId, outcome.command.id)}/result`, body })
      .catch((error: unknown) => logger.warn(`could not report the result of command ${outcome.command.id}`, error));
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
  });

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

    async recordEvent(message) {
      if (closed) throw new ClosedError('recordEvent');
      if (typeof message !== 'string' || message.trim() === '') {
        throw new InvalidArgumentError('message', `recordEvent: message must be a non-empty string, got ${describe(message)}`);
      }
      try {
        const event = await http.send<EngagementEvent>({ method: 'POST', path: eventsPath(config.engagementId), body: { message } });
        // The server said yes; a body we cannot show must not turn that into a rejection.
        if (typeof event?.id === 'string') transcript.addEvent(event);
        else logger.warn('the events endpoint answered 200 without an event object', event);
        emitter.emit('event:recorded', { event });
        return event;
      } catch (error) {
        emitter.emit('event:failed', { message, error: error as EngageKitError });
        throw error;
      }
    },

    connect() {
      if (closed) throw new ClosedError('connect');
      connection.connect();
    },

    close() {
      if (closed) return;
      closed = true;
      connection.close();
      timers.clearAll();
      emitter.clear();
    },
  };

  if (config.connect) connection.connect();
  return visitor;
}
