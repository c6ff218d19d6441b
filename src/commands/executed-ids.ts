import { readJson, writeJson, type StorageLike } from '../shared/storage.js';
import type { Timer } from '../shared/timers.js';

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
  /**
   * Forgets the position (not the ids): it belonged to another server, or a
   * reset one. Commands already run stay skipped by id.
   */
  resetPosition(): void;
  /** Reads the persisted state again: another tab may have run commands meanwhile. */
  reload(): void;
  /** Writes a pending change now (page going away, visitor closing). */
  flush(): void;
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
 *
 * Stored as `{ seq, ids }`.
 */
export interface ExecutedIdsDeps {
  storage: StorageLike;
  /** `engagekit:{engagementId}:commands` */
  key: string;
  /** Ids remembered (option `dedupeLimit`). */
  limit: number;
  /** The throttled write's own timer handle. */
  timer: Timer;
  /** At most one write per this many ms. @default 100 */
  interval?: number;
}

export function createExecutedIds({ storage, key, limit, timer, interval = 100 }: ExecutedIdsDeps): ExecutedIds {
  let ids: Set<string>;
  let watermark: number;
  /** Seqs processed above a gap. Not persisted: after a reload they are re-sent and skipped by id. */
  let ahead: Set<number>;
  /** A change waits to be written (a timer or a microtask is set). */
  let dirty: unknown;
  let lastWrite = -Infinity;
  const load = () => {
    const saved = readJson(storage, key) as { seq?: number; ids?: unknown } | undefined;
    const seq = saved?.seq;
    // Whatever the storage holds (another version, another script): only strings are ids.
    ids = new Set(([] as unknown[]).concat(saved?.ids).filter((id) => typeof id === 'string').slice(-limit) as string[]);
    ahead = new Set();
    watermark = Number.isSafeInteger(seq) && seq! > 0 ? seq! : 0;
  };
  load();

  const flush = () => {
    timer.clear();
    if (dirty) {
      dirty = 0;
      lastWrite = Date.now();
      writeJson(storage, key, { seq: watermark, ids: [...ids] });
    }
  };
  const schedule = () => {
    if (dirty) return;
    dirty = 1;
    // The first change after a quiet spell is written once this task's
    // microtasks have run; a stream of changes at most once per interval.
    const wait = lastWrite + interval - Date.now();
    if (wait > 0) timer.set(flush, wait);
    else queueMicrotask(flush);
  };
  const mark = (seq: number) => {
    if (seq > watermark) {
      ahead.add(seq);
      // A gap the server never fills must not hold memory forever: past the
      // limit, accept the loss of position (ids still prevent re-runs).
      if (ahead.size > limit) watermark = Math.min(...ahead) - 1;
      while (ahead.delete(watermark + 1)) watermark++;
      schedule();
    }
  };

  return {
    has: (id) => ids.has(id),
    add(id, seq) {
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value!);
      mark(seq);
      schedule();
    },
    advance: mark,
    get lastSeq() {
      return watermark;
    },
    resetPosition() {
      watermark = 0;
      ahead = new Set();
      schedule();
    },
    reload: load,
    flush,
  };
}
