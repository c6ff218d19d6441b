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

/**
 * Turns one frame payload into at most one handler call. Everything from the
 * network is untrusted: a frame that is not a well-formed command is logged
 * and skipped, and never reaches a handler.
 */
export function createDispatcher({ registry, executed, nameOf, logger, onReceived, onOutcome, intercept }: DispatcherDeps) {
  /** Runs the handler `name` resolves to; a scheduler calls it again when a timer fires. */
  const run = (command: CustomCommand, name: string | undefined, seq: number, settle: Settle, timer?: TimerFiring): void => {
    const handler = registry.resolve(name);
    const ok = () => settle('executed');
    const failed = (error: unknown) => {
      logger.warn(`handler "${name ?? '*'}" failed`, error);
      settle('failed', error);
    };
    if (!handler) return logger.warn(`no handler for command "${name ?? ''}"`, command.id), settle('unhandled');
    try {
      // A handler's return value is only looked at for a `then`: a promise's rejection is a failure too.
      const result = handler(command.properties, { command, name: name ?? '', seq, ...(timer && { timer }) }) as PromiseLike<unknown> | undefined;
      if (result?.then) return void result.then(ok, failed);
    } catch (error) {
      return failed(error);
    }
    ok();
  };

  return {
    run,
    // Typed inside, `unknown` outside: the frame comes straight from the network.
    dispatch: ((s: number, command: CustomCommand): void => {
      const valid = Number.isSafeInteger(s) && s > 0;
      const problem = valid ? invalidCommand(command) : 'bad seq';
      if (problem || executed.has(command.id)) {
        // Never run (again), but consumed: a reconnect must not fetch it again.
        if (valid) executed.advance(s);
        // A repeat is routine after a reconnect (debug); a malformed frame is not (warn).
        return logger[problem ? 'warn' : 'debug'](`skipped command at seq ${s}: ${problem || 'ran before'}`, command);
      }
      // Recorded before the handler runs: if the page goes away mid-handler,
      // the command is not run a second time on the next load.
      executed.add(command.id, s);

      let name: string | undefined;
      try {
        const value = nameOf(command);
        if (typeof value == 'string' && value) name = value;
      } catch (error) {
        logger.warn(`option "commandName" threw for ${command.id}`, error);
      }
      onReceived(command, name, s);

      const settle: Settle = (status, error) => {
        const outcome: CommandOutcome = { command, name, seq: s, status };
        if (status == 'failed') outcome.error = error;
        onOutcome(outcome);
      };
      const intercepted = intercept?.(command, name, s);
      if (intercepted) settle(...intercepted);
      else run(command, name, s, settle);
    }) as (seq: unknown, raw: unknown) => void,
  };
}

/** Why `value` is not a command we may run, or undefined when it is one. */
export function invalidCommand(value: unknown): string | undefined {
  const { id, properties, content } = (isJsonObject(value) ? value : {}) as Record<string, unknown>;
  return typeof id == 'string' && id && id.length < 129 && isJsonObject(properties) && (content == null || typeof content == 'string')
    ? undefined
    : 'not {id: 1-128 chars, properties: {}, content?: string|null}';
}

/** The message of anything thrown, without ever throwing itself. */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message || error.name : typeof error == 'string' ? error : JSON.stringify(error) ?? '' + error;
  } catch {
    return 'unknown error';
  }
}
