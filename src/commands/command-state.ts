import type { ResultReport } from '../protocol/wire.js';
import type { PageSignals } from '../shared/lifecycle.js';
import { readJson, writeJson, type StorageLike } from '../shared/storage.js';
import type { Timers } from '../shared/timers.js';

/**
 * What the visitor has done in an engagement's command stream, kept so that
 * no reload and no change of tab runs a command twice or loses one:
 *
 * - the resume position (`lastSeq`) and the most recent command ids;
 * - the results the server has not confirmed yet (a closing tab's are sent
 *   by the next page), and the commands whose handler has not settled (a
 *   tab that dies first leaves them to the next leader, which reports them
 *   `failed`, interrupted);
 * - the leadership term: which turn of the tabs wrote it last, and whether
 *   that tab finished (`final`), for the handover (`takeOver`).
 *
 * Stored as one JSON item: `{ v: 2, seq, ids, results, running, term, final }`.
 */
export interface CommandState {
  has(id: string): boolean;
  /** Records `id` as processed at `seq` (before its handler runs); it counts as running until its result is added. */
  add(id: string, seq: number): void;
  /** Marks `seq` processed without an id (an invalid frame we skipped). */
  advance(seq: number): void;
  /**
   * The resume position: every seq up to it has been processed. Frames that
   * arrive out of order above a gap do not move it, so a reconnect asks for
   * the gap again (and the ids above it are skipped as duplicates).
   */
  readonly lastSeq: number;
  /** Forgets the position (not the ids): it belonged to another server, or a reset one. */
  resetPosition(): void;
  /** Keeps a result until the server confirms it (`confirm`); its command no longer runs. */
  addResult(result: ResultReport): void;
  /** The page leaves: every command still running gets a `failed` result with `reason`. */
  interrupt(reason: string): void;
  /** The results waiting for the server, oldest first. */
  results(): readonly ResultReport[];
  /** The server has these: forget them. */
  confirm(results: readonly ResultReport[]): void;
  /** This tab runs commands without taking turns (`tabs: 'each'`, or no Web Locks). */
  start(): void;
  /**
   * This tab starts running the commands: waits (up to `handoverTimeout`)
   * until the tab that ran them before has written its final state, then
   * reads it and starts a new term. What this tab knew already is kept.
   * `mine()` false (the turn was released while waiting: the page left):
   * it stops there, reading and writing nothing.
   */
  takeOver(mine?: () => boolean): Promise<void>;
  /**
   * Writes now, if this tab runs commands. `final`: it stops running them
   * (the page leaves, the visitor closes); the next leader may take over
   * from here. Writes changed or not: another script may have cleared the
   * storage. A tab that only stood by writes nothing (it would overwrite the
   * leader's newer state with its old copy).
   */
  flush(final?: boolean): void;
}

export interface CommandStateDeps {
  storage: StorageLike;
  /** `engagekit:{engagementId}:commands` */
  key: string;
  /** Ids remembered (option `dedupeLimit`). */
  limit: number;
  /** For the throttled write and the handover's polling. */
  timers: Timers;
  /** `storage` events: another tab's writes, for the handover. */
  signals: Pick<PageSignals, 'on'>;
  /** At most one write per this many ms. @default 100 */
  interval?: number;
  /**
   * How long a new leader waits for the previous one's final write (a crashed tab never writes it),
   * in time the page could run: a page whose timers run late waits longer, up to ten times this. @default 1000
   */
  handoverTimeout?: number;
  /** A write was refused: what is in memory is ahead of what is stored. */
  onWriteFailed?: () => void;
}

interface Stored {
  seq?: unknown;
  ids?: unknown;
  results?: unknown;
  running?: unknown;
  term?: unknown;
  final?: unknown;
}

const isPosition = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** What the next leader reports for a command whose tab died before its handler settled. */
const INTERRUPTED = 'interrupted: the tab that ran it went away before its handler settled';

/** How often a new leader looks for the previous one's final write, in ms. */
const HANDOVER_POLL = 10;

