import type { CustomCommand, CommandStatus } from '../protocol/wire.js';
import type { Logger } from '../shared/logger.js';
import type { InternalRegistry } from './registry.js';
import type { CommandContext } from './types.js';

/** Reports a handler's outcome: `failed` comes with what it threw. */
export type Settle = (status: CommandStatus, error?: unknown) => void;

/** Runs the handler `name` resolves to, once; `timer` when a scheduled command's timer fired. */
export type RunHandler = (command: CustomCommand, name: string | undefined, seq: number, settle: Settle, timer?: CommandContext['timer']) => void;

/**
 * Calls handlers: the one place a command's handler is invoked, on receipt
 * (the dispatcher) and when its timer fires (the scheduler). A handler that
 * throws or rejects is `failed`, never rethrown; no handler is `unhandled`.
 */
export function createRunner({ registry, logger }: { registry: InternalRegistry<unknown>; logger: Logger }): RunHandler {
  const failed = (name: string | undefined, settle: Settle, error: unknown) => {
    logger.warn(`handler "${name ?? '*'}" failed`, error);
    settle('failed', error);
  };
  return (command, name, seq, settle, timer) => {
    const handler = registry.resolve(name);
    if (!handler) {
      logger.warn(`no handler for command "${name ?? ''}"`, command.id);
      return settle('unhandled');
    }
    // Built property by property, not spread: one shape on the hot path, `timer` added only when a timer fired.
    const context: CommandContext = { command, name: name ?? '', seq };
    if (timer) context.timer = timer;
    let result: PromiseLike<unknown> | undefined;
    try {
      result = handler(command.properties, context) as PromiseLike<unknown> | undefined;
    } catch (error) {
      return failed(name, settle, error);
    }
    // A handler's return value is only looked at for a `then`: a promise's rejection is a failure too.
    // (Closures only for a promise: a handler that returns nothing, the usual case, costs none.)
    if (typeof result?.then === 'function') result.then(() => settle('executed'), (error: unknown) => failed(name, settle, error));
    else settle('executed');
  };
}
