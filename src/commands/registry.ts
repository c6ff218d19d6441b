import { badArgument, isFunction } from '../shared/check.js';
import type { CommandHandler, CommandRegistry } from './types.js';

export interface InternalRegistry<M> extends CommandRegistry<M> {
  /** The handler for `name`, else the `'*'` handler, else undefined. */
  resolve(name: string | undefined): CommandHandler | undefined;
}

/**
 * A Map, not an object: a command named `constructor` or `__proto__` must
 * find no handler rather than one from Object.prototype.
 */
export function createRegistry<M>(initial: Record<string, CommandHandler>): InternalRegistry<M> {
  // `initial` was validated by resolveVisitorOptions (a ConfigurationError there).
  const handlers = new Map(Object.entries(initial));
  return {
    register(name, handler) {
      if (typeof name !== 'string' || !name) badArgument('commands.register', 'name', 'a non-empty string', name);
      if (!isFunction(handler)) badArgument('commands.register', 'handler', 'a function', handler);
      handlers.set(name, handler as CommandHandler);
      return () => {
        if (handlers.get(name) === handler) handlers.delete(name);
      };
    },
    unregister: (name) => void handlers.delete(name),
    has: (name) => handlers.has(name),
    // Names are non-empty strings: `undefined` (a command without one) finds none of them.
    resolve: (name) => handlers.get(name!) ?? handlers.get('*'),
  };
}
