import type { EngageKitError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { EngagementEvent } from '../core/protocol.js';
import type { Timers } from '../core/timers.js';
import type { EventQueue, QueuedEvent } from './event-queue.js';
import type { HttpTransport } from './http.js';
import { retryDelay, type BackoffOptions } from './retry-policy.js';

/** Browsers refuse keepalive requests once their bodies in flight exceed 64 KiB. */
export const KEEPALIVE_BUDGET = 64 * 1024;

export interface EventDeliveryDeps {
  queue: EventQueue;
  http: HttpTransport;
  path: string;
  backoff: BackoffOptions;
  timers: Timers;
  logger: Logger;
  /** The server stored the event (exactly once per event: a racing resend is ignored here). */
  onAccepted(event: QueuedEvent, stored: EngagementEvent): void;
  /** The server refused the event for good (a 4xx other than 408/429). */
  onRefused(event: QueuedEvent, error: EngageKitError): void;
  /** Every queued event was delivered or refused. */
  onDrained(): void;
}

export interface EventDelivery {
  /**
   * Allows sending from now on. Until then `kick()` does nothing: the queues
   * of earlier pages must be adopted first, or ours would overtake them.
   */
  start(): void;
  /** Starts sending if it is not already (and `start()` was called). */
  kick(): void;
  /** Page going away: send what fits in the keepalive budget, without waiting. */
  flushOnUnload(): void;
  close(): void;
}

/**
 * Sends the queue one event at a time, oldest first, so the server stores
 * them in the order they were recorded. A network error, 408, 429 or 5xx
 * keeps the event at the head and tries again after the backoff (or the
 * server's Retry-After); while the browser is offline nothing is tried until
 * it comes back online. Any other 4xx is final for that event.
 */
export function createEventDelivery({
  queue,
  http,
  path,
  backoff,
  timers,
  logger,
  onAccepted,
  onRefused,
  onDrained,
}: EventDeliveryDeps): EventDelivery {
  let sending = false;
  let attempt = 0;
  let closed = false;
  /** Not started yet (the start() gate), or offline and waiting for the `online` event. */
  let paused = true;
  /** Sent with keepalive on this page already: not again on a second pagehide. */
  const flushed = new Set<string>();
  const page = globalThis as { navigator?: { onLine?: boolean }; addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
  const TIMER = 'events';

  // Registered once (a second addEventListener of the same listener is ignored), until close().
  const onOnline = () => {
    paused = false;
    timers.clear(TIMER);
    kick();
  };

  const send = (event: QueuedEvent, keepalive?: boolean) =>
    http.send<EngagementEvent>({
      method: 'POST',
      path,
      body: { message: event.message },
      headers: { 'Idempotency-Key': event.id },
      keepalive,
    });
  const accept = (event: QueuedEvent, stored: EngagementEvent) => queue.remove(event.id) && onAccepted(event, stored);

  const drain = async () => {
    sending = true;
    try {
      for (let event; (event = queue.head()); ) {
        // Offline, where the browser can tell us when it is back: wait for that.
        // (A failure while offline waits out its backoff first, then lands here.)
        if (page.navigator?.onLine === false && page.addEventListener) {
          paused = true;
          return page.addEventListener('online', onOnline);
        }
        try {
          const stored = await send(event);
          attempt = 0;
          if (closed) return;
          accept(event, stored);
        } catch (error) {
          const delay = retryDelay(error, ++attempt, backoff);
          if (closed) return;
          if (delay === undefined) {
            attempt = 0;
            if (queue.remove(event.id)) onRefused(event, error as EngageKitError);
          } else {
            logger.debug(`event ${event.id}: ${(error as Error).message}; retry in ${delay} ms`);
            return timers.set(TIMER, kick, delay);
          }
        }
      }
      onDrained();
    } finally {
      sending = false;
    }
  };

  function kick() {
    if (!(paused || sending || closed || timers.has(TIMER))) void drain();
  }

  return {
    start() {
      paused = false;
      kick();
    },
    kick,
    flushOnUnload() {
      let budget = KEEPALIVE_BUDGET - 1024; // headroom for a request the drain loop has in flight
      for (const event of closed ? [] : queue.all()) {
        if (flushed.has(event.id)) continue;
        // The body's size in UTF-8 bytes.
        const size = new Blob([JSON.stringify({ message: event.message })]).size;
        if (size > budget) break; // in order: the rest stays queued for the next load
        budget -= size;
        flushed.add(event.id);
        // The event stays queued until the server answers: if the page is
        // really going, the next load sends it again under the same key.
        send(event, true).then(
          (stored) => !closed && accept(event, stored),
          () => flushed.delete(event.id),
        );
      }
    },
    close() {
      closed = true;
      page.removeEventListener?.('online', onOnline);
    },
  };
}
