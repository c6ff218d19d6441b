import { readJson, writeJson, type StorageLike } from '../core/storage.js';
import type { Timers } from '../core/timers.js';

/**
 * What the visitor has already processed in an engagement's command stream:
 * the resume position and the most recent command ids. Persisted so that a
 * reload neither replays a command nor skips one.
 */
export interface ExecutedIds {
  has(id: string): boolean;
  /** Records `id` as processed at `seq`. */
  add(id: string, seq: number): void;
  /** Marks `seq` processed without an id (an invalid frame we skipped). */
  advance(seq: number): void;
  /**
   * The resume position: every seq up to it has been processed. Frames that
   * arrive out of order above a gap do not move it, so a reconnect asks for
   * the gap again (and the ids above it are skipped as duplicates).
   */
  readonly lastSeq: number;
  readonly size: number;
  /** Reads the persisted state again: another tab may have run commands meanwhile. */
  reload(): void;
  /** Writes a pending change now (page going away, visitor closing). */
  flush(): void;
}

interface Persisted {
  seq: number;
  ids: string[];
}

/**
 * Ids are kept in insertion order and the oldest dropped beyond `limit`: the
 * position already stops replays of old commands, the ids guard against a
 * server that sends one command twice or out of order.
 *
 * Writing the whole set after every command cost most of the dispatch time
 * (docs/performance.md), so writes are throttled to one per `interval` ms.
 * The visitor calls `flush()` on `pagehide`, on hidden visibility and on
 * `close()`, which covers reloads, navigation and closed tabs; only a crash
 * of the browser inside that window could run its commands again.
 */
export function createExecutedIds(storage: StorageLike, key: string, limit: number, timers: Timers, interval = 100): ExecutedIds {
  const ids = new Set<string>();
  let watermark = 0;
  /** Seqs processed above a gap. Not persisted: after a reload they are re-sent and skipped by id. */
  const ahead = new Set<number>();
  const load = () => {
    const saved = readJson(storage, key) as Partial<Persisted> | undefined;
    ids.clear();
    ahead.clear();
    if (Array.isArray(saved?.ids)) {
      for (const id of saved.ids.slice(-limit)) if (typeof id === 'string') ids.add(id);
    }
    watermark = typeof saved?.seq === 'number' && Number.isSafeInteger(saved.seq) && saved.seq > 0 ? saved.seq : 0;
  };
  load();
  let dirty = false;
  let queued = false;
  let lastWrite = -Infinity;
  const TIMER = `persist:${key}`;

  const flush = () => {
    timers.clear(TIMER);
    queued = false;
    if (!dirty) return;
    dirty = false;
    lastWrite = Date.now();
    writeJson(storage, key, { seq: watermark, ids: [...ids] } satisfies Persisted);
  };
  const schedule = () => {
    dirty = true;
    if (queued) return;
    queued = true;
    // The first change after a quiet spell is written once this task's
    // microtasks have run; a stream of changes at most once per interval.
    const wait = lastWrite + interval - Date.now();
    if (wait > 0) timers.set(TIMER, flush, wait);
    else queueMicrotask(() => queued && !timers.has(TIMER) && flush());
  };
  const mark = (seq: number) => {
    if (seq <= watermark) return;
    if (seq === watermark + 1) {
      watermark = seq;
      while (ahead.delete(watermark + 1)) watermark++;
    } else {
      ahead.add(seq);
      // A gap the server never fills must not hold memory forever: past the
      // limit, accept the loss of position (ids still prevent re-runs).
      if (ahead.size > limit) {
        watermark = Math.min(...ahead) - 1;
        while (ahead.delete(watermark + 1)) watermark++;
      }
    }
    schedule();
  };

  return {
    has: (id) => ids.has(id),
    add(id, seq) {
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value as string);
      mark(seq);
      schedule();
    },
    advance: mark,
    get lastSeq() {
      return watermark;
    },
    get size() {
      return ids.size;
    },
    reload: load,
    flush,
  };
}
