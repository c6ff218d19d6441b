/**
 * Every timeout the SDK starts goes through a `Timers` group: each part takes
 * its own handles from it (`timers.timer()`), so no two parts can cancel each
 * other's timer by a shared name, and `close()` cancels all of them in one
 * call: nothing fires after it.
 */

/** One timeout slot, owned by one part of the SDK. */
export interface Timer {
  /** (Re)starts it: a pending callback of this handle is cancelled first. */
  set(callback: () => void, ms: number): void;
  clear(): void;
  /** A callback waits to run. */
  readonly pending: boolean;
}

export interface Timers {
  /** A new handle of this group. */
  timer(): Timer;
  /** Cancels every pending timeout of the group. */
  clearAll(): void;
}

/** `onError` gets what a callback throws: the other timers and the caller go on. */
export function createTimers(onError: (error: unknown) => void): Timers {
  const pending = new Set<Timer>();
  return {
    timer() {
      let handle: ReturnType<typeof setTimeout> | undefined;
      const timer: Timer = {
        set(callback, ms) {
          timer.clear();
          pending.add(timer);
          // Read the globals at call time: fake timers and hosts replace them.
          handle = globalThis.setTimeout(() => {
            handle = undefined;
            pending.delete(timer);
            try {
              callback();
            } catch (error) {
              onError(error);
            }
          }, ms);
        },
        clear() {
          if (handle === undefined) return;
          globalThis.clearTimeout(handle);
          handle = undefined;
          pending.delete(timer);
        },
        get pending() {
          return handle !== undefined;
        },
      };
      return timer;
    },
    clearAll() {
      for (const timer of [...pending]) timer.clear();
    },
  };
}
