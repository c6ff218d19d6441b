import { InvalidArgumentError } from '../shared/errors.js';
import { describe } from '../shared/check.js';
import { MAX_TIMERS, type ErrorBody } from '../protocol/wire.js';

/**
 * The reference server's check of a command's schedule (SendCommand's
 * programmable timers) at the operator's PUT: an invalid one is refused with
 * 400 and a detailed reason (which property, which character of `fireAt`,
 * which range), since the operator who wrote it is the one who can fix it.
 *
 * The visitor's SDK (src/commands/schedule.ts) keeps a compact check of its
 * own, for servers that do not check, with short messages. This check
 * refuses everything that one refuses (and a little more: intervals beyond
 * what a Date can reach), so a schedule accepted here never fails on the
 * visitor for its form; the rules (which keys, which combinations) are the same.
 */

/**
 * The 400 body for a command whose properties carry an invalid schedule, or
 * `undefined` (no schedule, or a valid one).
 */
export function checkSchedule(properties: Record<string, unknown>): ErrorBody | undefined {
  const schedule = normalizeSchedule(properties);
  if (schedule?.kind !== 'invalid') return undefined;
  return { message: `Invalid schedule in 'properties.${schedule.property}'`, debug_message: schedule.error };
}

/** What `checkTimerLimit` reads of an engagement: the commands it accepted, and their ids. */
export interface AcceptedCommands {
  /** In the order accepted (append-only). */
  commands: ReadonlyArray<{ command: { properties: Record<string, unknown> } }>;
  commandsById: { has(id: string): boolean };
}

/** Per engagement: the timer names set and not cancelled, counted up to `upTo` commands. */
const timersSet = new WeakMap<AcceptedCommands, { upTo: number; names: Set<string> }>();

/**
 * The 400 body for a command that would set a timer beyond `MAX_TIMERS` in its
 * engagement, or `undefined`. The server cannot see the visitor's page, so it
 * counts from the commands it accepted: a command setting a timer adds its
 * name, one cancelling it removes it. A one-shot that fired still counts
 * (until cancelled or set again): the server may refuse where the visitor has
 * room, never the other way round for commands that went through it; the
 * visitor's SDK, which knows what is pending, has the last word (a 101st
 * timer there is `failed`). A resend of an accepted command is left to the
 * resend rules (200 or 409). Counted incrementally: O(1) amortised per PUT.
 */
export function checkTimerLimit(engagement: AcceptedCommands, id: string, properties: Record<string, unknown>): ErrorBody | undefined {
  const schedule = normalizeSchedule(properties);
  if (schedule?.kind !== 'set' || engagement.commandsById.has(id)) return undefined;
  let counted = timersSet.get(engagement);
  if (!counted) timersSet.set(engagement, (counted = { upTo: 0, names: new Set() }));
  const { commands } = engagement;
  for (; counted.upTo < commands.length; counted.upTo++) {
    const accepted = normalizeSchedule(commands[counted.upTo]!.command.properties);
    if (accepted?.kind === 'set') counted.names.add(accepted.timerName);
    else if (accepted?.kind === 'cancel') counted.names.delete(accepted.timerName);
  }
  const { names } = counted;
  if (names.has(schedule.timerName) || names.size < MAX_TIMERS) return undefined;
  return {
    message: `Too many timers (max: ${MAX_TIMERS} per visitor)`,
    debug_message:
      `Timer '${schedule.timerName}' would be timer ${MAX_TIMERS + 1} of this engagement: ${names.size} timers are set ` +
      `(timer names set and not cancelled; a one-shot that fired counts until it is cancelled or set again). Cancel one first (cancel=true)`,
  };
}

/** The `fireAt` format, as SendCommand writes it (with the `±` it leaves out). */
export const FIRE_AT_FORMAT = 'YYYY-MM-DD[T]HH:MM[:SS[.ffffff]][Z or ±HH[:]MM]';

/** The properties that make a command scheduled, or control a timer. */
export const SCHEDULE_KEYS = ['timerName', 'fireAt', 'interval', 'repeatable', 'enabled', 'cancel'] as const;

/** Sets (or replaces) the timer `timerName`. */
export interface TimerSet {
  kind: 'set';
  timerName: string;
  /** Epoch ms of the first firing; absent for an interval-only timer. */
  fireAt?: number;
  /** Whole milliseconds between firings; absent for a timer that fires once at `fireAt`. */
  intervalMs?: number;
  /** @default false */
  repeatable: boolean;
  /** A disabled timer is kept but does not fire. @default true */
  enabled: boolean;
  /** Set when `interval` was given with `fireAt` on a timer that is not repeatable: SendCommand ignores it. */
  intervalIgnored?: true;
}

/** Enables, disables or cancels the existing timer `timerName`. */
export interface TimerControl {
  kind: 'enable' | 'disable' | 'cancel';
  timerName: string;
}

/** A schedule that cannot be used; `error` says why, fit for the command's result. */
export interface TimerInvalid {
  kind: 'invalid';
  error: string;
  /** The property that was wrong. */
  property: (typeof SCHEDULE_KEYS)[number];
  /** The timer's name, when it was readable. */
  timerName?: string;
}

