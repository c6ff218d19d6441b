import { describe, InvalidArgumentError } from '../core/errors.js';
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
  const handlers = new Map<string, CommandHandler>();
  const add = (name: unknown, handler: unknown, where: string) => {
    if (typeof name !== 'string' || name === '') {
      throw new InvalidArgumentError('name', `${where}: a command name must be a non-empty string, got ${describe(name)}`);
    }
    if (typeof handler !== 'function') {
      throw new InvalidArgumentError('handler', `${where}: the handler of "${name}" must be a function, got ${describe(handler)}`);
    }
    handlers.set(name, handler as CommandHandler);
  };
  // `initial` was validated by resolveVisitorOptions (a ConfigurationError there).
  for (const name of Object.keys(initial)) handlers.set(name, initial[name]!);
  return {
    register(name, handler) {
      add(name, handler, 'commands.register');
      return () => {
        if (handlers.get(name) === handler) handlers.delete(name);
      };
    },
    unregister: (name) => void handlers.delete(name),
    has: (name) => handlers.has(name),
    resolve: (name) => (name === undefined ? undefined : handlers.get(name)) ?? handlers.get('*'),
  };
}
