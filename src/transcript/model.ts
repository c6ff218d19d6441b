import type { CustomCommand, EngagementEvent } from '../protocol/wire.js';
import { ConfigurationError, InvalidArgumentError } from '../shared/errors.js';
import { describe } from '../shared/check.js';

/** What the transcript shows for a command the operator sent without `content`. */
export const DEFAULT_FALLBACK_TEXT = 'The operator sent a command.';

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

/** The operator is typing (Engage Digital's Send API): a transient state, never an entry. */
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

/**
 * Internal (not re-exported by index.ts): throws `new Err(name, "<where><name>
 * must be <must>, got <got>")` unless `ok`. One message shape for the checks
 * of this module and of render.ts.
 */
export function demand(
  ok: unknown,
  Err: typeof ConfigurationError | typeof InvalidArgumentError,
  where: string,
  name: string,
  must: string,
  value: unknown,
  got = describe(value),
): void {
  if (!ok) throw new Err(name, `${where}${name} must be ${must}, got ${got}`);
}

/** A string with something else than whitespace in it. */
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * Creates a transcript. `onListenerError` receives what a listener, or a
 * `fallbackText` function, throws; without it such errors go to
 * `console.error`.
 *
 * The options are checked here (createVisitor only checks that `transcript`
 * is an object). Commands and events are not: the dispatcher
 * (`invalidCommand`) and the event delivery hand over only objects with a
 * string id.
 *
 * Cost: appending and the duplicate check are O(1); `entries` is a frozen
 * copy made on its first read after a change (listeners read it at once).
 */
export function createTranscript(
  { fallbackText = DEFAULT_FALLBACK_TEXT, limit = 200, now = () => Date.now() }: TranscriptOptions = {},
  onListenerError?: (error: unknown) => void,
): TranscriptController {
  demand(Number.isSafeInteger(limit) && limit > 0, ConfigurationError, '', 'transcript.limit', 'a positive integer', limit);
  demand(
    typeof fallbackText === 'function' || isText(fallbackText),
    ConfigurationError,
    '',
    'transcript.fallbackText',
    'a non-blank string or a function',
    fallbackText,
  );
  demand(typeof now === 'function', ConfigurationError, '', 'transcript.now', 'a function', now);

  const freeze = Object.freeze;
  // The entries, oldest first, at most `limit`; `byKey` finds them by kind and
  // id in O(1) and `snapshot` is the frozen copy `entries` hands out, made on the
  // first read after a change: a command costs the same with 20 or 2,000 kept.
  let list: TranscriptEntry[] = [];
  let snapshot: readonly TranscriptEntry[] | undefined;
  const byKey = new Map<string, TranscriptEntry>();
  const keyOf = (entry: { kind: string; id: string }) => entry.kind + ' ' + entry.id;
  const entries = () => (snapshot ??= freeze(list.slice()));
  let typing: TypingIndicator | undefined;
  const listeners = new Set<TranscriptListener>();

  const report = (error: unknown): void => {
    try {
      onListenerError!(error);
    } catch {
      // No reporter (calling undefined throws too), or a broken one: the console, never the caller.
      console.error('[EngageKit]', error);
    }
  };

  // Copied so that one subscribed meanwhile waits for the next change, and
  // checked so that one unsubscribed meanwhile is skipped. Each gets `entries`
  // as it is when called: if an earlier listener changed the transcript, the
  // later ones get the newest, never a stale array.
  const notify = (): void => {
    for (const listener of [...listeners]) {
      try {
        if (listeners.has(listener)) listener(entries());
      } catch (error) {
        report(error);
      }
    }
  };

  const changed = (): void => {
    snapshot = undefined;
    notify();
  };

  // `content` is shown verbatim: whitespace may be meaningful, and the renderer never interprets text.
  const add = (kind: 'command' | 'event', value: CustomCommand | EngagementEvent): TranscriptEntry => {
    const { id, content } = value;
    let entry = byKey.get(keyOf({ kind, id }));
    if (!entry) {
      let text: unknown = content;
      const extra: { fallback?: boolean } = {};
      if (kind === 'event') {
        if (typeof text !== 'string') text = '';
      } else if ((extra.fallback = !isText(text))) {
        try {
          text = typeof fallbackText === 'string' ? fallbackText : fallbackText(value as CustomCommand);
        } catch (error) {
          report(error);
        }
        if (!isText(text)) text = DEFAULT_FALLBACK_TEXT;
      }
      entry = freeze({ kind, id, at: now(), text, [kind]: value, ...extra }) as TranscriptEntry;
      list.push(entry);
      byKey.set(keyOf(entry), entry);
      if (list.length > limit) byKey.delete(keyOf(list.shift()!));
      changed();
    }
    return entry;
  };

  return {
    get entries() {
      return entries();
    },
    get typing() {
      return typing;
    },
    setTyping(next) {
      if (typing?.preview === next?.preview && !typing === !next) return;
      // Frozen as is: the visitor makes a new object for each change.
      typing = next && freeze(next);
      notify();
    },
    subscribe(listener) {
      demand(typeof listener === 'function', InvalidArgumentError, 'transcript.subscribe: ', 'listener', 'a function', listener);
      // Wrapped so that subscribing one function twice gives two independent subscriptions.
      const own: TranscriptListener = (entries) => listener(entries);
      listeners.add(own);
      return () => {
        listeners.delete(own);
      };
    },
    addCommand: (command) => add('command', command),
    addEvent: (event) => add('event', event),
    clear() {
      if (list.length) {
        list = [];
        byKey.clear();
        changed();
      }
    },
  };
}
