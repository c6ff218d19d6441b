import { describe, expect, it, vi } from 'vitest';
import type { CustomCommand, EngagementEvent } from '../src/protocol/wire.js';
import { isEngageKitError } from '../src/shared/errors.js';
import { createTranscript, DEFAULT_FALLBACK_TEXT, type TranscriptEntry } from '../src/transcript/model.js';
import { command, event } from './support/fixtures.js';

const texts = (entries: readonly TranscriptEntry[]) => entries.map((e) => e.text);

describe('createTranscript: entries', () => {
  it('keeps commands and events in arrival order, with kind, id, time and the original object', () => {
    let clock = 1000;
    const t = createTranscript({ now: () => clock++ });
    const c1 = command('c1', 'Hello');
    const e1 = event('e1', 'Visitor navigated to insurance page');
    t.addCommand(c1);
    t.addEvent(e1);
    t.addCommand(command('c2', 'Bye'));

    expect(t.entries).toEqual([
      { kind: 'command', id: 'c1', at: 1000, text: 'Hello', fallback: false, command: c1 },
      { kind: 'event', id: 'e1', at: 1001, text: 'Visitor navigated to insurance page', event: e1 },
      { kind: 'command', id: 'c2', at: 1002, text: 'Bye', fallback: false, command: expect.objectContaining({ id: 'c2' }) },
    ]);
    expect(t.entries[0]!.kind === 'command' && t.entries[0]!.command).toBe(c1);
  });

  it('uses Date.now by default', () => {
    vi.spyOn(Date, 'now').mockReturnValue(424242);
    const t = createTranscript();
    expect(t.addEvent(event('e1', 'x')).at).toBe(424242);
  });

  it('shows content verbatim: not trimmed, not interpreted', () => {
    const t = createTranscript();
    const raw = '  <b>Your quote</b> &amp; more\n';
    const entry = t.addCommand(command('c1', raw));
    expect(entry.text).toBe(raw);
    expect(entry).toMatchObject({ kind: 'command', fallback: false });
  });

  it('returns the entry it added, the same object that is in entries', () => {
    const t = createTranscript();
    const entry = t.addEvent(event('e1', 'x'));
    expect(t.entries[0]).toBe(entry);
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(t.entries)).toBe(true);
  });
});

