// @vitest-environment node
import { expect, it } from 'vitest';
import { createExecutedIds } from './executed-ids.js';
import { createMemoryStorage } from '../shared/storage.js';
import { createTimers } from '../shared/timers.js';

const timers = () => createTimers((error) => { throw error; });

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

it('persists ids and the highest seq, and a new instance (a reload) remembers them', async () => {
  const storage = createMemoryStorage();
  const first = createExecutedIds({ storage: storage, key: 'k', limit: 10, timer: timers().timer() });
  first.add('a', 1);
  first.add('b', 3);
  first.advance(2);
  await tick();
  const reloaded = createExecutedIds({ storage: storage, key: 'k', limit: 10, timer: timers().timer() });
  expect(reloaded.has('a')).toBe(true);
  expect(reloaded.has('b')).toBe(true);
  expect(reloaded.lastSeq).toBe(3);
});

it('coalesces a burst into one write, and a stream of bursts into one write per interval; flush() writes at once', async () => {
  let writes = 0;
  const memory = createMemoryStorage();
  const storage = { getItem: memory.getItem, removeItem: memory.removeItem, setItem: (k: string, v: string) => (writes++, memory.setItem(k, v)) };
  const ids = createExecutedIds({ storage: storage, key: 'k', limit: 1000, timer: timers().timer() });
  for (let i = 1; i <= 500; i++) ids.add(`id-${i}`, i);
  expect(writes).toBe(0);
  await tick();
  expect(writes).toBe(1);
  // Within the interval: no write per command, one at its end (or on flush()).
  for (let i = 501; i <= 600; i++) {
    ids.add(`id-${i}`, i);
    await tick();
  }
  expect(writes).toBe(1);
  ids.flush();
  expect(writes).toBe(2);
  expect(JSON.parse(memory.getItem('k')!).seq).toBe(600);
  ids.flush();
  expect(writes).toBe(2); // nothing pending
});

it('is bounded: the oldest ids are dropped beyond the limit', () => {
  const ids = createExecutedIds({ storage: createMemoryStorage(), key: 'k', limit: 3, timer: timers().timer() });
  for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) ids.add(id, i + 1);
  expect(['a', 'b', 'c', 'd'].map((id) => ids.has(id))).toEqual([false, true, true, true]);
});

it('survives corrupt or foreign storage content and a storage that throws', async () => {
  const storage = createMemoryStorage();
  storage.setItem('k', '{not json');
  expect(createExecutedIds({ storage: storage, key: 'k', limit: 5, timer: timers().timer() }).lastSeq).toBe(0);
  storage.setItem('k', JSON.stringify({ seq: -4, ids: [1, null, 'ok'] }));
  const ids = createExecutedIds({ storage: storage, key: 'k', limit: 5, timer: timers().timer() });
  expect(ids.lastSeq).toBe(0);
  expect(ids.has('ok')).toBe(true);
  const full = { getItem: storage.getItem, removeItem: storage.removeItem, setItem: () => { throw new DOMException('quota', 'QuotaExceededError'); } };
  const quota = createExecutedIds({ storage: full, key: 'k', limit: 5, timer: timers().timer() });
  quota.add('x', 1);
  await tick();
  expect(quota.has('x')).toBe(true);
});

it('the resume position is contiguous: out-of-order seqs above a gap do not move it', () => {
  const ids = createExecutedIds({ storage: createMemoryStorage(), key: 'k', limit: 10, timer: timers().timer() });
  ids.add('a', 1);
  ids.add('c', 3);
  ids.add('d', 4);
  expect(ids.lastSeq).toBe(1);
  ids.add('b', 2);
  expect(ids.lastSeq).toBe(4);
  ids.advance(6);
  expect(ids.lastSeq).toBe(4);
  ids.advance(5);
  expect(ids.lastSeq).toBe(6);
});

it('a gap that never fills is given up once more than `limit` seqs wait above it', () => {
  const ids = createExecutedIds({ storage: createMemoryStorage(), key: 'k', limit: 3, timer: timers().timer() });
  ids.add('a', 1);
  for (const seq of [3, 4, 5]) ids.advance(seq);
  expect(ids.lastSeq).toBe(1);
  ids.advance(6);
  expect(ids.lastSeq).toBe(6);
});
