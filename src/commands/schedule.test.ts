// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firings, readSchedule, type TimerRecord } from './schedule.js';
import { InvalidArgumentError, isEngageKitError } from '../shared/errors.js';
import { describe as describeValue } from '../shared/check.js';
import { checkSchedule, FIRE_AT_FORMAT, normalizeSchedule, parseFireAt } from '../mock/schedule-check.js';

// Two checks of SendCommand's schedules: the reference server's, at the PUT, with
// detailed reasons (src/mock/schedule-check.ts), and the SDK's compact one,
// which turns a schedule into a timer (src/commands/schedule.ts). Then the
// firing arithmetic.

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

/** fireAt values both checks refuse, with the server's reason. */
const REJECTED_FIRE_AT: Array<[string, string]> = [
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
];


/**
 * A valid `fireAt` with seconds, milliseconds and a zone (`±HH:MM` or `±HHMM`),
 * from `minYear` to 9999, and the epoch ms that Date gives for it.
 */
const validFireAt = (minYear: number) => {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return fc
    .tuple(
      fc.integer({ min: minYear, max: 9999 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 31 }),
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 999 }),
      fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
      fc.boolean(),
    )
    .map(([y, m, d, h, mi, s, ms, offset, colon]) => {
      // setUTCFullYear, not Date.UTC: years 0-99 stay as written.
      const date = new Date(0);
      date.setUTCFullYear(y, m - 1, d);
      date.setUTCHours(h, mi, s, ms);
      const abs = Math.abs(offset);
      const zone = `${offset < 0 ? '-' : '+'}${p2(Math.floor(abs / 60))}${colon ? ':' : ''}${p2(abs % 60)}`;
      return {
        exists: date.getUTCDate() === d, // no Feb 30
        text: `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}.${String(ms).padStart(3, '0')}${zone}`,
        at: date.getTime() - offset * 60_000,
      };
    })
    .filter(({ exists }) => exists);
};

describe('server check, parseFireAt: accepted forms', () => {
  it('reads the documented API example as UTC', () => {
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
    fc.assert(
      fc.property(validFireAt(1000), ({ text, at }) => {
        expect(parseFireAt(text)).toBe(at);
      }),
    );
  });
});

