import type { CommandResult, CustomCommand, EngagementEvent, EngagementProperties } from '../protocol/wire.js';
import { isJsonObject } from '../shared/check.js';
import type { StorageLike } from '../shared/storage.js';
import { MAX_JSON_DEPTH, unstorable } from './json-limits.js';
import type { EngagementRecord, Store } from './store.js';

/**
 * The reference server's state in Web Storage, so that a page running it
 * in-page (msw's worker) finds its engagements, commands, results, events
 * and metadata again after a reload. Opt-in: `createMockBackend({ persist })`.
 *
 * One writer per storage key: two tabs each running their own in-page server
 * each write their own state, and the last write wins. Live state is shared
 * only by one server serving both windows (the local server, engagekit-mock).
 */

export const DEFAULT_PERSIST_KEY = 'engagekit-mock:state';

/** Writes are coalesced: many changes in a burst (a page of results) cost one write. */
export const PERSIST_DELAY_MS = 50;

const VERSION = 1;

interface SavedEngagement {
  engagementId: string;
  subEngagementId: string;
  visitorToken: string;
  operatorToken: string;
  events: EngagementEvent[];
  /** Idempotency-Key → the index of the event it created. */
  eventKeys: Array<[string, number]>;
  commands: Array<{ seq: number; command: CustomCommand; result: CommandResult | null; readAt?: string }>;
  meta: Record<string, unknown>;
  properties: EngagementProperties;
}

interface SavedState {
  version: typeof VERSION;
  engagements: SavedEngagement[];
}

export interface PersistLogger {
  warn(...args: unknown[]): void;
}

export interface PersistenceDeps {
  storage: StorageLike;
  key: string;
  store: Store;
  logger: PersistLogger;
}

export interface Persistence {
  /** Loads what the storage holds into the (empty) store; ignores, with a warning, what it cannot use. */
  restore(): void;
  /** Something changed: write soon. */
  changed(): void;
  /** Writes now what a coming write would. */
  flush(): void;
  /** Forgets the stored state (reset). */
  clear(): void;
}

