import { Window } from 'happy-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isEngageKitError } from '../../src/shared/errors.js';
import { mountTranscript, type Transcript, type TranscriptEntry, type TranscriptListener } from '../../src/index.js';
import { createTranscript } from '../../src/transcript/model.js';
import { command, event } from '../support/fixtures.js';

function container(): HTMLElement {
  const div = document.createElement('div');
  document.body.appendChild(div);
  return div;
}

const items = (root: Element) => [...root.querySelectorAll('li')];
const texts = (root: Element) => items(root).map((li) => li.textContent);

let readyState: PropertyDescriptor | undefined;
/** The document as a script in <head> sees it: still loading. */
function loading() {
  readyState = Object.getOwnPropertyDescriptor(document, 'readyState');
  Object.defineProperty(document, 'readyState', { configurable: true, get: () => 'loading' });
}
/** The parser reached the end: readyState moves on and DOMContentLoaded fires. */
function parsed() {
  delete (document as { readyState?: unknown }).readyState;
  if (readyState) Object.defineProperty(document, 'readyState', readyState);
  readyState = undefined;
  document.dispatchEvent(new Event('DOMContentLoaded'));
}

afterEach(() => {
  if (readyState) parsed();
  document.body.replaceChildren();
});

describe('mountTranscript: rendering', () => {
  it('renders existing and later entries in order, as one <ol> with one <li> each', () => {
    const t = createTranscript();
    t.addEvent(event('e1', 'Visitor navigated to insurance page'));
    const root = container();
    mountTranscript(root, t);
    t.addCommand(command('c1', 'Here is your quote'));
    t.addCommand(command('c2', null));

    expect(root.children).toHaveLength(1);
    const list = root.firstElementChild!;
    expect(list.tagName).toBe('OL');
    expect(list.className).toBe('engagekit-transcript');
    expect([...list.children].every((child) => child.tagName === 'LI')).toBe(true);
    expect(texts(root)).toEqual([
      'Visitor navigated to insurance page',
      'Here is your quote',
      'The operator sent a command.',
    ]);
  });

  it('sets classes per entry, and the fallback class only on fallback texts', () => {
    const t = createTranscript();
    t.addEvent(event('e1', 'ev'));
    t.addCommand(command('c1', 'cmd'));
    t.addCommand(command('c2', '   '));
    const root = container();
    mountTranscript(root, t);

    const [ev, cmd, fallback] = items(root);
    expect(ev!.className).toBe('engagekit-entry engagekit-entry--event');
    expect(cmd!.className).toBe('engagekit-entry engagekit-entry--command');
    expect(fallback!.className).toBe('engagekit-entry engagekit-entry--command engagekit-entry--fallback');
    expect(root.querySelectorAll('.engagekit-entry--fallback')).toHaveLength(1);
  });

  it('uses classPrefix', () => {
    const t = createTranscript();
    t.addCommand(command('c1', null));
    const root = container();
    mountTranscript(root, t, { classPrefix: 'acme' });
    expect(root.querySelector('ol')!.className).toBe('acme-transcript');
    expect(root.querySelector('li')!.className).toBe('acme-entry acme-entry--command acme-entry--fallback');
    expect(root.querySelector('[class*="engagekit"]')).toBeNull();
  });

  it('rejects a classPrefix that is not one class token', () => {
    const t = createTranscript();
    expect(() => mountTranscript(container(), t, { classPrefix: 'a b' })).toThrow(/options\.classPrefix/);
    expect(() => mountTranscript(container(), t, { classPrefix: '' })).toThrow(/options\.classPrefix/);
    expect(() => mountTranscript(container(), t, { classPrefix: null as never })).toThrow(/options\.classPrefix/);
  });

  it('puts the text directly in the <li>, as a single text node, with no inline style', () => {
    const t = createTranscript();
    t.addCommand(command('c1', 'hello'));
    const root = container();
    mountTranscript(root, t);
    const li = root.querySelector('li')!;
    expect(li.childNodes).toHaveLength(1);
    expect(li.firstChild!.nodeType).toBe(3);
    expect(root.querySelector('[style]')).toBeNull();
    expect(root.querySelector('time')).toBeNull();
  });
});

