/**
 * The wire contract, in one module: what the SDK, the operator client and the
 * reference server send each other. docs/protocol.md says the same in prose;
 * keep the two in step.
 *
 * Types and pure functions only: no I/O, no clock, no global. It imports
 * nothing but the shared primitives, so every side can depend on it.
 */
import { isJsonObject } from '../shared/check.js';

/** The one API version of Glia's REST API (`Accept`). */
export const MEDIA_TYPE = 'application/vnd.salemove.v1+json';

// ---- Resources ---------------------------------------------------------

/** An event message as the server returns it (Glia's `POST .../events`, 200 response). */
export interface EngagementEvent {
  /** ISO 8601, whole seconds, UTC: `2019-08-28T13:55:24Z`. */
  timestamp: string;
  id: string;
  engagement_id: string;
  sub_engagement_id: string;
  content: string;
  status: 'sent';
  sender: { type: 'visitor' };
  target: 'operator';
}

/** A custom command as the server returns it (Glia's `PUT .../custom_commands/{id}`, response). */
export interface CustomCommand<P = Record<string, unknown>> {
  id: string;
  engagement_id: string;
  sub_engagement_id: string;
  /** `null` when the operator sent none: the transcript then shows a generic text. */
  content: string | null;
  properties: P;
}

/**
 * The most timers one visitor (engagement) can have set: scheduled commands
 * (docs/protocol.md). The reference server refuses, at the PUT, a command that
 * would set one more (it counts from the commands it accepted); the visitor's
 * SDK, which knows which timers are really pending, reports it `failed`.
 */
export const MAX_TIMERS = 100;

/** Most items in one `POST .../events/batch` or `POST .../custom_commands/results` (extensions): the server refuses more with 400. */
export const MAX_BATCH_ITEMS = 500;

/** The error body of every non-2xx response (Glia's REST API). */
export interface ErrorBody {
  message: string;
  debug_message: string;
}

/** The properties ChatShipper's `/set @property value` changes. */
export const ENGAGEMENT_PROPERTIES = ['name', 'category', 'touchpoint', 'language'] as const;
export type EngagementProperty = (typeof ENGAGEMENT_PROPERTIES)[number];

/** The values of `touchpoint` (ChatShipper). */
export const TOUCHPOINTS = ['web', 'email', 'sms', 'facebook'] as const;

/** Engagement properties, as ChatShipper's `/set @property value` changes them. */
export interface EngagementProperties {
  name?: string;
  /** A category name, or the zero-based index of its slot. */
  category?: string | number;
  touchpoint?: (typeof TOUCHPOINTS)[number];
  /** Two lowercase letters, e.g. `de`. */
  language?: string;
}

/** The engagement's metadata and properties, whole (extension: `POST .../meta`, the `meta` frame). */
export interface EngagementMeta {
  /** Free-form; `/set key value` and `/set {...}` merge into it. */
  meta: Record<string, unknown>;
  properties: EngagementProperties;
}

/** The body of `POST .../meta`: either part, or both. */
export interface MetaChange {
  /** Merged into the engagement's metadata key by key (a key's value is replaced, never deep-merged). */
  meta?: Record<string, unknown>;
  /** ChatShipper's `/set @name`, `@category`, `@touchpoint`, `@language`. */
  properties?: EngagementProperties;
}

/**
 * What a command came to on the visitor's page. `scheduled`: it set a timer
 * (SendCommand's programmable timers) and its handler runs when the timer fires.
 */
export type CommandStatus = 'executed' | 'failed' | 'unhandled' | 'scheduled';

/** One item of `POST .../custom_commands/results`: what the visitor reports. */
export interface ResultReport {
  command_id: string;
  status: CommandStatus;
  /** Only with `failed`: the handler's error message. */
  error?: string;
}

