import { MAX_TIMERS, type CommandStatus, type CustomCommand } from '../protocol/wire.js';
import { keysWithPrefix, readJson, writeJson, type StorageLike } from '../shared/storage.js';
import type { Timer } from '../shared/timers.js';
import type { RunHandler } from './run.js';
import { firings, readSchedule, type TimerRecord } from './schedule.js';
import type { TimerFiredEvent } from './types.js';

export interface SchedulerDeps {
  storage: StorageLike;
  /**
   * `engagekit:{engagementId}:`. A timer is kept under `{prefix}timer:{timerName}`
   * and its progress under `{prefix}timer-last:{timerName}` (docs/protocol.md).
   */
  prefix: string;
  /** The scheduler's own timer handle: one timeout at a time, for the soonest firing. */
  timer: Timer;
  /** Runs a timer's command when it fires. */
  run: RunHandler;
  /** A firing and what its handler came to. */
  onFired(firing: TimerFiredEvent): void;
}

export interface Scheduler {
  /**
   * A received command with a schedule: stores or changes its timer and says
   * what to report; undefined for an ordinary command.
   */
  accept(command: CustomCommand, name: string | undefined, seq: number): [CommandStatus, string?] | undefined;
  /** (Re)reads the persisted timers and runs them; a missed firing runs once now. */
  start(): void;
  /** No more firings (the visitor closed); what is stored stays for the next load. */
  stop(): void;
}

/** How long one task goes on firing timers before it yields to the page: well under a long task (50 ms). */
const SLICE_MS = 10;

/**
 * What `{prefix}timer-last:{timerName}` holds: firings up to `last` are done,
 * for the timer set by command `id` (a leftover of a replaced timer does not apply).
 */
interface Progress {
  id: string;
  last: number;
}

/** A timer and its next firing (`Infinity`: none, or disabled). */
interface Slot {
  t: TimerRecord;
  due: number;
}

/**
 * SendCommand's programmable timers on the visitor's page. Every change is
 * persisted at once, one key per timer, so that a reload picks it up; a firing
 * is persisted as done before its handler runs, so that no reload runs it
 * twice. What a command or a firing writes is the same with 1 or 1,000
 * timers set: only the one timer (a firing, only its small progress key). A
 * command finds its timer by name and compares its next firing with the one
 * the timeout is armed for; the timeout's run compares every timer's cached
 * next firing (in memory, no storage; a heap would save that pass for the
 * price of its code in the bundle, and there are at most 100 timers).
 */
