// @vitest-environment node
import { expect, it } from 'vitest';
import { createEmitter } from '../shared/emitter.js';
import type { PageSignalMap } from '../shared/lifecycle.js';
import { createMemoryStorage, type StorageLike } from '../shared/storage.js';
import { createTimers } from '../shared/timers.js';
import { createCommandState, type CommandStateDeps } from './command-state.js';

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

/** A command state on `storage`; `signals.emit('storage', ...)` plays another tab's write. */
function make(storage: StorageLike, more: Partial<CommandStateDeps> = {}) {
  const signals = createEmitter<PageSignalMap>((error) => {
    throw error;
  });
  const state = createCommandState({
    storage,
    key: 'k',
    limit: 10,
    timers: createTimers((error) => {
      throw error;
    }),
    signals,
    ...more,
  });
  return { state, signals };
}

it('persists ids and the position; a new instance (a reload) that takes over remembers them', async () => {
  const storage = createMemoryStorage();
  const { state: first } = make(storage);
  first.start();
  first.add('a', 1);
  first.add('b', 3);
  first.advance(2);
  await tick();
  const { state: reloaded } = make(storage);
  expect(reloaded.has('a')).toBe(true);
  expect(reloaded.has('b')).toBe(true);
  expect(reloaded.lastSeq).toBe(3);
});

it('coalesces a burst into one write, and a stream of bursts into one write per interval; flush() writes at once', async () => {
  let writes = 0;
  const memory = createMemoryStorage();
  const storage = { getItem: memory.getItem, removeItem: memory.removeItem, setItem: (k: string, v: string) => (writes++, memory.setItem(k, v)) };
  const { state } = make(storage, { limit: 1000 });
  state.start();
  for (let i = 1; i <= 500; i++) state.add(`id-${i}`, i);
  expect(writes).toBe(0);
  await tick();
  expect(writes).toBe(1);
  // Within the interval: no write per command, one at its end (or on flush()).
  for (let i = 501; i <= 600; i++) {
    state.add(`id-${i}`, i);
    await tick();
  }
  expect(writes).toBe(1);
  state.flush();
  expect(writes).toBe(2);
  expect(JSON.parse(memory.getItem('k')!).seq).toBe(600);
});

it('flush writes even when nothing changed: state another script cleared is written again', () => {
  const storage = createMemoryStorage();
  const { state } = make(storage);
  state.start();
  state.add('a', 1);
  state.flush();
  storage.removeItem('k');
  state.flush();
  expect(JSON.parse(storage.getItem('k')!)).toMatchObject({ seq: 1, ids: ['a'] });
});

it('a tab that only stood by never writes: it would overwrite the leader with its old copy', async () => {
  const storage = createMemoryStorage();
  storage.setItem('k', JSON.stringify({ v: 2, seq: 1, ids: ['a'], results: [], term: 1, final: false }));
  const { state: standby } = make(storage);
  // The leader (another tab) moves on meanwhile.
  storage.setItem('k', JSON.stringify({ v: 2, seq: 5, ids: ['a', 'b'], results: [], term: 1, final: false }));
  standby.flush(true);
  await tick();
  expect(JSON.parse(storage.getItem('k')!).seq).toBe(5);
});

it('is bounded: the oldest ids are dropped beyond the limit', () => {
  const { state } = make(createMemoryStorage(), { limit: 3 });
  for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) state.add(id, i + 1);
  expect(['a', 'b', 'c', 'd'].map((id) => state.has(id))).toEqual([false, true, true, true]);
});

it('stays bounded to the newest ids over many rounds of the limit, also after taking over stored ones', async () => {
  const storage = createMemoryStorage();
  storage.setItem('k', JSON.stringify({ v: 2, seq: 0, ids: ['s1', 's2'] }));
  const { state } = make(storage, { limit: 3 });
  state.start();
  expect(state.has('s1')).toBe(true);
  const ids = Array.from({ length: 10 }, (_, i) => `n${i}`);
  for (const [i, id] of ids.entries()) {
    state.add(id, i + 1);
    // Always the newest three: the stored ones count as the oldest.
    const newest = ['s1', 's2', ...ids.slice(0, i + 1)].slice(-3);
    expect(['s1', 's2', ...ids].filter((known) => state.has(known))).toEqual(newest);
  }
  state.flush();
  expect((JSON.parse(storage.getItem('k')!) as { ids: string[] }).ids).toEqual(['n7', 'n8', 'n9']);
});

