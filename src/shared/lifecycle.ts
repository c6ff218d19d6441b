import { createEmitter, type Emitter } from './emitter.js';

/** What the page and the network tell the SDK; the one place that listens to them. */
export interface PageSignalMap {
  /**
   * The page is going away (`pagehide`): a reload, a navigation, a closed tab,
   * or a move into the back/forward cache (`persisted`). Stop work that must
   * not happen twice, write state, send what waits with `keepalive`.
   */
  leave: { persisted: boolean };
  /** The page came back from the back/forward cache (`pageshow` with `persisted`). */
  return: undefined;
  /**
   * The page was hidden (tab switched, app backgrounded). On mobile it may be
   * killed after this without a `pagehide`: write state, but keep working.
   */
  hidden: undefined;
  /** The browser says it is back online. */
  online: undefined;
  /** Another tab changed `key` of the page's localStorage (`null`: cleared). */
  storage: { key: string | null; newValue: string | null };
}

export interface PageSignals extends Emitter<PageSignalMap> {
  /**
   * False only when the browser says it is offline (`navigator.onLine`) and
   * can tell when it is back (an `online` event will come).
   */
  readonly online: boolean;
  /** Removes every listener it added to the page. */
  dispose(): void;
}

/** The part of `window` read here; anything without it (Node, a worker) simply never signals. */
export interface PagePlatform {
  addEventListener?(type: string, listener: (event: Event) => void): void;
  removeEventListener?(type: string, listener: (event: Event) => void): void;
  document?: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
  navigator?: { onLine?: boolean };
}

/**
 * Listens to `pagehide`, `pageshow`, `visibilitychange`, `online` and
 * `storage` once for the whole visitor, and hands them on as the signals above.
 */
export function createPageSignals(
  platform: PagePlatform | undefined,
  onListenerError: (error: unknown, event: string) => void,
): PageSignals {
  const { on, once, off, emit, clear } = createEmitter<PageSignalMap>(onListenerError);
  const doc = platform?.document;
  const onPageHide = (event: Event) => emit('leave', { persisted: (event as PageTransitionEvent).persisted === true });
  const onPageShow = (event: Event) => (event as PageTransitionEvent).persisted && emit('return', undefined);
  const onVisibility = () => doc?.visibilityState === 'hidden' && emit('hidden', undefined);
  const onOnline = () => emit('online', undefined);
  const onStorage = (event: Event) => {
    const { key, newValue } = event as StorageEvent;
    emit('storage', { key, newValue });
  };
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    platform?.[method]?.('pagehide', onPageHide);
    platform?.[method]?.('pageshow', onPageShow);
    platform?.[method]?.('online', onOnline);
    platform?.[method]?.('storage', onStorage);
    doc?.[method]?.('visibilitychange', onVisibility);
  };
  listen('addEventListener');
  return {
    on,
    once,
    off,
    get online() {
      return !platform?.addEventListener || platform.navigator?.onLine !== false;
    },
    dispose() {
      listen('removeEventListener');
      clear();
    },
  };
}
