import { Window } from 'happy-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isEngageKitError } from '../src/shared/errors.js';
import { mountTranscript, type Transcript } from '../src/index.js';
import { createTranscript } from '../src/transcript/model.js';
import { command, event } from './support/fixtures.js';

function container(): HTMLElement {
  const div = document.createElement('div');
  document.body.appendChild(div);
  return div;
}

const items = (root: Element) => [...root.querySelectorAll('li')];
const texts = (root: Element) => items(root).map((li) => li.textContent);

afterEach(() => {
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
  it('keeps existing <li> nodes when an entry is added', () => {
    const t = createTranscript();
    t.addEvent(event('e1', 'one'));
    const root = container();
    mountTranscript(root, t);
    const list = root.querySelector('ol')!;
    const first = root.querySelector('li')!;
    const appendSpy = vi.spyOn(list, 'insertBefore');

    t.addEvent(event('e2', 'two'));
    expect(root.querySelector('ol')).toBe(list);
    expect(items(root)[0]).toBe(first);
    const second = items(root)[1]!;
    t.addEvent(event('e3', 'three'));
    expect(items(root)[0]).toBe(first);
    expect(items(root)[1]).toBe(second);
    expect(texts(root)).toEqual(['one', 'two', 'three']);
    // One DOM insertion per new entry, nothing re-inserted.
    expect(appendSpy).toHaveBeenCalledTimes(2);
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

  it('keeps order for any Transcript implementation, not only appends', () => {
    // A hand-written Transcript: the interface is public.
    let entries = [
      { kind: 'event', id: 'a', at: 0, text: 'A', event: event('a', 'A') },
      { kind: 'event', id: 'c', at: 0, text: 'C', event: event('c', 'C') },
    ] as Transcript['entries'];
    let listener: ((e: Transcript['entries']) => void) | undefined;
    const custom: Transcript = {
      get entries() {
        return entries;
      },
      subscribe(l) {
        listener = l;
        return () => (listener = undefined);
      },
    };
    const root = container();
    mountTranscript(root, custom);
    const b = { kind: 'event', id: 'b', at: 0, text: 'B', event: event('b', 'B') } as const;
    entries = [entries[0]!, b, entries[1]!];
    listener!(entries);
    expect(texts(root)).toEqual(['A', 'B', 'C']);
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
    const spied: Transcript = { get entries() { return t.entries; }, subscribe: vi.fn(() => unsubscribe) };
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
    expect(() => mountTranscript(root, createTranscript())).toThrow(/already mounted/);
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
    ['a selector string', '#chat', '"#chat"'],
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
