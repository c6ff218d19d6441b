// An in-memory LockManager for tests that play several tabs in one process.
import type { LockManagerLike } from '../../src/shared/locks.js';

/**
 * An in-memory LockManager with the Web Locks semantics the SDK relies on
 * (exclusive, FIFO waiting, `ifAvailable`, abort). For tests that simulate
 * several tabs in one process.
 */
export function createMemoryLocks(): LockManagerLike {
  const held = new Set<string>();
  const waiting = new Map<string, Array<() => void>>();
  const grant = (name: string, callback: (lock: unknown) => unknown) => {
    held.add(name);
    return Promise.resolve()
      .then(() => callback({ name }))
      .finally(() => {
        held.delete(name);
        waiting.get(name)?.shift()?.();
      });
  };
  return {
    request(name, options, callback) {
      if (!held.has(name)) return grant(name, callback);
      if (options.ifAvailable) return Promise.resolve().then(() => callback(null));
      return new Promise((resolve, reject) => {
        const queue = waiting.get(name) ?? [];
        waiting.set(name, queue);
        const start = () => grant(name, callback).then(resolve, reject);
        queue.push(start);
        options.signal?.addEventListener('abort', () => {
          const at = queue.indexOf(start);
          if (at >= 0) queue.splice(at, 1);
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    },
  };
}
