import EventEmitter from 'eventemitter3';

/** A map from event name to the payload its listeners receive. */
// An object type, not an index signature, so that interfaces satisfy it.
export type EventMap = object;

export type Listener<T> = (payload: T) => void;

export interface Emitter<M extends EventMap> {
  on<K extends keyof M & string>(event: K, listener: Listener<M[K]>): () => void;
  once<K extends keyof M & string>(event: K, listener: Listener<M[K]>): () => void;
  off<K extends keyof M & string>(event: K, listener: Listener<M[K]>): void;
}

export interface InternalEmitter<M extends EventMap> extends Emitter<M> {
  emit<K extends keyof M & string>(event: K, payload: M[K]): void;
  clear(): void;
}

/**
 * eventemitter3 underneath, with one difference that matters on a host page:
 * a listener that throws is reported (to `onListenerError`) and the other
 * listeners and the SDK go on, instead of the exception unwinding through
 * whatever SDK code happened to emit.
 */
export function createEmitter<M extends EventMap>(
  onListenerError: (error: unknown, event: string) => void,
): InternalEmitter<M> {
  const ee = new EventEmitter();
  // The guarded wrapper is what eventemitter3 stores; remember it per
  // (listener, event) so that off() with the user's function finds it.
  const wrappers = new WeakMap<Listener<never>, Map<string, Listener<unknown>>>();

  const wrap = (event: string, listener: Listener<never>): Listener<unknown> => {
    let byEvent = wrappers.get(listener);
    if (!byEvent) wrappers.set(listener, (byEvent = new Map()));
    let guarded = byEvent.get(event);
    if (!guarded) {
      guarded = (payload) => {
        try {
          (listener as Listener<unknown>)(payload);
        } catch (error) {
          onListenerError(error, event);
        }
      };
      byEvent.set(event, guarded);
    }
    return guarded;
  };

  const off = (event: string, listener: Listener<never>): void => {
    const guarded = wrappers.get(listener)?.get(event);
    if (guarded) ee.off(event, guarded);
  };

  return {
    on(event, listener) {
      ee.on(event, wrap(event, listener as Listener<never>));
      return () => off(event, listener as Listener<never>);
    },
    once(event, listener) {
      ee.once(event, wrap(event, listener as Listener<never>));
      return () => off(event, listener as Listener<never>);
    },
    off(event, listener) {
      off(event, listener as Listener<never>);
    },
    emit(event, payload) {
      ee.emit(event, payload);
    },
    clear() {
      ee.removeAllListeners();
    },
  };
}