function save(store: Store): SavedState {
  return {
    version: VERSION,
    engagements: [...store.engagements.values()].map((record) => {
      const index = new Map(record.events.map((event, i) => [event, i]));
      return {
        engagementId: record.engagementId,
        subEngagementId: record.subEngagementId,
        visitorToken: record.visitorToken,
        operatorToken: record.operatorToken,
        events: record.events,
        eventKeys: [...record.eventsByKey].map(([key, event]) => [key, index.get(event)!]),
        commands: record.commands.map(({ seq, command, result, readAt }) => (readAt === undefined ? { seq, command, result } : { seq, command, result, readAt })),
        meta: record.meta,
        properties: record.properties,
      };
    }),
  };
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Throws an `Error` saying what is wrong; the caller ignores the whole state then. */
function check(state: unknown): SavedState {
  const fail = (why: string): never => {
    throw new Error(why);
  };
  if (!isJsonObject(state)) fail('not a JSON object');
  const { version, engagements } = state as Record<string, unknown>;
  if (version !== VERSION) fail(`version ${JSON.stringify(version)}, expected ${VERSION}`);
  if (!Array.isArray(engagements)) fail('no list of engagements');
  // The stored values were checked when they came in; still, a storage edited by hand must not make a later request fail.
  const problem = unstorable(state, MAX_JSON_DEPTH + 8);
  if (problem) fail(problem.message);
  for (const [i, item] of (engagements as unknown[]).entries()) {
    const e = (isJsonObject(item) ? item : fail(`engagement ${i} is not an object`)) as Record<string, unknown>;
    for (const field of ['engagementId', 'subEngagementId', 'visitorToken', 'operatorToken']) {
      if (!isText(e[field])) fail(`engagement ${i}: ${field} is not a non-empty string`);
    }
    if (!Array.isArray(e.events) || !e.events.every((event) => isJsonObject(event) && isText(event.id) && typeof event.content === 'string')) {
      fail(`engagement ${i}: events are malformed`);
    }
    const events = e.events as unknown[];
    if (!Array.isArray(e.eventKeys) || !e.eventKeys.every((pair) => Array.isArray(pair) && isText(pair[0]) && Number.isInteger(pair[1]) && pair[1] >= 0 && pair[1] < events.length)) {
      fail(`engagement ${i}: event keys are malformed`);
    }
    const commands = Array.isArray(e.commands) ? e.commands : fail(`engagement ${i}: commands are not a list`);
    for (const [j, entry] of (commands as unknown[]).entries()) {
      const c = (isJsonObject(entry) ? entry : {}) as Record<string, unknown>;
      const command = c.command as Record<string, unknown> | undefined;
      const ok =
        c.seq === j + 1 &&
        isJsonObject(command) &&
        isText(command.id) &&
        isJsonObject(command.properties) &&
        (command.content === null || typeof command.content === 'string') &&
        (c.result === null || (isJsonObject(c.result) && typeof c.result.status === 'string')) &&
        (c.readAt === undefined || typeof c.readAt === 'string');
      if (!ok) fail(`engagement ${i}: command ${j + 1} is malformed`);
    }
    if (!isJsonObject(e.meta) || !isJsonObject(e.properties)) fail(`engagement ${i}: meta or properties are not objects`);
  }
  return state as unknown as SavedState;
}

function load(store: Store, state: SavedState): void {
  for (const saved of state.engagements) {
    const record: EngagementRecord = store.create({
      engagementId: saved.engagementId,
      subEngagementId: saved.subEngagementId,
      visitorToken: saved.visitorToken,
      operatorToken: saved.operatorToken,
    });
    record.events.push(...saved.events);
    for (const [key, index] of saved.eventKeys) record.eventsByKey.set(key, record.events[index]!);
    for (const entry of saved.commands) {
      const stored = { ...entry };
      record.commands.push(stored);
      record.commandsById.set(stored.command.id.toLowerCase(), stored);
    }
    // Key by key, as `/set` merges: "__proto__" is a key like any other.
    for (const [key, value] of Object.entries(saved.meta)) {
      Object.defineProperty(record.meta, key, { value, enumerable: true, writable: true, configurable: true });
    }
    record.properties = { ...saved.properties };
  }
}

export function createPersistence({ storage, key, store, logger }: PersistenceDeps): Persistence {
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Said once per kind of failure: a full storage would otherwise warn on every change. */
  const warned = new Set<string>();
  const warnOnce = (kind: string, ...args: unknown[]) => {
    if (warned.has(kind)) return;
    warned.add(kind);
    logger.warn(...args);
  };

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    try {
      storage.setItem(key, JSON.stringify(save(store)));
      warned.delete('write');
    } catch (error) {
      warnOnce('write', `EngageKit reference server: could not save its state under "${key}" (${(error as Error)?.name || error}); it lives on in memory until the page goes`);
    }
  };

  // A reload inside the write delay would lose the last change: write as the page goes.
  const target = globalThis as { addEventListener?: (type: string, listener: () => void) => void };
  target.addEventListener?.('pagehide', () => timer !== undefined && flush());

  return {
    restore() {
      let raw: string | null;
      try {
        raw = storage.getItem(key);
      } catch (error) {
        return warnOnce('read', `EngageKit reference server: could not read "${key}" (${(error as Error)?.name || error}); starting empty`);
      }
      if (raw === null) return;
      try {
        const state = check(JSON.parse(raw));
        // Checked whole first, so that a bad state loads nothing rather than half.
        const ids = new Set<string>();
        const tokens = new Set<string>();
        for (const e of state.engagements) {
          for (const [set, value, what] of [[ids, e.engagementId, 'engagement id'], [tokens, e.visitorToken, 'token'], [tokens, e.operatorToken, 'token']] as const) {
            if (set.has(value)) throw new Error(`${what} "${value}" appears twice`);
            set.add(value);
          }
        }
        load(store, state);
      } catch (error) {
        store.clear();
        logger.warn(`EngageKit reference server: ignoring the state stored under "${key}" (${(error as Error).message}); starting empty`);
      }
    },
    changed() {
      timer ??= setTimeout(flush, PERSIST_DELAY_MS);
    },
    flush,
    clear() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      try {
        storage.removeItem(key);
      } catch {
        // Nothing stored to forget, or a storage that cannot: the next write replaces it anyway.
      }
    },
  };
}
