import { holdLock, type HeldLock, type LockManagerLike } from '../core/locks.js';
import { readJson, writeJson, type StorageLike } from '../core/storage.js';

/** One visitor event waiting for the server. Never holds the token. */
export interface QueuedEvent {
  /** Client-generated; sent as `Idempotency-Key`, so a resend is never stored twice. */
  id: string;
  message: string;
  /** When `recordEvent` was called (ms). */
  at: number;
  /** Order within its tab (several events can share `at`). */
  n: number;
}

export interface EventQueue {
  /** Appends to this tab's queue; returns the event that had to make room, if any. */
  push(event: Omit<QueuedEvent, 'n'>): QueuedEvent | undefined;
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
  /** `engagekit:{engagementId}:events:`; an event is stored under this, its tab id, `:` and its id. */
  prefix: string;
  tabId: string;
  /** Most events this tab keeps waiting. */
  limit: number;
  /** Which event gives way when full. */
  overflow: 'drop-oldest' | 'reject-new';
  locks: LockManagerLike | undefined;
}

interface Source {
  /** `prefix + tabId`: also the name of that tab's Web Lock. */
  name: string;
  events: QueuedEvent[];
  /** For adopted queues: the dead tab's lock, held by us while we drain its queue. */
  lock?: HeldLock;
}

function isQueuedEvent(value: unknown): value is QueuedEvent {
  const v = value as QueuedEvent;
  return !!v && typeof v.id === 'string' && typeof v.message === 'string' && typeof v.at === 'number' && typeof v.n === 'number';
}

/**
 * A FIFO of events per tab, persisted in (local) storage, one key per event.
 *
 * One key per event makes an enqueue one small synchronous write (no queue
 * rewritten per call, nothing waiting in memory for a later write), and every
 * key has exactly one writer: the tab whose id it carries, so tabs never lose
 * each other's writes in a read-modify-write race. A queue whose tab is gone
 * (closed, reloaded) is adopted by the next tab that can take that tab's Web
 * Lock: the browser releases a tab's locks when it goes away, and only one
 * tab can take it, so no two tabs ever send the same queue. Without Web Locks
 * every tab adopts what it finds; the server's idempotency keys then keep a
 * double send from being stored twice.
 */
export function createEventQueue(options: EventQueueOptions): EventQueue {
  const { storage, prefix, locks } = options;
  const own: Source = { name: prefix + options.tabId, events: [] };
  const adopted: Source[] = [];
  // Held for this tab's lifetime: other tabs see it taken and leave our queue alone.
  const ownLock = locks ? holdLock(locks, own.name) : undefined;
  /** Lock requests for the queues of tabs that were alive when we looked. */
  const waiting = new Set<HeldLock>();
  let counter = 0;
  let closed = false;

  const keyOf = (source: Source, id: string) => `${source.name}:${id}`;
  const sources = () => [...adopted, own];
  /** Every stored key of the tab queue `name`, or all queue keys without a name. */
  const storedKeys = (name?: string): string[] => {
    const keys: string[] = [];
    const { length } = storage;
    if (typeof length !== 'number' || typeof storage.key !== 'function') return keys;
    for (let i = 0; i < length; i++) {
      const key = storage.key(i);
      if (key && key.startsWith(name === undefined ? prefix : `${name}:`)) keys.push(key);
    }
    return keys;
  };

  const adopt = (name: string, lock: HeldLock | undefined, onAdopted: (count: number) => void) => {
    if (closed) return lock?.release();
    const events = storedKeys(name)
      .map((key) => readJson(storage, key))
      .filter(isQueuedEvent)
      .sort((a, b) => a.n - b.n);
    if (events.length === 0) return lock?.release();
    adopted.push(lock ? { name, events, lock } : { name, events });
    // Older tabs first: their events were recorded before ours.
    adopted.sort((a, b) => a.events[0]!.at - b.events[0]!.at);
    onAdopted(events.length);
  };

  return {
    push(input) {
      // The caller's own fresh object: numbered in place rather than copied (recordEvent's hot path).
      const event = input as QueuedEvent;
      event.n = ++counter;
      let evicted: QueuedEvent | undefined;
      if (own.events.length >= options.limit) {
        if (options.overflow === 'reject-new') return event;
        evicted = own.events.shift()!;
        storage.removeItem(keyOf(own, evicted.id));
      }
      own.events.push(event);
      // Written now: a reload, a closed tab or a crash right after the call keeps it.
      writeJson(storage, keyOf(own, event.id), event);
      return evicted;
    },
    head() {
      for (const source of sources()) if (source.events.length) return source.events[0];
      return undefined;
    },
    remove(id) {
      for (const source of sources()) {
        const at = source.events.findIndex((event) => event.id === id);
        if (at < 0) continue;
        source.events.splice(at, 1);
        storage.removeItem(keyOf(source, id));
        if (source !== own && source.events.length === 0) {
          // Drained: let the dead tab's lock go.
          adopted.splice(adopted.indexOf(source), 1);
          source.lock?.release();
        }
        return true;
      }
      return false;
    },
    all: () => sources().flatMap((source) => source.events),
    get size() {
      return sources().reduce((n, source) => n + source.events.length, 0);
    },

    async adoptOrphans(onAdopted) {
      if (ownLock) await ownLock.acquired;
      if (closed) return;
      const names = new Set<string>();
      for (const key of storedKeys()) {
        const name = key.slice(0, key.indexOf(':', prefix.length));
        if (name !== own.name && !adopted.some((source) => source.name === name)) names.add(name);
      }
      for (const name of names) {
        if (!locks) {
          adopt(name, undefined, onAdopted);
          continue;
        }
        // Waiting, not `ifAvailable`: a tab that is alive now may close later,
        // and then the browser hands its lock (and its queue) to one of us.
        const lock = holdLock(locks, name);
        waiting.add(lock);
        void lock.acquired.then((granted) => {
          waiting.delete(lock);
          if (granted) adopt(name, lock, onAdopted);
          else lock.release();
        });
      }
      // Locks of tabs that are gone are granted at once; give them a turn so
      // that the caller's first send already includes their queues.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },

    close() {
      if (closed) return;
      closed = true;
      ownLock?.release();
      for (const source of adopted) source.lock?.release();
      for (const lock of waiting) lock.release();
    },
  };
}
