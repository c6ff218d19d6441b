import { describe, InvalidArgumentError } from '../core/errors.js';
import type { Transcript, TranscriptEntry, TypingIndicator } from './transcript.js';

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

// What the container gets, so that screen readers announce new lines (and only those).
const LIVE_ATTRIBUTES = [
  ['role', 'log'],
  ['aria-live', 'polite'],
  ['aria-relevant', 'additions'],
] as const;

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
  // Not `instanceof Element`: an element of another window has another Element.
  if (!isElement(element)) {
    throw new InvalidArgumentError('element', `mountTranscript: element must be a DOM Element, got ${what(element)}`);
  }
  if (
    transcript === null ||
    typeof transcript !== 'object' ||
    typeof (transcript as Partial<Transcript>).subscribe !== 'function'
  ) {
    throw new InvalidArgumentError(
      'transcript',
      `mountTranscript: transcript must be a Transcript (from createTranscript or visitor.transcript), got ${describe(transcript)}`,
    );
  }
  const { classPrefix = 'engagekit', typingText = typingDefault } = options ?? {};
  if (typeof classPrefix !== 'string' || !/^[^\s]+$/.test(classPrefix)) {
    throw new InvalidArgumentError(
      'options.classPrefix',
      `mountTranscript: options.classPrefix must be a non-empty string without spaces, got ${describe(classPrefix)}`,
    );
  }
  if (typeof typingText !== 'string' && typeof typingText !== 'function') {
    throw new InvalidArgumentError(
      'options.typingText',
      `mountTranscript: options.typingText must be a string or a function, got ${describe(typingText)}`,
    );
  }
  if (mounted.has(element)) {
    throw new InvalidArgumentError(
      'element',
      'mountTranscript: a transcript is already mounted in this element; call its unmount first',
    );
  }

  const doc = element.ownerDocument;
  const list = doc.createElement('ol');
  list.className = `${classPrefix}-transcript`;
  const indicator = doc.createElement('p');
  indicator.className = `${classPrefix}-typing`;
  const items = new Map<TranscriptEntry, HTMLLIElement>();

  const itemFor = (entry: TranscriptEntry): HTMLLIElement => {
    const li = doc.createElement('li');
    const fallback = entry.kind === 'command' && entry.fallback ? ` ${classPrefix}-entry--fallback` : '';
    li.className = `${classPrefix}-entry ${classPrefix}-entry--${entry.kind}${fallback}`;
    li.setAttribute('data-kind', entry.kind);
    li.textContent = entry.text;
    return li;
  };

  // Keyed by entry object, not id: after clear() the same id is a new entry.
  // O(n) in JavaScript per change (n ≤ the transcript's limit) but DOM work
  // only for the entries that came or went; existing <li>s stay untouched.
  const sync = (entries: readonly TranscriptEntry[]): void => {
    const live = new Set(entries);
    for (const [entry, li] of items) {
      if (!live.has(entry)) {
        li.remove();
        items.delete(entry);
      }
    }
    let cursor = list.firstChild;
    for (const entry of entries) {
      let li = items.get(entry);
      if (!li) items.set(entry, (li = itemFor(entry)));
      if (li === cursor) cursor = cursor.nextSibling;
      else list.insertBefore(li, cursor); // New entries land at the end: an append.
    }
    const { typing } = transcript;
    indicator.hidden = !typing;
    if (!typing) return;
    indicator.textContent = typeof typingText === 'string' ? typingText : typingText(typing);
    // Added the first time the operator types: until then the element holds the list alone.
    if (!indicator.parentNode) element.append(indicator);
  };

  const previous = LIVE_ATTRIBUTES.map(([name, value]) => {
    const before = element.getAttribute(name);
    element.setAttribute(name, value);
    return { name, value, before };
  });

  element.appendChild(list);
  sync(transcript.entries);
  mounted.add(element);
  let unsubscribe: (() => void) | undefined = transcript.subscribe(sync);

  return () => {
    if (!unsubscribe) return;
    unsubscribe();
    unsubscribe = undefined;
    list.remove();
    indicator.remove();
    items.clear();
    mounted.delete(element);
    for (const { name, value, before } of previous) {
      // Leave the attribute alone if the page changed it meanwhile.
      if (element.getAttribute(name) !== value) continue;
      if (before === null) element.removeAttribute(name);
      else element.setAttribute(name, before);
    }
  };
}

const typingDefault = ({ preview }: TypingIndicator) => `The operator is typing${preview ? `: ${preview}` : '…'}`;

function isElement(value: unknown): value is Element {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as Partial<Node>).nodeType === 1 &&
    typeof (value as Partial<Node>).ownerDocument?.createElement === 'function'
  );
}

function what(value: unknown): string {
  const name = value !== null && typeof value === 'object' ? (value as { nodeName?: unknown }).nodeName : undefined;
  return typeof name === 'string' ? `a ${name} node` : describe(value);
}
