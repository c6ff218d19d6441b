// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dueFirings,
  FIRE_AT_FORMAT,
  nextFiring,
  normalizeSchedule,
  parseFireAt,
  type TimerSet,
} from '../../src/commands/schedule.js';
import { InvalidArgumentError, isEngageKitError } from '../../src/core/errors.js';

const PREFIX = 'fireAt must be YYYY-MM-DD[T]HH:MM[:SS[.ffffff]][Z or ±HH[:]MM] (no zone means UTC), got';
const SEED_FIRE_AT = Date.UTC(2024, 1, 20, 22, 17);

function parseError(value: unknown): InvalidArgumentError {
  try {
    parseFireAt(value as string);
  } catch (error) {
    return error as InvalidArgumentError;
  }
  throw new Error(`parseFireAt(${JSON.stringify(value)}) did not throw`);
}

describe('parseFireAt: accepted forms', () => {
  it('reads the seed example as UTC', () => {
    expect(FIRE_AT_FORMAT).toBe('YYYY-MM-DD[T]HH:MM[:SS[.ffffff]][Z or ±HH[:]MM]');
    expect(parseFireAt('2024-02-20T22:17')).toBe(SEED_FIRE_AT);
  });

  it('takes a single space as the date-time separator', () => {
    expect(parseFireAt('2024-02-20 22:17')).toBe(SEED_FIRE_AT);
  });

  it('reads optional seconds and a 1 to 6 digit fraction, truncated to milliseconds', () => {
    expect(parseFireAt('2024-02-20T22:17:09')).toBe(SEED_FIRE_AT + 9_000);
    expect(parseFireAt('2024-02-20T22:17:09.5')).toBe(SEED_FIRE_AT + 9_500);
    expect(parseFireAt('2024-02-20T22:17:09.05')).toBe(SEED_FIRE_AT + 9_050);
    expect(parseFireAt('2024-02-20T22:17:09.123')).toBe(SEED_FIRE_AT + 9_123);
    expect(parseFireAt('2024-02-20T22:17:09.1239')).toBe(SEED_FIRE_AT + 9_123);
    expect(parseFireAt('2024-02-20T22:17:09.999999')).toBe(SEED_FIRE_AT + 9_999);
    expect(parseFireAt('2024-02-20T22:17:09.000001')).toBe(SEED_FIRE_AT + 9_000);
  });

  it('reads Z and ±HH:MM / ±HHMM zones; a zone east of UTC is earlier in UTC', () => {
    expect(parseFireAt('2024-02-20T22:17Z')).toBe(SEED_FIRE_AT);
    expect(parseFireAt('2024-02-20T22:17+00:00')).toBe(SEED_FIRE_AT);
    expect(parseFireAt('2024-02-20T22:17-0000')).toBe(SEED_FIRE_AT);
    expect(parseFireAt('2024-02-20T22:17+05:30')).toBe(SEED_FIRE_AT - 330 * 60_000);
    expect(parseFireAt('2024-02-20T22:17+0530')).toBe(SEED_FIRE_AT - 330 * 60_000);
    expect(parseFireAt('2024-02-20T22:17-0800')).toBe(SEED_FIRE_AT + 8 * 3_600_000);
    expect(parseFireAt('2024-02-20T22:17-08:00')).toBe(SEED_FIRE_AT + 8 * 3_600_000);
    expect(parseFireAt('2024-02-20 22:17:09.25+23:59')).toBe(SEED_FIRE_AT + 9_250 - (23 * 60 + 59) * 60_000);
    expect(parseFireAt('2024-02-20T22:17:09Z')).toBe(Date.parse('2024-02-20T22:17:09Z'));
  });

  it('knows leap years: every 4th, not every 100th, every 400th', () => {
    expect(parseFireAt('2024-02-29T00:00')).toBe(Date.UTC(2024, 1, 29));
    expect(parseFireAt('2000-02-29T12:00')).toBe(Date.UTC(2000, 1, 29, 12));
    expect(parseFireAt('2024-03-01T00:00') - parseFireAt('2024-02-28T00:00')).toBe(2 * 86_400_000);
    expect(parseFireAt('2023-03-01T00:00') - parseFireAt('2023-02-28T00:00')).toBe(86_400_000);
  });

  it('is exact at the edges of the day, the year and the format', () => {
    expect(parseFireAt('1970-01-01T00:00Z')).toBe(0);
    expect(parseFireAt('1969-12-31T23:59:59.999')).toBe(-1);
    expect(parseFireAt('2024-12-31T23:59:59.999999Z')).toBe(Date.UTC(2025, 0, 1) - 1);
    expect(parseFireAt('9999-12-31T23:59:59')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
    // Date.UTC would read years 0-99 as 1900-1999.
    const year = (y: number) => {
      const date = new Date(0);
      date.setUTCFullYear(y, 0, 1);
      return date.getTime();
    };
    expect(parseFireAt('0000-01-01T00:00')).toBe(year(0));
    expect(parseFireAt('0001-01-01T00:00')).toBe(year(1));
    expect(parseFireAt('0099-01-01T00:00')).toBe(year(99));
  });

  it('agrees with Date on every valid date and time (property)', () => {
    const p2 = (n: number) => String(n).padStart(2, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        fc.boolean(),
        (y, m, d, h, mi, s, ms, offset, colon) => {
          const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
          fc.pre(d <= lastDay);
          const abs = Math.abs(offset);
          const zone = `${offset < 0 ? '-' : '+'}${p2(Math.floor(abs / 60))}${colon ? ':' : ''}${p2(abs % 60)}`;
          const text = `${y}-${p2(m)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}.${String(ms).padStart(3, '0')}${zone}`;
          expect(parseFireAt(text)).toBe(Date.UTC(y, m - 1, d, h, mi, s, ms) - offset * 60_000);
        },
      ),
    );
  });
});