it('reads what it can of foreign content; a full storage falls back to a compact write, then says it failed', async () => {
  const storage = createMemoryStorage();
  storage.setItem('k', JSON.stringify({ seq: -4, ids: [1, null, 'ok'] }));
  const { state } = make(storage);
  expect(state.lastSeq).toBe(0);
  expect(state.has('ok')).toBe(true);

  let room = 200; // bytes the storage still takes
  const writes: string[] = [];
  const full: StorageLike = {
    getItem: storage.getItem,
    removeItem: storage.removeItem,
    setItem(key, value) {
      if (value.length > room) throw new DOMException('quota', 'QuotaExceededError');
      writes.push(value);
      storage.setItem(key, value);
    },
  };
  let failed = 0;
  const { state: quota } = make(full, { limit: 100, onWriteFailed: () => failed++ });
  quota.start();
  for (let i = 1; i <= 60; i++) quota.add(`id-${i}`, i);
  quota.flush();
  expect(quota.has('id-60')).toBe(true);
  expect(failed).toBe(1);
  room = 1000;
  quota.flush();
  // The compact form kept the newest ids and the position.
  expect(JSON.parse(writes.at(-1)!)).toMatchObject({ seq: 60 });
  expect(JSON.parse(writes.at(-1)!).ids).toContain('id-60');
});

it('the resume position is contiguous: out-of-order seqs above a gap do not move it', () => {
  const { state } = make(createMemoryStorage());
  state.add('a', 1);
  state.add('c', 3);
  state.add('d', 4);
  expect(state.lastSeq).toBe(1);
  state.add('b', 2);
  expect(state.lastSeq).toBe(4);
  state.advance(6);
  expect(state.lastSeq).toBe(4);
  state.advance(5);
  expect(state.lastSeq).toBe(6);
});

it('a gap that never fills is given up once more than `limit` seqs wait above it', () => {
  const { state } = make(createMemoryStorage(), { limit: 3 });
  state.add('a', 1);
  for (const seq of [3, 4, 5]) state.advance(seq);
  expect(state.lastSeq).toBe(1);
  state.advance(6);
  expect(state.lastSeq).toBe(6);
});

it('resetPosition forgets the position but not the ids', () => {
  const { state } = make(createMemoryStorage());
  state.add('a', 7);
  state.advance(1);
  state.resetPosition();
  expect(state.lastSeq).toBe(0);
  expect(state.has('a')).toBe(true);
});

it('results wait in the state, persisted, until confirmed', () => {
  const storage = createMemoryStorage();
  const { state } = make(storage);
  state.start();
  const one = { command_id: 'a', status: 'executed' as const };
  const two = { command_id: 'b', status: 'failed' as const, error: 'x' };
  state.addResult(one);
  state.addResult(two);
  state.flush(true);
  const { state: next } = make(storage);
  expect(next.results()).toEqual([one, two]);
  next.start();
  next.confirm([next.results()[0]!]);
  next.flush();
  expect(JSON.parse(storage.getItem('k')!).results).toEqual([two]);
});

it('handover: a new leader waits for the previous leader’s final write before it reads', async () => {
  const storage = createMemoryStorage();
  // The previous leader, term 3, still running when this tab gets the lock: its copy is behind.
  storage.setItem('k', JSON.stringify({ v: 2, seq: 4, ids: ['a'], results: [], term: 3, final: false }));
  const { state } = make(storage);
  let done = false;
  const taking = state.takeOver().then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(done).toBe(false);
  // Its final write arrives.
  storage.setItem('k', JSON.stringify({ v: 2, seq: 9, ids: ['a', 'b'], results: [], term: 3, final: true }));
  await taking;
  expect(state.lastSeq).toBe(9);
  expect(state.has('b')).toBe(true);
  expect(JSON.parse(storage.getItem('k')!)).toMatchObject({ term: 4, final: false });
});

it('handover: a final state of an older term than one seen is not trusted; a crashed leader is waited for only so long', async () => {
  const storage = createMemoryStorage();
  storage.setItem('k', JSON.stringify({ v: 2, seq: 2, ids: [], results: [], term: 1, final: true }));
  const { state, signals } = make(storage, { handoverTimeout: 80 });
  // Another tab's write of term 2 was seen as an event, but this tab's copy still shows term 1.
  signals.emit('storage', { key: 'k', newValue: JSON.stringify({ term: 2, final: false }) });
  const started = Date.now();
  await state.takeOver();
  // Nobody wrote term 2's final state (a crash): taken over after the timeout, from what there is.
  expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  expect(state.lastSeq).toBe(2);
  expect(JSON.parse(storage.getItem('k')!).term).toBe(3);
});