/**
 * Ids are kept in insertion order and the oldest dropped beyond `limit`: the
 * position already stops replays of old commands, the ids guard against a
 * server that sends one command twice or out of order.
 *
 * Writing the whole state after every command cost most of the dispatch
 * time, so writes are throttled to one per `interval` ms, and made at once
 * when the page leaves or hides and when the visitor closes. Only a tab that
 * dies without `pagehide` (a crash, a killed process) can lose the last
 * interval's records, and then run those commands again.
 *
 * The handover: `localStorage` is not shared synchronously between tab
 * processes, so a tab that gets the lead (the Web Lock) the moment the
 * previous leader is gone may still read that leader's older state. Each
 * leader therefore writes a term number when it starts and `final: true`
 * when it stops; the next one waits until the state it reads is final and of
 * the newest term it has seen (the `storage` events tell it), or until
 * `handoverTimeout` of the page's own time for a leader that crashed.
 */
export function createCommandState(deps: CommandStateDeps): CommandState {
  const { storage, key, limit, interval = 100, handoverTimeout = 1_000 } = deps;
  const timer = deps.timers.timer();
  const poll = deps.timers.timer();
  let ids = new Set<string>();
  /**
   * The same ids as a ring, oldest at `oldest` once full: which id to forget
   * is then an index, not an iterator made per command (a third of the
   * dispatcher's own time).
   */
  let ring: string[] = [];
  let oldest = 0;
  let watermark = 0;
  /** Seqs processed above a gap. Not persisted: after a reload they are re-sent and skipped by id. */
  let ahead = new Set<number>();
  let results: ResultReport[] = [];
  /** Commands whose handler has not settled: no result yet. */
  let running = new Set<string>();
  /**
   * The command whose handler runs now, kept out of `running` until another
   * command comes or the state is written: a handler that settles at once
   * (the usual one) then costs no entry added to and removed from a Set.
   */
  let current: string | undefined;
  /** `running`, with `current` in it. */
  const allRunning = () => {
    if (current !== undefined) running.add(current);
    current = undefined;
    return running;
  };
  /** This tab's term while it leads; 0 before. */
  let term = 0;
  /** The newest term any tab has written, as far as this tab has seen. */
  let newestTerm = 0;
  let dirty = false;
  let lastWrite = -Infinity;
  /** This tab runs commands (it leads, or tabs do not take turns): only then does it write. */
  let active = false;

  /**
   * Reported `failed` (interrupted) by interrupt() while their handler still
   * ran: the outcome that comes later (a page restored from the back/forward
   * cache) is not reported a second time.
   */
  const interrupted = new Set<string>();
  const addResult = (result: ResultReport) => {
    if (interrupted.delete(result.command_id)) return;
    if (result.command_id === current) current = undefined;
    else running.delete(result.command_id);
    results.push(result);
  };
  /**
   * Merges what is stored into what this tab knows: ids only grow, the
   * position only moves on. `takingOver`: the tab that wrote it is gone, so
   * its commands still running will never settle; they are reported failed.
   */
  const merge = (saved: Stored | undefined, takingOver: boolean) => {
    if (!saved) return;
    if (isPosition(saved.seq) && saved.seq > watermark) watermark = saved.seq;
    const stored = ([] as unknown[]).concat(saved.ids).filter((id): id is string => typeof id === 'string');
    if (stored.length > 0) {
      // Deduplicated before the cut: an id both stored and known keeps its place, and no newer one is cut for it.
      ids = new Set([...new Set([...stored, ...ids])].slice(-limit));
      ring = [...ids];
      oldest = 0;
    }
    const known = new Set(results.map((result) => result.command_id));
    for (const result of ([] as unknown[]).concat(saved.results) as ResultReport[]) {
      if (typeof result?.command_id === 'string' && typeof result.status === 'string' && !known.has(result.command_id)) {
        known.add(result.command_id);
        results.push(result);
      }
    }
    if (!takingOver) return;
    for (const id of ([] as unknown[]).concat(saved.running)) {
      // Not the commands this tab runs itself (a reconnect of this tab reads its own state).
      if (typeof id === 'string' && !known.has(id) && !running.has(id) && id !== current) {
        addResult({ command_id: id, status: 'failed', error: INTERRUPTED });
      }
    }
  };
  const read = () => readJson(storage, key) as Stored | undefined;
  const termOf = (saved: Stored | undefined) => (isPosition(saved?.term) ? saved.term : 0);
  const initial = read();
  merge(initial, false);
  newestTerm = termOf(initial);
  // Another tab's writes: the newest term tells a handover what to wait for.
  deps.signals.on('storage', ({ key: changed, newValue }) => {
    if (changed !== key || newValue === null) return;
    try {
      newestTerm = Math.max(newestTerm, termOf(JSON.parse(newValue) as Stored));
    } catch {
      // Not ours to judge here: the guarded storage reports a corrupt item when read.
    }
  });

  const write = (final: boolean) => {
    timer.clear();
    dirty = false;
    if (!active) return;
    lastWrite = Date.now();
    const state = { v: 2, seq: watermark, ids: [...ids], results, running: [...allRunning()], term, final };
    if (writeJson(storage, key, state)) return;
    // Full: the ids above the position are what matters most; try the compact form.
    const compact = { ...state, ids: [...ids].slice(-50), results: results.slice(-50) };
    if (!writeJson(storage, key, compact)) deps.onWriteFailed?.();
  };
  const schedule = () => {
    if (dirty) return;
    dirty = true;
    // The first change after a quiet spell is written once this task's
    // microtasks have run; a stream of changes at most once per interval.
    const wait = lastWrite + interval - Date.now();
    if (wait > 0) timer.set(() => write(false), wait);
    else queueMicrotask(() => dirty && write(false));
  };
  const mark = (seq: number) => {
    if (seq <= watermark) return;
    if (seq === watermark + 1 && ahead.size === 0) {
      // The usual case, the next frame in order: nothing waits above a gap.
      watermark = seq;
      return;
    }
    ahead.add(seq);
    // A gap the server never fills must not hold memory forever: past the
    // limit, accept the loss of position (ids still prevent re-runs).
    if (ahead.size > limit) watermark = Math.min(...ahead) - 1;
    while (ahead.delete(watermark + 1)) watermark++;
  };

  return {
    has: (id) => ids.has(id),
    add(id, seq) {
      if (!ids.has(id)) {
        if (ring.length < limit) ring.push(id);
        else {
          ids.delete(ring[oldest]!);
          ring[oldest] = id;
          oldest = (oldest + 1) % limit;
        }
        ids.add(id);
      }
      if (current !== undefined) running.add(current);
      current = id;
      mark(seq);
      schedule();
    },
    advance(seq) {
      if (seq <= watermark) return;
      mark(seq);
      schedule();
    },
    get lastSeq() {
      return watermark;
    },
    resetPosition() {
      watermark = 0;
      ahead = new Set();
      schedule();
    },
    addResult(result) {
      addResult(result);
      schedule();
    },
    interrupt(reason) {
      for (const id of allRunning()) {
        addResult({ command_id: id, status: 'failed', error: reason });
        interrupted.add(id);
      }
      running = new Set();
      schedule();
    },
    results: () => results,
    confirm(done) {
      // Usually the oldest results, in order (the reporter sends from the front): cut them off;
      // otherwise (a keepalive batch and a regular one overlapped) remove them by identity.
      let prefix = 0;
      while (prefix < done.length && results[prefix] === done[prefix]) prefix++;
      if (prefix === done.length) results.splice(0, prefix);
      else {
        const gone = new Set(done);
        results = results.filter((result) => !gone.has(result));
      }
      schedule();
    },
    async takeOver(mine = () => true) {
      let saved = read();
      // The previous leader's last words may still be on their way to this process. The wait
      // counts time this page could run: on a machine so loaded that a 10 ms timer fires late,
      // the storage that carries those words between processes is late too (a Chromium run saw
      // the final write arrive after more than a second, and 117 commands run twice). A late
      // poll counts as 20 ms; the wait for a leader that crashed is still bounded, by ten times
      // `handoverTimeout` of the clock.
      let waited = 0;
      let last = Date.now();
      const cap = last + 10 * handoverTimeout;
      while (termOf(saved) > 0 && (saved?.final !== true || termOf(saved) < newestTerm) && waited < handoverTimeout && last < cap) {
        // Cancelled with the visitor's timers on close(): the handover then never completes, as it should not.
        await new Promise((resolve) => poll.set(() => resolve(undefined), HANDOVER_POLL));
        if (!mine()) return;
        const now = Date.now();
        waited += Math.min(now - last, 2 * HANDOVER_POLL);
        last = now;
        saved = read();
      }
      if (!mine()) return;
      merge(saved, true);
      term = Math.max(newestTerm, termOf(saved)) + 1;
      newestTerm = term;
      active = true;
      write(false);
    },
    start() {
      merge(read(), true);
      active = true;
    },
    flush(final = false) {
      write(final);
      if (final) active = false;
    },
  };
}
