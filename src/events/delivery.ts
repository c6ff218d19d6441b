import type { HttpClient } from '../http/client.js';
import type { BackoffOptions } from '../http/retry-policy.js';
import { createSender, utf8Length, type KeepaliveBudget } from '../http/sender.js';
import { MAX_BATCH_ITEMS, type EngagementEvent } from '../protocol/wire.js';
import { httpErrorFor, isHttpError, type EngageKitError } from '../shared/errors.js';
import type { PageSignals } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { Timers } from '../shared/timers.js';
import type { EventQueue, QueuedEvent } from './queue.js';

export interface EventDeliveryDeps {
  queue: EventQueue;
  http: HttpClient;
  /** `/engagements/{id}/events` */
  path: string;
  backoff: BackoffOptions;
  timers: Timers;
  logger: Logger;
  signals: PageSignals;
  /** The server stored the event (exactly once per event: a racing resend is ignored here). */
  onAccepted(event: QueuedEvent, stored: EngagementEvent): void;
  /** The server refused the event for good (a 4xx other than 408/425/429). */
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
  /** Page going away: send what fits the keepalive budget, in order, in one request. */
  unload(budget: KeepaliveBudget): void;
  close(): void;
}

/** One item's answer in `POST .../events/batch`: the stored event, or why not. */
type BatchAnswer = EngagementEvent | { error: { status: number; message: string; debug_message: string } };

/**
 * Sends the queue through the one sender, one event per request, oldest
 * first, so the server stores them in the order they were recorded (Glia's
 * `POST .../events`, with an `Idempotency-Key`). When the page goes away,
 * what waits goes in one keepalive request to the batch endpoint (an
 * extension), whose items the server stores in order: separate keepalive
 * requests could arrive in any order.
 */
export function createEventDelivery(deps: EventDeliveryDeps): EventDelivery {
  const { queue, http, path, logger } = deps;
  const accept = (event: QueuedEvent, stored: EngagementEvent) => queue.remove(event.id) && deps.onAccepted(event, stored);
  const refuse = (event: QueuedEvent, error: EngageKitError) => queue.remove(event.id) && deps.onRefused(event, error);

  /** One request: one event to Glia's endpoint, several (the unload flush) to the batch endpoint. */
  const send = async (events: readonly QueuedEvent[], keepalive: boolean): Promise<void> => {
    if (events.length === 1) {
      const event = events[0]!;
      const stored = await http.send<EngagementEvent>({
        method: 'POST',
        path,
        body: { message: event.message },
        headers: { 'Idempotency-Key': event.id },
        keepalive,
      });
      return void accept(event, stored);
    }
    const { events: answers } = await http.send<{ events: BatchAnswer[] }>({
      method: 'POST',
      path: path + '/batch',
      body: { events: events.map(({ id, message }) => ({ idempotency_key: id, message })) },
      keepalive,
    });
    events.forEach((event, i) => {
      const answer = answers?.[i];
      if (answer && 'error' in answer) {
        const error = httpErrorFor({ status: answer.error.status, method: 'POST', url: path, serverMessage: answer.error.message, debugMessage: answer.error.debug_message });
        // A retryable answer keeps the event for the next send.
        if (!error.retryable) refuse(event, error);
      } else if (answer) accept(event, answer);
    });
  };

  const sender = createSender<QueuedEvent>(
    {
      peek(max) {
        if (max > 1) return queue.all();
        const head = queue.head();
        return head ? [head] : [];
      },
      async deliver(events, keepalive) {
        queue.sending(events, true);
        try {
          await send(events, keepalive);
        } catch (error) {
          // Refused with a status: not stored, so they may give way to newer events again. No
          // answer at all: the server may have stored them; they stay marked (removing an event unmarks it).
          if (isHttpError(error)) queue.sending(events, false);
          throw error;
        }
      },
      refuse(events, error) {
        for (const event of events) refuse(event, error);
      },
      size: (event) => utf8Length(JSON.stringify({ idempotency_key: event.id, message: event.message })) + 1,
      idle: deps.onDrained,
    },
    { backoff: deps.backoff, timer: deps.timers.timer(), logger, signals: deps.signals, paused: true, unloadMax: MAX_BATCH_ITEMS },
  );
  return { start: sender.start, kick: sender.kick, unload: sender.unload, close: sender.close };
}
