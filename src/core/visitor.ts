import { createEmitter, type Emitter } from './emitter.js';
import { ClosedError, describe, InvalidArgumentError, type EngageKitError } from './errors.js';
import { createLogger } from './logger.js';
import { resolveVisitorOptions, type VisitorOptions } from './options.js';
import { eventsPath, type EngagementEvent } from './protocol.js';
import { createTokenProvider } from './token.js';
import { createHttpTransport } from '../transport/http.js';

/** What a visitor emits; subscribe with `visitor.on(name, listener)`. */
export interface VisitorEventMap {
  /** The server accepted an event. */
  'event:recorded': { event: EngagementEvent };
  /** An event could not be recorded; `recordEvent` rejected with the same error. */
  'event:failed': { message: string; error: EngageKitError };
}

export interface Visitor extends Emitter<VisitorEventMap> {
  readonly engagementId: string;
  /**
   * Tells the operator the visitor did something (seed 003:
   * `POST /engagements/{engagement_id}/events`). Resolves with the event the
   * server created; rejects with an `InvalidArgumentError` before any request
   * for an empty or non-string message, or with the HTTP error class of the
   * response.
   */
  recordEvent(message: string): Promise<EngagementEvent>;
  /** Stops everything the visitor started; later calls reject with `ClosedError`. */
  close(): void;
}

export function createVisitor(options: VisitorOptions): Visitor {
  const config = resolveVisitorOptions(options);
  const logger = createLogger(config.logLevel, config.logger);
  const emitter = createEmitter<VisitorEventMap>((error, event) =>
    logger.error(`a listener of "${event}" threw`, error),
  );
  const http = createHttpTransport({
    baseUrl: config.baseUrl,
    token: createTokenProvider(config.token),
    getFetch: config.getFetch,
  });
  let closed = false;

  return {
    engagementId: config.engagementId,
    on: emitter.on,
    once: emitter.once,
    off: emitter.off,

    async recordEvent(message) {
      if (closed) throw new ClosedError('recordEvent');
      if (typeof message !== 'string' || message.trim() === '') {
        throw new InvalidArgumentError(
          'message',
          `recordEvent: message must be a non-empty string, got ${describe(message)}`,
        );
      }
      try {
        const event = await http.send<EngagementEvent>({
          method: 'POST',
          path: eventsPath(config.engagementId),
          body: { message },
        });
        emitter.emit('event:recorded', { event });
        return event;
      } catch (error) {
        emitter.emit('event:failed', { message, error: error as EngageKitError });
        throw error;
      }
    },

    close() {
      if (closed) return;
      closed = true;
      emitter.clear();
    },
  };
}
