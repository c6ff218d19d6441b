import { holdLock, type HeldLock, type LockManagerLike } from '../shared/locks.js';
import { keysWithPrefix, readJson, writeJson, type StorageLike } from '../shared/storage.js';
import type { Timer } from '../shared/timers.js';

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
  /**
   * Appends to this tab's queue; returns the event that had to make room, if
   * any: with 'drop-oldest' the oldest one not being sent (a request for it
   * may already have reached the server), else the new one itself.
   */
  push(event: Omit<QueuedEvent, 'n'>): QueuedEvent | undefined;
  /** `events` are in a request now (`true`), or no longer (`false`): a full queue does not drop them. */
  sending(events: readonly QueuedEvent[], now: boolean): void;
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
  /** For the adoption's wait for the locks of tabs that are gone. */
  timer: Timer;
}

/** One tab's queue: `prefix + tabId` (also the name of that tab's Web Lock), and its events in order. */
type Source = [name: string, events: QueuedEvent[]];

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
export function createEventQueue({ storage, prefix, tabId, limit, overflow, locks, timer: turn }: EventQueueOptions): EventQueue {
  const name = prefix + tabId;
  const events: QueuedEvent[] = [];
  const own: Source = [name, events];
  /** Queues of tabs that are gone, oldest first; each dropped once drained, so never empty. */
  const adopted: Source[] = [];
  /**
   * Every queue this tab has claimed, with its lock (none without Web Locks):
   * ours, held for this tab's lifetime so that other tabs leave it alone;
   * adopted ones, held while we drain them; and those of tabs alive when we
   * looked, waited for. Resolves whether the lock was granted.
   */
  const claimed = new Map<string, HeldLock | undefined>();
  const claim = (name: string) => {
    const lock = locks && holdLock(locks, name);
    claimed.set(name, lock);
    // Refused (site data blocked): this tab keeps its own queue and adopts none it cannot lock.
    return Promise.resolve(lock?.acquired ?? true).catch(() => name === own[0]);
  };
  const release = (name: string) => {
    claimed.get(name)?.release();
    claimed.delete(name);
  };
  const ownLock = claim(name);
  let counter = 0;
  let closed = false;
  /** In a request now: the server may store them, so they are never what a full queue drops. */
  const inFlight = new Set<QueuedEvent>();

  const sources = () => [...adopted, own];
  const all = () => sources().flatMap((source) => source[1]);

  return {
    // The caller's own fresh object: numbered in place rather than copied (recordEvent's hot path).
    push(event: QueuedEvent) {
      let evicted: QueuedEvent | undefined;
      event.n = ++counter;
      if (events.length >= limit) {
        // The oldest is almost always the head, in a request when the server is slow or failing.
        const at = overflow === 'reject-new' ? -1 : events.findIndex((queued) => !inFlight.has(queued));
        if (at < 0) return event;
        evicted = events[at]!;
        // The ones before it (in flight: usually the head alone) move one place on, then the first
        // slot goes: O(at) with shift()'s fast path, where splice(at, 1) moves the whole queue.
        for (let i = at; i > 0; i--) events[i] = events[i - 1]!;
        events.shift();
        storage.removeItem(name + ':' + evicted.id);
      }
      events.push(event);
      // Written now: a reload, a closed tab or a crash right after the call keeps it.
      writeJson(storage, name + ':' + event.id, event);
      return evicted;
    },
    head: () => (adopted[0] ?? own)[1][0],
    sending(sent, now) {
      for (const event of sent) {
        if (now) inFlight.add(event);
        else inFlight.delete(event);
      }
    },
    remove(id) {
      for (const source of sources()) {
        const [name, events] = source;
        const at = events.findIndex((event) => event.id === id);
        if (at >= 0) {
          inFlight.delete(events.splice(at, 1)[0]!);
          storage.removeItem(name + ':' + id);
          if (source !== own && !events.length) {
            // Drained: let the dead tab's lock go.
            adopted.splice(adopted.indexOf(source), 1);
            release(name);
          }
          return true;
        }
      }
      return false;
    },
    all,
    get size() {
      return all().length;
    },

    async adoptOrphans(onAdopted) {
      await ownLock;
      // One scan of the storage, grouped by tab: with many keys and many dead
      // tabs, a scan per tab would make the start cost keys × tabs.
      const groups = new Map<string, string[]>();
      for (const key of keysWithPrefix(storage, prefix)) {
        const name = key.slice(0, key.indexOf(':', prefix.length));
        const group = groups.get(name);
        if (group) group.push(key);
        else groups.set(name, [key]);
      }
      let scanned = true;
      for (const [name, keys] of groups) {
        // Waiting, not `ifAvailable`: a tab that is alive now may close later,
        // and then the browser hands its lock (and its queue) to one of us.
        if (closed || claimed.has(name)) continue;
        void claim(name).then((granted) => {
          // A tab that closed later may have written more since the scan: look again, for it alone.
          const found = !granted || closed ? [] : scanned ? keys : keysWithPrefix(storage, name + ':');
          const events = found
            .map((key) => readJson(storage, key) as QueuedEvent)
            // Skips what is not an event of ours (its key would be wrong).
            .filter((event) => typeof event?.id === 'string')
            .sort((a, b) => a.n - b.n);
          if (!events.length) return release(name);
          adopted.push([name, events]);
          // Older tabs first: their events were recorded before ours.
          adopted.sort((a, b) => a[1][0]!.at - b[1][0]!.at);
          onAdopted(events.length);
        });
      }
      // Locks of tabs that are gone are granted at once; give them a turn so
      // that the caller's first send already includes their queues. (Cancelled
      // with the visitor's timers on close: then there is nothing to wait for.)
      await new Promise((resolve) => turn.set(() => resolve(undefined), 0));
      scanned = false;
    },

    close() {
      closed = true;
      claimed.forEach((lock) => lock?.release());
    },
  };
}
