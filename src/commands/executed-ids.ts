import { readJson, writeJson, type StorageLike } from '../core/storage.js';

/**
 * What the visitor has already processed in an engagement's command stream:
 * the highest sequence number and the most recent command ids. Persisted so
 * that a reload neither replays a command nor skips one.
 */
export interface ExecutedIds {
  has(id: string): boolean;
  /** Records `id` (and `seq`); the write to storage happens before any macrotask (see flush). */
  add(id: string, seq: number): void;
  /** Raises the resume position without an id (an invalid frame we skipped). */
  advance(seq: number): void;
  /** The highest `seq` processed: the stream resumes after it. */
  readonly lastSeq: number;
  readonly size: number;
}

interface Persisted {
  seq: number;
  ids: string[];
}

/**
 * Ids are kept in insertion order and the oldest dropped beyond `limit`: the
 * sequence number already stops replays of old commands, the ids guard
 * against a server that sends one command under two sequence numbers.
 *
 * Writes are coalesced into one per microtask: a burst of frames costs one
 * `JSON.stringify`, and since no reload or tab close can run between a task
 * and its microtasks, nothing recorded is lost to one.
 */
export function createExecutedIds(storage: StorageLike, key: string, limit: number): ExecutedIds {
  const saved = readJson(storage, key) as Partial<Persisted> | undefined;
  const ids = new Set<string>(
    Array.isArray(saved?.ids) ? saved.ids.filter((id): id is string => typeof id === 'string').slice(-limit) : [],
  );
  let lastSeq = typeof saved?.seq === 'number' && Number.isSafeInteger(saved.seq) && saved.seq > 0 ? saved.seq : 0;
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    writeJson(storage, key, { seq: lastSeq, ids: [...ids] } satisfies Persisted);
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(flush);
  };

  return {
    has: (id) => ids.has(id),
    add(id, seq) {
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value as string);
      if (seq > lastSeq) lastSeq = seq;
      schedule();
    },
    advance(seq) {
      if (seq > lastSeq) {
        lastSeq = seq;
        schedule();
      }
    },
    get lastSeq() {
      return lastSeq;
    },
    get size() {
      return ids.size;
    },
  };
}