export type TimerCommand = TimerSet | TimerControl;

/**
 * The schedule a command's properties carry, or `undefined` for an ordinary
 * command that runs on receipt.
 *
 * A command is scheduled when it has `timerName`. `fireAt` without one is
 * invalid, since running the command at once could only be a mistake; the
 * other keys (`interval`, `enabled`, ...) without `timerName` are ordinary
 * properties, as handlers commonly use such names.
 *
 * With `timerName`:
 * - `fireAt` and/or `interval` set the timer (`kind: 'set'`), replacing one
 *   of the same name; `enabled: false` sets it disabled.
 * - `enabled` alone enables or disables the existing timer (SendCommand's
 *   `enabled="true"` / `enabled="false"` examples with no time).
 * - `cancel: true`, alone, cancels it.
 *
 * Values may be typed or, as SendCommand sends them, strings: `interval: "120"`,
 * `repeatable: "true"`.
 */
export function normalizeSchedule(properties: Record<string, unknown>): TimerCommand | TimerInvalid | undefined {
  const has = (key: (typeof SCHEDULE_KEYS)[number]) => properties[key] !== undefined;
  if (!has('timerName')) {
    if (!has('fireAt')) return undefined;
    return { kind: 'invalid', property: 'timerName', error: 'fireAt needs timerName: a scheduled command must name its timer' };
  }
  const timerName = properties.timerName;
  if (typeof timerName !== 'string' || timerName.trim() === '') {
    return { kind: 'invalid', property: 'timerName', error: `timerName must be a non-empty string, got ${describe(timerName)}` };
  }
  const invalid = (property: TimerInvalid['property'], error: string): TimerInvalid => ({ kind: 'invalid', property, error, timerName });

  const cancel = readBoolean(properties.cancel, 'cancel');
  if (typeof cancel === 'string') return invalid('cancel', cancel);
  if (cancel === true) {
    const others = SCHEDULE_KEYS.filter((key) => key !== 'timerName' && key !== 'cancel' && has(key));
    if (others.length > 0) return invalid('cancel', `cancel=true cannot be combined with ${others.join(', ')}`);
    return { kind: 'cancel', timerName };
  }

  let fireAt: number | undefined;
  if (has('fireAt')) {
    try {
      fireAt = parseFireAt(properties.fireAt as string);
    } catch (error) {
      return invalid('fireAt', (error as Error).message);
    }
  }
  let intervalMs: number | undefined;
  if (has('interval')) {
    const read = readInterval(properties.interval);
    if (typeof read === 'string') return invalid('interval', read);
    intervalMs = read;
  }
  const repeatable = readBoolean(properties.repeatable, 'repeatable');
  if (typeof repeatable === 'string') return invalid('repeatable', repeatable);
  const enabled = readBoolean(properties.enabled, 'enabled');
  if (typeof enabled === 'string') return invalid('enabled', enabled);

  if (repeatable === true && intervalMs === undefined) {
    return invalid('repeatable', 'repeatable=true requires interval (the seconds between firings)');
  }
  if (fireAt === undefined && intervalMs === undefined) {
    if (enabled !== undefined && repeatable === undefined) return { kind: enabled ? 'enable' : 'disable', timerName };
    return invalid(
      'timerName',
      `timer "${timerName}" needs fireAt or interval to be set, enabled alone to be enabled or disabled, or cancel=true alone to be cancelled`,
    );
  }
  const spec: TimerSet = { kind: 'set', timerName, repeatable: repeatable ?? false, enabled: enabled ?? true };
  if (fireAt !== undefined) spec.fireAt = fireAt;
  if (intervalMs !== undefined) {
    // SendCommand: "If repeatable=false, fireAt and interval are set, then the interval is ignored."
    if (fireAt !== undefined && !spec.repeatable) spec.intervalIgnored = true;
    else spec.intervalMs = intervalMs;
  }
  return spec;
}

/** The boolean, `undefined` when absent, or the error message. */
function readBoolean(value: unknown, key: string): boolean | undefined | string {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return `${key} must be true or false (a boolean or the string "true" or "false"), got ${describe(value)}`;
}

/** Dates reach ±8.64e15 ms; an interval beyond that could never fire. */
const MAX_INTERVAL_MS = 8.64e15;

/** The interval in ms, or the error message. */
function readInterval(value: unknown): number | string {
  const seconds =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    return `interval must be a positive number of seconds (a number, or a decimal string such as "120"), got ${describe(value)}`;
  }
  // Whole milliseconds keep the firing grid exact: fireAt + k * interval never drifts.
  const ms = Math.round(seconds * 1000);
  if (ms < 1) return `interval must be at least 0.001 seconds (1 ms), got ${describe(value)}`;
  if (ms > MAX_INTERVAL_MS) return `interval must be at most ${MAX_INTERVAL_MS / 1000} seconds, got ${describe(value)}`;
  return ms;
}

