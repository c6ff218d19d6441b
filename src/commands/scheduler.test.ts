// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CustomCommand } from '../protocol/wire.js';
import { createMemoryStorage, type StorageLike } from '../shared/storage.js';
import { createTimers } from '../shared/timers.js';
import type { TimerRecord } from './schedule.js';
import { createScheduler } from './scheduler.js';

// The scheduler's storage: one key per timer, the progress of firings apart,
// the one array of earlier versions migrated, an index where keys cannot be listed.
// (Behaviour end to end: test/schedule-*.test.ts, through the reference server.)

const T0 = Date.UTC(2024, 1, 20, 22, 0);
const MIN = 60_000;
const PREFIX = 'engagekit:e1:';

beforeEach(() => {
  // performance too: a task's 10 ms budget is then fake time, which stands still while it runs, so
  // every timer due at once fires in one task here however busy the machine (the split into tasks:
  // test/commands/schedule-limits.test.ts, on real time).
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'], now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const command = (id: string, properties: Record<string, unknown>, content: string | null = null): CustomCommand => ({
  id,
  engagement_id: 'e1',
  sub_engagement_id: 's1',
  content,
  properties: { name: 'x', ...properties },
});

/** A stored timer, set at T0, repeatable every minute (first firing T0 + 1 min) unless told otherwise. */
const record = (timerName: string, seq: number, more: Partial<TimerRecord> = {}): TimerRecord => ({
  timerName,
  ms: MIN,
  rep: true,
  on: true,
  t0: T0,
  command: command(`c-${timerName}`, { timerName, interval: 60, repeatable: true }),
  name: 'x',
  seq,
  ...more,
});

/** Every setItem, in order, with its UTF-8 size. */
function recording(storage: StorageLike = createMemoryStorage()) {
  const writes: Array<{ key: string; bytes: number }> = [];
  const recorded: StorageLike = {
    getItem: (key) => storage.getItem(key),
    setItem(key, value) {
      writes.push({ key, bytes: new TextEncoder().encode(key + value).length });
      storage.setItem(key, value);
    },
    removeItem: (key) => storage.removeItem(key),
  };
  if (storage.key) {
    recorded.key = (index) => storage.key!(index);
    Object.defineProperty(recorded, 'length', { get: () => storage.length });
  }
  return { storage: recorded, writes };
}

function scheduler(storage: StorageLike) {
  const fired: Array<{ timerName: string; at: number; missed: number }> = [];
  let onRun: (timerName: string) => void = () => {};
  const instance = createScheduler({
    storage,
    prefix: PREFIX,
    timer: createTimers((error) => {
      throw error;
    }).timer(),
    run: (_command, _name, _seq, settle, timer) => {
      onRun(timer!.timerName);
      settle('executed');
    },
    onFired: ({ timerName, at, missed }) => void fired.push({ timerName, at, missed }),
  });
  return { scheduler: instance, fired, onRun: (listener: typeof onRun) => (onRun = listener) };
}

const read = (storage: StorageLike, key: string) => JSON.parse(storage.getItem(PREFIX + key)!) as Record<string, unknown>;

describe('one key per timer', () => {
  it('a command writes only its own timer, as many bytes with 500 timers stored as with none', async () => {
    const bytesOfReplace = (others: number) => {
      const { storage, writes } = recording();
      for (let i = 0; i < others; i++) storage.setItem(`${PREFIX}timer:t${i}`, JSON.stringify(record(`t${i}`, i + 1, { t0: T0 + 60 * MIN })));
      storage.setItem(`${PREFIX}timer:same`, JSON.stringify(record('same', 1_000)));
      const { scheduler: s } = scheduler(storage);
      s.start();
      writes.length = 0;
      expect(s.accept(command('c-new', { timerName: 'same', interval: 120 }), 'x', 2_000)).toEqual(['scheduled']);
      return writes;
    };
    const alone = bytesOfReplace(0);
    expect(alone.map((w) => w.key)).toEqual([`${PREFIX}timer:same`]);
    expect(bytesOfReplace(500)).toEqual(alone);
  });

  it('a firing writes only its progress, a few dozen bytes whatever the command, before the handler runs', async () => {
    const { storage, writes } = recording();
    const { scheduler: s, fired, onRun } = scheduler(storage);
    s.start();
    s.accept(command('c-big', { timerName: 'big', interval: 60, repeatable: true }, 'x'.repeat(10_000)), 'x', 1);
    writes.length = 0;
    let seenByHandler: unknown;
    onRun(() => (seenByHandler = read(storage, 'timer-last:big')));
    await vi.advanceTimersByTimeAsync(MIN);
    expect(fired).toEqual([{ timerName: 'big', at: T0 + MIN, missed: 1 }]);
    expect(seenByHandler).toEqual({ id: 'c-big', last: T0 + MIN });
    expect(writes.map((w) => w.key)).toEqual([`${PREFIX}timer-last:big`]);
    expect(writes[0]!.bytes).toBeLessThan(100);
    // The record is as the command set it: firings are counted from the progress key.
    expect(read(storage, 'timer:big')).not.toHaveProperty('last');
  });

  it('on a new load, firings are done up to the progress of the same command, not of a timer it replaced', async () => {
    const storage = createMemoryStorage();
    storage.setItem(`${PREFIX}timer:kept`, JSON.stringify(record('kept', 1)));
    storage.setItem(`${PREFIX}timer-last:kept`, JSON.stringify({ id: 'c-kept', last: T0 + 2 * MIN }));
    storage.setItem(`${PREFIX}timer:replaced`, JSON.stringify(record('replaced', 2)));
    storage.setItem(`${PREFIX}timer-last:replaced`, JSON.stringify({ id: 'an-earlier-command', last: T0 + 2 * MIN }));
    vi.setSystemTime(T0 + 3 * MIN);
    const { scheduler: s, fired } = scheduler(storage);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fired).toEqual([
      { timerName: 'kept', at: T0 + 3 * MIN, missed: 1 },
      { timerName: 'replaced', at: T0 + 3 * MIN, missed: 3 },
    ]);
  });

  it('timers due at the same time fire in the order their commands came, whatever the order of the keys', async () => {
    const storage = createMemoryStorage();
    for (const [name, seq] of [['c', 3], ['a', 1], ['b', 2]] as const) storage.setItem(`${PREFIX}timer:${name}`, JSON.stringify(record(name, seq)));
    const { scheduler: s, fired } = scheduler(storage);
    s.start();
    await vi.advanceTimersByTimeAsync(MIN);
    expect(fired.map((f) => f.timerName)).toEqual(['a', 'b', 'c']);
  });

  it('cancel and a fired one-shot remove both keys', async () => {
    const storage = createMemoryStorage();
    const { scheduler: s } = scheduler(storage);
    s.start();
    s.accept(command('c1', { timerName: 'rep', interval: 60, repeatable: true }), 'x', 1);
    s.accept(command('c2', { timerName: 'once', interval: 90 }), 'x', 2);
    await vi.advanceTimersByTimeAsync(2 * MIN);
    expect(storage.length).toBe(2);
    s.accept(command('c3', { timerName: 'rep', cancel: true }), 'x', 3);
    expect(storage.length).toBe(0);
  });
});

