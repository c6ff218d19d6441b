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

export function createMemoryStorage(): StorageLike {
  const items = new Map<string, string>();
  // Listed once per change of the keys, not per call: a scan calls key(i) for every i.
  let keys: string[] | undefined;
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      if (!items.has(key)) keys = undefined;
      items.set(key, String(value));
    },
    removeItem: (key) => {
      if (items.delete(key)) keys = undefined;
    },
    key: (index) => (keys ??= [...items.keys()])[index] ?? null,
    get length() {
      return items.size;
    },
  };
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
