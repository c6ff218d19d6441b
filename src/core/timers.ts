/**
 * Every timer the SDK starts goes through one of these, by name, so that
 * `close()` can cancel all of them in one call and nothing fires after it.
 */
export interface Timers {
  /** (Re)starts the timer `key`; a pending one of the same key is cancelled first. */
  set(key: string, callback: () => void, ms: number): void;
  clear(key: string): void;
  clearAll(): void;
  has(key: string): boolean;
  /** Pending timers; 0 after `clearAll()`. */
  readonly size: number;
}

export function createTimers(onError: (error: unknown, key: string) => void): Timers {
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const clear = (key: string) => {
    const handle = pending.get(key);
    if (handle !== undefined) {
      // Read the globals at call time: fake timers and hosts replace them.
      globalThis.clearTimeout(handle);
      pending.delete(key);
    }
  };
  return {
    set(key, callback, ms) {
      clear(key);
      const handle = globalThis.setTimeout(() => {
        pending.delete(key);
        try {
          callback();
        } catch (error) {
          onError(error, key);
        }
      }, ms);
      pending.set(key, handle);
    },
    clear,
    clearAll() {
      for (const key of [...pending.keys()]) clear(key);
    },
    has: (key) => pending.has(key),
    get size() {
      return pending.size;
    },
  };
}
