import type { CustomCommand, EngagementEvent } from '../core/protocol.js';
import { ConfigurationError, describe, InvalidArgumentError } from '../core/errors.js';

/** What the transcript shows for a command the operator sent without `content`. */
export const DEFAULT_FALLBACK_TEXT = 'The operator sent a command.';

const DEFAULT_LIMIT = 200;

/** One line of the transcript. Entries are frozen; `command` and `event` are the objects as received. */
export type TranscriptEntry =
  | { kind: 'command'; id: string; at: number; text: string; fallback: boolean; command: CustomCommand }
  | { kind: 'event'; id: string; at: number; text: string; event: EngagementEvent };

export interface TranscriptOptions {
  /**
   * Text for a command without content: a string, or a function (for
   * localisation) given the command. A function that throws, or returns
   * anything but a non-blank string, gets `DEFAULT_FALLBACK_TEXT` instead.
   * @default DEFAULT_FALLBACK_TEXT
   */
  fallbackText?: string | ((command: CustomCommand) => string);
  /** Most entries kept; the oldest are dropped beyond it. A positive integer. @default 200 */
  limit?: number;
  /** Clock for `TranscriptEntry.at`, in milliseconds. @default Date.now */
  now?: () => number;
}

export type TranscriptListener = (entries: readonly TranscriptEntry[]) => void;

/** The operator is typing (seed 004): a transient state, never an entry. */
export interface TypingIndicator {
  sender: 'operator';
  /** What the operator typed so far, when their console sends it. */
  preview?: string;
}

/** What users see (read-only). */
export interface Transcript {
  /**
   * Oldest first, frozen. The same array object until the next change, so
   * `a === b` tells whether anything changed.
   */
  readonly entries: readonly TranscriptEntry[];
  /** Set while the operator is typing; listeners are called when it changes (with the same `entries`). */
  readonly typing?: TypingIndicator | undefined;
  /**
   * Calls `listener` with `entries` after every change (not on subscribing);
   * returns an unsubscribe function. A listener that throws is reported and
   * the other listeners, and the SDK, go on.
   */
  subscribe(listener: TranscriptListener): () => void;
}

/** What the SDK uses internally. */
export interface TranscriptController extends Transcript {
  /** Appends a command; one already present (same `id`) is returned as is, not added again. */
  addCommand(command: CustomCommand): TranscriptEntry;
  /** Appends an event; one already present (same `id`) is returned as is, not added again. */
  addEvent(event: EngagementEvent): TranscriptEntry;
  /** Removes every entry and forgets their ids. */
  clear(): void;
  /** Shows or (with undefined) hides the operator's typing; listeners are called only on a change. */
  setTyping(typing: TypingIndicator | undefined): void;
}

const EMPTY: readonly TranscriptEntry[] = Object.freeze([]);

// Compacting the backing array only once this many slots at its front are
// dead keeps each drop O(1) amortised without shifting on every append.
const COMPACT_AFTER = 32;

/**
 * Creates a transcript. `onListenerError` receives what a listener, or a
 * `fallbackText` function, throws; without it such errors go to
 * `console.error`.
 *
 * Cost: appending is O(1) amortised. `entries` is a frozen copy built on the
 * first read after a change (O(n), n ≤ `limit`); with listeners subscribed
 * that read happens once per change, whatever the number of listeners.
 */
