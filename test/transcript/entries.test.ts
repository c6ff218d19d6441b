import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { CustomCommand, EngagementEvent } from '../../src/protocol/wire.js';
import { isEngageKitError } from '../../src/shared/errors.js';
import { createTranscript, DEFAULT_FALLBACK_TEXT, type TranscriptEntry } from '../../src/transcript/model.js';
import { command, event } from '../support/fixtures.js';

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
    t.listen(listener);
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

describe('createTranscript: listen and subscribe', () => {
  it('listen calls after each change only, with the entries as they are then and what changed', () => {
    const t = createTranscript({ limit: 2 });
    const seen: Array<{ texts: string[]; removed: string[]; added: string[]; typing: boolean }> = [];
    t.listen((entries, change) => {
      expect(entries).toEqual(t.entries); // already applied when the listener runs
      seen.push({ texts: texts(entries), removed: texts(change.removed), added: texts(change.added), typing: change.typing });
    });
    expect(seen).toEqual([]);
    t.addEvent(event('e1', 'a'));
    t.addCommand(command('c1', 'b'));
    t.addEvent(event('e2', 'c')); // drops the oldest
    t.setTyping({ sender: 'operator' });
    t.clear();
    expect(seen).toEqual([
      { texts: ['a'], removed: [], added: ['a'], typing: false },
      { texts: ['a', 'b'], removed: [], added: ['b'], typing: false },
      { texts: ['b', 'c'], removed: ['a'], added: ['c'], typing: false },
      { texts: ['b', 'c'], removed: [], added: [], typing: true },
      { texts: [], removed: ['b', 'c'], added: [], typing: false },
    ]);
  });

  it('subscribe calls at once, with every entry as added and typing set, then after each change', () => {
    const t = createTranscript();
    t.addEvent(event('e1', 'a'));
    t.setTyping({ sender: 'operator', preview: 'Hel' });
    const listener = vi.fn();
    t.subscribe(listener);
    expect(listener).toHaveBeenCalledTimes(1);
    const [entries, change] = listener.mock.calls[0]!;
    expect(texts(entries)).toEqual(['a']);
    expect(change).toEqual({ removed: [], added: t.entries, typing: true });
    t.addEvent(event('e2', 'b'));
    expect(listener).toHaveBeenCalledTimes(2);
    expect(texts(listener.mock.calls[1]![1].added)).toEqual(['b']);
  });

  it('subscribe on an empty transcript still calls at once (nothing added)', () => {
    const listener = vi.fn();
    createTranscript().subscribe(listener);
    expect(listener).toHaveBeenCalledExactlyOnceWith([], { removed: [], added: [], typing: true });
  });

  it('a listener that applies the changes to a copy of its own always has the entries, whatever happens', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constantFrom('command', 'event'), id: fc.integer({ min: 0, max: 9 }) }),
            fc.record({ op: fc.constant('typing'), preview: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }), on: fc.boolean() }),
            fc.constant({ op: 'clear' }),
            fc.constant({ op: 'subscribe' }),
          ),
          { maxLength: 40 },
        ),
        (limit, ops) => {
          const t = createTranscript({ limit });
          const mirrors: Array<{ entries: TranscriptEntry[]; typing: unknown }> = [];
          const follow = () => {
            const mirror = { entries: [] as TranscriptEntry[], typing: undefined as unknown };
            mirrors.push(mirror);
            t.subscribe((_, change) => {
              expect(mirror.entries.slice(0, change.removed.length)).toEqual(change.removed);
              mirror.entries.splice(0, change.removed.length);
              mirror.entries.push(...change.added);
              if (change.typing) mirror.typing = t.typing;
            });
          };
          follow();
          for (const step of ops as Array<Record<string, unknown>>) {
            if (step.op === 'command') t.addCommand(command(`x${String(step.id)}`, 'c'));
            else if (step.op === 'event') t.addEvent(event(`x${String(step.id)}`, 'e'));
            else if (step.op === 'typing') t.setTyping(step.on ? { sender: 'operator', ...(step.preview ? { preview: step.preview as string } : {}) } : undefined);
            else if (step.op === 'clear') t.clear();
            else follow();
            for (const mirror of mirrors) {
              expect(mirror.entries).toEqual(t.entries);
              expect(mirror.typing).toEqual(t.typing);
            }
          }
        },
      ),
    );
  });

  it('does not call listeners for clear() of an empty transcript, nor for a typing that did not change', () => {
    const t = createTranscript();
    const listener = vi.fn();
    t.listen(listener);
    t.clear();
    t.setTyping(undefined);
    t.setTyping({ sender: 'operator', preview: 'x' });
    t.setTyping({ sender: 'operator', preview: 'x' });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it.each(['listen', 'subscribe'] as const)('%s: stops calling after the returned function, which is idempotent', (method) => {
    const t = createTranscript();
    const a = vi.fn();
    const b = vi.fn();
    const offA = t[method](a);
    t[method](b);
    t.addEvent(event('e1', 'x'));
    offA();
    offA();
    t.addEvent(event('e2', 'y'));
    const first = method === 'subscribe' ? 1 : 0;
    expect(a).toHaveBeenCalledTimes(first + 1);
    expect(b).toHaveBeenCalledTimes(first + 2);
  });

  it('a throwing listener neither stops the others nor reaches the caller; the error is reported', () => {
    const boom = new Error('listener bug');
    const onError = vi.fn();
    const t = createTranscript({}, onError);
    const before = vi.fn();
    const after = vi.fn();
    t.listen(before);
    t.listen(() => {
      throw boom;
    });
    t.listen(after);

    expect(() => t.addEvent(event('e1', 'x'))).not.toThrow();
    expect(before).toHaveBeenCalledTimes(1);
    expect(after).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledExactlyOnceWith(boom);
    expect(t.entries).toHaveLength(1);
  });

  it("subscribe reports a listener that throws on its first call, and it stays subscribed", () => {
    const boom = new Error('first call');
    const onError = vi.fn();
    const t = createTranscript({}, onError);
    const listener = vi.fn((_: unknown, change: { added: readonly unknown[] }) => {
      if (!change.added.length) throw boom;
    });
    let off: (() => void) | undefined;
    expect(() => (off = t.subscribe(listener))).not.toThrow();
    expect(onError).toHaveBeenCalledExactlyOnceWith(boom);
    t.addEvent(event('e1', 'x'));
    expect(listener).toHaveBeenCalledTimes(2);
    expect(typeof off).toBe('function');
  });

  it('reports to console.error without onListenerError', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const t = createTranscript();
    const boom = new Error('listener bug');
    t.listen(() => {
      throw boom;
    });
    t.addEvent(event('e1', 'x'));
    expect(spy).toHaveBeenCalledWith('[EngageKit]', boom);
  });

  it('a change made by a listener reaches every listener after the current one, in order', () => {
    const t = createTranscript();
    const order: string[] = [];
    t.listen((_, change) => {
      order.push(`A ${texts(change.added).join()}`);
      if (change.added[0]?.id === 'e1') t.addEvent(event('e2', 'from listener'));
    });
    t.listen((entries, change) => {
      order.push(`B ${texts(change.added).join()}`);
      // The entries as they are now: the second change is already made.
      expect(texts(entries)).toEqual(['first', 'from listener']);
    });
    t.addEvent(event('e1', 'first'));
    expect(order).toEqual(['A first', 'B first', 'A from listener', 'B from listener']);
  });

  it('hold() applies changes at once and calls their listeners at the matching release(), each change in order', () => {
    const t = createTranscript({ limit: 2 });
    const seen: string[] = [];
    t.listen((_, change) => seen.push(`-${texts(change.removed).join()} +${texts(change.added).join()}${change.typing ? ' typing' : ''}`));
    t.hold();
    t.addEvent(event('e1', 'a'));
    t.hold(); // holds nest
    t.addCommand(command('c1', 'b'));
    t.addEvent(event('e2', 'c'));
    t.setTyping({ sender: 'operator' });
    expect(texts(t.entries)).toEqual(['b', 'c']);
    t.release();
    expect(seen).toEqual([]);
    t.release();
    expect(seen).toEqual(['- +a', '- +b', '-a +c', '- + typing']);
    t.release(); // one too many: nothing held, nothing to do
    t.addEvent(event('e3', 'd'));
    expect(seen.at(-1)).toBe('-b +d');
  });

  it('a listener that stopped while calls were held is skipped at the release', () => {
    const t = createTranscript();
    const listener = vi.fn();
    const stop = t.listen(listener);
    t.hold();
    t.addEvent(event('e1', 'a'));
    stop();
    t.release();
    expect(listener).not.toHaveBeenCalled();
  });

  it('a listener added by another one gets only later changes; one removed by another is skipped', () => {
    const t = createTranscript();
    const late = vi.fn();
    const skipped = vi.fn();
    let offSkipped = () => {};
    t.listen(() => {
      offSkipped();
      t.listen(late);
    });
    offSkipped = t.listen(skipped);
    t.addEvent(event('e1', 'x'));
    expect(skipped).not.toHaveBeenCalled();
    expect(late).not.toHaveBeenCalled();
    t.addEvent(event('e2', 'y'));
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('listen and subscribe work unbound (React: useSyncExternalStore(transcript.listen, () => transcript.entries))', () => {
    const t = createTranscript();
    const { listen, subscribe } = t;
    const a = vi.fn();
    const b = vi.fn();
    listen(a);
    subscribe(b);
    t.addEvent(event('e1', 'x'));
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it('the same function added twice is two listeners', () => {
    const t = createTranscript();
    const listener = vi.fn();
    const off1 = t.listen(listener);
    t.listen(listener);
    t.addEvent(event('e1', 'x'));
    expect(listener).toHaveBeenCalledTimes(2);
    off1();
    t.addEvent(event('e2', 'y'));
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it("gives listeners a read-only view, a new object per change, that reads the entries as they are (not a copy)", () => {
    const t = createTranscript({ limit: 3 });
    const views: Array<readonly TranscriptEntry[]> = [];
    t.listen((entries) => views.push(entries));
    t.addEvent(event('e1', 'a'));
    t.addEvent(event('e2', 'b'));
    expect(views[0]).not.toBe(views[1]);
    expect(Array.isArray(views[0])).toBe(true);
    // Live: the first view now reads both entries; a kept snapshot is transcript.entries.
    expect(texts(views[0]!)).toEqual(['a', 'b']);
    expect(() => (views[0] as TranscriptEntry[]).push(t.entries[0]!)).toThrow(TypeError);
    expect(() => ((views[0] as TranscriptEntry[])[0] = t.entries[1]!)).toThrow(TypeError);
    expect(() => ((views[0] as TranscriptEntry[]).length = 0)).toThrow(TypeError);
    expect(texts(t.entries)).toEqual(['a', 'b']);
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
    expect(() => t.subscribe('x' as unknown as () => void)).toThrow('transcript.subscribe: listener must be a function, got "x"');
    expect(() => t.listen(null as unknown as () => void)).toThrow('transcript.listen: listener must be a function, got null');
  });
});
