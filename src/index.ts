/**
 * `engagekit`: the visitor SDK. One factory, `createVisitor`; the optional
 * transcript renderer, `mountTranscript`; the error classes and their guards.
 */
export { createVisitor } from './visitor/create-visitor.js';
export type { Visitor, VisitorEventMap, DeprecatedVisitorEventMap } from './visitor/create-visitor.js';
export type { VisitorOptions } from './visitor/options.js';
export type { Typing } from './visitor/typing.js';
export type { TokenSource } from './http/token.js';
export type { FetchLike } from './http/client.js';
export type { BackoffOptions } from './http/retry-policy.js';
export type { Logger, LogLevel } from './shared/logger.js';
export type { StorageLike } from './shared/storage.js';
export type { LockManagerLike } from './shared/locks.js';
export type {
  EngagementEvent,
  CustomCommand,
  ErrorBody,
  EngagementMeta,
  EngagementProperties,
  CommandStatus,
  ReadReceipt,
} from './protocol/wire.js';
export type { ConnectionState, ConnectionChange, RealtimeOptions } from './realtime/connection.js';
export type { TransportKind } from './realtime/transport.js';
export type { WebSocketConstructor, WebSocketLike } from './realtime/websocket.js';
export type {
  CommandHandler,
  CommandHandlers,
  CommandContext,
  CommandProperties,
  CommandRegistry,
  DefaultCommandMap,
  TimerFiring,
  TimerFiredEvent,
} from './commands/types.js';
export type { CommandOutcome } from './commands/dispatcher.js';
export { mountTranscript, type MountTranscriptOptions } from './transcript/render.js';
export {
  DEFAULT_FALLBACK_TEXT,
  type Transcript,
  type TranscriptEntry,
  type TranscriptOptions,
  type TranscriptListener,
  type TranscriptChange,
  type TypingIndicator,
} from './transcript/model.js';
export {
  EngageKitError,
  ConfigurationError,
  InvalidArgumentError,
  HttpError,
  UnauthorizedError,
  ForbiddenError,
  InvalidRequestError,
  RetryLaterError,
  ServerError,
  NetworkError,
  ClosedError,
  QueueFullError,
  isEngageKitError,
  isHttpError,
} from './shared/errors.js';
export type { ErrorCode, ErrorName, HttpErrorDetails } from './shared/errors.js';

/** @deprecated Use `TimerFiredEvent` (the same type). */
export type { TimerFiredEvent as TimerEvent } from './commands/types.js';