describe('createTranscript: fallback text', () => {
  it('shows DEFAULT_FALLBACK_TEXT for a command with null content', () => {
    const t = createTranscript();
    const entry = t.addCommand(command('c1', null));
    expect(DEFAULT_FALLBACK_TEXT).toBe('The operator sent a command.');
    expect(entry).toMatchObject({ text: DEFAULT_FALLBACK_TEXT, fallback: true });
  });

  it.each([
    ['empty', ''],
    ['spaces', '   '],
    ['whitespace of all kinds', ' \n\t\u00a0'],
  ])('treats %s content as no content', (_, content) => {
    const t = createTranscript();
    expect(t.addCommand(command('c1', content))).toMatchObject({ text: DEFAULT_FALLBACK_TEXT, fallback: true });
  });

  it('treats non-string content from a malformed response as no content', () => {
    const t = createTranscript();
    const bad = { ...command('c1', null), content: 42 } as unknown as CustomCommand;
    expect(t.addCommand(bad)).toMatchObject({ text: DEFAULT_FALLBACK_TEXT, fallback: true });
  });

  it('uses a fallbackText string instead of the default', () => {
    const t = createTranscript({ fallbackText: "L'opérateur a envoyé une commande." });
    expect(t.addCommand(command('c1', null)).text).toBe("L'opérateur a envoyé une commande.");
    expect(t.addCommand(command('c2', 'Real text')).text).toBe('Real text');
  });

  it('calls a fallbackText function with the command (localisation)', () => {
    const fallbackText = vi.fn((c: CustomCommand) =>
      c.properties.action === 'open_page' ? `L'opérateur a ouvert la page ${String(c.properties.page)}.` : 'Commande reçue.',
    );
    const t = createTranscript({ fallbackText });
    const c1 = command('c1', null, { action: 'open_page', page: 'assurance' });
    expect(t.addCommand(c1).text).toBe("L'opérateur a ouvert la page assurance.");
    expect(t.addCommand(command('c2', '', { action: 'other' })).text).toBe('Commande reçue.');
    expect(fallbackText).toHaveBeenCalledTimes(2);
    expect(fallbackText).toHaveBeenNthCalledWith(1, c1);
    // Not consulted when the command has content.
    t.addCommand(command('c3', 'Hi'));
    expect(fallbackText).toHaveBeenCalledTimes(2);
  });

  it('uses the default, does not throw, and reports the error when the fallbackText function throws', () => {
    const boom = new Error('no translation');
    const onError = vi.fn();
    const t = createTranscript(
      {
        fallbackText: () => {
          throw boom;
        },
      },
      onError,
    );
    let entry: TranscriptEntry | undefined;
    expect(() => (entry = t.addCommand(command('c1', null)))).not.toThrow();
    expect(entry).toMatchObject({ text: DEFAULT_FALLBACK_TEXT, fallback: true });
    expect(t.entries).toHaveLength(1);
    expect(onError).toHaveBeenCalledWith(boom);
  });

  it.each([
    ['an empty string', ''],
    ['a blank string', '  '],
    ['undefined', undefined],
    ['a number', 7],
  ])('uses the default when the fallbackText function returns %s', (_, value) => {
    const t = createTranscript({ fallbackText: () => value as string });
    expect(t.addCommand(command('c1', null))).toMatchObject({ text: DEFAULT_FALLBACK_TEXT, fallback: true });
  });

  it('rejects a blank fallbackText string or a non-function', () => {
    expect(() => createTranscript({ fallbackText: ' ' })).toThrow(/transcript\.fallbackText/);
    expect(() => createTranscript({ fallbackText: 5 as unknown as string })).toThrow(/transcript\.fallbackText.*number 5/);
  });
});

describe('createTranscript: duplicates', () => {
  it('adds a command or an event id only once and returns the existing entry', () => {
    const t = createTranscript();
    const first = t.addCommand(command('c1', 'once'));
    const again = t.addCommand(command('c1', 'twice'));
    expect(again).toBe(first);
    expect(again.text).toBe('once');

    const ev = t.addEvent(event('e1', 'x'));
    expect(t.addEvent(event('e1', 'y'))).toBe(ev);
    expect(texts(t.entries)).toEqual(['once', 'x']);
  });

  it('keeps a command and an event with the same id apart', () => {
    const t = createTranscript();
    t.addCommand(command('same', 'command'));
    t.addEvent(event('same', 'event'));
    expect(texts(t.entries)).toEqual(['command', 'event']);
  });

  it('does not notify listeners nor change entries for a duplicate', () => {
    const t = createTranscript();
    t.addCommand(command('c1', 'a'));
    const before = t.entries;
    const listener = vi.fn();
    t.subscribe(listener);
    t.addCommand(command('c1', 'a'));
    expect(listener).not.toHaveBeenCalled();
    expect(t.entries).toBe(before);
  });
});

