/**
 * The wire shapes of the custom command extensions (docs/protocol.md,
 * "Delivery to the visitor", "Command results"). They live here, not in
 * src/core/protocol.ts, because only the reference server needs them whole;
 * the SDK declares what it reads of them on its side.
 */
import type { CustomCommand, EngagementMeta } from '../core/protocol.js';

/** What the visitor reports a command came to; `scheduled`: its handler runs when its timer fires (seed 002). */
export type CommandResultStatus = 'executed' | 'failed' | 'unhandled' | 'scheduled';

/** The stored result of a command (`POST .../result` 200 body). */
export interface CommandResult {
  command_id: string;
  status: CommandResultStatus;
  /** The handler's error message, only with `failed`; at most 1,000 characters. */
  error: string | null;
  /** When the server took the report: `2019-08-28T13:55:24Z`. */
  reported_at: string;
}

/** A command in its engagement's stream: the polling body's items, the `command` frame's payload. */
export interface SequencedCommand {
  seq: number;
  command: CustomCommand;
}

/** `GET .../custom_commands?after=N` 200 body. */
export interface CommandPage {
  commands: SequencedCommand[];
  /** The engagement's highest `seq` (0 before the first command). */
  last_seq: number;
  /** The engagement's metadata and properties, whole; absent while both are empty. */
  meta?: EngagementMeta;
}

/** `GET .../custom_commands/{command_id}` 200 body (operator); `read_at` once the visitor marked it read. */
export type OperatorCommandView = CustomCommand & { seq: number; result: CommandResult | null; read_at?: string };

/** `POST .../custom_commands/{command_id}/read` 200 body. */
export interface ReadReceipt {
  command_id: string;
  /** The first time the visitor marked it read: `2019-08-28T13:55:24Z`. */
  read_at: string;
}

/** Someone's typing, as `GET .../typing` shows it. */
export interface TypingView {
  active: boolean;
  /** While active, when the sender sent one. */
  preview?: string;
}

/** `GET /engagements/{id}/typing` 200 body (operator). */
export interface TypingStatus {
  visitor: TypingView;
  operator: TypingView;
}

/** The `typing` frame: the operator started or stopped typing. */
export type TypingFrame = { type: 'typing'; sender: 'operator' } & TypingView;

/** Server → client frames on the command stream. */
export type ServerFrame =
  | { type: 'ready'; last_seq: number }
  | ({ type: 'command' } & SequencedCommand)
  | { type: 'pong' }
  | ({ type: 'meta' } & EngagementMeta)
  | TypingFrame
  | { type: 'error'; status: 400 | 401 | 403 | 404; message: string; debug_message: string };
