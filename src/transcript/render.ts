import { InvalidArgumentError } from '../shared/errors.js';
import { describe } from '../shared/check.js';
import { demand, type Transcript, type TranscriptEntry, type TypingIndicator } from './model.js';

export interface MountTranscriptOptions {
  /**
   * Class prefix: the list gets `${prefix}-transcript`, each item
   * `${prefix}-entry ${prefix}-entry--command|--event`, and
   * `${prefix}-entry--fallback` when it shows the fallback text.
   * @default 'engagekit'
   */
  classPrefix?: string;
  /**
   * The text of the typing indicator (`${prefix}-typing`, shown while the
   * operator types, `hidden` otherwise), or a function of it for a preview or
   * localisation.
   * @default 'The operator is typing…', or 'The operator is typing: <preview>'
   */
  typingText?: string | ((typing: TypingIndicator) => string);
}

// Elements this module has mounted into, so that a second mount cannot
// clobber the attributes the first one will restore.
const mounted = new WeakSet<Element>();

/**
 * Renders the transcript into `element` as text only, and keeps it up to date;
 * returns unmount.
 *
 * Appends one `<ol>` to `element`, one `<li>` per entry, the entry's text set
 * through `textContent`: nothing is ever parsed as HTML and no style is set
 * inline, so it works under a strict CSP with Trusted Types enforced. Nodes
 * are created with `element.ownerDocument`, so `element` may be in another
 * window or an iframe. `element` gets `role="log"`, `aria-live="polite"` and
 * `aria-relevant="additions"` until unmount.
 *
 * Calling unmount again does nothing.
 */
export function mountTranscript(
  element: Element,
  transcript: Transcript,
  options: MountTranscriptOptions = {},
): () => void {
  const { classPrefix: prefix = 'engagekit', typingText = typingDefault } = options ?? {};
  const text = typeof typingText === 'string' ? () => typingText : typingText;
  const check = (ok: unknown, name: string, must: string, value: unknown, got?: string) =>
    demand(ok, InvalidArgumentError, 'mountTranscript: ', name, must, value, got);
  const name = (element as Partial<Node> | null)?.nodeName;
  const got = name ? `a ${name} node` : describe(element);
  // Not `instanceof Element`: an element of another window has another Element.
  // And not one we render into already: both would restore the attributes.
  check(element?.nodeType === 1 && !mounted.has(element), 'element', 'a DOM Element without a transcript already mounted', element, got);
  check(typeof transcript?.subscribe === 'function', 'transcript', 'a Transcript', transcript);
  check(typeof prefix === 'string' && /^\S+$/.test(prefix), 'options.classPrefix', 'one class name', prefix);
  check(typeof text === 'function', 'options.typingText', 'a string or a function', typingText);

  const create = (tag: string, className: string) => Object.assign(element.ownerDocument.createElement(tag), { className });
  const list = create('ol', prefix + '-transcript');
  const indicator = create('p', prefix + '-typing');
  const items = new Map<TranscriptEntry, HTMLElement>();

  // Keyed by entry object, not id: after clear() the same id is a new entry.
  // O(n) in JavaScript per change (n ≤ the transcript's limit) but DOM work
  // only for the entries that came or went; existing <li>s stay untouched.
  const sync = (entries: readonly TranscriptEntry[]): void => {
    const live = new Set(entries);
    items.forEach((li, entry) => live.has(entry) || (li.remove(), items.delete(entry)));
    let cursor = list.firstChild;
    for (const entry of entries) {
      let li = items.get(entry);
      if (!li) {
        const entryClass = prefix + '-entry';
        li = create('li', `${entryClass} ${entryClass}--${entry.kind}`);
        if ((entry as { fallback?: boolean }).fallback) li.className += ` ${entryClass}--fallback`;
        // Text only: `textContent` makes one text node, nothing is parsed.
        li.textContent = entry.text;
        items.set(entry, li);
      }
      if (li === cursor) cursor = cursor.nextSibling;
      else list.insertBefore(li, cursor); // New entries land at the end: an append.
    }
    const { typing } = transcript;
    indicator.hidden = !typing;
    if (typing) {
      indicator.textContent = text(typing);
      // Added the first time the operator types: until then the element holds the list alone.
      if (!indicator.parentNode) element.append(indicator);
    }
  };

  // What the element gets, so that screen readers announce new lines (and only
  // those), each with its undo: back to the value before, unless the page
  // changed it meanwhile.
  const put = (name: string, value: string | null) =>
    value === null ? element.removeAttribute(name) : element.setAttribute(name, value);
  const restore = [
    ['role', 'log'],
    ['aria-live', 'polite'],
    ['aria-relevant', 'additions'],
  ].map(([name, value]) => {
    const before = element.getAttribute(name!);
    put(name!, value!);
    return () => element.getAttribute(name!) === value && put(name!, before);
  });

  element.append(list);
  sync(transcript.entries);
  mounted.add(element);
  let unsubscribe: (() => void) | 0 = transcript.subscribe(sync);

  return () => {
    if (!unsubscribe) return;
    unsubscribe();
    unsubscribe = 0;
    list.remove();
    indicator.remove();
    mounted.delete(element);
    restore.forEach((undo) => undo());
  };
}

const typingDefault = ({ preview }: TypingIndicator) => `The operator is typing${preview ? `: ${preview}` : '…'}`;
