/**
 * Held polls (docs/protocol.md, "Long polling"): `GET .../custom_commands?wait=S`
 * with nothing new to send waits here until the engagement changes (a
 * command, a meta change), `S` seconds pass, the client goes away, or the
 * server resets. Plain promises and timers: it runs in a page's msw, under
 * `setupServer`, and behind the local server alike.
 */

export interface LongPoll {
  /**
   * Resolves when the engagement changes, after `ms`, when `signal` aborts,
   * or at `releaseAll()`, whichever comes first. Never rejects.
   */
  hold(engagementId: string, ms: number, signal?: AbortSignal): Promise<void>;
  /** Something the held polls of this engagement wait for happened. */
  wake(engagementId: string): void;
  /** Answers every held poll now (reset, shutdown). */
  releaseAll(): void;
  /** Polls held now (of one engagement, or all). */
  count(engagementId?: string): number;
}

export function createLongPoll(): LongPoll {
  /** engagement id → the release functions of its held polls. */
  const held = new Map<string, Set<() => void>>();

  const releaseSet = (waiters: Set<() => void> | undefined) => {
    for (const release of [...(waiters ?? [])]) release();
  };

  return {
    hold(engagementId, ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        let waiters = held.get(engagementId);
        if (!waiters) held.set(engagementId, (waiters = new Set()));
        const mine = waiters;
        const release = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', release);
          mine.delete(release);
          if (mine.size === 0 && held.get(engagementId) === mine) held.delete(engagementId);
          resolve();
        };
        const timer = setTimeout(release, ms);
        signal?.addEventListener('abort', release);
        mine.add(release);
      });
    },
    wake: (engagementId) => releaseSet(held.get(engagementId)),
    releaseAll() {
      for (const waiters of [...held.values()]) releaseSet(waiters);
    },
    count: (engagementId) =>
      engagementId === undefined ? [...held.values()].reduce((n, set) => n + set.size, 0) : (held.get(engagementId)?.size ?? 0),
  };
}
