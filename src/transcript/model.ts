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

/**
 * What one change did, for listeners that update incrementally: drop the
 * first `removed.length` entries of what they show, then append `added`.
 * Both arrays are frozen and hold the entry objects of `entries`.
 */
export interface TranscriptChange {
  /**
   * Entries that left, oldest first: always the oldest ones (dropped beyond
   * `limit`), or every entry (`clear()`).
   */
  readonly removed: readonly TranscriptEntry[];
  /** Entries appended at the end, oldest first. */
  readonly added: readonly TranscriptEntry[];
  /** True when `typing` changed: read `transcript.typing`. */
  readonly typing: boolean;
}

/**
 * Called with the entries and what changed. `entries` is a read-only view of
 * the transcript as it is when read, made in O(1): a new view object for
 * each change (so that frameworks comparing by identity see the change), but
 * not a snapshot; keep `transcript.entries` for one that stays as it is.
 */
export type TranscriptListener = (entries: readonly TranscriptEntry[], change: TranscriptChange) => void;

/** The operator is typing (Engage Digital's Send API): a transient state, never an entry. */
export interface TypingIndicator {
  sender: 'operator';
  /** What the operator typed so far, when their console sends it. */
  preview?: string;
}

/**
 * What users see (read-only). `listen` and `subscribe` mean what they mean
 * in nanostores and Svelte stores: `listen` calls on every change only,
 * `subscribe` calls at once and on every change. Both work unbound
 * (`const { listen } = transcript`), e.g. as React's
 * `useSyncExternalStore(transcript.listen, () => transcript.entries)`.
 */
