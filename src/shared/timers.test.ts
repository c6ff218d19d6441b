// @vitest-environment node
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createTimers } from './timers.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it('runs a handle once, replaces its own pending callback, and clearAll cancels every handle', () => {
  const timers = createTimers(vi.fn());
  const x = timers.timer();
  const y = timers.timer();
  const a = vi.fn();
  const b = vi.fn();
  x.set(a, 100);
  x.set(b, 100);
  y.set(a, 50);
  expect([x.pending, y.pending]).toEqual([true, true]);
  vi.advanceTimersByTime(60);
  expect(a).toHaveBeenCalledTimes(1);
  expect(y.pending).toBe(false);
  expect(x.pending).toBe(true);
  timers.clearAll();
  expect(x.pending).toBe(false);
  expect(vi.getTimerCount()).toBe(0);
  vi.advanceTimersByTime(1000);
  expect(b).not.toHaveBeenCalled();
});

it('two handles never cancel each other: there is no shared name to collide on', () => {
  const timers = createTimers(vi.fn());
  const first = vi.fn();
  const second = vi.fn();
  timers.timer().set(first, 10);
  timers.timer().set(second, 10);
  vi.advanceTimersByTime(10);
  expect(first).toHaveBeenCalledTimes(1);
  expect(second).toHaveBeenCalledTimes(1);
});

it('a throwing callback is reported, not thrown into the event loop, and the others still run', () => {
  const onError = vi.fn();
  const timers = createTimers(onError);
  const after = vi.fn();
  timers.timer().set(() => {
    throw new Error('bad');
  }, 10);
  timers.timer().set(after, 10);
  vi.advanceTimersByTime(10);
  expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'bad' }));
  expect(after).toHaveBeenCalledTimes(1);
});
