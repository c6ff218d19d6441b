// @vitest-environment node
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { HttpClient } from '../http/client.js';
import type { CustomCommand, ResultReport } from '../protocol/wire.js';
import { createMemoryStorage } from '../shared/storage.js';
import { createPageSignals } from '../shared/lifecycle.js';
import { createTimers } from '../shared/timers.js';
import { createCommandState } from './command-state.js';
import { createResultReporter } from './result-reporter.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A reporter on a real command state; every request waits until the test answers it. */
function make() {
  const timers = createTimers((error) => {
    throw error;
  });
  const signals = createPageSignals({}, (error) => {
    throw error;
  });
  const state = createCommandState({ storage: createMemoryStorage(), key: 'k', limit: 100, timers, signals });
  state.start();
  const requests: Array<{ ids: string[]; answer: () => void }> = [];
  const http: HttpClient = {
    send: (request) =>
      new Promise((resolve) => {
        const { results } = request.body as { results: ResultReport[] };
        requests.push({ ids: results.map((result) => result.command_id), answer: () => resolve(undefined as never) });
      }),
  };
  const reporter = createResultReporter({
    http,
    path: '/engagements/e/custom_commands/results',
    backoff: { initialDelay: 10, maxDelay: 10, factor: 1, jitter: 0 },
    timers,
    logger: { debug() {}, warn() {}, error() {} },
    signals,
    state,
  });
  const report = (id: string) => {
    state.add(id, Number(id.slice(1)));
    reporter.report({ command: { id } as CustomCommand, name: 'x', seq: 1, status: 'executed' });
  };
  return { reporter, state, requests, report };
}

it('sends the outcomes of a 50 ms window in one request', async () => {
  const { requests, report } = make();
  report('c1');
  await vi.advanceTimersByTimeAsync(20);
  report('c2');
  expect(requests).toHaveLength(0);
  await vi.advanceTimersByTimeAsync(30);
  expect(requests.map((request) => request.ids)).toEqual([['c1', 'c2']]);
});

it('outcomes that come while a request is in flight wait for their own window, not for the answer', async () => {
  const { requests, report, state } = make();
  report('c1');
  await vi.advanceTimersByTimeAsync(50);
  expect(requests).toHaveLength(1);
  // While the first request is in flight: two more outcomes, the first at t = 60 (its window ends at 110).
  await vi.advanceTimersByTimeAsync(10);
  report('c2');
  await vi.advanceTimersByTimeAsync(10);
  report('c3');
  requests[0]!.answer();
  await vi.advanceTimersByTimeAsync(1);
  // The old reporter sent c2 and c3 here, at once, keeping a request in flight for as long as commands came.
  expect(requests).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(38);
  expect(requests).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(1);
  expect(requests.map((request) => request.ids)).toEqual([['c1'], ['c2', 'c3']]);
  requests[1]!.answer();
  await vi.advanceTimersByTimeAsync(1);
  expect(state.results()).toEqual([]);
});

it('a window that ends while a request is in flight is sent as soon as the request is answered', async () => {
  const { requests, report } = make();
  report('c1');
  await vi.advanceTimersByTimeAsync(50);
  report('c2');
  await vi.advanceTimersByTimeAsync(70);
  expect(requests).toHaveLength(1);
  requests[0]!.answer();
  await vi.advanceTimersByTimeAsync(1);
  expect(requests.map((request) => request.ids)).toEqual([['c1'], ['c2']]);
});

it('kick() and the page leaving send every waiting result at once, window or not', async () => {
  const { reporter, requests, report } = make();
  report('c1');
  reporter.kick();
  await vi.advanceTimersByTimeAsync(0);
  expect(requests.map((request) => request.ids)).toEqual([['c1']]);
  report('c2');
  reporter.unload({ take: () => true });
  await vi.advanceTimersByTimeAsync(0);
  expect(requests.map((request) => request.ids)).toEqual([['c1'], ['c1', 'c2']]);
});

it('while outcomes keep coming less than 20 ms apart, the window waits for a pause of 20 ms in them', async () => {
  const { requests, report } = make();
  for (let i = 1; i <= 10; i++) {
    report(`c${i}`);
    await vi.advanceTimersByTimeAsync(10);
  }
  // t = 100, the last outcome at t = 90: no request yet, though the first window would have ended at 50.
  expect(requests).toHaveLength(0);
  await vi.advanceTimersByTimeAsync(30);
  expect(requests.map((request) => request.ids)).toEqual([['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10']]);
});

it('a stream without a pause gets its request at the latest 500 ms after the window opened', async () => {
  const { requests, report } = make();
  for (let i = 1; i <= 45; i++) {
    report(`c${i}`);
    await vi.advanceTimersByTimeAsync(10);
  }
  // t = 450
  expect(requests).toHaveLength(0);
  for (let i = 46; i <= 60; i++) {
    report(`c${i}`);
    await vi.advanceTimersByTimeAsync(10);
  }
  // t = 600: one request, of what came until it went (no later than t = 500); the rest has its own window.
  expect(requests).toHaveLength(1);
  const first = requests[0]!.ids;
  expect(first.slice(0, 2)).toEqual(['c1', 'c2']);
  expect(first.length).toBeGreaterThanOrEqual(45);
  expect(first.length).toBeLessThanOrEqual(51);
});