/** The stored result of a command (`POST .../result` 200 body). */
export interface CommandResult {
  command_id: string;
  status: CommandStatus;
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

/** `GET .../custom_commands/{command_id}` 200 body (operator): the command, its place, result and read time. */
export interface CommandWithResult extends CustomCommand {
  seq: number;
  /** `null` until the visitor reports what happened. */
  result: CommandResult | null;
  /** When the visitor marked it read; absent until then. */
  read_at?: string;
}

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

/** The body of `POST .../typing` (Engage Digital's typing.start / typing.stop). */
export interface TypingRequest {
  action: 'typing.start' | 'typing.stop';
  params: { preview?: string };
}

// ---- Paths -------------------------------------------------------------

/** `/engagements/{id}` plus `rest`: every path of the API starts so. */
export function engagementPath(engagementId: string, rest = ''): string {
  return `/engagements/${encodeURIComponent(engagementId)}${rest}`;
}

export function commandPath(engagementId: string, commandId: string): string {
  return engagementPath(engagementId, `/custom_commands/${encodeURIComponent(commandId)}`);
}

/** `http(s):` → `ws(s):`: where the command stream answers for an API base URL. */
export function toRealtimeUrl(baseUrl: string): string {
  return baseUrl.replace(/^http(s?):/i, (_, s: string) => `ws${s.toLowerCase()}:`);
}

// ---- The command stream --------------------------------------------------

/** Client → server frames. */
export type ClientFrame = { type: 'hello'; token: string; after: number } | { type: 'ping' };

/** The `typing` frame: the operator started or stopped typing. */
export type TypingFrame = { type: 'typing'; sender: 'operator' } & TypingView;

/** Server → client frames. */
export type ServerFrame =
  | { type: 'ready'; last_seq: number }
  | ({ type: 'command' } & SequencedCommand)
  | { type: 'pong' }
  | ({ type: 'meta' } & EngagementMeta)
  | TypingFrame
  | { type: 'error'; status: 400 | 401 | 403 | 404; message: string; debug_message: string };

/** Close code of a network-level drop the server made (tests, restarts): reconnect. */
export const CLOSE_DROPPED = 4000;

/** Statuses (HTTP, and stream close codes 4000 + status) after which reconnecting cannot help. */
const REFUSALS = [401, 403, 404];

/**
 * What a client does about a stream that closed with `code`, or a poll that
 * failed with HTTP `status` (pass `4000 + status`): the stream refuses with
 * 4000 + the status an HTTP request would have got (docs/protocol.md).
 *
 * - `refresh`: the token was refused (4401): get a fresh one and try again, once.
 * - `refuse`: the server will not serve this client here (4403, 4404): stop.
 * - `reconnect`: anything else (network drop, 1006, 1001 restart, 4000): back off and reconnect.
 */
export function closeAction(code: number): 'reconnect' | 'refresh' | 'refuse' {
  const status = code - 4000;
  return status === 401 ? 'refresh' : REFUSALS.includes(status) ? 'refuse' : 'reconnect';
}

/** A command the visitor may run, or why not: the check every frame and poll item passes before a handler sees it. */
export function invalidCommand(value: unknown): string | undefined {
  const { id, properties, content } = (isJsonObject(value) ? value : {}) as Record<string, unknown>;
  return typeof id === 'string' && id !== '' && id.length < 129 && isJsonObject(properties) && (content === null || content === undefined || typeof content === 'string')
    ? undefined
    : 'not {id: 1-128 chars, properties: {}, content?: string|null}';
}

/** The engagement's state from a `meta` frame or a poll's `meta`, or undefined when malformed. */
export function readMeta(value: unknown): EngagementMeta | undefined {
  const { meta, properties } = (isJsonObject(value) ? value : {}) as Record<string, unknown>;
  return isJsonObject(meta) && isJsonObject(properties) ? { meta, properties: properties as EngagementProperties } : undefined;
}

/** The operator's typing from a `typing` frame: the view, or undefined when not typing. */
export function readTyping(frame: unknown): TypingView | undefined {
  const { active, preview } = (isJsonObject(frame) ? frame : {}) as Record<string, unknown>;
  if (active !== true) return undefined;
  return typeof preview === 'string' && preview !== '' ? { active, preview } : { active };
}

// ==== Reference server extensions: long polling, admin endpoints =========
// (docs/protocol.md, "Long polling" and "The local server"). Kept together
// at the end of this file.

/** The longest a server holds a poll (`wait`, seconds): under the 30 s at which common proxies cut an idle request. */
export const MAX_POLL_WAIT = 25;

/**
 * `GET .../custom_commands?after=N&wait=S` 200 body: a `CommandPage`, and
 * `wait`, the seconds the server was willing to hold this poll (S capped at
 * `MAX_POLL_WAIT`). Present only when the request had `wait`: a server that
 * answers without it does not hold, and the client paces its polls itself.
 */
export interface LongPollPage extends CommandPage {
  wait?: number;
}

/** `POST /__engagekit/engagements` body: every field optional (fixed ids and tokens for demos and scripts). */
export interface AdminEngagementInit {
  engagementId?: string;
  subEngagementId?: string;
  visitorToken?: string;
  operatorToken?: string;
}

/** `POST /__engagekit/engagements` 201 body: everything a visitor and an operator need. */
export interface AdminEngagement {
  engagementId: string;
  subEngagementId: string;
  visitorToken: string;
  operatorToken: string;
}

/** One item of `GET /__engagekit/engagements/{id}/commands`: a command, its place, result and read time. */
export interface AdminCommandEntry {
  seq: number;
  command: CustomCommand;
  /** `null` until the visitor reports. */
  result: CommandResult | null;
  /** When the visitor marked it read; `null` until then. */
  read_at: string | null;
}