describe('mountTranscript: text only', () => {
  const payloads = [
    '<img src=x onerror=alert(1)>',
    '<script>alert(1)</script>',
    '"><svg onload=alert(1)>',
    '<iframe src="javascript:alert(1)"></iframe>',
  ];

  it.each(payloads)('shows %s literally and creates no element from it', (payload) => {
    const t = createTranscript({ fallbackText: () => payload });
    t.addCommand(command('c1', payload));
    const root = container();
    mountTranscript(root, t);
    t.addEvent(event('e1', payload));
    t.addCommand(command('c2', null)); // through a fallback function too

    expect(texts(root)).toEqual([payload, payload, payload]);
    expect(root.querySelector('img, script, svg, iframe')).toBeNull();
    expect(root.querySelectorAll('*')).toHaveLength(4); // the <ol> and three <li>
    for (const li of items(root)) expect(li.childNodes).toHaveLength(1);
    // Escaped in serialisation, i.e. it is text, not markup.
    expect(root.innerHTML).not.toContain('<img');
    expect(root.innerHTML).not.toContain('<script');
  });

  it('never uses innerHTML, outerHTML or insertAdjacentHTML (Trusted-Types-like guard)', () => {
    // Make every HTML-parsing entry point throw, where it is actually defined.
    const probe = document.createElement('li');
    const restore: Array<() => void> = [];
    for (const name of ['innerHTML', 'outerHTML', 'insertAdjacentHTML'] as const) {
      let owner: object | null = probe;
      while (owner && !Object.getOwnPropertyDescriptor(owner, name)) owner = Object.getPrototypeOf(owner);
      expect(owner, `${name} is defined somewhere on the prototype chain`).not.toBeNull();
      const original = Object.getOwnPropertyDescriptor(owner!, name)!;
      const blocked = () => {
        throw new Error(`${name} used`);
      };
      Object.defineProperty(
        owner!,
        name,
        'value' in original ? { ...original, value: blocked } : { ...original, set: blocked },
      );
      restore.push(() => Object.defineProperty(owner!, name, original));
    }
    try {
      // The guard really bites.
      expect(() => {
        document.createElement('ol').innerHTML = '<b>x</b>';
      }).toThrow('innerHTML used');
      expect(() => document.createElement('ol').insertAdjacentHTML('beforeend', '<b>x</b>')).toThrow(
        'insertAdjacentHTML used',
      );

      const t = createTranscript({ limit: 2 });
      t.addCommand(command('c1', '<img src=x onerror=alert(1)>'));
      const root = container();
      const unmount = mountTranscript(root, t);
      t.addEvent(event('e1', 'second'));
      t.addCommand(command('c2', null)); // drops c1
      expect(texts(root)).toEqual(['second', 'The operator sent a command.']);
      unmount();
      expect(root.children).toHaveLength(0);
    } finally {
      for (const undo of restore) undo();
    }
  });
});

describe('mountTranscript: accessibility attributes', () => {
  it('sets role="log", aria-live="polite", aria-relevant="additions" and removes them on unmount', () => {
    const root = container();
    const unmount = mountTranscript(root, createTranscript());
    expect(root.getAttribute('role')).toBe('log');
    expect(root.getAttribute('aria-live')).toBe('polite');
    expect(root.getAttribute('aria-relevant')).toBe('additions');
    unmount();
    expect(root.hasAttribute('role')).toBe(false);
    expect(root.hasAttribute('aria-live')).toBe(false);
    expect(root.hasAttribute('aria-relevant')).toBe(false);
  });

  it('restores pre-existing values on unmount', () => {
    const root = container();
    root.setAttribute('role', 'region');
    root.setAttribute('aria-live', 'off');
    root.setAttribute('aria-label', 'Chat');
    const unmount = mountTranscript(root, createTranscript());
    expect(root.getAttribute('role')).toBe('log');
    expect(root.getAttribute('aria-live')).toBe('polite');
    unmount();
    expect(root.getAttribute('role')).toBe('region');
    expect(root.getAttribute('aria-live')).toBe('off');
    expect(root.hasAttribute('aria-relevant')).toBe(false);
    expect(root.getAttribute('aria-label')).toBe('Chat');
  });

  it('leaves an attribute the page changed while mounted as the page set it', () => {
    const root = container();
    const unmount = mountTranscript(root, createTranscript());
    root.setAttribute('aria-live', 'assertive');
    unmount();
    expect(root.getAttribute('aria-live')).toBe('assertive');
    expect(root.hasAttribute('role')).toBe(false);
  });
});

