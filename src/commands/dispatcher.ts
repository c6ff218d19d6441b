import { invalidCommand, type CommandStatus, type CustomCommand } from '../protocol/wire.js';
import type { Logger } from '../shared/logger.js';
import type { CommandState } from './command-state.js';
import type { RunHandler, Settle } from './run.js';
import type { Scheduler } from './scheduler.js';

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
  executed: Pick<CommandState, 'has' | 'add' | 'advance'>;
  /** The handler name of a command (option `commandName`). */
  nameOf: (command: CustomCommand) => unknown;
  /** Takes scheduled commands out of the run-on-receipt path. */
  scheduler: Pick<Scheduler, 'accept'>;
  run: RunHandler;
  logger: Logger;
  /** A new, valid, not yet run command; before its handler runs (transcript, events). */
  onReceived: (command: CustomCommand, name: string | undefined, seq: number) => void;
  /** What the handler came to (result report, events). */
  onOutcome: (outcome: CommandOutcome) => void;
}

export interface Dispatcher {
  /** One command of the stream, straight from the network: validated, deduplicated, run at most once. */
  dispatch(seq: unknown, command: unknown): void;
}

/**
 * Turns one frame payload into at most one handler call. Everything from the
 * network is untrusted: a frame that is not a well-formed command is logged
 * and skipped, and never reaches a handler.
 */
export function createDispatcher({ executed, nameOf, scheduler, run, logger, onReceived, onOutcome }: DispatcherDeps): Dispatcher {
  return {
    dispatch(s, raw) {
      const seq = s as number;
      const valid = Number.isSafeInteger(seq) && seq > 0;
      const problem = valid ? invalidCommand(raw) : 'bad seq';
      const command = raw as CustomCommand;
      if (problem !== undefined || executed.has(command.id)) {
        // Never run (again), but consumed: a reconnect must not fetch it again.
        if (valid) executed.advance(seq);
        // A repeat is routine after a reconnect (debug); a malformed frame is not (warn).
        logger[problem === undefined ? 'debug' : 'warn'](`skipped command at seq ${String(s)}: ${problem ?? 'ran before'}`, raw);
        return;
      }
      // Recorded before the handler runs: if the page goes away mid-handler,
      // the command is not run a second time on the next load.
      executed.add(command.id, seq);

      let name: string | undefined;
      try {
        const value = nameOf(command);
        if (typeof value === 'string' && value !== '') name = value;
      } catch (error) {
        logger.warn(`option "commandName" threw for ${command.id}`, error);
      }
      onReceived(command, name, seq);

      const settle: Settle = (status, error) => {
        const outcome: CommandOutcome = { command, name, seq, status };
        if (status === 'failed') outcome.error = error;
        onOutcome(outcome);
      };
      const scheduled = scheduler.accept(command, name, seq);
      if (scheduled) settle(...scheduled);
      else run(command, name, seq, settle);
    },
  };
}