/**
 * Parses SendCommand's `fireAt` into epoch ms, strictly: no `Date.parse` leniency.
 *
 * - Date and time are separated by `T` or by one space.
 * - Seconds are optional; a fraction (1 to 6 digits, after seconds only) is
 *   truncated to whole milliseconds.
 * - The zone is `Z`, `±HH:MM` or `±HHMM`: minutes are required (`+05` is
 *   rejected), hours 00–23 and minutes 00–59 are accepted. No zone means UTC.
 * - Upper case `T` and `Z` only; no surrounding whitespace.
 *
 * @throws InvalidArgumentError (argument `fireAt`) saying what is wrong and at which character.
 */
export function parseFireAt(value: string): number {
  const fail = (reason: string) =>
    new InvalidArgumentError('fireAt', `fireAt must be ${FIRE_AT_FORMAT} (no zone means UTC), got ${describe(value)}: ${reason}`);
  if (typeof value !== 'string') throw fail('it is not a string');
  if (value === '') throw fail('it is empty');

  let i = 0;
  const got = () => (i < value.length ? `'${value[i]}'` : 'the end');
  const where = () => `at character ${i + 1}, got ${got()}`;
  const digits = (count: number, what: string): string => {
    const text = value.slice(i, i + count);
    if (!new RegExp(`^\\d{${count}}$`).test(text)) {
      // Point at the first character that is not a digit.
      while (i < value.length && /\d/.test(value[i] as string)) i++;
      throw fail(`expected ${what} ${where()}`);
    }
    i += count;
    return text;
  };
  const literal = (char: string, what: string) => {
    if (value[i] !== char) throw fail(`expected '${char}' ${what} ${where()}`);
    i++;
  };
  const inRange = (text: string, what: string, min: number, max: number) => {
    const n = Number(text);
    if (n < min || n > max) throw fail(`${what} ${text} is out of range (${pad(min)} to ${pad(max)})`);
    return n;
  };

  const yearText = digits(4, 'a 4-digit year');
  literal('-', 'after the year');
  const monthText = digits(2, 'a 2-digit month');
  const month = Number(monthText);
  if (month < 1 || month > 12) throw fail(`month ${monthText} does not exist (01 to 12)`);
  literal('-', 'after the month');
  const dayText = digits(2, 'a 2-digit day');
  const year = Number(yearText);
  const day = Number(dayText);
  if (day < 1 || day > daysInMonth(year, month)) throw fail(`day ${dayText} does not exist in ${yearText}-${monthText}`);
  if (value[i] !== 'T' && value[i] !== ' ') throw fail(`expected 'T' or a space between date and time ${where()}`);
  i++;
  const hour = inRange(digits(2, 'a 2-digit hour'), 'hour', 0, 23);
  literal(':', 'after the hour');
  const minute = inRange(digits(2, 'a 2-digit minute'), 'minute', 0, 59);

  let second = 0;
  let ms = 0;
  let expectedNext = "':' and seconds, a zone ('Z', '+' or '-') or the end";
  if (value[i] === ':') {
    i++;
    second = inRange(digits(2, 'a 2-digit second'), 'second', 0, 59);
    expectedNext = "'.' and a fraction, a zone ('Z', '+' or '-') or the end";
    if (value[i] === '.') {
      i++;
      const start = i;
      while (i < value.length && /\d/.test(value[i] as string)) i++;
      const fraction = value.slice(start, i);
      if (fraction.length === 0) throw fail(`expected 1 to 6 fraction digits after '.' ${where()}`);
      if (fraction.length > 6) {
        i = start + 6;
        throw fail(`expected at most 6 fraction digits, got a 7th at character ${i + 1}`);
      }
      ms = Number(fraction.padEnd(3, '0').slice(0, 3));
      expectedNext = "a zone ('Z', '+' or '-') or the end";
    }
  }

  let offsetMinutes = 0;
  if (value[i] === 'Z') {
    i++;
  } else if (value[i] === '+' || value[i] === '-') {
    const sign = value[i] === '-' ? -1 : 1;
    i++;
    const zoneHour = inRange(digits(2, 'a 2-digit zone hour'), 'zone hour', 0, 23);
    if (value[i] === ':') i++;
    if (i >= value.length) throw fail(`expected 2-digit zone minutes (±HH:MM or ±HHMM) ${where()}`);
    const zoneMinute = inRange(digits(2, 'a 2-digit zone minute'), 'zone minute', 0, 59);
    offsetMinutes = sign * (zoneHour * 60 + zoneMinute);
  } else if (i < value.length) {
    throw fail(`expected ${expectedNext} ${where()}`);
  }
  if (i < value.length) throw fail(`expected the end ${where()}`);

  const localMs = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
  // A zone east of UTC is ahead of it: subtract the offset to get UTC.
  return localMs - offsetMinutes * 60_000;
}

const pad = (n: number) => String(n).padStart(2, '0');

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
 * algorithm): exact for every 4-digit year, where `Date.UTC` maps 0–99 to 1900–1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}
