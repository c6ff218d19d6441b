import { holdLock, type HeldLock, type LockManagerLike } from '../core/locks.js';
import { readJson, writeJson, type StorageLike } from '../core/storage.js';

/** One visitor event waiting for the server. Never holds the token. */
export interface QueuedEvent {
  /** Client-generated; sent as `Idempotency-Key`, so a resend is never stored twice. */
  id: string;
  message: string;
  /** When `recordEvent` was called (ms). */
  at: number;
}

export interface EventQueue {
  /** Appends to this tab's queue; returns the event that had to make room, if any. */
  push(event: QueuedEvent): QueuedEvent | undefined;
  /** The next event to send: the adopted queues first (they are older), then ours. */
  head(): QueuedEvent | undefined;
  /** Removes a sent (or finally refused) event, wherever it is; false when it was not there (any more). */
  remove(id: string): boolean;
  /** Everything waiting, oldest first. */
  all(): QueuedEvent[];
  readonly size: number;
  /**
   * Takes over the queues of tabs or page loads that are gone, now and
   * whenever a tab still open at this point goes later (`onAdopted` each
   * time). Resolves once the queues of tabs already gone are adopted.
   */
  adoptOrphans(onAdopted: (count: number) => void): Promise<void>;
  close(): void;
}

export interface EventQueueOptions {
  storage: StorageLike;
  /** `engagekit:{engagementId}:events:`; a tab's queue is this plus its tab id. */
  prefix: string;
  tabId: string;
  /** Most events this tab keeps waiting. */
  limit: number;
  /** Which event gives way when full. */
  overflow: 'drop-oldest' | 'reject-new';
  locks: LockManagerLike | undefined;
}

interface Source {
  key: string;
  events: QueuedEvent[];
  /** For adopted queues: the dead tab's lock, held by us while we drain its queue. */
  lock?: HeldLock;
}

function isQueuedEvent(value: unknown): value is QueuedEvent {
  const v = value as QueuedEvent;
  return !!v && typeof v.id === 'string' && typeof v.message === 'string' && typeof v.at === 'number';
}

/**
 * A FIFO of events per tab, persisted in (local) storage.
 *
 * Every storage key has exactly one writer, the tab whose id it carries, so
 * tabs never lose each other's writes in a read-modify-write race. A queue
 * whose tab is gone (closed, reloaded) is adopted by the next tab that can
 * take that tab's Web Lock: the browser releases a tab's locks when it goes
 * away, and only one tab can take it, so no two tabs ever send the same
 * queue. Without Web Locks every tab adopts what it finds; the server's
 * idempotency keys then keep a double send from being stored twice.
 */
export function createEventQueue(options: EventQueueOptions): EventQueue {
  const { storage, prefix, locks } = options;
  const own: Source = { key: prefix + options.tabId, events: [] };
  const adopted: Source[] = [];
  // Held for this tab's lifetime: other tabs see it taken and leave our queue alone.
  const ownLock = locks ? holdLock(locks, own.key) : undefined;
  /** Lock requests for the queues of tabs that were alive when we looked. */
  const waiting = new Set<HeldLock>();
  let scheduled = false;
  let closed = false;

  const persist = () => {
    scheduled = false;
    if (closed) return;
    if (own.events.length === 0) storage.removeItem(own.key);
    else writeJson(storage, own.key, own.events);
    for (const source of adopted) {
      if (source.events.length === 0) storage.removeItem(source.key);
      else writeJson(storage, source.key, source.events);
    }
  };
  // One write per microtask: a burst of recordEvent calls costs one stringify,
  // and no unload can come between a task and its microtasks.
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(persist);
    }
  };

  const sources = () => [...adopted, own];

  return {
    push(event) {
      let evicted: QueuedEvent | undefined;
      if (own.events.length >= options.limit) {
        if (options.overflow === 'reject-new') return event;
        evicted = own.events.shift();
      }
      own.events.push(event);
      schedule();
      return evicted;
    },
    head() {
      for (const source of sources()) if (source.events.length) return source.events[0];
      return undefined;
    },
    remove(id) {
      for (const source of sources()) {
        const at = source.events.findIndex((event) => event.id === id);
        if (at >= 0) {
          source.events.splice(at, 1);
          if (source !== own && source.events.length === 0) {
            // Drained: forget the key, then let the dead tab's lock go.
            storage.removeItem(source.key);
            adopted.splice(adopted.indexOf(source), 1);
            source.lock?.release();
          }
          schedule();
          return true;
        }
      }
      return false;
    },
    all: () => sources().flatMap((source) => source.events),
    get size() {
      return sources().reduce((n, source) => n + source.events.length, 0);
    },

    async adoptOrphans(onAdopted) {
      if (ownLock) await ownLock.acquired;
      const { length } = storage;
      if (closed || typeof length !== 'number' || typeof storage.key !== 'function') return;
      const keys: string[] = [];
      for (let i = 0; i < length; i++) {
        const name = storage.key(i);
        if (name && name.startsWith(prefix) && name !== own.key && !adopted.some((source) => source.key === name)) {
          keys.push(name);
        }
      }
      for (const name of keys) {
        // Waiting, not `ifAvailable`: a tab that is alive now may close later,
        // and then the browser hands its lock (and its queue) to one of us.
        const lock = locks ? holdLock(locks, name) : undefined;
        if (lock) waiting.add(lock);
        void (lock ? lock.acquired : Promise.resolve(true)).then((granted) => {
          if (lock) waiting.delete(lock);
          if (!granted || closed) return lock?.release();
          const saved = readJson(storage, name);
          const events = Array.isArray(saved) ? saved.filter(isQueuedEvent) : [];
          if (events.length === 0) {
            storage.removeItem(name);
            return lock?.release();
          }
          adopted.push(lock ? { key: name, events, lock } : { key: name, events });
          // Older tabs first: their events were recorded before ours.
          adopted.sort((a, b) => (a.events[0]?.at ?? 0) - (b.events[0]?.at ?? 0));
          onAdopted(events.length);
        });
      }
      // Locks of tabs that are gone are granted at once; give them a turn so
      // that the caller's first send already includes their queues.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },

    close() {
      if (closed) return;
      persist();
      closed = true;
      ownLock?.release();
      for (const source of adopted) source.lock?.release();
      for (const lock of waiting) lock.release();
    },
  };
}