describe('parseFireAt: rejected forms, with what was expected and where', () => {
  it('throws an InvalidArgumentError for the argument fireAt', () => {
    const error = parseError('2024-02-30T22:17');
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(isEngageKitError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(error.argument).toBe('fireAt');
    expect(error.message).toBe(`${PREFIX} "2024-02-30T22:17": day 30 does not exist in 2024-02`);
  });

  it.each([
    ['', 'it is empty'],
    ['2023-02-29T22:17', 'day 29 does not exist in 2023-02'],
    ['1900-02-29T22:17', 'day 29 does not exist in 1900-02'],
    ['2024-04-31T22:17', 'day 31 does not exist in 2024-04'],
    ['2024-02-00T22:17', 'day 00 does not exist in 2024-02'],
    ['2024-13-01T00:00', 'month 13 does not exist (01 to 12)'],
    ['2024-00-01T00:00', 'month 00 does not exist (01 to 12)'],
    ['2024-02-20T24:00', 'hour 24 is out of range (00 to 23)'],
    ['2024-02-20T22:60', 'minute 60 is out of range (00 to 59)'],
    ['2024-02-20T22:17:60', 'second 60 is out of range (00 to 59)'],
    ['2024-02-20T22:17+24:00', 'zone hour 24 is out of range (00 to 23)'],
    ['2024-02-20T22:17-05:60', 'zone minute 60 is out of range (00 to 59)'],
    ['24-02-20T22:17', "expected a 4-digit year at character 3, got '-'"],
    [' 2024-02-20T22:17', "expected a 4-digit year at character 1, got ' '"],
    ['2024/02/20T22:17', "expected '-' after the year at character 5, got '/'"],
    ['2024-2-20T22:17', "expected a 2-digit month at character 7, got '-'"],
    ['2024-02/20T22:17', "expected '-' after the month at character 8, got '/'"],
    ['2024-02-2T22:17', "expected a 2-digit day at character 10, got 'T'"],
    ['2024-02-20', "expected 'T' or a space between date and time at character 11, got the end"],
    ['2024-02-20t22:17', "expected 'T' or a space between date and time at character 11, got 't'"],
    ['2024-02-20  22:17', "expected a 2-digit hour at character 12, got ' '"],
    ['2024-02-20T2217', "expected ':' after the hour at character 14, got '1'"],
    ['2024-02-20T22:7', "expected a 2-digit minute at character 16, got the end"],
    ['2024-02-20T22:17.5', "expected ':' and seconds, a zone ('Z', '+' or '-') or the end at character 17, got '.'"],
    ['2024-02-20T22:17z', "expected ':' and seconds, a zone ('Z', '+' or '-') or the end at character 17, got 'z'"],
    ['2024-02-20T22:17 ', "expected ':' and seconds, a zone ('Z', '+' or '-') or the end at character 17, got ' '"],
    ['2024-02-20T22:17 UTC', "expected ':' and seconds, a zone ('Z', '+' or '-') or the end at character 17, got ' '"],
    ['2024-02-20T22:17:5', 'expected a 2-digit second at character 19, got the end'],
    ['2024-02-20T22:17:05x', "expected '.' and a fraction, a zone ('Z', '+' or '-') or the end at character 20, got 'x'"],
    ['2024-02-20T22:17:05.', "expected 1 to 6 fraction digits after '.' at character 21, got the end"],
    ['2024-02-20T22:17:05.Z', "expected 1 to 6 fraction digits after '.' at character 21, got 'Z'"],
    ['2024-02-20T22:17:05.1234567', 'expected at most 6 fraction digits, got a 7th at character 27'],
    ['2024-02-20T22:17:05.5 ', "expected a zone ('Z', '+' or '-') or the end at character 22, got ' '"],
    ['2024-02-20T22:17+05', 'expected 2-digit zone minutes (±HH:MM or ±HHMM) at character 20, got the end'],
    ['2024-02-20T22:17+05:', 'expected 2-digit zone minutes (±HH:MM or ±HHMM) at character 21, got the end'],
    ['2024-02-20T22:17+05:3', 'expected a 2-digit zone minute at character 22, got the end'],
    ['2024-02-20T22:17+5:30', "expected a 2-digit zone hour at character 19, got ':'"],
    ['2024-02-20T22:17Zx', "expected the end at character 18, got 'x'"],
    ['2024-02-20T22:17+05:30:00', "expected the end at character 23, got ':'"],
    ['2024-02-20T22:17:00.123+0530Z', "expected the end at character 29, got 'Z'"],
  ])('%j: %s', (value, reason) => {
    expect(parseError(value).message).toBe(`${PREFIX} ${JSON.stringify(value)}: ${reason}`);
  });

  it('rejects what Date.parse would accept', () => {
    for (const lenient of ['Feb 20 2024 22:17', '2024-02-20T22:17:00.000Z ', '2024-02-20T22', '20240220T2217', '2024-02-20T22:17:00,5']) {
      expect(() => parseFireAt(lenient)).toThrow(InvalidArgumentError);
    }
  });

  it('describes a value that is not a string, or a long one, without quoting it whole', () => {
    expect(parseError(5).message).toBe(`${PREFIX} number 5: it is not a string`);
    expect(parseError(null).message).toBe(`${PREFIX} null: it is not a string`);
    const long = `2024-02-20T22:17${'0'.repeat(40)}`;
    expect(parseError(long).message).toBe(
      `${PREFIX} a string of length ${long.length}: expected ':' and seconds, a zone ('Z', '+' or '-') or the end at character 17, got '0'`,
    );
  });
});

describe('normalizeSchedule', () => {
  it('is undefined for a command without a schedule; interval, enabled and repeatable alone are ordinary properties', () => {
    expect(normalizeSchedule({ name: 'highlight', selector: '#a' })).toBeUndefined();
    expect(normalizeSchedule({ name: 'poll', interval: 5, enabled: false, repeatable: 'yes', cancel: true })).toBeUndefined();
    expect(normalizeSchedule({ name: 'x', timerName: undefined })).toBeUndefined();
  });

  it('rejects fireAt without timerName, instead of running the command at once', () => {
    expect(normalizeSchedule({ fireAt: '2024-02-20T22:17' })).toEqual({
      kind: 'invalid',
      property: 'timerName',
      error: 'fireAt needs timerName: a scheduled command must name its timer',
    });
  });

  it('seed: set_timer at fireAt, repeatable="false"', () => {
    expect(normalizeSchedule({ name: 'remind', fireAt: '2024-02-20T22:17', timerName: 'MyTimer', repeatable: 'false' })).toEqual({
      kind: 'set',
      timerName: 'MyTimer',
      fireAt: SEED_FIRE_AT,
      repeatable: false,
      enabled: true,
    });
  });

  it('seed: set_timer after interval="120" seconds', () => {
    expect(normalizeSchedule({ timerName: 'followup_timer_2', interval: '120' })).toEqual({
      kind: 'set',
      timerName: 'followup_timer_2',
      intervalMs: 120_000,
      repeatable: false,
      enabled: true,
    });
  });

  it('seed: set_repeatable_timer with interval="240" and fireAt, expressed as repeatable="true"', () => {
    expect(
      normalizeSchedule({ timerName: 'followup_timer_3', interval: '240', fireAt: '2024-02-20T22:17', repeatable: 'true' }),
    ).toEqual({ kind: 'set', timerName: 'followup_timer_3', fireAt: SEED_FIRE_AT, intervalMs: 240_000, repeatable: true, enabled: true });
  });

  it('seed: with fireAt and interval but not repeatable, the interval is ignored and flagged', () => {
    const spec = normalizeSchedule({ timerName: 't', interval: 240, fireAt: '2024-02-20T22:17', repeatable: false });
    expect(spec).toEqual({ kind: 'set', timerName: 't', fireAt: SEED_FIRE_AT, repeatable: false, enabled: true, intervalIgnored: true });
    expect(normalizeSchedule({ timerName: 't', interval: 240, fireAt: '2024-02-20T22:17' })).toEqual(spec);
  });

  it('seed: enabled="false" / "true" alone disable / enable the named timer', () => {
    expect(normalizeSchedule({ timerName: 'followup_timer_3', enabled: 'false' })).toEqual({ kind: 'disable', timerName: 'followup_timer_3' });
    expect(normalizeSchedule({ timerName: 'followup_timer_3', enabled: 'true' })).toEqual({ kind: 'enable', timerName: 'followup_timer_3' });
    expect(normalizeSchedule({ timerName: 'followup_timer_3', enabled: false })).toEqual({ kind: 'disable', timerName: 'followup_timer_3' });
    expect(normalizeSchedule({ timerName: 'followup_timer_3', enabled: true })).toEqual({ kind: 'enable', timerName: 'followup_timer_3' });
  });

  it('sets a timer disabled with enabled=false next to a time', () => {
    expect(normalizeSchedule({ timerName: 't', interval: 60, repeatable: true, enabled: 'false' })).toEqual({
      kind: 'set',
      timerName: 't',
      intervalMs: 60_000,
      repeatable: true,
      enabled: false,
    });
  });

  it('cancels with cancel=true alone; cancel=false is no cancel', () => {
    expect(normalizeSchedule({ name: 'x', timerName: 't', cancel: true })).toEqual({ kind: 'cancel', timerName: 't' });
    expect(normalizeSchedule({ timerName: 't', cancel: 'true' })).toEqual({ kind: 'cancel', timerName: 't' });
    expect(normalizeSchedule({ timerName: 't', cancel: 'false', interval: 1 })).toMatchObject({ kind: 'set', intervalMs: 1000 });
    expect(normalizeSchedule({ timerName: 't', cancel: true, fireAt: '2024-02-20T22:17', enabled: true })).toEqual({
      kind: 'invalid',
      property: 'cancel',
      timerName: 't',
      error: 'cancel=true cannot be combined with fireAt, enabled',
    });
  });

  it('reads intervals as positive seconds: numbers, and decimal strings only', () => {
    expect(normalizeSchedule({ timerName: 't', interval: 1.5 })).toMatchObject({ intervalMs: 1500 });
    expect(normalizeSchedule({ timerName: 't', interval: '0.5' })).toMatchObject({ intervalMs: 500 });
    // Whole milliseconds, so that the firing grid is exact.
    expect(normalizeSchedule({ timerName: 't', interval: 0.0016 })).toMatchObject({ intervalMs: 2 });
    expect(normalizeSchedule({ timerName: 't', interval: '0.0004' })).toMatchObject({
      property: 'interval',
      error: 'interval must be at least 0.001 seconds (1 ms), got "0.0004"',
    });
    for (const bad of ['abc', '-5', '0', '0.0', '+5', ' 120', '1e3', '0x10', '', '.5', '5.', 0, -1, NaN, Infinity, true, null, [120]]) {
      expect(normalizeSchedule({ timerName: 't', interval: bad })).toMatchObject({ kind: 'invalid', property: 'interval', timerName: 't' });
    }
    expect(normalizeSchedule({ timerName: 't', interval: '-5' })).toMatchObject({
      error: 'interval must be a positive number of seconds (a number, or a decimal string such as "120"), got "-5"',
    });
    expect(normalizeSchedule({ timerName: 't', interval: 1e13 })).toMatchObject({
      error: 'interval must be at most 8640000000000 seconds, got number 10000000000000',
    });
  });

  it('reads booleans as true/false or the lower-case strings', () => {
    expect(normalizeSchedule({ timerName: 't', interval: 1, repeatable: 'True' })).toEqual({
      kind: 'invalid',
      property: 'repeatable',
      timerName: 't',
      error: 'repeatable must be true or false (a boolean or the string "true" or "false"), got "True"',
    });
    expect(normalizeSchedule({ timerName: 't', interval: 1, enabled: 1 })).toMatchObject({
      property: 'enabled',
      error: 'enabled must be true or false (a boolean or the string "true" or "false"), got number 1',
    });
    expect(normalizeSchedule({ timerName: 't', cancel: 'yes' })).toMatchObject({
      property: 'cancel',
      error: 'cancel must be true or false (a boolean or the string "true" or "false"), got "yes"',
    });
  });

  it('requires interval when repeatable', () => {
    const error = { kind: 'invalid', property: 'repeatable', timerName: 't', error: 'repeatable=true requires interval (the seconds between firings)' };
    expect(normalizeSchedule({ timerName: 't', fireAt: '2024-02-20T22:17', repeatable: 'true' })).toEqual(error);
    expect(normalizeSchedule({ timerName: 't', repeatable: true })).toEqual(error);
  });

  it('requires something to do with a timer name', () => {
    const error = {
      kind: 'invalid',
      property: 'timerName',
      timerName: 't',
      error: 'timer "t" needs fireAt or interval to be set, enabled alone to be enabled or disabled, or cancel=true alone to be cancelled',
    };
    expect(normalizeSchedule({ timerName: 't' })).toEqual(error);
    expect(normalizeSchedule({ timerName: 't', repeatable: false })).toEqual(error);
    expect(normalizeSchedule({ timerName: 't', enabled: true, repeatable: 'false' })).toEqual(error);
    expect(normalizeSchedule({ timerName: 't', cancel: false })).toEqual(error);
  });

  it('requires a non-empty string timer name', () => {
    for (const [value, got] of [['', '""'], ['  ', '"  "'], [5, 'number 5'], [null, 'null'], [{}, 'an object']] as const) {
      expect(normalizeSchedule({ timerName: value, interval: 5 })).toEqual({
        kind: 'invalid',
        property: 'timerName',
        error: `timerName must be a non-empty string, got ${got}`,
      });
    }
  });

  it("reports an invalid fireAt with parseFireAt's reason", () => {
    expect(normalizeSchedule({ timerName: 't', fireAt: '2024-02-30T22:17' })).toEqual({
      kind: 'invalid',
      property: 'fireAt',
      timerName: 't',
      error: `${PREFIX} "2024-02-30T22:17": day 30 does not exist in 2024-02`,
    });
    expect(normalizeSchedule({ timerName: 't', fireAt: 1708467420000 })).toMatchObject({
      property: 'fireAt',
      error: `${PREFIX} number 1708467420000: it is not a string`,
    });
  });

  it('reports the first wrong property, in the order timerName, cancel, fireAt, interval, repeatable, enabled', () => {
    expect(normalizeSchedule({ timerName: 't', fireAt: 'x', interval: 'y', repeatable: 'z' })).toMatchObject({ property: 'fireAt' });
    expect(normalizeSchedule({ timerName: 't', interval: 'y', repeatable: 'z', enabled: 'w' })).toMatchObject({ property: 'interval' });
    expect(normalizeSchedule({ timerName: 't', interval: 1, repeatable: 'z', enabled: 'w' })).toMatchObject({ property: 'repeatable' });
  });

  it('keeps an error result recognizable by its error field', () => {
    const result = normalizeSchedule({ timerName: 't' });
    expect(result !== undefined && 'error' in result).toBe(true);
  });
});

const set = (spec: Partial<TimerSet>): TimerSet => ({ kind: 'set', timerName: 't', repeatable: false, enabled: true, ...spec });
const S = 1000;

describe('nextFiring', () => {
  it('a fireAt timer fires once, strictly after afterMs', () => {
    const spec = set({ fireAt: 10 * S });
    expect(nextFiring(spec, 0, 0)).toBe(10 * S);
    expect(nextFiring(spec, 10 * S - 1, 0)).toBe(10 * S);
    expect(nextFiring(spec, 10 * S, 0)).toBeUndefined();
    expect(nextFiring(spec, 0, 0, 10 * S)).toBeUndefined();
    // A fireAt in the past is due at once: the caller sees it via dueFirings.
    expect(nextFiring(spec, 20 * S, 0)).toBeUndefined();
  });

  it('an interval-only timer fires one interval after it was set; repeatable, every interval after that', () => {
    expect(nextFiring(set({ intervalMs: 120 * S }), 0, 5 * S)).toBe(125 * S);
    expect(nextFiring(set({ intervalMs: 120 * S }), 125 * S, 5 * S)).toBeUndefined();
    const repeating = set({ intervalMs: 120 * S, repeatable: true });
    expect(nextFiring(repeating, 0, 0)).toBe(120 * S);
    expect(nextFiring(repeating, 120 * S, 0)).toBe(240 * S);
    expect(nextFiring(repeating, 130 * S, 0)).toBe(240 * S);
    expect(nextFiring(repeating, 1_000 * S, 0)).toBe(1_080 * S);
  });

  it('a repeatable timer with fireAt fires first at fireAt, then every interval on that grid', () => {
    const spec = set({ fireAt: SEED_FIRE_AT, intervalMs: 240 * S, repeatable: true });
    const created = SEED_FIRE_AT - 3_600 * S;
    expect(nextFiring(spec, created, created)).toBe(SEED_FIRE_AT);
    expect(nextFiring(spec, SEED_FIRE_AT, created)).toBe(SEED_FIRE_AT + 240 * S);
    expect(nextFiring(spec, SEED_FIRE_AT + 500 * S, created)).toBe(SEED_FIRE_AT + 720 * S);
    // A late firing (run at +250 s) does not shift the grid.
    expect(nextFiring(spec, SEED_FIRE_AT + 250 * S, created, SEED_FIRE_AT + 250 * S)).toBe(SEED_FIRE_AT + 480 * S);
  });

  it('never fires before lastFiredAtMs, which also skips the firings of a disabled period', () => {
    const spec = set({ intervalMs: 60 * S, repeatable: true });
    expect(nextFiring(spec, 0, 0, 200 * S)).toBe(240 * S);
    const oneShot = set({ fireAt: 100 * S });
    expect(nextFiring(oneShot, 0, 0, 50 * S)).toBe(100 * S);
    expect(nextFiring(oneShot, 0, 0, 150 * S)).toBeUndefined();
  });

  it('a disabled timer, or one with an ignored interval, behaves accordingly', () => {
    expect(nextFiring(set({ fireAt: 10 * S, enabled: false }), 0, 0)).toBeUndefined();
    expect(nextFiring(set({ intervalMs: S, repeatable: true, enabled: false }), 0, 0)).toBeUndefined();
    const ignored = set({ fireAt: 10 * S, intervalIgnored: true });
    expect(nextFiring(ignored, 0, 0)).toBe(10 * S);
    expect(nextFiring(ignored, 10 * S, 0)).toBeUndefined();
  });

  it('returns the first grid point strictly after (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 1, max: 1e10 }),
        fc.integer({ min: 0, max: 4e12 }),
        (fireAt, intervalMs, after) => {
          const next = nextFiring(set({ fireAt, intervalMs, repeatable: true }), after, 0);
          expect(next).toBeDefined();
          const t = next as number;
          expect(t).toBeGreaterThan(after);
          expect(t).toBeGreaterThanOrEqual(fireAt);
          expect((t - fireAt) % intervalMs).toBe(0);
          if (t > fireAt) expect(t - intervalMs).toBeLessThanOrEqual(after);
        },
      ),
    );
  });
});