it('handover: on a page whose timers run late (a loaded machine), the wait for the final write lasts longer', async () => {
  const storage = createMemoryStorage();
  storage.setItem('k', JSON.stringify({ v: 2, seq: 4, ids: ['a'], results: [], term: 3, final: false }));
  const { state } = make(storage, { handoverTimeout: 200 });
  // The event loop busy 60 ms at a time: a 10 ms timer fires about 60 ms late.
  const hog = setInterval(() => {
    const until = Date.now() + 60;
    while (Date.now() < until);
  }, 0);
  try {
    const started = Date.now();
    // The final write arrives after 400 ms of the clock: twice handoverTimeout, but with few polls run.
    setTimeout(() => storage.setItem('k', JSON.stringify({ v: 2, seq: 9, ids: ['a', 'b'], results: [], term: 3, final: true })), 400);
    await state.takeOver();
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(state.has('b')).toBe(true);
    expect(state.lastSeq).toBe(9);
  } finally {
    clearInterval(hog);
  }
});

it('handover: a final state of the newest term is taken at once', async () => {
  const storage = createMemoryStorage();
  storage.setItem('k', JSON.stringify({ v: 2, seq: 2, ids: ['x'], results: [], term: 5, final: true }));
  const { state } = make(storage, { handoverTimeout: 5_000 });
  const started = Date.now();
  await state.takeOver();
  expect(Date.now() - started).toBeLessThan(50);
  expect(state.has('x')).toBe(true);
});

it('a command whose tab went away before its handler settled is reported failed by the next leader, once', async () => {
  const storage = createMemoryStorage();
  const { state: first } = make(storage);
  first.start();
  first.add('slow', 1);
  first.add('quick', 2);
  first.addResult({ command_id: 'quick', status: 'executed' });
  first.flush(); // the last write before a crash: no final, 'slow' still running
  const { state: next } = make(storage, { handoverTimeout: 20 });
  expect(next.results().map((r) => r.command_id)).toEqual(['quick']); // standing by: not yet
  await next.takeOver();
  expect(next.results()).toEqual([
    { command_id: 'quick', status: 'executed' },
    { command_id: 'slow', status: 'failed', error: expect.stringContaining('interrupted') },
  ]);
  next.flush();
  const { state: third } = make(storage);
  await third.takeOver();
  expect(third.results().filter((r) => r.command_id === 'slow')).toHaveLength(1);
});

it('interrupt() turns the commands still running into failed results', () => {
  const { state } = make(createMemoryStorage());
  state.start();
  state.add('a', 1);
  state.add('b', 2);
  state.addResult({ command_id: 'a', status: 'executed' });
  state.interrupt('the page went away');
  expect(state.results()).toEqual([
    { command_id: 'a', status: 'executed' },
    { command_id: 'b', status: 'failed', error: 'the page went away' },
  ]);
});

it('a tab that starts again (a reconnect) reads its own state: its own handlers still running are not reported interrupted', () => {
  const storage = createMemoryStorage();
  const { state } = make(storage);
  state.start();
  state.add('slow', 1);
  state.add('other', 2);
  state.flush(); // the periodic write: 'slow' and 'other' stored as running
  state.start(); // connect() again, e.g. after the server refused the connection
  expect(state.results()).toEqual([]);
  state.addResult({ command_id: 'slow', status: 'executed' });
  expect(state.results()).toEqual([{ command_id: 'slow', status: 'executed' }]);
});

it('an interrupted handler that settles later (a page restored from the back/forward cache) is not reported a second time', () => {
  const { state } = make(createMemoryStorage());
  state.start();
  state.add('a', 1);
  state.interrupt('the page went away');
  state.addResult({ command_id: 'a', status: 'executed' });
  expect(state.results()).toEqual([{ command_id: 'a', status: 'failed', error: 'the page went away' }]);
});

it('handover: a takeover whose turn is given up while it waits (the page left) stops there, writing nothing', async () => {
  const storage = createMemoryStorage();
  const { state: first } = make(storage);
  await first.takeOver(); // a leader (term 1)
  first.add('slow', 1);
  first.flush(); // not final yet: it still runs
  const before = storage.getItem('k');
  const { state: next } = make(storage, { handoverTimeout: 200 });
  let mine = true;
  const done = next.takeOver(() => mine);
  await new Promise((resolve) => setTimeout(resolve, 30));
  mine = false;
  await done;
  expect(storage.getItem('k')).toBe(before);
  expect(next.results()).toEqual([]);
  next.flush(true);
  expect(storage.getItem('k')).toBe(before); // never active: nothing to write
});
