import type { CustomCommand } from '../protocol/wire.js';
import { describe } from '../shared/check.js';

/**
 * Scheduled commands, after SendCommand's programmable timers: the pure part.
 * Reading a command's schedule properties and working out its firings.
 * Storing timers, running handlers and coordinating tabs belong to the
 * caller; nothing here reads a clock, storage or a global.
 *
 * Kept small on purpose (issue #7): the reference server checks a schedule at
 * the operator's PUT and answers 400 with a detailed reason (which character
 * of `fireAt`, which range); here an invalid schedule is the command's
 * `failed` result with a short message naming the property and what it must be.
 */

/** What a command with `timerName` does to its timer. */
export type TimerOp = 'set' | 'enable' | 'disable' | 'cancel';

/**
 * A timer: what the command that set it asked for, and how far its firings
 * got. The scheduler's one type: `readSchedule` gives the command's part
 * (`timerName`, `at`, `ms`, `rep`, `on`), the scheduler adds the rest. Stored
 * as JSON under `engagekit:{engagementId}:timer:{timerName}`, so the short
 * property names are also the storage format (docs/protocol.md).
 */
export interface TimerRecord {
  timerName: string;
  /** `fireAt`, epoch ms: the first firing. Absent for an interval-only timer. */
  at?: number;
  /** `interval` in whole ms (so that `first + k * interval` never drifts). */
  ms?: number;
  /** `repeatable`: fires every `ms` after the first firing. */
  rep?: boolean;
  /** `enabled`: a disabled timer is kept but does not fire. */
  on: boolean;
  /** When it was set, or last enabled or disabled (epoch ms): an interval-only timer counts from here. */
  t0: number;
  /** Firings up to this time (epoch ms) are done. */
  last?: number;
  /** The command that set the timer: its handler runs at each firing. */
  command: CustomCommand;
  /** The handler's name, resolved on receipt (absent in storage when undefined). */
  name: string | undefined;
  /** The command's position in the stream; also orders timers due at the same time. */
  seq: number;
}

/** `key must be expected, got <value>`: every message of this module. */
const bad = (key: string, expected: string, value: unknown) => new Error(`${key} must be ${expected}, got ${describe(value)}`);

/**
 * The schedule a command's properties carry; `undefined` for an ordinary
 * command, which runs on receipt; for an invalid one, the command's result:
 * `['failed', what is wrong]`.
 *
 * A command is scheduled when it has `timerName`. `fireAt` without one is
 * invalid; `interval`, `enabled`, ... without one are ordinary properties.
 * With `timerName`: `fireAt` and/or `interval` set the timer (replacing one of
 * the same name); `enabled` alone enables or disables it; `cancel: true`
 * alone removes it. Values may be typed or strings as SendCommand sends them
 * (`interval: "120"`, `repeatable: "true"`). Properties are checked in the
 * order timerName, cancel, fireAt, interval, repeatable, enabled.
 */
export function readSchedule(
  p: Record<string, unknown>,
): ({ k: TimerOp } & Pick<TimerRecord, 'timerName' | 'at' | 'ms' | 'rep' | 'on'>) | ['failed', string] | undefined {
  const timerName = p.timerName as string;
  // fireAt without timerName is refused (as timerName missing) rather than run at once.
  if (timerName === undefined && p.fireAt === undefined) return;
  try {
    // Properties come from JSON: only a string has a trim method.
    if (!timerName?.trim?.()) throw bad('timerName', 'a non-empty string', timerName);
    /**
     * Property `key` read through its JSON text (so `"120"` and `120` read
     * alike, and an array never passes for its only item); `convert` gives
     * NaN for a value the regex lets through but that is still wrong.
     */
    const read = <T>(key: string, re: RegExp, expected: string, convert: (m: string[]) => T): T | undefined => {
      const v = p[key];
      if (v === undefined) return;
      const m = re.exec(JSON.stringify(v));
      const r = m ? convert(m) : NaN;
      if (r !== r) throw bad(key, expected, v);
      return r as T;
    };
    const flag = (key: string) => read(key, /^"?(true|false)"?$/, 'true or false', (m) => m[1] === 'true');
    const cancel = flag('cancel');
    // Strict: the regex fixes the form; rebuilt as an ISO string (seconds
    // default to 00, a fraction is truncated to ms), Date checks that the date
    // and time exist (no Feb 30, no 24:00: they would not read back the same)
    // and the zone's range, and keeps 4-digit years as written.
    const at = read(
      'fireAt',
      /^"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)(:\d\d(\.\d{1,6})?)?(Z|([+-]\d\d):?(\d\d))?"$/,
      'YYYY-MM-DD[T]HH:MM[:SS[.ffffff]][Z or ±HH[:]MM]',
      (m) => {
        const iso = `${m[1]}T${m[2]}${(m[3] || ':00').slice(0, 3)}${((m[4] || '.') + '000').slice(0, 4)}`;
        return new Date(Date.parse(iso + 'Z')).toJSON() === iso + 'Z' ? Date.parse(iso + (m[6] ? m[6] + ':' + m[7] : 'Z')) : NaN;
      },
    );
    // Whole ms, at least 1.
    const ms = read('interval', /^"?(\d+(\.\d+)?)"?$/, 'seconds ≥ 0.001', (m) => Math.round(+m[1]! * 1e3) || NaN);
    const rep = flag('repeatable');
    const on = flag('enabled');

    if (cancel && (at ?? ms ?? rep ?? on) !== undefined) throw new Error('cancel=true must come alone');
    if (rep && !ms) throw new Error('repeatable=true needs interval');
    // SendCommand: with fireAt and interval but not repeatable, the interval is
    // ignored (firings uses ms only when rep). `enabled` alone switches the timer.
    const k = cancel ? 'cancel' : (at ?? ms) !== undefined ? 'set' : on === undefined || rep !== undefined ? 0 : on ? 'enable' : 'disable';
    if (!k) throw new Error(`timer "${timerName}" needs fireAt, interval, enabled or cancel`);
    return { k, timerName, at, ms, rep, on: on ?? true };
  } catch (error) {
    return ['failed', (error as Error).message];
  }
}

/**
 * `[missed, next]` at `now`: how many firings fell in `(last, now]` (a page
 * closed through several runs the command once for all of them), and the next
 * firing strictly after `now` (callers keep `last <= now`), or `Infinity` when it never
 * fires again. The first firing is `at`, or `t0 + ms`; a repeatable
 * timer then fires every `ms` on that grid, so a late or caught-up firing does
 * not shift later ones. `last` may also be the time a timer was re-enabled:
 * the firings of the disabled period are skipped. Ignores `on`.
 */
export function firings(t: Pick<TimerRecord, 'at' | 'ms' | 'rep' | 't0' | 'last'>, now: number): [number, number] {
  const first = t.at ?? t.t0 + t.ms!;
  // A one-shot's grid is its first firing only.
  const every = t.rep ? t.ms! : 1 / 0;
  // Firings at or before x (0 for x undefined).
  const count = (x?: number) => (x! >= first ? Math.floor((x! - first) / every) + 1 : 0);
  const n = count(now);
  return [n - count(t.last), first + (n && n * every)];
}