describe('server check, parseFireAt: rejected forms, with what was expected and where', () => {
  it('throws an InvalidArgumentError for the argument fireAt', () => {
    const error = parseError('2024-02-30T22:17');
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(isEngageKitError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(error.argument).toBe('fireAt');
    expect(error.message).toBe(`${PREFIX} "2024-02-30T22:17": day 30 does not exist in 2024-02`);
  });

  it.each(REJECTED_FIRE_AT)('%j: %s', (value, reason) => {
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

describe('server check, normalizeSchedule', () => {
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


describe('server check, checkSchedule: the 400 body of the PUT', () => {
  it('names the property in message and gives the detailed reason in debug_message', () => {
    expect(checkSchedule({ name: 'x', timerName: 't', fireAt: '2024-02-30T22:17' })).toEqual({
      message: "Invalid schedule in 'properties.fireAt'",
      debug_message: `${PREFIX} "2024-02-30T22:17": day 30 does not exist in 2024-02`,
    });
    expect(checkSchedule({ timerName: 't', interval: 'soon' })).toMatchObject({ message: "Invalid schedule in 'properties.interval'" });
  });

  it('passes ordinary commands and valid schedules', () => {
    expect(checkSchedule({ name: 'poll', interval: 'x' })).toBeUndefined();
    expect(checkSchedule({ timerName: 't', fireAt: '2024-02-20T22:17' })).toBeUndefined();
    expect(checkSchedule({ timerName: 't', enabled: 'false' })).toBeUndefined();
  });
});

// ---- the SDK's compact check

/** readSchedule, with the message of a `['failed', message]` result. */
const sdk = (properties: Record<string, unknown>) => {
  const read = readSchedule(properties);
  if (Array.isArray(read)) {
    expect(read).toEqual(['failed', expect.any(String)]);
    return read[1];
  }
  return read;
};
const FORMAT = 'YYYY-MM-DD[T]HH:MM[:SS[.ffffff]][Z or ±HH[:]MM]';
/** The SDK's reading of a fireAt: epoch ms, or its error message. */
const sdkAt = (fireAt: unknown) => {
  const read = sdk({ timerName: 't', fireAt });
  return typeof read === 'string' ? read : (read as { at: number }).at;
};

describe('SDK readSchedule: fireAt', () => {
  it('reads the accepted forms as the server check does', () => {
    for (const text of [
      '2024-02-20T22:17',
      '2024-02-20 22:17',
      '2024-02-20T22:17:09',
      '2024-02-20T22:17:09.5',
      '2024-02-20T22:17:09.05',
      '2024-02-20T22:17:09.1239',
      '2024-02-20T22:17:09.999999',
      '2024-02-20T22:17:09.000001',
      '2024-02-20T22:17Z',
      '2024-02-20T22:17-0000',
      '2024-02-20T22:17+05:30',
      '2024-02-20T22:17+0530',
      '2024-02-20T22:17-08:00',
      '2024-02-20 22:17:09.25+23:59',
      '2024-02-29T00:00',
      '2000-02-29T12:00',
      '1969-12-31T23:59:59.999',
      '2024-12-31T23:59:59.999999Z',
      '9999-12-31T23:59:59',
      '0000-01-01T00:00',
      '0099-01-01T00:00-00:01',
    ]) {
      expect([text, sdkAt(text)]).toEqual([text, parseFireAt(text)]);
    }
    expect(sdkAt('2024-02-20T22:17')).toBe(SEED_FIRE_AT);
    expect(sdkAt('2024-02-20T22:17:09.1239')).toBe(SEED_FIRE_AT + 9_123);
    expect(sdkAt('2024-02-20T22:17-08:00')).toBe(SEED_FIRE_AT + 8 * 3_600_000);
  });

  it('agrees with Date on every valid date and time (property)', () => {
    fc.assert(
      fc.property(validFireAt(0), ({ text, at }) => {
        expect(sdkAt(text)).toBe(at);
      }),
    );
  });

  it.each(REJECTED_FIRE_AT)('refuses %j (server: %s), saying what fireAt must be', (value) => {
    expect(sdkAt(value)).toBe(`fireAt must be ${FORMAT}, got ${describeValue(value)}`);
  });

  it('refuses what Date.parse would accept, and values that are not strings', () => {
    for (const bad of ['Feb 20 2024 22:17', '2024-02-20T22:17:00.000Z ', '2024-02-20T22', '20240220T2217', '2024-02-20T22:17:00,5', '2024-02-20T24:00', '2024-02-20T22:17+24:00', '2024-02-20T22:17-05:60', 5, null, ['2024-02-20T22:17']]) {
      expect(sdkAt(bad)).toBe(`fireAt must be ${FORMAT}, got ${describeValue(bad)}`);
    }
  });
});

describe('SDK readSchedule: the rules', () => {
  it('is undefined for a command without a schedule; interval, enabled and repeatable alone are ordinary properties', () => {
    expect(sdk({ name: 'highlight', selector: '#a' })).toBeUndefined();
    expect(sdk({ name: 'poll', interval: 5, enabled: false, repeatable: 'yes', cancel: true })).toBeUndefined();
    expect(sdk({ name: 'x', timerName: undefined })).toBeUndefined();
  });

  it('refuses fireAt without timerName, instead of running the command at once', () => {
    expect(sdk({ fireAt: '2024-02-20T22:17' })).toBe('timerName must be a non-empty string, got undefined');
  });

  it('seed examples', () => {
    expect(sdk({ name: 'remind', fireAt: '2024-02-20T22:17', timerName: 'MyTimer', repeatable: 'false' })).toEqual({
      k: 'set',
      timerName: 'MyTimer',
      at: SEED_FIRE_AT,
      rep: false,
      on: true,
    });
    expect(sdk({ timerName: 'followup_timer_2', interval: '120' })).toEqual({ k: 'set', timerName: 'followup_timer_2', ms: 120_000, on: true });
    expect(sdk({ timerName: 'f3', interval: '240', fireAt: '2024-02-20T22:17', repeatable: 'true' })).toEqual({
      k: 'set',
      timerName: 'f3',
      at: SEED_FIRE_AT,
      ms: 240_000,
      rep: true,
      on: true,
    });
    // With fireAt and interval but not repeatable the interval is kept but ignored: see firings below.
    expect(sdk({ timerName: 't', interval: 240, fireAt: '2024-02-20T22:17' })).toEqual({ k: 'set', timerName: 't', at: SEED_FIRE_AT, ms: 240_000, on: true });
    for (const [enabled, k] of [['false', 'disable'], ['true', 'enable'], [false, 'disable'], [true, 'enable']] as const) {
      expect(sdk({ timerName: 'f3', enabled })).toEqual({ k, timerName: 'f3', on: k === 'enable' });
    }
  });

  it('sets a timer disabled with enabled=false next to a time', () => {
    expect(sdk({ timerName: 't', interval: 60, repeatable: true, enabled: 'false' })).toEqual({ k: 'set', timerName: 't', ms: 60_000, rep: true, on: false });
  });

  it('cancels with cancel=true alone; cancel=false is no cancel', () => {
    expect(sdk({ name: 'x', timerName: 't', cancel: true })).toEqual({ k: 'cancel', timerName: 't', on: true });
    expect(sdk({ timerName: 't', cancel: 'true' })).toEqual({ k: 'cancel', timerName: 't', on: true });
    expect(sdk({ timerName: 't', cancel: 'false', interval: 1 })).toMatchObject({ k: 'set', ms: 1000 });
    expect(sdk({ timerName: 't', cancel: true, fireAt: '2024-02-20T22:17', enabled: true })).toBe('cancel=true must come alone');
    expect(sdk({ timerName: 't', cancel: true, repeatable: false })).toBe('cancel=true must come alone');
  });

  it('reads intervals as positive seconds, in whole ms: numbers, and decimal strings only', () => {
    expect(sdk({ timerName: 't', interval: 1.5 })).toMatchObject({ ms: 1500 });
    expect(sdk({ timerName: 't', interval: '0.5' })).toMatchObject({ ms: 500 });
    expect(sdk({ timerName: 't', interval: 0.0016 })).toMatchObject({ ms: 2 });
    for (const bad of ['0.0004', 'abc', '-5', '0', '0.0', '+5', ' 120', '1e3', '0x10', '', '.5', '5.', 0, -1, NaN, Infinity, 1e21, true, null, [120], { s: 1 }]) {
      expect(sdk({ timerName: 't', interval: bad })).toBe(`interval must be seconds ≥ 0.001, got ${describeValue(bad)}`);
    }
  });

  it('reads booleans as true/false or the lower-case strings', () => {
    expect(sdk({ timerName: 't', interval: 1, repeatable: 'True' })).toBe('repeatable must be true or false, got "True"');
    expect(sdk({ timerName: 't', interval: 1, enabled: 1 })).toBe('enabled must be true or false, got number 1');
    expect(sdk({ timerName: 't', cancel: 'yes' })).toBe('cancel must be true or false, got "yes"');
    expect(sdk({ timerName: 't', cancel: [true] })).toBe('cancel must be true or false, got an array');
  });

  it('requires interval when repeatable, and something to do with a timer name', () => {
    expect(sdk({ timerName: 't', fireAt: '2024-02-20T22:17', repeatable: 'true' })).toBe('repeatable=true needs interval');
    expect(sdk({ timerName: 't', repeatable: true })).toBe('repeatable=true needs interval');
    for (const properties of [{}, { repeatable: false }, { enabled: true, repeatable: 'false' }, { cancel: false }]) {
      expect(sdk({ timerName: 't', ...properties })).toBe('timer "t" needs fireAt, interval, enabled or cancel');
    }
  });

  it('requires a non-empty string timer name', () => {
    for (const value of ['', '  ', 5, null, {}, ['t']]) {
      expect(sdk({ timerName: value, interval: 5 })).toBe(`timerName must be a non-empty string, got ${describeValue(value)}`);
    }
  });

  it('reports the first wrong property, in the order timerName, cancel, fireAt, interval, repeatable, enabled', () => {
    expect(sdk({ timerName: 5, cancel: 'x', fireAt: 'x' })).toMatch(/^timerName /);
    expect(sdk({ timerName: 't', cancel: 'x', fireAt: 'x' })).toMatch(/^cancel /);
    expect(sdk({ timerName: 't', fireAt: 'x', interval: 'y', repeatable: 'z' })).toMatch(/^fireAt /);
    expect(sdk({ timerName: 't', interval: 'y', repeatable: 'z', enabled: 'w' })).toMatch(/^interval /);
    expect(sdk({ timerName: 't', interval: 1, repeatable: 'z', enabled: 'w' })).toMatch(/^repeatable /);
    expect(sdk({ timerName: 't', interval: 1, enabled: 'w' })).toMatch(/^enabled /);
  });

  it('refuses nothing the server check accepts, and everything it refuses that the SDK can tell (property)', () => {
    const value = fc.oneof(
      fc.constantFrom('true', 'false', 'True', '120', '0.5', '-1', '2024-02-20T22:17', '2024-02-30T22:17', '2024-02-20 22:17:05.5+01:00', ''),
      fc.boolean(),
      fc.integer({ min: -5, max: 200 }),
      fc.constant(null),
    );
    fc.assert(
      fc.property(
        fc.record(
          { timerName: fc.constantFrom('t', ''), fireAt: value, interval: value, repeatable: value, enabled: value, cancel: value },
          { requiredKeys: [] },
        ),
        (properties) => {
          const server = normalizeSchedule(properties);
          const read = sdk(properties);
          if (server?.kind !== 'invalid') expect(typeof read).not.toBe('string');
          else expect(typeof read).toBe('string');
        },
      ),
    );
  });
});

// ---- firings

type Firing = Parameters<typeof firings>[0];
const timer = (state: Partial<TimerRecord>): Firing => ({ t0: 0, ...state });
const S = 1000;

describe('firings: [missed in (last, now], next after now or Infinity]', () => {
  it('a fireAt timer fires once', () => {
    const t = timer({ at: 10 * S });
    expect(firings(t, 0)).toEqual([0, 10 * S]);
    expect(firings(t, 10 * S - 1)).toEqual([0, 10 * S]);
    expect(firings(t, 10 * S)).toEqual([1, Infinity]);
    // Missed while no page was open: due once, then never again.
    expect(firings(t, 5_000 * S)).toEqual([1, Infinity]);
    expect(firings({ ...t, last: 5_000 * S }, 6_000 * S)).toEqual([0, Infinity]);
  });

  it('an interval-only timer fires one interval after it was set; repeatable, every interval after that', () => {
    expect(firings(timer({ ms: 120 * S, t0: 5 * S }), 0)).toEqual([0, 125 * S]);
    expect(firings(timer({ ms: 120 * S, t0: 5 * S }), 125 * S)).toEqual([1, Infinity]);
    const repeating = timer({ ms: 120 * S, rep: true });
    expect(firings(repeating, 0)).toEqual([0, 120 * S]);
    expect(firings(repeating, 120 * S)).toEqual([1, 240 * S]);
    expect(firings({ ...repeating, last: 120 * S }, 130 * S)).toEqual([0, 240 * S]);
    expect(firings({ ...repeating, last: 120 * S }, 1_000 * S)).toEqual([7, 1_080 * S]);
  });

  it('a page closed through five firings runs the command once for all of them, back on the grid', () => {
    expect(firings(timer({ ms: 60 * S, rep: true, last: 60 * S }), 400 * S)).toEqual([5, 420 * S]);
  });

  it('a repeatable timer with fireAt fires first at fireAt, then every interval on that grid', () => {
    const t = timer({ at: SEED_FIRE_AT, ms: 240 * S, rep: true, t0: SEED_FIRE_AT - 3_600 * S });
    expect(firings(t, SEED_FIRE_AT - S)).toEqual([0, SEED_FIRE_AT]);
    expect(firings(t, SEED_FIRE_AT + 480 * S)).toEqual([3, SEED_FIRE_AT + 720 * S]);
    // A late firing (run at +250 s) does not shift the grid.
    expect(firings({ ...t, last: SEED_FIRE_AT + 250 * S }, SEED_FIRE_AT + 300 * S)).toEqual([0, SEED_FIRE_AT + 480 * S]);
  });

  it('with fireAt and interval but not repeatable, the interval is ignored', () => {
    const t = timer({ at: 10 * S, ms: 5 * S });
    expect(firings(t, 0)).toEqual([0, 10 * S]);
    expect(firings(t, 100 * S)).toEqual([1, Infinity]);
  });

  it('a re-enable time as last skips the firings of the disabled period', () => {
    expect(firings(timer({ ms: 60 * S, rep: true, last: 1_000 * S }), 1_010 * S)).toEqual([0, 1_020 * S]);
    expect(firings(timer({ at: 100 * S, last: 150 * S }), 150 * S)).toEqual([0, Infinity]);
    expect(firings(timer({ at: 100 * S, last: 50 * S }), 60 * S)).toEqual([0, 100 * S]);
  });

  it('counts exactly the grid points in (last, now], and gives the first one after now (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.boolean(),
        (at, ms, last, now, rep) => {
          fc.pre(last === undefined || last <= now);
          let missed = 0;
          let next = Infinity;
          for (let t = at; ; t += ms) {
            if (t > now) {
              next = t;
              break;
            }
            if (last === undefined || t > last) missed++;
            if (!rep) break;
          }
          expect(firings(timer({ at, ms, rep, last }), now)).toEqual([missed, next]);
        },
      ),
    );
  });

  it('stays exact on a fine grid far from its start (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 1, max: 1e10 }), fc.integer({ min: 0, max: 4e12 }), (at, ms, now) => {
        const [, next] = firings(timer({ at, ms, rep: true }), now);
        const t = next as number;
        expect(t).toBeGreaterThan(now);
        expect(t).toBeGreaterThanOrEqual(at);
        expect((t - at) % ms).toBe(0);
        if (t > at) expect(t - ms).toBeLessThanOrEqual(now);
      }),
    );
  });
});
