/**
 * The part of the Web Storage API the SDK uses; inject any object with it.
 * `key()` and `length` let a new page find the events a closed one left
 * behind; a storage without them keeps only what the same tab id wrote.
 */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key?(index: number): string | null;
  readonly length?: number;
}

/**
 * An in-memory Storage: for tests, and where the page has none. Every
 * method is O(1): `key(i)` reads an array kept beside the map (a removal
 * moves the last key into the hole, so the order is not insertion order,
 * as with localStorage).
 */
export function createMemoryStorage(): StorageLike {
  const items = new Map<string, [value: string, at: number]>();
  const keys: string[] = [];
  return {
    getItem: (key) => items.get(key)?.[0] ?? null,
    setItem(key, value) {
      const item = items.get(key);
      if (item) item[0] = String(value);
      else items.set(key, [String(value), keys.push(key) - 1]);
    },
    removeItem(key) {
      const item = items.get(key);
      if (!item) return;
      items.delete(key);
      const last = keys.pop()!;
      if (last !== key) {
        keys[item[1]] = last;
        items.get(last)![1] = item[1];
      }
    },
    key: (index) => keys[index] ?? null,
    get length() {
      return keys.length;
    },
  };
}

/** What went wrong with a storage: a read or write threw, or an item of ours was not JSON. */
export type StorageProblem = { kind: 'read' | 'write'; error: unknown } | { kind: 'corrupt'; key: string };

/**
 * The storage the SDK's parts use: `getItem`, `removeItem`, `key` and
 * `length` never throw (a failure reads as nothing there, and is reported);
 * `setItem` reports and rethrows, so that a writer can see the write failed
 * (`writeJson` returns false). An item that is not JSON (every item the SDK
 * writes is) is removed and reported, so corruption does not stay forever.
 */
export function createGuardedStorage(storage: StorageLike, report: (problem: StorageProblem) => void): StorageLike {
  const guard = <T>(fallback: T, f: () => T): T => {
    try {
      return f();
    } catch (error) {
      report({ kind: 'read', error });
      return fallback;
    }
  };
  return {
    getItem(key) {
      const value = guard(null, () => storage.getItem(key));
      if (value === null) return null;
      try {
        JSON.parse(value);
        return value;
      } catch {
        report({ kind: 'corrupt', key });
        guard(undefined, () => storage.removeItem(key));
        return null;
      }
    },
    setItem(key, value) {
      try {
        storage.setItem(key, value);
      } catch (error) {
        report({ kind: 'write', error });
        throw error;
      }
    },
    removeItem: (key) => guard(undefined, () => storage.removeItem(key)),
    ...(storage.key && { key: (index: number) => guard(null, () => storage.key!(index)) }),
    get length() {
      return guard(0, () => storage.length ?? 0);
    },
  };
}

/** The keys of `storage` that start with `prefix`, in one scan. */
export function keysWithPrefix(storage: StorageLike, prefix: string): string[] {
  const found: string[] = [];
  for (let i = storage.length ?? 0; i--; ) {
    const key = storage.key?.(i);
    if (key?.startsWith(prefix)) found.push(key);
  }
  return found;
}

/** The platform's storage, or why there is none usable. */
export interface PlatformStorage {
  storage?: StorageLike;
  /** Set when the page has the storage but it does not work: `SecurityError` (site data blocked), `QuotaExceededError` (full). */
  problem?: string;
}

/**
 * `localStorage` or `sessionStorage` where there is one and it works. Merely
 * reading the property throws in sandboxed iframes and with site data
 * blocked, and a full storage refuses writes, so probe it with one write.
 */
export function platformStorage(name: 'localStorage' | 'sessionStorage'): PlatformStorage {
  let storage: StorageLike | undefined;
  try {
    storage = (globalThis as unknown as Record<string, StorageLike | undefined>)[name];
    if (!storage) return {};
    const probe = 'engagekit:probe';
    storage.setItem(probe, probe);
    storage.removeItem(probe);
    return { storage };
  } catch (error) {
    return { problem: (error as Error)?.name || String(error) };
  }
}

/** Reads JSON, or `undefined` for a missing, unreadable or corrupt item. */
export function readJson(storage: StorageLike, key: string): unknown {
  try {
    // JSON.parse(null) is null: a missing item.
    return JSON.parse(storage.getItem(key)!) ?? undefined;
  } catch {
    // undefined
  }
}

/** Writes JSON; false when the storage refused (quota, private mode). */
export function writeJson(storage: StorageLike, key: string, value: unknown): boolean {
  try {
    storage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}
