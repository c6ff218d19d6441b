import type { CommandOutcome } from '../commands/dispatcher.js';
import type { TimerFiredEvent } from '../commands/types.js';
import type { CustomCommand, EngagementEvent, EngagementMeta } from '../protocol/wire.js';
import type { ConnectionChange } from '../realtime/connection.js';
import type { EngageKitError } from '../shared/errors.js';

/**
 * What a visitor emits; subscribe with `visitor.on(name, listener)`. Every
 * name has one form, `subject:what-happened`.
 */
export interface VisitorEventMap {
  /** The server stored an event. */
  'event:recorded': { event: EngagementEvent };
  /**
   * The server refused an event for good (a status a resend would only
   * repeat: a 4xx other than 408, 425 and 429, or a 501 or 505); `recordEvent`
   * rejected with the same error. `id`: as in `event:dropped`.
   */
  'event:failed': { message: string; id: string; error: EngageKitError };
  /** The queue was full: this event was dropped (`queue.overflow`). */
  'event:dropped': { message: string; id: string; reason: 'overflow' };
  /** A new command arrived; its handler runs right after (a scheduled command's when its timer fires). */
  'command:received': { command: CustomCommand; name: string | undefined; seq: number };
  /**
   * How a command was handled: its handler finished (`executed`), threw
   * (`failed`), or there was none (`unhandled`); or the command set a timer
   * (`scheduled`), changed one (`executed`), or had an invalid schedule
   * (`failed`, with the reason). This is what is reported to the server.
   */
  'command:handled': CommandOutcome;
  /** A scheduled command's timer fired and its handler ran. */
  'timer:fired': TimerFiredEvent;
  /** The operator changed the engagement's metadata or properties; the whole new state (also `visitor.meta`). */
  'meta:changed': EngagementMeta;
  /** The realtime connection changed state (also `visitor.connection`). */
  'connection:changed': ConnectionChange;
  /** The server refused the connection for good (bad token, wrong engagement). */
  'connection:refused': { error: EngageKitError };
}

/** The names of 0.1, kept while 0.x (CHANGELOG.md). */
export interface DeprecatedVisitorEventMap {
  /** @deprecated Use `'connection:changed'`. */
  connection: ConnectionChange;
  /** @deprecated Use `'command:received'`. */
  command: VisitorEventMap['command:received'];
  /** @deprecated Use `'command:handled'`. */
  'command:result': CommandOutcome;
  /** @deprecated Use `'timer:fired'`. */
  timer: TimerFiredEvent;
  /** @deprecated Use `'meta:changed'`. */
  meta: EngagementMeta;
  /** @deprecated Use `'connection:refused'`. */
  error: { error: EngageKitError };
}

export type AllVisitorEvents = VisitorEventMap & DeprecatedVisitorEventMap;

/** Each deprecated name and the name it stands for. */
export const EVENT_ALIASES: Readonly<Record<keyof DeprecatedVisitorEventMap, keyof VisitorEventMap>> = {
  connection: 'connection:changed',
  command: 'command:received',
  'command:result': 'command:handled',
  timer: 'timer:fired',
  meta: 'meta:changed',
  error: 'connection:refused',
};