export function createTranscript(
  options: TranscriptOptions = {},
  onListenerError?: (error: unknown) => void,
): TranscriptController {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('transcript', `transcript options must be an object, got ${describe(options)}`);
  }
  const { fallbackText = DEFAULT_FALLBACK_TEXT, limit = DEFAULT_LIMIT, now = () => Date.now() } = options;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new ConfigurationError('transcript.limit', `transcript.limit must be a positive integer, got ${describe(limit)}`);
  }
  if (typeof fallbackText === 'string' ? fallbackText.trim() === '' : typeof fallbackText !== 'function') {
    throw new ConfigurationError(
      'transcript.fallbackText',
      `transcript.fallbackText must be a non-blank string or a function, got ${describe(fallbackText)}`,
    );
  }
  if (typeof now !== 'function') {
    throw new ConfigurationError('transcript.now', `transcript.now must be a function, got ${describe(now)}`);
  }

  const report = (error: unknown): void => {
    if (onListenerError) {
      try {
        onListenerError(error);
        return;
      } catch {
        // A broken reporter must not break the caller either; fall through.
      }
    }
    globalThis.console?.error('[EngageKit]', error);
  };

  // Live entries are items[head..]; the dead prefix is cut off in bulk.
  let items: TranscriptEntry[] = [];
  let head = 0;
  // Keyed by kind and id; holds exactly the live entries, so it is bounded by `limit` too.
  const byKey = new Map<string, TranscriptEntry>();
  let snapshot: readonly TranscriptEntry[] | undefined = EMPTY;
  const listeners = new Set<TranscriptListener>();
  let typing: TypingIndicator | undefined;

  const read = (): readonly TranscriptEntry[] =>
    (snapshot ??= Object.freeze(items.slice(head)));

  const notify = (): void => {
    // Copied so that (un)subscribing from a listener does not skip anyone.
    for (const listener of [...listeners]) {
      if (!listeners.has(listener)) continue;
      try {
        // Read per listener: if an earlier listener changed the transcript,
        // the later ones get the newest entries, never a stale array.
        listener(read());
      } catch (error) {
        report(error);
      }
    }
  };

  const dropOldest = (): void => {
    const oldest = items[head++]!;
    byKey.delete(`${oldest.kind}:${oldest.id}`);
    if (head >= COMPACT_AFTER && head * 2 >= items.length) {
      items = items.slice(head);
      head = 0;
    }
  };

  const append = (entry: TranscriptEntry): TranscriptEntry => {
    items.push(entry);
    byKey.set(`${entry.kind}:${entry.id}`, entry);
    while (items.length - head > limit) dropOldest();
    snapshot = undefined;
    if (listeners.size > 0) notify();
    return entry;
  };

  const fallbackFor = (command: CustomCommand): string => {
    if (typeof fallbackText === 'string') return fallbackText;
    try {
      const text: unknown = fallbackText(command);
      if (typeof text === 'string' && text.trim() !== '') return text;
    } catch (error) {
      report(error);
    }
    return DEFAULT_FALLBACK_TEXT;
  };

  const checkId = (method: string, argument: string, value: unknown): string => {
    const id = value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') {
      throw new InvalidArgumentError(
        argument,
        `transcript.${method}: ${argument} must be an object with a string id, got ${describe(id === undefined ? value : id)}`,
      );
    }
    return id;
  };

  return {
    get entries() {
      return read();
    },
    get typing() {
      return typing;
    },
    setTyping(next) {
      if (typing?.preview === next?.preview && !typing === !next) return;
      typing = next && Object.freeze({ ...next });
      notify();
    },
    subscribe(listener) {
      if (typeof listener !== 'function') {
        throw new InvalidArgumentError('listener', `transcript.subscribe: listener must be a function, got ${describe(listener)}`);
      }
      // Wrapped so that subscribing one function twice gives two independent subscriptions.
      const own: TranscriptListener = (entries) => listener(entries);
      listeners.add(own);
      return () => {
        listeners.delete(own);
      };
    },
    addCommand(command) {
      const id = checkId('addCommand', 'command', command);
      const existing = byKey.get(`command:${id}`);
      if (existing) return existing;
      const { content } = command;
      // Shown verbatim: whitespace may be meaningful, and the renderer never interprets text.
      const has = typeof content === 'string' && content.trim() !== '';
      return append(
        Object.freeze({
          kind: 'command',
          id,
          at: now(),
          text: has ? content : fallbackFor(command),
          fallback: !has,
          command,
        }),
      );
    },
    addEvent(event) {
      const id = checkId('addEvent', 'event', event);
      const existing = byKey.get(`event:${id}`);
      if (existing) return existing;
      const { content } = event;
      return append(
        Object.freeze({ kind: 'event', id, at: now(), text: typeof content === 'string' ? content : '', event }),
      );
    },
    clear() {
      if (items.length === head) return;
      items = [];
      head = 0;
      byKey.clear();
      snapshot = EMPTY;
      if (listeners.size > 0) notify();
    },
  };
}