export function createScheduler({ storage, prefix, timer, run, onFired }: SchedulerDeps): Scheduler {
  const recordKey = (timerName: string) => `${prefix}timer:${timerName}`;
  const progressKey = (timerName: string) => `${prefix}timer-last:${timerName}`;
  /** The one array of earlier versions (d18049e and before): moved to one key per timer at start. */
  const legacyKey = `${prefix}timers`;
  /** A storage without `key()`/`length` cannot be scanned: the names are then kept in this index. */
  const indexKey = `${prefix}timer-index`;
  const scannable = typeof storage.key === 'function' && typeof storage.length === 'number';

  /** By name, in the order of their commands (`seq`): timers due together fire in that order. */
  const slots = new Map<string, Slot>();
  let running = false;
  /** When the pending timeout was set to look (Infinity: none). */
  let armedFor = 1 / 0;
  let indexStale = false;

  const saveIndex = () => {
    if (indexStale) writeJson(storage, indexKey, [...slots.keys()]);
    indexStale = false;
  };
  const save = (t: TimerRecord) => writeJson(storage, recordKey(t.timerName), t);
  /** Forgets a timer; in an index, its name goes at the end of the task (`saveIndex`; a name without its record is skipped). */
  const forget = (timerName: string) => {
    slots.delete(timerName);
    storage.removeItem(recordKey(timerName));
    storage.removeItem(progressKey(timerName));
    indexStale = !scannable;
  };
  /** A slot's next firing after `last`; a one-shot that is past (fired, or enabled after its time) is forgotten. */
  const plan = (slot: Slot) => {
    const { t } = slot;
    slot.due = t.on ? firings(t, t.last ?? -1 / 0)[1] : 1 / 0;
    if (slot.due === 1 / 0 && t.on) forget(t.timerName);
  };
  const add = (t: TimerRecord) => {
    const slot: Slot = { t, due: 1 / 0 };
    // In an index, a new name goes in at the end of the task, with the record written.
    indexStale ||= !scannable && !slots.has(t.timerName);
    // Set again: to the end, where its command's seq puts it.
    slots.delete(t.timerName);
    slots.set(t.timerName, slot);
    plan(slot);
  };
  /** (Re)arms the timeout for `due` if that is before the time it is set for. */
  const arm = (due: number) => {
    if (!running || due >= armedFor) return;
    armedFor = due;
    // Through a timeout even when due now: a command's `scheduled` result goes out before its first run.
    // setTimeout fires at once beyond 2^31-1 ms (24.8 days): wake up by then and look again.
    timer.set(check, Math.min(Math.max(due - Date.now(), 0), 2e9));
  };
  const fire = ({ timerName, command, name, seq }: TimerRecord, at: number, missed: number) =>
    run(command, name, seq, (status, error) => onFired({ timerName, command, name, at, missed, status: status as TimerFiredEvent['status'], error }), {
      timerName,
      at,
      missed,
      name: timerName,
    });

  // Always run from the timeout, which is no longer pending then.
  function check() {
    armedFor = 1 / 0;
    const now = Date.now();
    const until = performance.now() + SLICE_MS;
    let soonest = 1 / 0;
    let fired = false;
    for (const slot of slots.values()) {
      // A handler may close the visitor: the firings still due then are the next load's.
      if (!running) return;
      if (slot.due <= now) {
        // Many due at once (a page back after a long absence): the rest in the next task, so the
        // page stays responsive (after one firing at least, so that every task gets on).
        if (fired && performance.now() > until) {
          soonest = 0;
          break;
        }
        fired = true;
        const { t } = slot;
        const [missed, next] = firings(t, now);
        // Persisted as done before the handler runs: a one-shot is forgotten, a repeatable one
        // writes its progress (a few dozen bytes, not the command).
        t.last = now;
        if (next === 1 / 0) forget(t.timerName);
        else writeJson(storage, progressKey(t.timerName), { id: t.command.id, last: now } satisfies Progress);
        slot.due = next;
        if (missed > 0) fire(t, now, missed);
      }
      if (slot.due < soonest) soonest = slot.due;
    }
    saveIndex();
    arm(soonest);
  }

  /**
   * The names of the stored timers: one scan of the storage's keys, or the
   * index; and the timers of the one array of earlier versions, moved to their
   * own keys once (one already there wins).
   */
  const storedNames = (): Set<string> => {
    const at = recordKey('');
    const names = new Set(
      (scannable ? keysWithPrefix(storage, at).map((key) => key.slice(at.length)) : ([] as unknown[]).concat(readJson(storage, indexKey) ?? [])).filter(
        (name): name is string => typeof name === 'string',
      ),
    );
    const legacy = readJson(storage, legacyKey);
    if (legacy === undefined) return names;
    // Entries of the version before that one (without `k`) are not timers this version can read.
    for (const { k: _k, ...t } of ([] as Array<TimerRecord & { k?: string }>).concat(legacy as never).filter((entry) => entry?.k && isRecord(entry))) {
      if (!names.has(t.timerName) && save(t)) names.add(t.timerName);
    }
    storage.removeItem(legacyKey);
    return names;
  };

  return {
    accept(command, name, seq) {
      const schedule = readSchedule(command.properties);
      // No schedule, or the failed result of an invalid one.
      if (!schedule || Array.isArray(schedule)) return schedule;
      const { k, ...spec } = schedule;
      const { timerName } = spec;
      const slot = slots.get(timerName);
      const now = Date.now();
      if (k === 'set') {
        if (!slot && slots.size >= MAX_TIMERS) {
          return ['failed', `timer "${timerName}" not set: ${MAX_TIMERS} timers are set, the most a visitor can have; cancel one first`];
        }
        const t: TimerRecord = { ...spec, t0: now, command, name, seq };
        save(t);
        // The old timer's progress: it would not apply (another command id), but need not stay.
        if (slot) storage.removeItem(progressKey(timerName));
        add(t);
      } else if (!slot) {
        return ['failed', `no timer "${timerName}" to ${k}`];
      } else if (k === 'cancel') {
        forget(timerName);
      } else if (slot.t.on !== (k === 'enable')) {
        const { t } = slot;
        t.on = !t.on;
        // Firings that fell while it was disabled are skipped; an interval counts from now.
        // (t0 only counts without `at`.) The record's `last` now wins over its progress key.
        t.last = t.t0 = now;
        save(t);
        plan(slot);
      }
      saveIndex();
      arm(slots.get(timerName)?.due ?? 1 / 0);
      return [k === 'set' ? 'scheduled' : 'executed'];
    },
    start() {
      // Again after a stop, or on taking the lead from another tab: what is stored is what counts.
      running = true;
      slots.clear();
      armedFor = 1 / 0;
      timer.clear();
      const loaded: TimerRecord[] = [];
      for (const timerName of storedNames()) {
        const t = readJson(storage, recordKey(timerName)) as TimerRecord | undefined;
        if (!isRecord(t) || t.timerName !== timerName) continue;
        const progress = readJson(storage, progressKey(timerName)) as Progress | undefined;
        // The later of the two: the record's (written on enabling) or the progress of this very timer.
        if (progress?.id === t.command.id && !(progress.last <= t.last!)) t.last = progress.last;
        loaded.push(t);
      }
      // The storage's keys come in any order: back to the order of the commands.
      for (const t of loaded.sort((a, b) => a.seq - b.seq)) add(t);
      saveIndex();
      arm(Math.min(...[...slots.values()].map((slot) => slot.due)));
    },
    stop() {
      running = false;
      armedFor = 1 / 0;
      timer.clear();
    },
  };
}

/** A stored timer this version can run (anything else under its key is skipped). */
function isRecord(t: unknown): t is TimerRecord {
  const r = t as TimerRecord | undefined;
  return typeof r?.timerName === 'string' && typeof r.t0 === 'number' && typeof r.on === 'boolean' && typeof r.command?.id === 'string';
}
