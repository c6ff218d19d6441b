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

/** A registration: the user's listener, and whether it runs once. */
type Entry = [listener: Listener<unknown>, once?: boolean];

/**
 * A typed emitter that suits a host page: a listener that throws is reported
 * (to `onListenerError`) and the other listeners and the SDK go on, instead of
 * the exception unwinding through whatever SDK code happened to emit.
 *
 * Written here rather than taken from eventemitter3 (2.7 KB minified, a tenth
 * of the size budget) because the SDK needs only these five methods. Each
 * event's list is replaced, never mutated, so an `emit` walks the listeners
 * registered when it began, whatever they add or remove meanwhile.
 */
export function createEmitter<M extends EventMap>(
  onListenerError: (error: unknown, event: string) => void,
): InternalEmitter<M> {
  let lists: Record<string, Entry[]> = {};
  const keep = (event: string, test: (entry: Entry) => boolean) => {
    lists[event] = (lists[event] || []).filter(test);
  };
  const off = (event: string, listener: Listener<never>) => keep(event, (entry) => entry[0] !== listener);
  const add = (event: string, listener: Listener<never>, once?: boolean) => {
    lists[event] = [...(lists[event] || []), [listener as Listener<unknown>, once]];
    return () => off(event, listener);
  };

  return {
    on: (event, listener) => add(event, listener as Listener<never>),
    once: (event, listener) => add(event, listener as Listener<never>, true),
    off: (event, listener) => off(event, listener as Listener<never>),
    emit(event, payload) {
      for (const entry of lists[event] || []) {
        if (entry[1]) keep(event, (other) => other !== entry);
        try {
          entry[0](payload);
        } catch (error) {
          onListenerError(error, event);
        }
      }
    },
    clear() {
      lists = {};
    },
  };
}
