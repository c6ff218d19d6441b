import type { CommandStatus, CustomCommand } from '../protocol/wire.js';

export type { CommandStatus } from '../protocol/wire.js';

/** The properties of a command: free-form JSON, as the operator sent it. */
export type CommandProperties = Record<string, unknown>;

/**
 * The commands a site handles, by name, with the type of their properties:
 * `createVisitor<{ highlight: { selector: string } }>(...)`. Without one, any
 * name is accepted and properties are `Record<string, unknown>`.
 */
export type DefaultCommandMap = Record<string, CommandProperties>;

export interface CommandContext<P = CommandProperties> {
  /** The whole command: `id`, `content`, `properties`, ... */
  command: CustomCommand<P>;
  /** The name the handler was chosen by (`'*'` handlers see the real name). */
  name: string;
  /** The command's position in the engagement's stream. */
  seq: number;
  /** Set when a scheduled command's timer fired (SendCommand's timers); absent on receipt. */
  timer?: TimerFiring & {
    /** @deprecated The same as `timerName`. */
    name: string;
  };
}

/** A firing of a scheduled command's timer (SendCommand's programmable timers). */
export interface TimerFiring {
  /** The command's `timerName`. */
  timerName: string;
  /** When it fired (epoch ms). */
  at: number;
  /** How many firings this run stands for: more than 1 when no page was open through several. */
  missed: number;
}

/** The payload of the `timer:fired` event: one firing, and what its handler came to. */
export interface TimerFiredEvent extends TimerFiring {
  /** The command that set the timer. */
  command: CustomCommand;
  /** The handler's name (as in `command:result`). */
  name: string | undefined;
  status: Exclude<CommandStatus, 'scheduled'>;
  /** With `failed`: what the handler threw or rejected with. */
  error?: unknown;
}

/** Runs a command. May be async; a throw or rejection is reported as `failed`, never rethrown. */
export type CommandHandler<P = CommandProperties> = (properties: P, context: CommandContext<P>) => void | Promise<void>;

/** The handler map: one handler per declared name, plus `'*'` for the rest. */
export type CommandHandlers<M> = { [K in keyof M & string]?: CommandHandler<M[K]> } & {
  '*'?: CommandHandler<CommandProperties>;
};

export interface CommandRegistry<M> {
  /** Adds or replaces the handler of `name`; returns a function that removes it. */
  register<K extends (keyof M & string) | '*'>(
    name: K,
    handler: K extends '*' ? CommandHandler<CommandProperties> : CommandHandler<M[K & keyof M]>,
  ): () => void;
  unregister(name: (keyof M & string) | '*'): void;
  has(name: string): boolean;
}
