import type { CustomCommand } from '../core/protocol.js';

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
  /** Set when a scheduled command's timer fired (seed 002); absent on receipt. */
  timer?: TimerFiring;
}

/** A firing of a scheduled command's timer. */
export interface TimerFiring {
  /** The command's `timerName`. */
  name: string;
  /** When it fired (epoch ms). */
  at: number;
  /** How many firings this run stands for: more than 1 when no page was open through several. */
  missed: number;
}

/** Runs a command. May be async; a throw or rejection is reported as `failed`, never rethrown. */
export type CommandHandler<P = CommandProperties> = (properties: P, context: CommandContext<P>) => void | Promise<void>;

/** The handler map: one handler per declared name, plus `'*'` for the rest. */
export type CommandHandlers<M> = { [K in keyof M & string]?: CommandHandler<M[K]> } & {
  '*'?: CommandHandler<CommandProperties>;
};

/**
 * What a command came to. `scheduled`: it carries a timer (seed 002) and its
 * handler runs when the timer fires, not on receipt.
 */
export type CommandStatus = 'executed' | 'failed' | 'unhandled' | 'scheduled';

export interface CommandRegistry<M> {
  /** Adds or replaces the handler of `name`; returns a function that removes it. */
  register<K extends (keyof M & string) | '*'>(
    name: K,
    handler: K extends '*' ? CommandHandler<CommandProperties> : CommandHandler<M[K & keyof M]>,
  ): () => void;
  unregister(name: (keyof M & string) | '*'): void;
  has(name: string): boolean;
}
