import type { CommandStatus, CustomCommand } from '../protocol/wire.js';
import { readJson, writeJson, type StorageLike } from '../shared/storage.js';
import type { Timer } from '../shared/timers.js';
import type { RunHandler } from './run.js';
import { firings, readSchedule, type Schedule, type TimerState } from './schedule.js';
import type { TimerFiredEvent } from './types.js';

/**
 * One timer as persisted under `engagekit:{engagementId}:timers`: its spec
 * (`at`, `ms`, `rep`, `on`), `t0`, `last` (firings up to this time are
 * done; written before the handler runs) and the command.
 */
export interface TimerEntry extends TimerState {
  /** `'set'`; also what tells an entry of this format from an earlier version's. */
  k: Schedule['k'];
  /** The command that set the timer: its handler runs at each firing. */
  command: CustomCommand;
  /** The handler's name, resolved on receipt. */
  name: string | undefined;
  seq: number;
}

export interface SchedulerDeps {
  storage: StorageLike;
  /** `engagekit:{engagementId}:timers` */
  key: string;
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

/**
 * Seed 002's programmable timers on the visitor's page. One timeout at a time,
 * for the soonest firing; every change is persisted at once so that a reload
 * picks it up, and a firing is persisted as done before its handler runs, so
 * that no reload runs it twice.
 */
export function createScheduler({ storage, key, timer, run, onFired }: SchedulerDeps): Scheduler {
  let entries: TimerEntry[] = [];
  let running = false;
  const save = () => writeJson(storage, key, entries);
  const drop = (entry?: TimerEntry) => (entries = entries.filter((other) => other !== entry));
  const fire = ({ timerName, command, name, seq }: TimerEntry, at: number, missed: number) =>
    run(command, name, seq, (status, error) => onFired({ timerName, command, name, at, missed, status: status as TimerFiredEvent['status'], error }), {
      timerName,
      at,
      missed,
      name: timerName,
    });

  // Always run from the timeout, which is no longer pending then: nothing to clear.
  const check = () => {
    const now = Date.now();
    let soonest = 1 / 0;
    for (const entry of entries) {
      // A handler may close the visitor: the firings still due then are the next load's.
      if (running && entry.on) {
        const [missed, next] = firings(entry, now);
        // A one-shot that fired, or one re-enabled after its time, is done: forget it.
        if (next === 1 / 0) drop(entry);
        if (missed > 0) {
          entry.last = now;
          save();
          fire(entry, now, missed);
        }
        if (next < soonest) soonest = next;
      }
    }
    save();
    // setTimeout fires at once beyond 2^31-1 ms (24.8 days): wake up by then and look again.
    if (running && soonest < 1 / 0) timer.set(check, Math.min(soonest - now, 2e9));
  };
  // Through a timeout even when due now: a command's `scheduled` result goes out before its first run.
  const arm = () => running && timer.set(check, 0);

  return {
    accept(command, name, seq) {
      const schedule = readSchedule(command.properties);
      // No schedule, or the failed result of an invalid one.
      if (!(schedule as Schedule | undefined)?.k) return schedule as ['failed', string] | undefined;
      const { k, timerName } = schedule as Schedule;
      const entry = entries.find((other) => other.timerName === timerName);
      const now = Date.now();
      if (k === 'set') {
        drop(entry);
        entries.push({ ...(schedule as Schedule), command, name, seq, t0: now });
      } else if (!entry) {
        return ['failed', `no timer "${timerName}" to ${k}`];
      } else if (k === 'cancel') {
        drop(entry);
      } else if (entry.on !== (k === 'enable')) {
        entry.on = !entry.on;
        // Firings that fell while it was disabled are skipped; an interval counts from now.
        // (t0 only counts without `at`.)
        entry.last = entry.t0 = now;
      }
      save();
      arm();
      return [k === 'set' ? 'scheduled' : 'executed'];
    },
    start() {
      // Again after a stop, or while running: what is stored is what is in memory.
      running = true;
      const saved = readJson(storage, key);
      // Anything else in there (not an array, an earlier version's entries) is ignored.
      entries = ([] as TimerEntry[]).concat(saved as TimerEntry[]).filter((entry) => entry?.k);
      arm();
    },
    stop() {
      running = false;
      timer.clear();
    },
  };
}