describe('mountTranscript: incremental updates', () => {
  it('touches only the <li> of what came or went: one insertion per new entry, one removal per dropped one', async () => {
    const t = createTranscript({ limit: 3 });
    t.addEvent(event('e1', 'one'));
    const root = container();
    mountTranscript(root, t);
    const list = root.querySelector('ol')!;
    const first = root.querySelector('li')!;
    const records: MutationRecord[] = [];
    const observer = new MutationObserver((batch) => records.push(...batch));
    observer.observe(root, { childList: true, subtree: true, characterData: true, attributes: true });
    const flush = () => records.push(...observer.takeRecords());

    t.addEvent(event('e2', 'two'));
    t.addEvent(event('e3', 'three'));
    flush();
    expect(records.map((r) => [r.target, r.addedNodes.length, r.removedNodes.length])).toEqual([
      [list, 1, 0],
      [list, 1, 0],
    ]);
    expect(items(root)[0]).toBe(first);
    records.length = 0;

    t.addEvent(event('e4', 'four')); // drops "one"
    flush();
    observer.disconnect();
    expect(records.map((r) => [r.target, r.addedNodes.length, r.removedNodes.length])).toEqual([
      [list, 0, 1],
      [list, 1, 0],
    ]);
    expect(records[0]!.removedNodes[0]).toBe(first);
    expect(texts(root)).toEqual(['two', 'three', 'four']);
  });

  it('never reads transcript.entries (the O(n) snapshot) to update: the change is enough', () => {
    const t = createTranscript({ limit: 5 });
    let reads = 0;
    const counted: Transcript = {
      get entries() {
        reads++;
        return t.entries;
      },
      get typing() {
        return t.typing;
      },
      listen: t.listen,
      subscribe: t.subscribe,
    };
    const root = container();
    mountTranscript(root, counted);
    for (let i = 0; i < 20; i++) t.addEvent(event(`e${i}`, String(i)));
    t.setTyping({ sender: 'operator' });
    t.clear();
    expect(reads).toBe(0);
    expect(items(root)).toHaveLength(0);
    expect((root.querySelector('.engagekit-typing') as HTMLElement).hidden).toBe(false);
  });

  it('removes the <li> of entries dropped beyond the limit, keeping the others', () => {
    const t = createTranscript({ limit: 2 });
    const root = container();
    mountTranscript(root, t);
    t.addEvent(event('e1', 'one'));
    t.addEvent(event('e2', 'two'));
    const two = items(root)[1]!;
    t.addEvent(event('e3', 'three'));
    expect(texts(root)).toEqual(['two', 'three']);
    expect(items(root)[0]).toBe(two);
    for (let i = 4; i <= 50; i++) t.addEvent(event(`e${i}`, String(i)));
    expect(texts(root)).toEqual(['49', '50']);
  });

  it('empties the list on clear() and renders a re-added id afresh', () => {
    const t = createTranscript();
    t.addCommand(command('c1', 'before'));
    const root = container();
    mountTranscript(root, t);
    t.clear();
    expect(items(root)).toHaveLength(0);
    t.addCommand(command('c1', 'after'));
    expect(texts(root)).toEqual(['after']);
  });

  it('renders any Transcript that keeps the contract, not only the SDK\'s', () => {
    // A hand-written Transcript: the interface is public.
    const entry = (id: string) => ({ kind: 'event', id, at: 0, text: id.toUpperCase(), event: event(id, id) }) as const;
    let entries: TranscriptEntry[] = [entry('a'), entry('b')];
    const listeners = new Set<TranscriptListener>();
    const custom: Transcript = {
      get entries() {
        return entries;
      },
      listen(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      subscribe(l) {
        l(entries, { removed: [], added: entries, typing: true });
        return custom.listen(l);
      },
    };
    const root = container();
    const unmount = mountTranscript(root, custom);
    expect(texts(root)).toEqual(['A', 'B']);
    const c = entry('c');
    const removed = entries.slice(0, 1);
    entries = [...entries.slice(1), c];
    for (const l of listeners) l(entries, { removed, added: [c], typing: false });
    expect(texts(root)).toEqual(['B', 'C']);
    unmount();
    expect(listeners.size).toBe(0);
  });
});

describe('mountTranscript: unmount', () => {
  it('removes the list, leaves the rest of the element alone and stops updating', () => {
    const t = createTranscript();
    const root = container();
    const own = document.createElement('h2');
    own.textContent = 'Chat';
    root.appendChild(own);
    const unmount = mountTranscript(root, t);
    t.addEvent(event('e1', 'one'));
    const list = root.querySelector('ol')!;

    unmount();
    expect(root.querySelector('ol')).toBeNull();
    expect([...root.children]).toEqual([own]);

    t.addEvent(event('e2', 'two'));
    expect(root.querySelector('li')).toBeNull();
    expect(list.children).toHaveLength(1); // the detached list is not updated either
  });

  it('unsubscribes from the transcript', () => {
    const t = createTranscript();
    const unsubscribe = vi.fn();
    const spied: Transcript = { get entries() { return t.entries; }, listen: t.listen, subscribe: vi.fn(() => unsubscribe) };
    const unmount = mountTranscript(container(), spied);
    expect(spied.subscribe).toHaveBeenCalledTimes(1);
    unmount();
    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });

  it('is harmless when called twice', () => {
    const root = container();
    root.setAttribute('role', 'region');
    const unmount = mountTranscript(root, createTranscript());
    unmount();
    root.setAttribute('role', 'complementary');
    expect(() => unmount()).not.toThrow();
    expect(root.getAttribute('role')).toBe('complementary');
  });

  it('allows mounting again in the same element after unmount', () => {
    const t = createTranscript();
    t.addEvent(event('e1', 'one'));
    const root = container();
    mountTranscript(root, t)();
    mountTranscript(root, t);
    expect(root.querySelectorAll('ol')).toHaveLength(1);
    expect(texts(root)).toEqual(['one']);
  });
});

describe('mountTranscript: several mounts, other documents', () => {
  it('renders one transcript in two elements, independently', () => {
    const t = createTranscript();
    t.addEvent(event('e1', 'one'));
    const a = container();
    const b = container();
    const unmountA = mountTranscript(a, t);
    mountTranscript(b, t, { classPrefix: 'b' });
    t.addEvent(event('e2', 'two'));
    expect(texts(a)).toEqual(['one', 'two']);
    expect(texts(b)).toEqual(['one', 'two']);
    unmountA();
    t.addEvent(event('e3', 'three'));
    expect(a.querySelector('ol')).toBeNull();
    expect(texts(b)).toEqual(['one', 'two', 'three']);
  });

  it('refuses a second mount in the same element', () => {
    const root = container();
    mountTranscript(root, createTranscript());
    expect(() => mountTranscript(root, createTranscript())).toThrow(
      'mountTranscript: target must be an element without a transcript already mounted, got a DIV node that has one',
    );
    expect(root.querySelectorAll('ol')).toHaveLength(1);
  });

  it("creates nodes with the element's own document, also one from another window", async () => {
    const other = new Window();
    try {
      const root = other.document.createElement('div');
      other.document.body.appendChild(root);
      const globalCreate = vi.spyOn(document, 'createElement');
      const t = createTranscript();
      t.addEvent(event('e1', '<img src=x onerror=alert(1)>'));
      mountTranscript(root as unknown as Element, t);
      t.addEvent(event('e2', 'two'));

      expect(globalCreate).not.toHaveBeenCalled();
      const list = root.querySelector('ol')!;
      expect(list.ownerDocument).toBe(other.document);
      expect(root.querySelector('li')!.ownerDocument).toBe(other.document);
      expect([...root.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
        '<img src=x onerror=alert(1)>',
        'two',
      ]);
      expect(root.querySelector('img')).toBeNull();
      expect(root.getAttribute('role')).toBe('log');
    } finally {
      await other.happyDOM.close();
    }
  });
});

describe('mountTranscript: bad arguments', () => {
  it.each([
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a number', 42, 'number 42'],
    ['a plain object', {}, 'an object'],
    ['the document', document, 'a #document node'],
    ['a text node', document.createTextNode('x'), 'a #text node'],
  ])('throws for %s, naming mountTranscript and what it got', (_, value, shown) => {
    let error: unknown;
    try {
      mountTranscript(value as unknown as Element, createTranscript());
    } catch (e) {
      error = e;
    }
    expect(isEngageKitError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('mountTranscript');
    expect((error as Error).message).toContain(shown);
  });

  it('throws for something that is not a transcript, and touches nothing', () => {
    const root = container();
    expect(() => mountTranscript(root, {} as Transcript)).toThrow(/mountTranscript: transcript must be/);
    expect(root.hasAttribute('role')).toBe(false);
    expect(root.children).toHaveLength(0);
  });
});

describe('mountTranscript: a CSS selector', () => {
  it('mounts into the element the selector matches', () => {
    const root = container();
    root.id = 'chat';
    const t = createTranscript();
    t.addEvent(event('e1', 'one'));
    const unmount = mountTranscript('#chat', t);
    expect(texts(root)).toEqual(['one']);
    unmount();
    expect(root.children).toHaveLength(0);
  });

  it('throws an InvalidArgumentError naming the selector when nothing matches in a parsed document', () => {
    expect(document.readyState).not.toBe('loading');
    let error: unknown;
    try {
      mountTranscript('#chat-that-is-not-there .with-a-long-selector-that-is-named-whole', createTranscript());
    } catch (e) {
      error = e;
    }
    expect(isEngageKitError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toBe(
      'mountTranscript: target must be an Element, or the CSS selector of one, ' +
        'got "#chat-that-is-not-there .with-a-long-selector-that-is-named-whole", which matches no element',
    );
  });

  it('throws for a selector that is not valid CSS, even while the document loads', () => {
    loading();
    expect(() => mountTranscript('#chat[', createTranscript())).toThrow(
      'mountTranscript: target must be an Element, or the CSS selector of one, got "#chat[", which is not a valid selector',
    );
  });

  it('checks the transcript and options at once, also when the mount has to wait', () => {
    loading();
    expect(() => mountTranscript('#later', {} as Transcript)).toThrow(/transcript must be a Transcript/);
    expect(() => mountTranscript('#later', createTranscript(), { follow: 'yes' as never })).toThrow(
      'mountTranscript: options.follow must be a boolean, got "yes"',
    );
  });

  it('while the document loads, waits for DOMContentLoaded when the element is not there yet', () => {
    loading();
    const t = createTranscript();
    t.addEvent(event('e1', 'one'));
    const unmount = mountTranscript('#later', t);
    const root = container();
    root.id = 'later';
    expect(root.children).toHaveLength(0);
    parsed();
    expect(texts(root)).toEqual(['one']);
    t.addEvent(event('e2', 'two'));
    expect(texts(root)).toEqual(['one', 'two']);
    unmount();
    expect(root.children).toHaveLength(0);
    expect(root.hasAttribute('role')).toBe(false);
  });

  it('while the document loads, mounts at once when the element is already there', () => {
    loading();
    const root = container();
    root.id = 'early';
    mountTranscript('#early', createTranscript());
    expect(root.querySelector('ol')).not.toBeNull();
  });

  it('reports through console.error, with the same error, a selector that still matches nothing once parsed', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    loading();
    const unmount = mountTranscript('#never', createTranscript());
    expect(spy).not.toHaveBeenCalled();
    parsed();
    expect(spy).toHaveBeenCalledTimes(1);
    const [prefix, error] = spy.mock.calls[0]!;
    expect(prefix).toBe('[EngageKit]');
    expect(isEngageKitError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/got "#never", which matches no element$/);
    expect(() => unmount()).not.toThrow();
  });

  it('unmount before the document is parsed cancels the mount', () => {
    loading();
    const unmount = mountTranscript('#cancelled', createTranscript());
    const root = container();
    root.id = 'cancelled';
    unmount();
    parsed();
    expect(root.children).toHaveLength(0);
    expect(root.hasAttribute('role')).toBe(false);
  });
});

describe('mountTranscript: following the newest entry', () => {
  /** happy-dom lays nothing out: a scroll area of `height` px whose entries are 20 px each (the typing line too). */
  function scroller(height = 100) {
    const root = container();
    let top = 0;
    const content = () => root.querySelectorAll('li').length * 20 + (root.querySelector('.engagekit-typing:not([hidden])') ? 20 : 0);
    Object.defineProperties(root, {
      clientHeight: { get: () => height },
      scrollHeight: { get: () => Math.max(height, content()) },
      scrollTop: {
        get: () => top,
        set: (value: number) => (top = Math.max(0, Math.min(value, root.scrollHeight - height))),
      },
    });
    /** The reader scrolls to `to`: the position changes, then the browser's scroll event. */
    const scrollBy = (by: number) => {
      root.scrollTop = top + by;
      root.dispatchEvent(new Event('scroll'));
    };
    const end = () => root.scrollHeight - height;
    return { root, scrollBy, end };
  }
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const add = (t: ReturnType<typeof createTranscript>, from: number, count: number) => {
    for (let i = from; i < from + count; i++) t.addEvent(event(`e${i}`, String(i)));
  };

  it('shows the newest entry on mount, and follows while the reader is at the end', async () => {
    const t = createTranscript();
    add(t, 0, 10);
    const { root, end } = scroller();
    mountTranscript(root, t);
    await frame();
    expect(root.scrollTop).toBe(end());
    add(t, 10, 3);
    expect(root.scrollTop).toBe(100); // not yet: once per frame
    await frame();
    expect(root.scrollTop).toBe(end());
    expect(end()).toBe(160);
  });

  it('leaves the scroll alone once the reader scrolled up, and follows again once back at the end', async () => {
    const t = createTranscript();
    add(t, 0, 10);
    const { root, scrollBy, end } = scroller();
    mountTranscript(root, t);
    await frame();
    scrollBy(-60);
    expect(root.scrollTop).toBe(40);
    add(t, 10, 2);
    await frame();
    expect(root.scrollTop).toBe(40);
    t.setTyping({ sender: 'operator' });
    await frame();
    expect(root.scrollTop).toBe(40);

    scrollBy(end() - root.scrollTop - 5); // near the end, within a few pixels
    add(t, 12, 1);
    await frame();
    expect(root.scrollTop).toBe(end());
  });

  it('keeps the typing line in view after the last entry while following', async () => {
    const t = createTranscript();
    add(t, 0, 10);
    const { root, end } = scroller();
    mountTranscript(root, t);
    await frame();
    t.setTyping({ sender: 'operator', preview: 'Hel' });
    await frame();
    expect(root.lastElementChild!.className).toBe('engagekit-typing');
    expect(root.querySelector('ol')!.nextElementSibling).toBe(root.lastElementChild);
    expect(root.scrollTop).toBe(end());
    expect(end()).toBe(120); // 10 entries and the typing line
  });

  it('is not fooled by its own scroll seen after new content, nor by the oldest entry leaving', async () => {
    const t = createTranscript({ limit: 10 });
    add(t, 0, 10);
    const { root, end } = scroller();
    mountTranscript(root, t);
    await frame();
    add(t, 10, 3); // three in, three of the oldest out
    // A scroll event before the frame, away from the end (the browser moved the view as the oldest went).
    root.scrollTop -= 60;
    root.dispatchEvent(new Event('scroll'));
    await frame();
    expect(root.scrollTop).toBe(end());
  });

  it('a wheel turned up stops following at once, even with a scroll of its own due', async () => {
    const t = createTranscript();
    add(t, 0, 10);
    const { root, end } = scroller();
    mountTranscript(root, t);
    await frame();
    add(t, 10, 1);
    root.dispatchEvent(new WheelEvent('wheel', { deltaY: -100 }));
    await frame();
    expect(root.scrollTop).toBe(100);
    expect(end()).toBe(120);
  });

  it('follow: false never scrolls', async () => {
    const t = createTranscript();
    add(t, 0, 10);
    const { root } = scroller();
    mountTranscript(root, t, { follow: false });
    await frame();
    add(t, 10, 5);
    await frame();
    expect(root.scrollTop).toBe(0);
  });

  it('stops scrolling on unmount, also a scroll already due', async () => {
    const t = createTranscript();
    const { root } = scroller();
    const unmount = mountTranscript(root, t);
    add(t, 0, 10);
    unmount();
    await frame();
    expect(root.scrollTop).toBe(0);
  });
});
