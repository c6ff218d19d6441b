export { createVisitor } from './core/visitor.js';
export type { Visitor, VisitorEventMap, TimerEvent } from './core/visitor.js';
export type { Typing } from './realtime/typing.js';
export type { VisitorOptions } from './core/options.js';
export type { TokenSource } from './core/token.js';
export type { Logger, LogLevel } from './core/logger.js';
export type { StorageLike } from './core/storage.js';
export type { FetchLike } from './transport/http.js';
export type { EngagementEvent, CustomCommand, ErrorBody, EngagementMeta, EngagementProperties } from './core/protocol.js';
export type {
  ConnectionState,
  ConnectionChange,
  TransportKind,
  RealtimeOptions,
  WebSocketConstructor,
  WebSocketLike,
} from './realtime/connection.js';
export type { BackoffOptions } from './transport/retry-policy.js';
export type {
  CommandHandler,
  CommandHandlers,
  CommandContext,
  CommandProperties,
  CommandRegistry,
  CommandStatus,
  DefaultCommandMap,
  TimerFiring,
} from './commands/types.js';
export type { CommandOutcome } from './commands/dispatcher.js';
export { mountTranscript, DEFAULT_FALLBACK_TEXT } from './transcript/index.js';
export type {
  Transcript,
  TranscriptEntry,
  TranscriptOptions,
  TranscriptListener,
  MountTranscriptOptions,
  TypingIndicator,
} from './transcript/index.js';
export {
  EngageKitError,
  ConfigurationError,
  InvalidArgumentError,
  HttpError,
  UnauthorizedError,
  ForbiddenError,
  InvalidRequestError,
  ServerError,
  NetworkError,
  ClosedError,
  QueueFullError,
  isEngageKitError,
  isHttpError,
} from './core/errors.js';
export type { ErrorCode, ErrorName } from './core/errors.js';
