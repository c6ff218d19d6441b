import { isEngageKitError, type EngageKitError } from '../core/errors.js';
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

const offline = () => (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;

/**
 * Sends the queue one event at a time, oldest first, so the server stores
 * them in the order they were recorded. A network error, 408, 429 or 5xx
 * keeps the event at the head and tries again after the backoff (or the
 * server's Retry-After); while the browser is offline nothing is tried until
 * it comes back online. Any other 4xx is final for that event.
 */
export function createEventDelivery(deps: EventDeliveryDeps): EventDelivery {
  const { queue, timers } = deps;
  let sending = false;
  let attempt = 0;
  let closed = false;
  let waitingForOnline = false;
  let started = false;
  /** Sent with keepalive on this page already: not again on a second pagehide. */
  const flushed = new Set<string>();

  const target = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
  const onOnline = () => {
    waitingForOnline = false;
    target.removeEventListener?.('online', onOnline);
    timers.clear('events');
    kick();
  };
  const waitForOnline = () => {
    if (waitingForOnline || typeof target.addEventListener !== 'function') return false;
    waitingForOnline = true;
    target.addEventListener('online', onOnline);
    deps.logger.debug('offline: events wait for the network');
    return true;
  };

  const send = (event: QueuedEvent, keepalive = false) =>
    deps.http.send<EngagementEvent>({
      method: 'POST',
      path: deps.path,
      body: { message: event.message },
      headers: { 'Idempotency-Key': event.id },
      keepalive,
    });

  const accept = (event: QueuedEvent, stored: EngagementEvent) => {
    if (queue.remove(event.id)) deps.onAccepted(event, stored);
  };

  const drain = async () => {
    if (sending || closed) return;
    sending = true;
    try {
      for (let event = queue.head(); event; event = queue.head()) {
        if (offline() && waitForOnline()) return;
        try {
          const stored = await send(event);
          if (closed) return;
          attempt = 0;
          accept(event, stored);
        } catch (error) {
          if (closed) return;
          attempt++;
          const delay = retryDelay(error, attempt, deps.backoff);
          if (delay === undefined) {
            attempt = 0;
            if (queue.remove(event.id)) deps.onRefused(event, error as EngageKitError);
            continue;
          }
          if (isEngageKitError(error, 'ERR_NETWORK') && offline() && waitForOnline()) return;
          deps.logger.debug(`event ${event.id} not delivered (${(error as Error).message}); next try in ${delay} ms`);
          timers.set('events', kick, delay);
          return;
        }
      }
      deps.onDrained();
    } finally {
      sending = false;
    }
  };

  function kick() {
    if (started && !timers.has('events') && !waitingForOnline) void drain();
  }

  return {
    start() {
      started = true;
      kick();
    },
    kick,
    flushOnUnload() {
      if (closed) return;
      let budget = KEEPALIVE_BUDGET - 1024; // headroom for a request the drain loop has in flight
      const utf8 = new TextEncoder();
      for (const event of queue.all()) {
        if (flushed.has(event.id)) continue;
        const size = utf8.encode(JSON.stringify({ message: event.message })).length;
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
      target.removeEventListener?.('online', onOnline);
    },
  };
}