describe('createTranscript: limit', () => {
  it('drops the oldest entries beyond the limit', () => {
    const t = createTranscript({ limit: 3 });
    for (let i = 1; i <= 5; i++) t.addEvent(event(`e${i}`, `m${i}`));
    expect(texts(t.entries)).toEqual(['m3', 'm4', 'm5']);
  });

  it('forgets the ids of dropped entries: adding one again appends it', () => {
    const t = createTranscript({ limit: 2 });
    const old = t.addCommand(command('c1', 'first'));
    t.addCommand(command('c2', 'second'));
    t.addCommand(command('c3', 'third'));
    expect(texts(t.entries)).toEqual(['second', 'third']);

    const back = t.addCommand(command('c1', 'first again'));
    expect(back).not.toBe(old);
    expect(texts(t.entries)).toEqual(['third', 'first again']);
    // Still deduplicated while it is live.
    expect(t.addCommand(command('c3', 'x'))).toBe(t.entries[0]);
  });

  it('stays correct over many more entries than the limit (compaction)', () => {
    const t = createTranscript({ limit: 7 });
    for (let i = 0; i < 1000; i++) t.addEvent(event(`e${i}`, `m${i}`));
    expect(texts(t.entries)).toEqual(['m993', 'm994', 'm995', 'm996', 'm997', 'm998', 'm999']);
    // Everything older was forgotten, everything live still deduplicated.
    expect(t.addEvent(event('e0', 'again')).text).toBe('again');
    expect(t.addEvent(event('e999', 'dup')).text).toBe('m999');
    expect(t.entries).toHaveLength(7);
  });

  it('defaults to 200', () => {
    const t = createTranscript();
    for (let i = 0; i < 250; i++) t.addEvent(event(`e${i}`, `m${i}`));
    expect(t.entries).toHaveLength(200);
    expect(t.entries[0]!.text).toBe('m50');
  });

  it.each([
    [0, 'number 0'],
    [-1, 'number -1'],
    [1.5, 'number 1.5'],
    [Number.NaN, 'number NaN'],
    [Number.POSITIVE_INFINITY, 'number Infinity'],
    ['10', '"10"'],
    [null, 'null'],
  ])('rejects limit %s with an error naming transcript.limit and the value', (limit, shown) => {
    let error: unknown;
    try {
      createTranscript({ limit: limit as number });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect(isEngageKitError(error, 'ERR_CONFIGURATION')).toBe(true);
    expect((error as Error).message).toContain('transcript.limit');
    expect((error as Error).message).toContain(shown);
  });

  it('accepts a limit of 1', () => {
    const t = createTranscript({ limit: 1 });
    t.addEvent(event('a', 'a'));
    t.addEvent(event('b', 'b'));
    expect(texts(t.entries)).toEqual(['b']);
  });
});

describe('createTranscript: listeners', () => {
  it('calls listeners after each change with the current entries', () => {
    const t = createTranscript();
    const seen: string[][] = [];
    t.subscribe((entries) => {
      expect(entries).toBe(t.entries); // already applied when the listener runs
      seen.push(texts(entries));
    });
    t.addEvent(event('e1', 'a'));
    t.addCommand(command('c1', 'b'));
    t.clear();
    expect(seen).toEqual([['a'], ['a', 'b'], []]);
  });

  it('does not call on subscribe, nor for clear() of an empty transcript', () => {
    const t = createTranscript();
    const listener = vi.fn();
    t.subscribe(listener);
    t.clear();
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops calling after unsubscribe, which is idempotent', () => {
    const t = createTranscript();
    const a = vi.fn();
    const b = vi.fn();
    const offA = t.subscribe(a);
    t.subscribe(b);
    t.addEvent(event('e1', 'x'));
    offA();
    offA();
    t.addEvent(event('e2', 'y'));
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it('a throwing listener neither stops the others nor reaches the caller; the error is reported', () => {
    const boom = new Error('listener bug');
    const onError = vi.fn();
    const t = createTranscript({}, onError);
    const before = vi.fn();
    const after = vi.fn();
    t.subscribe(before);
    t.subscribe(() => {
      throw boom;
    });
    t.subscribe(after);

    expect(() => t.addEvent(event('e1', 'x'))).not.toThrow();
    expect(before).toHaveBeenCalledTimes(1);
    expect(after).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledExactlyOnceWith(boom);
    expect(t.entries).toHaveLength(1);
  });

  it('reports to console.error without onListenerError', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const t = createTranscript();
    const boom = new Error('listener bug');
    t.subscribe(() => {
      throw boom;
    });
    t.addEvent(event('e1', 'x'));
    expect(spy).toHaveBeenCalledWith('[EngageKit]', boom);
  });

  it('gives later listeners the newest entries when an earlier one changes the transcript', () => {
    const t = createTranscript();
    const lastSeen: string[][] = [];
    t.subscribe(() => {
      if (t.entries.length === 1) t.addEvent(event('e2', 'from listener'));
    });
    t.subscribe((entries) => lastSeen.push(texts(entries)));
    t.addEvent(event('e1', 'first'));
    expect(lastSeen.at(-1)).toEqual(['first', 'from listener']);
    expect(lastSeen.every((s) => s.length === 2)).toBe(true);
  });

  it('a listener subscribed by another one is first called on the next change; one unsubscribed by another is skipped', () => {
    const t = createTranscript();
    const late = vi.fn();
    const skipped = vi.fn();
    let offSkipped = () => {};
    t.subscribe(() => {
      offSkipped();
      t.subscribe(late);
    });
    offSkipped = t.subscribe(skipped);
    t.addEvent(event('e1', 'x'));
    expect(skipped).not.toHaveBeenCalled();
    expect(late).not.toHaveBeenCalled();
    t.addEvent(event('e2', 'y'));
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('the same function subscribed twice is two subscriptions', () => {
    const t = createTranscript();
    const listener = vi.fn();
    const off1 = t.subscribe(listener);
    t.subscribe(listener);
    t.addEvent(event('e1', 'x'));
    expect(listener).toHaveBeenCalledTimes(2);
    off1();
    t.addEvent(event('e2', 'y'));
    expect(listener).toHaveBeenCalledTimes(3);
  });
});

describe('createTranscript: entries identity', () => {
  it('is the same array between changes and a new one after each change', () => {
    const t = createTranscript({ limit: 2 });
    const empty = t.entries;
    expect(t.entries).toBe(empty);

    t.addEvent(event('e1', 'a'));
    const one = t.entries;
    expect(one).not.toBe(empty);
    expect(t.entries).toBe(one);
    expect(empty).toEqual([]); // earlier snapshots are not mutated

    t.addEvent(event('e1', 'dup'));
    expect(t.entries).toBe(one);

    t.addEvent(event('e2', 'b'));
    t.addEvent(event('e3', 'c')); // drops e1
    const three = t.entries;
    expect(texts(three)).toEqual(['b', 'c']);
    expect(texts(one)).toEqual(['a']);

    t.clear();
    expect(t.entries).not.toBe(three);
    expect(t.entries).toEqual([]);
    expect(texts(three)).toEqual(['b', 'c']);
  });

  it('cannot be mutated by users', () => {
    const t = createTranscript();
    t.addEvent(event('e1', 'a'));
    expect(() => (t.entries as TranscriptEntry[]).push(t.entries[0]!)).toThrow(TypeError);
    expect(t.entries).toHaveLength(1);
  });

  it('clear() forgets ids so they can be added again', () => {
    const t = createTranscript();
    t.addCommand(command('c1', 'a'));
    t.clear();
    t.addCommand(command('c1', 'b'));
    expect(texts(t.entries)).toEqual(['b']);
  });
});

describe('createTranscript: bad input', () => {
  // Ids are not re-checked here: the dispatcher (invalidCommand) and the event
  // delivery hand over only objects with a string id.
  it('shows an event without string content as an empty line', () => {
    const t = createTranscript();
    const bad = { ...event('e1', 'x'), content: 42 } as unknown as EngagementEvent;
    expect(t.addEvent(bad)).toMatchObject({ kind: 'event', id: 'e1', text: '' });
  });

  it('rejects a non-function listener', () => {
    const t = createTranscript();
    expect(() => t.subscribe('x' as unknown as () => void)).toThrow(/transcript\.subscribe/);
  });
});
