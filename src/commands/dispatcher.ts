import type { Logger } from '../core/logger.js';
import { isJsonObject, type CustomCommand } from '../core/protocol.js';
import type { ExecutedIds } from './executed-ids.js';
import type { InternalRegistry } from './registry.js';
import type { CommandStatus, TimerFiring } from './types.js';

export interface CommandOutcome {
  command: CustomCommand;
  /** The name the handler was looked up by; undefined when the command has none. */
  name: string | undefined;
  seq: number;
  status: CommandStatus;
  /** With `failed`: what the handler threw or rejected with. */
  error?: unknown;
}

export interface DispatcherDeps {
  registry: InternalRegistry<unknown>;
  executed: ExecutedIds;
  nameOf: (command: CustomCommand) => unknown;
  logger: Logger;
  /** A new, valid, not yet run command; before its handler runs (transcript, events). */
  onReceived: (command: CustomCommand, name: string | undefined, seq: number) => void;
  /** What the handler came to (result report, events). */
  onOutcome: (outcome: CommandOutcome) => void;
  /**
   * Takes a command out of the run-on-receipt path (a scheduled command):
   * returns its status, and the reason with `failed`; undefined lets it run.
   */
  intercept?: (command: CustomCommand, name: string | undefined, seq: number) => [CommandStatus, string?] | undefined;
}

/** Reports a handler's outcome: `failed` comes with what it threw. */
export type Settle = (status: CommandStatus, error?: unknown) => void;

/** Longest id we accept: a UUID is 36; anything far longer is not a command id. */
const MAX_ID_LENGTH = 128;

/**
 * Turns one frame payload into at most one handler call. Everything from the
 * network is untrusted: a frame that is not a well-formed command is logged
 * and skipped, and never reaches a handler.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const { executed, logger } = deps;

  /** Runs the handler `name` resolves to; a scheduler calls it again when a timer fires. */
  const run = (command: CustomCommand, name: string | undefined, seq: number, settle: Settle, timer?: TimerFiring): void => {
    const handler = deps.registry.resolve(name);
    const label = `the handler of "${name ?? '*'}"`;
    const failed = (error: unknown) => {
      logger.warn(`${label} failed`, error);
      settle('failed', error);
    };
    if (!handler) {
      logger.warn(`no handler for command ${name === undefined ? '(no name)' : `"${name}"`} (${command.id})`);
      return settle('unhandled');
    }
    let result: unknown;
    try {
      result = handler(command.properties, timer ? { command, name: name ?? '', seq, timer } : { command, name: name ?? '', seq });
    } catch (error) {
      return failed(error);
    }
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(() => settle('executed'), failed);
    } else {
      settle('executed');
    }
  };

  return {
    run,
    dispatch(seq: unknown, raw: unknown): void {
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
        logger.warn('ignored a command frame without a valid seq', seq);
        return;
      }
      const problem = invalidCommand(raw);
      if (problem) {
        // Never run, but consumed: a reconnect must not fetch it again.
        executed.advance(seq);
        logger.warn(`ignored command at seq ${seq}: ${problem}`);
        return;
      }
      const command = raw as CustomCommand;
      if (executed.has(command.id)) {
        executed.advance(seq);
        logger.debug(`command ${command.id} ran before: skipped`);
        return;
      }
      // Recorded before the handler runs: if the page goes away mid-handler,
      // the command is not run a second time on the next load.
      executed.add(command.id, seq);

      let name: string | undefined;
      try {
        const value = deps.nameOf(command);
        name = typeof value === 'string' && value !== '' ? value : undefined;
      } catch (error) {
        logger.warn(`the commandName function threw for command ${command.id}`, error);
      }
      deps.onReceived(command, name, seq);

      const settle: Settle = (status, error) => {
        const outcome: CommandOutcome = { command, name, seq, status };
        if (status === 'failed') outcome.error = error;
        deps.onOutcome(outcome);
      };
      const intercepted = deps.intercept?.(command, name, seq);
      if (intercepted) settle(...intercepted);
      else run(command, name, seq, settle);
    },
  };
}

/** Why `value` is not a command we may run, or undefined when it is one. */
export function invalidCommand(value: unknown): string | undefined {
  if (!isJsonObject(value)) return 'not an object';
  const { id, properties, content } = value as Record<string, unknown>;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) return 'id is not a string of 1 to 128 characters';
  if (!isJsonObject(properties)) return 'properties is not an object';
  if (content !== undefined && content !== null && typeof content !== 'string') return 'content is neither a string nor null';
  return undefined;
}

/** The message of anything thrown, without ever throwing itself. */
export function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) return error.message || error.name;
    if (typeof error === 'string') return error;
    return JSON.stringify(error) ?? String(error);
  } catch {
    return 'unknown error';
  }
}
