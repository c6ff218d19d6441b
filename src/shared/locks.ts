/**
 * The part of the Web Locks API the SDK uses (`navigator.locks`): a lock held
 * by a tab is released by the browser when the tab goes away, which is what
 * makes it a reliable "is that tab still alive?" across tabs.
 */
export interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => unknown,
  ): Promise<unknown>;
}

export interface HeldLock {
  /**
   * True once granted; false when given up by `release()`. Rejects with the
   * lock manager's error when it refused the request (site data blocked:
   * `SecurityError`).
   */
  readonly acquired: Promise<boolean>;
  /** Releases the lock, or withdraws a request still waiting. */
  release(): void;
}

export function defaultLocks(): LockManagerLike | undefined {
  // happy-dom and some embedded browsers have the property set to null.
  return (globalThis as { navigator?: { locks?: LockManagerLike | null } }).navigator?.locks || undefined;
}

/** Requests `name` (waiting for it) and keeps it until `release()`. */
export function holdLock(locks: LockManagerLike, name: string): HeldLock {
  let release!: () => void;
  // Made up front: a release() before the grant lets the lock go as soon as it comes.
  const released = new Promise<void>((resolve) => (release = resolve));
  // Every browser with Web Locks has AbortController.
  const abort = new AbortController();
  return {
    acquired: new Promise<boolean>((resolve, reject) => {
      // Without ifAvailable the callback always gets the lock.
      const request = (() => {
        try {
          return locks.request(name, { signal: abort.signal }, () => {
            resolve(true);
            return released;
          });
        } catch (error) {
          return Promise.reject(error);
        }
      })();
      // Our own release() aborts the request: that is a `false`, not an error.
      request.catch((error: unknown) => (abort.signal.aborted ? resolve(false) : reject(error)));
    }),
    release() {
      release();
      abort.abort();
    },
  };
}