describe('dueFirings', () => {
  it('a page closed through five firings runs the command once, and knows the next firing', () => {
    const spec = set({ intervalMs: 60 * S, repeatable: true });
    expect(dueFirings(spec, 0, 60 * S, 400 * S)).toEqual({ due: true, missed: 5, next: 420 * S });
  });

  it('counts a firing at exactly now as due, and nothing before the first firing', () => {
    const spec = set({ intervalMs: 60 * S, repeatable: true });
    expect(dueFirings(spec, 0, undefined, 59 * S)).toEqual({ due: false, missed: 0, next: 60 * S });
    expect(dueFirings(spec, 0, undefined, 60 * S)).toEqual({ due: true, missed: 1, next: 120 * S });
    expect(dueFirings(spec, 0, 60 * S, 60 * S)).toEqual({ due: false, missed: 0, next: 120 * S });
  });

  it('a missed one-shot is due once, then never again', () => {
    const spec = set({ fireAt: 100 * S });
    expect(dueFirings(spec, 0, undefined, 5_000 * S)).toEqual({ due: true, missed: 1, next: undefined });
    expect(dueFirings(spec, 0, 5_000 * S, 6_000 * S)).toEqual({ due: false, missed: 0, next: undefined });
    expect(dueFirings(set({ intervalMs: 120 * S }), 0, undefined, 120 * S)).toEqual({ due: true, missed: 1, next: undefined });
  });

  it('a repeatable timer with fireAt counts from fireAt', () => {
    const spec = set({ fireAt: SEED_FIRE_AT, intervalMs: 240 * S, repeatable: true });
    expect(dueFirings(spec, 0, undefined, SEED_FIRE_AT + 480 * S)).toEqual({ due: true, missed: 3, next: SEED_FIRE_AT + 720 * S });
  });

  it('nothing is due on a disabled timer, and a re-enable time skips the disabled period', () => {
    const spec = set({ intervalMs: 60 * S, repeatable: true });
    expect(dueFirings({ ...spec, enabled: false }, 0, undefined, 1_000 * S)).toEqual({ due: false, missed: 0, next: undefined });
    expect(dueFirings(spec, 0, 1_000 * S, 1_010 * S)).toEqual({ due: false, missed: 0, next: 1_020 * S });
  });

  it('counts exactly the grid points in (lastFiredAt, now] (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.boolean(),
        (fireAt, intervalMs, lastFiredAt, now, repeatable) => {
          const spec = set({ fireAt, intervalMs, repeatable });
          let expected = 0;
          for (let t = fireAt; t <= now; t += intervalMs) {
            if (lastFiredAt === undefined || t > lastFiredAt) expected++;
            if (!repeatable) break;
          }
          const result = dueFirings(spec, 0, lastFiredAt, now);
          expect(result.missed).toBe(expected);
          expect(result.due).toBe(expected > 0);
          expect(result.next).toBe(nextFiring(spec, now, 0, lastFiredAt));
        },
      ),
    );
  });
});
