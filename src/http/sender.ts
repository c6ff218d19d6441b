/**
 * The one sender: a drain-with-backoff loop over an ordered outbox, and the
 * page's keepalive budget. Event delivery, command results and the operator
 * client all send through it (the shape of Sentry's `createTransport` wrapped
 * in `makeOfflineTransport`): one retry loop, one place that waits for the
 * network to come back, one budget for requests that outlive the page.
 */
import type { EngageKitError } from '../shared/errors.js';
import type { PageSignals } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { Timer } from '../shared/timers.js';
import { retryDelay, type BackoffOptions } from './retry-policy.js';

/** Browsers refuse keepalive requests once their bodies in flight exceed 64 KiB, per page. */
export const KEEPALIVE_BUDGET = 64 * 1024;

/** The size of `text` in UTF-8 bytes: what a request body of it weighs. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** What a keepalive request costs beyond its items' sizes: the envelope, headers are not counted by browsers. */
const ENVELOPE = 64;

/** The page's keepalive allowance, shared by everything that sends while it unloads. */
export interface KeepaliveBudget {
  /** Takes `bytes` of the allowance; false (and nothing taken) when they do not fit. */
  take(bytes: number): boolean;
}

export function createKeepaliveBudget(bytes = KEEPALIVE_BUDGET): KeepaliveBudget {
  let left = bytes;
  return {
    take(size) {
      if (size > left) return false;
      left -= size;
      return true;
    },
  };
}

/** What a sender drains. Items leave it only through `deliver` and `refuse`. */
export interface Outbox<T> {
  /** Up to `max` items to send next, oldest first; empty when nothing waits. */
  peek(max: number): readonly T[];
  /**
   * Sends `items` in one request and settles those the server answered for
   * (removing them from the outbox); rejects with the request's error, and
   * then nothing was removed.
   */
  deliver(items: readonly T[], keepalive: boolean): Promise<void>;
  /** The request for `items` failed for good (not retryable, or out of attempts): settle them as refused, remove them. */
  refuse(items: readonly T[], error: EngageKitError): void;
  /** The UTF-8 size of an item in a keepalive body (for the budget). */
  size(item: T): number;
  /** Nothing waits any more. */
  idle?(): void;
}

export interface SenderDeps {
  backoff: BackoffOptions;
  /** The retry timer: the sender's own handle. */
  timer: Timer;
  logger: Logger;
  /** Offline: wait for `online` instead of burning attempts. Absent: always try. */
  signals?: PageSignals;
  /** Items per request. @default 1 */
  batch?: number;
  /** Tries per request before `refuse`. @default Infinity */
  attempts?: number;
  /** Items in the one keepalive request of `unload` (the server's cap on a batch). @default Infinity */
  unloadMax?: number;
}

export interface Sender {
  /** Starts draining if it is not already (and not paused, waiting or closed). */
  kick(): void;
  /** Allows sending from now on (a sender starts paused when created with `paused`). */
  start(): void;
  /**
   * The page is going away: send what waits and fits `budget` in one
   * keepalive request, without waiting. Items stay in the outbox until the
   * server answers, so a next page load sends what did not arrive.
   */
  unload(budget: KeepaliveBudget): void;
  close(): void;
}

/**
 * Drains `outbox` one request at a time, in order. A network error or a
 * retryable status (408, 425, 429, 500, 502, 503, 504) keeps the items at the head and tries
 * again after the backoff, or after the server's `Retry-After`; while the
 * browser is offline nothing is tried until it is back. Any other refusal is
 * final for the items of that request.
 */
export function createSender<T>(outbox: Outbox<T>, deps: SenderDeps & { paused?: boolean }): Sender {
  const { backoff, timer, logger, signals, batch = 1, attempts = Infinity, unloadMax = Infinity } = deps;
  let sending = false;
  let closed = false;
  let paused = deps.paused === true;
  let attempt = 0;
  let offOnline: (() => void) | undefined;
  /** Sent with keepalive by this page already: not again on a second `unload`. */
  const flushed = new Set<T>();

  const drain = async () => {
    sending = true;
    try {
      for (let items = outbox.peek(batch); items.length > 0; items = outbox.peek(batch)) {
        if (signals && !signals.online) {
          // A failure while offline waits out its backoff first, then lands here.
          offOnline ??= signals.on('online', () => {
            offOnline?.();
            offOnline = undefined;
            timer.clear();
            kick();
          });
          return;
        }
        try {
          await outbox.deliver(items, false);
          attempt = 0;
        } catch (error) {
          if (closed) return;
          const delay = ++attempt < attempts ? retryDelay(error, attempt, backoff) : undefined;
          if (delay === undefined) {
            attempt = 0;
            outbox.refuse(items, error as EngageKitError);
          } else {
            logger.debug(`${(error as Error).message}; retry in ${delay} ms`);
            timer.set(kick, delay);
            return;
          }
        }
        if (closed) return;
      }
      outbox.idle?.();
    } finally {
      sending = false;
    }
  };

  function kick() {
    if (!(paused || sending || closed || timer.pending || offOnline)) void drain();
  }

  return {
    kick,
    start() {
      paused = false;
      kick();
    },
    unload(budget) {
      // Paused: not allowed to send yet (the event queues of closed tabs are not adopted yet, and
      // ours must not overtake them); what waits stays queued for the next page load.
      if (closed || paused) return;
      const items = outbox.peek(Infinity).filter((item) => !flushed.has(item));
      if (items.length === 0 || !budget.take(ENVELOPE)) return;
      let fits = 0;
      while (fits < items.length && fits < unloadMax && budget.take(outbox.size(items[fits]!))) fits++;
      // In order: what does not fit stays for the next page load.
      const sent = items.slice(0, fits);
      if (sent.length === 0) return;
      for (const item of sent) flushed.add(item);
      outbox.deliver(sent, true).catch(() => {
        for (const item of sent) flushed.delete(item);
      });
    },
    close() {
      closed = true;
      timer.clear();
      offOnline?.();
    },
  };
}

/**
 * One request through the same loop: `send` is called again after a network
 * error or a retryable status, at most `attempts` times in all.
 */
export function sendWithRetries<R>(send: () => Promise<R>, deps: Omit<SenderDeps, 'batch' | 'signals'>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let waiting = true;
    createSender<true>(
      {
        peek: () => (waiting ? [true] : []),
        async deliver() {
          resolve(await send());
          waiting = false;
        },
        refuse(_, error) {
          waiting = false;
          reject(error);
        },
        size: () => 0,
      },
      deps,
    ).kick();
  });
}