export interface Transcript {
  /**
   * Oldest first, frozen. The same array object until the next change, so
   * `a === b` tells whether anything changed. Made on the first read after a
   * change (O(n) then, once): listeners that apply `change` never need it.
   */
  readonly entries: readonly TranscriptEntry[];
  /** Set while the operator is typing; listeners are called when it changes (`change.typing`). */
  readonly typing?: TypingIndicator | undefined;
  /**
   * Calls `listener` after every change (not on listening); returns a
   * function that stops it. Changes made by a listener reach every listener
   * after the current change, in order. A listener that throws is reported
   * and the other listeners, and the SDK, go on.
   */
  listen(listener: TranscriptListener): () => void;
  /**
   * As `listen`, and also calls `listener` at once with the current state as
   * a change from nothing: `added` is every entry (`removed` empty) and
   * `typing` is true, so one listener both renders and updates.
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
  /**
   * Holds listener calls until the matching `release()` (holds nest): a
   * change made meanwhile is in `entries` at once, and its listeners are
   * called at the release, each change in order. The visitor holds them
   * while a command's handler runs, so that rendering comes after the
   * handler, not before it.
   */
  hold(): void;
  release(): void;
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
): asserts ok {
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
 * Cost per change, whatever the number of entries kept: appending, the
 * duplicate check, dropping the oldest and telling listeners are O(1)
 * (listeners get the change and an O(1) view, never a copy). Only reading
 * `entries` copies, once per change. With no listener, a change allocates
 * nothing but its entry.
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
  // The entries, oldest first, at most `limit`: always this one array (the
  // views listeners get read it), so clear() empties it in place. `commands`
  // and `events` find entries by id in O(1); `snapshot` is the frozen copy
  // `entries` hands out, made on the first read after a change. Dropping the
  // oldest is a shift(), O(1) in the engines (they move the array's start)
  // for any limit short of tens of thousands.
  const list: TranscriptEntry[] = [];
  let snapshot: readonly TranscriptEntry[] | undefined;
  const commands = new Map<string, TranscriptEntry>();
  const events = new Map<string, TranscriptEntry>();
  const byId = (kind: TranscriptEntry['kind']) => (kind === 'command' ? commands : events);
  const entries = () => (snapshot ??= freeze(list.slice()));
  let typing: TypingIndicator | undefined;
  const listeners = new Set<TranscriptListener>();
  // A write through a view fails (a TypeError in strict code), as on a frozen array.
  const refuse = () => false;
  const readOnly: ProxyHandler<TranscriptEntry[]> = { set: refuse, defineProperty: refuse, deleteProperty: refuse, setPrototypeOf: refuse };
  const view = (): readonly TranscriptEntry[] => new Proxy(list, readOnly);

  const report = (error: unknown): void => {
    try {
      onListenerError!(error);
    } catch {
      // No reporter (calling undefined throws too), or a broken one: the console, never the caller.
      console.error('[EngageKit]', error);
    }
  };
  const call = (listener: TranscriptListener, change: TranscriptChange, entries = view()): void => {
    try {
      listener(entries, change);
    } catch (error) {
      report(error);
    }
  };

  // Listener and change, in pairs, waiting to be called. A change made while
  // listeners are being called (by one of them), or while calls are held, is
  // queued behind the ones before it, so that every listener gets the changes
  // in the order they happened; who is listening is decided when the change
  // happens, and one that stopped meanwhile is skipped.
  const queue: Array<TranscriptListener | TranscriptChange> = [];
  let calling = false;
  let held = 0;
  const deliver = (): void => {
    calling = true;
    // One view per change: a new object, so that identity tells changes apart.
    let entries: readonly TranscriptEntry[] | undefined;
    let current: unknown;
    try {
      for (let i = 0; i < queue.length; i += 2) {
        const listener = queue[i] as TranscriptListener;
        if (queue[i + 1] !== current) entries = view();
        current = queue[i + 1];
        if (listeners.has(listener)) call(listener, current as TranscriptChange, entries);
      }
    } finally {
      // Even if reporting failed: a queue left behind would hold every later change back.
      queue.length = 0;
      calling = false;
    }
  };
  /** Called only with listeners: without any, a change builds no change object. */
  const changed = (removed: readonly TranscriptEntry[], added: readonly TranscriptEntry[], typingChanged = false): void => {
    const change: TranscriptChange = freeze({ removed, added, typing: typingChanged });
    for (const listener of listeners) queue.push(listener, change);
    if (!calling && !held) deliver();
  };

  // `content` is shown verbatim: whitespace may be meaningful, and the renderer never interprets text.
  const add = (kind: 'command' | 'event', value: CustomCommand | EngagementEvent): TranscriptEntry => {
    const { id, content } = value;
    const found = byId(kind);
    let entry = found.get(id);
    if (entry) return entry;
    // Each kind's entries have one shape (the same properties, in the same order): the engine keeps one hidden class per kind.
    if (kind === 'event') {
      entry = freeze({ kind, id, at: now(), text: typeof content === 'string' ? content : '', event: value as EngagementEvent });
    } else {
      let text: unknown = content;
      const fallback = !isText(text);
      if (fallback) {
        try {
          text = typeof fallbackText === 'string' ? fallbackText : fallbackText(value as CustomCommand);
        } catch (error) {
          report(error);
        }
        if (!isText(text)) text = DEFAULT_FALLBACK_TEXT;
      }
      entry = freeze({ kind, id, at: now(), text: text as string, command: value as CustomCommand, fallback });
    }
    list.push(entry);
    found.set(id, entry);
    snapshot = undefined;
    let oldest: TranscriptEntry | undefined;
    if (list.length > limit) {
      oldest = list.shift()!;
      byId(oldest.kind).delete(oldest.id);
    }
    if (listeners.size) changed(oldest ? freeze([oldest]) : NONE, freeze([entry]));
    return entry;
  };

  const listen = (listener: TranscriptListener, where: string): (() => void) => {
    demand(typeof listener === 'function', InvalidArgumentError, `transcript.${where}: `, 'listener', 'a function', listener);
    // Wrapped so that one function added twice is two independent listeners.
    const own: TranscriptListener = (entries, change) => listener(entries, change);
    listeners.add(own);
    return () => {
      listeners.delete(own);
    };
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
      if (listeners.size) changed(NONE, NONE, true);
    },
    listen: (listener) => listen(listener, 'listen'),
    subscribe(listener) {
      const stop = listen(listener, 'subscribe');
      call(listener, freeze({ removed: NONE, added: entries(), typing: true }));
      return stop;
    },
    addCommand: (command) => add('command', command),
    addEvent: (event) => add('event', event),
    clear() {
      if (list.length) {
        const removed = freeze(list.splice(0));
        commands.clear();
        events.clear();
        snapshot = undefined;
        if (listeners.size) changed(removed, NONE);
      }
    },
    hold() {
      held++;
    },
    release() {
      if (held > 0 && --held === 0 && !calling && queue.length) deliver();
    },
  };
}

/** The empty list of a change, shared. */
const NONE: readonly TranscriptEntry[] = Object.freeze([]);
