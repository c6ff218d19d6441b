import type { Logger } from '../core/logger.js';
import type { CustomCommand } from '../core/protocol.js';
import { readJson, writeJson, type StorageLike } from '../core/storage.js';
import type { Timers } from '../core/timers.js';
import { dueFirings, normalizeSchedule, type TimerSet } from './schedule.js';
import type { CommandStatus } from './types.js';

/** One timer as persisted under `engagekit:{engagementId}:timers`. */
export interface TimerEntry {
  timerName: string;
  spec: TimerSet;
  /** The command that set the timer: its handler runs at each firing. */
  command: CustomCommand;
  /** The handler's name, resolved on receipt. */
  name: string | undefined;
  seq: number;
  /** When it was set (epoch ms): an interval-only timer counts from here. */
  createdAt: number;
  /** Firings up to this time (epoch ms) are done; written before the handler runs. */
  lastFiredAt?: number;
}

export interface SchedulerDeps {
  storage: StorageLike;
  key: string;
  timers: Timers;
  logger: Logger;
  /** Runs the timer's command (a handler call, an event). */
  fire(entry: TimerEntry, at: number, missed: number): void;
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

/** setTimeout fires at once beyond 2^31-1 ms (24.8 days): wake up then and look again. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Seed 002's programmable timers on the visitor's page. One timeout at a time,
 * for the soonest firing; every change is persisted at once so that a reload
 * picks it up, and a firing is persisted as done before its handler runs, so
 * that no reload runs it twice.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { timers } = deps;
  let entries: TimerEntry[] = [];
  let running = false;
  const save = () => writeJson(deps.storage, deps.key, entries);
  const find = (name: string) => entries.find((entry) => entry.timerName === name);
  const drop = (entry: TimerEntry) => (entries = entries.filter((other) => other !== entry));

  const check = () => {
    const now = Date.now();
    let soonest = Infinity;
    for (const entry of entries) {
      // A handler may close the visitor: the firings still due then are the next load's.
      if (!running) return;
      const { due, missed, next } = dueFirings(entry.spec, entry.createdAt, entry.lastFiredAt, now);
      // A one-shot that fired, or one re-enabled after its time, is done: forget it.
      if (entry.spec.enabled && next === undefined) drop(entry);
      if (due) {
        entry.lastFiredAt = now;
        save();
        deps.fire(entry, now, missed);
      }
      if (next !== undefined && next < soonest) soonest = next;
    }
    save();
    if (soonest < Infinity) timers.set('timers', check, Math.min(soonest - now, MAX_DELAY));
    else timers.clear('timers');
  };
  // Through a timeout even when due now: a command's `scheduled` result goes out before its first run.
  const arm = () => running && timers.set('timers', check, 0);

  return {
    accept(command, name, seq) {
      const schedule = normalizeSchedule(command.properties);
      if (!schedule) return undefined;
      if (schedule.kind === 'invalid') return ['failed', schedule.error];
      const { timerName } = schedule;
      const entry = find(timerName);
      const now = Date.now();
      if (schedule.kind === 'set') {
        if (entry) drop(entry);
        entries.push({ timerName, spec: schedule, command, name, seq, createdAt: now });
      } else if (!entry) {
        return ['failed', `no timer "${timerName}" to ${schedule.kind}`];
      } else if (schedule.kind === 'cancel') {
        drop(entry);
      } else if (entry.spec.enabled !== (schedule.kind === 'enable')) {
        entry.spec.enabled = !entry.spec.enabled;
        // Firings that fell while it was disabled are skipped; an interval counts from now.
        if (entry.spec.fireAt === undefined) {
          entry.createdAt = now;
          delete entry.lastFiredAt;
        } else entry.lastFiredAt = now;
      }
      save();
      arm();
      return [schedule.kind === 'set' ? 'scheduled' : 'executed'];
    },
    start() {
      if (running) return;
      running = true;
      const saved = readJson(deps.storage, deps.key);
      entries = Array.isArray(saved) ? saved.filter((entry) => typeof entry?.timerName === 'string' && entry.spec) : [];
      deps.logger.debug(`${entries.length} timers loaded`);
      arm();
    },
    stop() {
      running = false;
      timers.clear('timers');
    },
  };
}
