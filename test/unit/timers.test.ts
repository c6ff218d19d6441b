// @vitest-environment node
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createTimers } from '../../src/core/timers.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it('runs a timer once, replaces one of the same key, and clearAll cancels everything', () => {
  const onError = vi.fn();
  const timers = createTimers(onError);
  const a = vi.fn();
  const b = vi.fn();
  timers.set('x', a, 100);
  timers.set('x', b, 100);
  timers.set('y', a, 50);
  expect(timers.size).toBe(2);
  vi.advanceTimersByTime(60);
  expect(a).toHaveBeenCalledTimes(1);
  expect(timers.has('y')).toBe(false);
  timers.clearAll();
  expect(timers.size).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
  vi.advanceTimersByTime(1000);
  expect(b).not.toHaveBeenCalled();
});

it('a throwing callback is reported with its key, not thrown into the event loop', () => {
  const onError = vi.fn();
  const timers = createTimers(onError);
  timers.set('boom', () => {
    throw new Error('bad');
  }, 10);
  vi.advanceTimersByTime(10);
  expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'bad' }), 'boom');
});
