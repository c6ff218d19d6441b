// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../shared/logger.js';
import { createTimers } from '../shared/timers.js';
import { createKeepaliveBudget, createSender, type Outbox } from './sender.js';

/** An outbox of numbers that records each request it is asked to make. */
function outboxOf(count: number) {
  const items = Array.from({ length: count }, (_, i) => i + 1);
  const requests: Array<{ items: number[]; keepalive: boolean }> = [];
  const outbox: Outbox<number> = {
    peek: (max) => items.slice(0, max),
    async deliver(sent, keepalive) {
      requests.push({ items: [...sent], keepalive });
      // A regular request settles its items (a keepalive one leaves them for the server's answer: the page is gone).
      if (!keepalive) items.splice(0, sent.length);
    },
    refuse() {},
    size: () => 10,
  };
  return { outbox, requests };
}

const deps = () => ({
  backoff: { initialDelay: 10, maxDelay: 100, factor: 2, jitter: 0 },
  timer: createTimers(() => {}).timer(),
  logger: createLogger('silent', undefined),
});

describe('createSender: unload', () => {
  it('sends what waits in one keepalive request, oldest first', () => {
    const { outbox, requests } = outboxOf(3);
    createSender(outbox, deps()).unload(createKeepaliveBudget());
    expect(requests).toEqual([{ items: [1, 2, 3], keepalive: true }]);
  });

  it('sends at most unloadMax items (the server refuses a larger batch whole)', () => {
    const { outbox, requests } = outboxOf(600);
    createSender(outbox, { ...deps(), unloadMax: 500 }).unload(createKeepaliveBudget());
    expect(requests).toHaveLength(1);
    expect(requests[0]!.items).toHaveLength(500);
    expect(requests[0]!.items[499]).toBe(500);
  });

  it('stops at the keepalive budget, in order', () => {
    const { outbox, requests } = outboxOf(10);
    // 64 bytes of envelope, then 10 per item: room for 3.
    createSender(outbox, deps()).unload(createKeepaliveBudget(64 + 35));
    expect(requests).toEqual([{ items: [1, 2, 3], keepalive: true }]);
  });

  it('sends nothing while paused: what waits stays for the next page load', async () => {
    const { outbox, requests } = outboxOf(3);
    const sender = createSender(outbox, { ...deps(), paused: true });
    sender.unload(createKeepaliveBudget());
    expect(requests).toEqual([]);
    sender.start();
    await vi.waitFor(() => expect(requests).toHaveLength(3));
    expect(requests).toEqual([1, 2, 3].map((n) => ({ items: [n], keepalive: false })));
  });
});
