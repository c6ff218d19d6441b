import EventEmitter from 'eventemitter3';

/** A map from event name to the payload its listeners receive. */
// An object type, not an index signature, so that interfaces satisfy it.
export type EventMap = object;

export type Listener<T> = (payload: T) => void;

export interface Emitter<M extends EventMap> {
  /** Calls `listener` on every `event`; returns the function that removes it. */
  on<K extends keyof M & string>(event: K, listener: Listener<M[K]>): () => void;
  /** Calls `listener` on the next `event` only; returns the function that removes it. */
  once<K extends keyof M & string>(event: K, listener: Listener<M[K]>): () => void;
  off<K extends keyof M & string>(event: K, listener: Listener<M[K]>): void;
}

export interface InternalEmitter<M extends EventMap> extends Emitter<M> {
  emit<K extends keyof M & string>(event: K, payload: M[K]): void;
  /** Someone listens to `event`: a payload nobody would get need not be built (a hot path's emits). */
  has(event: keyof M & string): boolean;
  /** Removes every listener. */
  clear(): void;
}

/**
 * A typed emitter on eventemitter3 that suits a host page: a listener that
 * throws is reported to `onListenerError`, and the other listeners and the
 * SDK go on, instead of the exception unwinding through whatever SDK code
 * happened to emit.
 *
 * Each listener is registered as eventemitter3's context of one shared guard
 * function, so `off(event, listener)` finds it by (guard, listener) without a
 * map of wrappers. As with eventemitter3, an `emit` calls the listeners that
 * were registered when it began.
 */
export function createEmitter<M extends EventMap>(onListenerError: (error: unknown, event: string) => void): InternalEmitter<M> {
  const emitter = new EventEmitter();
  // `emit` passes the event name along, for the report.
  function guard(this: Listener<unknown>, payload: unknown, event: string) {
    try {
      this(payload);
    } catch (error) {
      onListenerError(error, event);
    }
  }
  const off = (event: string, listener: Listener<never>) => void emitter.off(event, guard, listener);
  const add = (method: 'on' | 'once', event: string, listener: Listener<never>) => {
    emitter[method](event, guard, listener);
    return () => off(event, listener);
  };
  return {
    on: (event, listener) => add('on', event, listener as Listener<never>),
    once: (event, listener) => add('once', event, listener as Listener<never>),
    off: (event, listener) => off(event, listener as Listener<never>),
    emit: (event, payload) => void emitter.emit(event, payload, event),
    has: (event) => emitter.listenerCount(event) > 0,
    clear: () => void emitter.removeAllListeners(),
  };
}