describe('the cap', () => {
  it('timers stored beyond it are kept and run; a new name is refused until there is room; replacing one is not', async () => {
    const storage = createMemoryStorage();
    for (let i = 0; i < 150; i++) storage.setItem(`${PREFIX}timer:t${i}`, JSON.stringify(record(`t${i}`, i + 1)));
    const { scheduler: s, fired } = scheduler(storage);
    s.start();
    expect(s.accept(command('n1', { timerName: 'new', interval: 60 }), 'x', 200)).toEqual([
      'failed',
      'timer "new" not set: 100 timers are set, the most a visitor can have; cancel one first',
    ]);
    expect(s.accept(command('n2', { timerName: 't3', interval: 60, repeatable: true }), 'x', 201)).toEqual(['scheduled']);
    await vi.advanceTimersByTimeAsync(MIN);
    expect(fired).toHaveLength(150);
    for (let i = 0; i < 50; i++) s.accept(command(`x${i}`, { timerName: `t${i + 100}`, cancel: true }), 'x', 300 + i);
    expect(s.accept(command('n3', { timerName: 'new', interval: 60 }), 'x', 400)).toEqual(['failed', expect.any(String)]);
    s.accept(command('x', { timerName: 't0', cancel: true }), 'x', 401);
    expect(s.accept(command('n4', { timerName: 'new', interval: 60 }), 'x', 402)).toEqual(['scheduled']);
  });
});

describe('stored by an earlier version', () => {
  it('the one array under engagekit:{id}:timers moves to one key per timer, once; its progress is kept; a timer already moved wins', async () => {
    const storage = createMemoryStorage();
    const legacy = [
      { k: 'set', ...record('moved', 1, { last: T0 + 2 * MIN }) },
      { k: 'set', ...record('both', 2) },
      // The version before that one (no `k`): not readable, dropped.
      { timerName: 'older', spec: { interval: 60 }, createdAt: T0 },
    ];
    storage.setItem(`${PREFIX}timers`, JSON.stringify(legacy));
    storage.setItem(`${PREFIX}timer:both`, JSON.stringify(record('both', 3, { t0: T0 + 3 * MIN })));
    vi.setSystemTime(T0 + 3 * MIN);
    const { scheduler: s, fired } = scheduler(storage);
    s.start();
    expect(storage.getItem(`${PREFIX}timers`)).toBeNull();
    expect(read(storage, 'timer:moved')).toEqual(record('moved', 1, { last: T0 + 2 * MIN }));
    expect(read(storage, 'timer:both')).toMatchObject({ seq: 3 });
    expect(storage.getItem(`${PREFIX}timer:older`)).toBeNull();
    await vi.advanceTimersByTimeAsync(MIN);
    expect(fired).toEqual([
      { timerName: 'moved', at: T0 + 3 * MIN, missed: 1 },
      { timerName: 'moved', at: T0 + 4 * MIN, missed: 1 },
      { timerName: 'both', at: T0 + 4 * MIN, missed: 1 },
    ]);
  });
});

describe('a storage without key() and length', () => {
  it('keeps the names in an index: timers survive a reload, cancelled and fired ones leave it', async () => {
    const inner = createMemoryStorage();
    const storage: StorageLike = { getItem: inner.getItem, setItem: inner.setItem, removeItem: inner.removeItem };
    const first = scheduler(storage);
    first.scheduler.start();
    first.scheduler.accept(command('c1', { timerName: 'a', interval: 60, repeatable: true }), 'x', 1);
    first.scheduler.accept(command('c2', { timerName: 'b', interval: 60, repeatable: true }), 'x', 2);
    first.scheduler.accept(command('c3', { timerName: 'once', interval: 30 }), 'x', 3);
    first.scheduler.accept(command('c4', { timerName: 'a', cancel: true }), 'x', 4);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(first.fired.map((f) => f.timerName)).toEqual(['once']);
    expect(JSON.parse(storage.getItem(`${PREFIX}timer-index`)!)).toEqual(['b']);
    first.scheduler.stop();

    const second = scheduler(storage);
    second.scheduler.start();
    await vi.advanceTimersByTimeAsync(MIN);
    expect(second.fired.map((f) => f.timerName)).toEqual(['b']);
  });
});
