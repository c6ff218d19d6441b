import { InvalidArgumentError } from '../shared/errors.js';
import { describe } from '../shared/check.js';
import { demand, type Transcript, type TranscriptChange, type TranscriptEntry, type TypingIndicator } from './model.js';

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
  /**
   * Follow the newest entry, as a chat log does: while the reader is at the
   * end of the element (within 8 px), what is added scrolls
   * into view; once they scroll up, the scroll is left alone until they
   * scroll back to the end. `false`: never scroll.
   * @default true
   */
  follow?: boolean;
}

/** How near the end (in CSS pixels) still counts as at the end: fractional scroll positions of zoomed pages, a stray pixel of a trackpad. */
const FOLLOW_SLACK_PX = 8;

// Elements this module has mounted into, so that a second mount cannot
// clobber the attributes the first one will restore.
const mounted = new WeakSet<Element>();

type Check = (ok: unknown, name: string, must: string, value: unknown, got?: string) => asserts ok;
const check: Check = (ok, name, must, value, got) => demand(ok, InvalidArgumentError, 'mountTranscript: ', name, must, value, got);
const TARGET = 'an Element, or the CSS selector of one';

/**
 * Renders the transcript into `target` as text only, and keeps it up to
 * date; returns unmount.
 *
 * `target` is an Element, or a CSS selector looked up in `document`. While
 * the document is still loading (a script in `<head>`) and nothing matches
 * yet, the mount waits for `DOMContentLoaded`; if nothing matches then, the
 * `InvalidArgumentError` naming the selector goes to `console.error` (there
 * is no caller left to throw to). Otherwise a selector that matches nothing,
 * or is not valid CSS, throws that error at once, as do bad options.
 *
 * Appends one `<ol>` to the element, one `<li>` per entry, the entry's text
 * set through `textContent`: nothing is ever parsed as HTML and no style is
 * set inline, so it works under a strict CSP with Trusted Types enforced.
 * While the operator types, a `<p>` follows the list, in the flow, so it
 * never covers an entry. Nodes are created with the element's own document,
 * so it may be in another window or an iframe. The element gets
 * `role="log"`, `aria-live="polite"` and `aria-relevant="additions"` until
 * unmount.
 *
 * The element is the scroll area: give it a height (or max-height) and
 * `overflow-y: auto`; see `follow`. Each change costs the same whatever the
 * number of entries: only the `<li>` of what came or went are touched.
 *
 * Unmount removes what was added, restores the attributes and cancels a
 * mount still waiting for the document; calling it again does nothing.
 */
export function mountTranscript(
  target: Element | string,
  transcript: Transcript,
  options: MountTranscriptOptions = {},
): () => void {
  const { classPrefix = 'engagekit', typingText = typingDefault, follow = true } = options ?? {};
  const text = typeof typingText === 'string' ? () => typingText : typingText;
  check(typeof transcript?.subscribe === 'function', 'transcript', 'a Transcript', transcript);
  check(typeof classPrefix === 'string' && /^\S+$/.test(classPrefix), 'options.classPrefix', 'one class name', classPrefix);
  check(typeof text === 'function', 'options.typingText', 'a string or a function', typingText);
  check(typeof follow === 'boolean', 'options.follow', 'a boolean', follow);
  const mountIn = (element: Element | null, got?: string) => mount(element, transcript, classPrefix, text, follow, got);
  if (typeof target !== 'string') return mountIn(target);

  const doc = globalThis.document;
  check(doc, 'target', 'an Element where there is no document', target);
  let found: Element | null | undefined;
  try {
    found = doc.querySelector(target);
  } catch {
    // Checked next: the same error as any other bad target.
  }
  check(found !== undefined, 'target', TARGET, target, `${JSON.stringify(target)}, which is not a valid selector`);
  // The whole selector, however long: it is what the page's author looks for.
  const none = `${JSON.stringify(target)}, which matches no element`;
  if (found || doc.readyState !== 'loading') return mountIn(found, none);

  // A script in <head>: the element is further down the page.
  let unmount: (() => void) | undefined;
  const whenParsed = () => {
    try {
      unmount = mountIn(doc.querySelector(target), none);
    } catch (error) {
      console.error('[EngageKit]', error);
    }
  };
  doc.addEventListener('DOMContentLoaded', whenParsed, { once: true });
  return () => {
    doc.removeEventListener('DOMContentLoaded', whenParsed);
    unmount?.();
  };
}

function mount(
  element: Element | null,
  transcript: Transcript,
  prefix: string,
  text: (typing: TypingIndicator) => string,
  follow: boolean,
  got?: string,
): () => void {
  const name = (element as Partial<Node> | null)?.nodeName;
  // Not `instanceof Element`: an element of another window has another Element.
  check(element?.nodeType === 1, 'target', TARGET, element, got ?? (name ? `a ${name} node` : describe(element)));
  // Not one we render into already: both would restore the attributes.
  check(!mounted.has(element), 'target', 'an element without a transcript already mounted', element, `a ${name} node that has one`);

  const doc = element.ownerDocument;
  const create = (tag: string, className: string) => {
    const node = doc.createElement(tag);
    node.className = className;
    return node;
  };
  const list = create('ol', prefix + '-transcript');
  const indicator = create('p', prefix + '-typing');
  // Keyed by entry object, not id: after clear() the same id is a new entry.
  const items = new Map<TranscriptEntry, Element>();
  const entryClass = prefix + '-entry';
  const classOf = (entry: TranscriptEntry) =>
    `${entryClass} ${entryClass}--${entry.kind}${(entry as { fallback?: boolean }).fallback ? ` ${entryClass}--fallback` : ''}`;

  // ---- following the newest entry
  // `stuck`: the reader is at the end, so changes scroll there. Scrolling is
  // left to the next frame, once per frame whatever the number of changes,
  // and never reads the layout between changes. A scroll event away from the
  // end unsticks, except while a scroll of ours is due: then it is our own
  // earlier scroll seen after new content, or the browser keeping the view in
  // place as the oldest entry goes (scroll anchoring), not the reader.
  const win = doc.defaultView;
  let stuck = follow && !!win;
  let frame = 0;
  const atEnd = () => element.scrollHeight - element.scrollTop - element.clientHeight <= FOLLOW_SLACK_PX;
  const toEnd = () => {
    frame = 0;
    if (stuck) element.scrollTop = element.scrollHeight;
  };
  const onScroll = () => {
    if (atEnd()) stuck = true;
    else if (!frame) stuck = false;
  };
  // A wheel turned up is the reader, even while a scroll of ours is due.
  const onWheel = (event: Event) => {
    if ((event as WheelEvent).deltaY < 0 && element.scrollTop > 0) stuck = false;
  };
  // The element resized (a panel opened, a keyboard appeared): keep the end in view.
  const resized = win?.ResizeObserver && follow ? new win.ResizeObserver(() => stuck && (element.scrollTop = element.scrollHeight)) : undefined;

  const apply = (_entries: readonly TranscriptEntry[], change: TranscriptChange): void => {
    for (const entry of change.removed) {
      items.get(entry)?.remove();
      items.delete(entry);
    }
    const { added } = change;
    // Many at once (the first render): one insertion.
    const into = added.length > 1 ? doc.createDocumentFragment() : list;
    for (const entry of added) {
      if (items.has(entry)) continue;
      const li = create('li', classOf(entry));
      // Text only: `textContent` makes one text node, nothing is parsed.
      li.textContent = entry.text;
      items.set(entry, li);
      into.append(li);
    }
    if (into !== list) list.append(into);
    if (change.typing) {
      const { typing } = transcript;
      indicator.hidden = !typing;
      if (typing) {
        indicator.textContent = text(typing);
        // Added the first time the operator types: until then the element holds the list alone.
        if (!indicator.parentNode) element.append(indicator);
      }
    }
    if (stuck && !frame) frame = win!.requestAnimationFrame(toEnd);
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
  mounted.add(element);
  if (stuck) {
    element.addEventListener('scroll', onScroll, { passive: true });
    element.addEventListener('wheel', onWheel, { passive: true });
    resized?.observe(element);
  }
  // Renders what is there (subscribe's first call), then each change.
  let unsubscribe: (() => void) | 0 = transcript.subscribe(apply);

  return () => {
    if (!unsubscribe) return;
    unsubscribe();
    unsubscribe = 0;
    if (frame) win!.cancelAnimationFrame(frame);
    element.removeEventListener('scroll', onScroll);
    element.removeEventListener('wheel', onWheel);
    resized?.disconnect();
    list.remove();
    indicator.remove();
    mounted.delete(element);
    restore.forEach((undo) => undo());
  };
}

const typingDefault = ({ preview }: TypingIndicator) => `The operator is typing${preview ? `: ${preview}` : '…'}`;
