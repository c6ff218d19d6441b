export { createVisitor } from './core/visitor.js';
export type { Visitor, VisitorEventMap } from './core/visitor.js';
export type { VisitorOptions } from './core/options.js';
export type { TokenSource } from './core/token.js';
export type { Logger, LogLevel } from './core/logger.js';
export type { FetchLike } from './transport/http.js';
export type { EngagementEvent, CustomCommand, ErrorBody } from './core/protocol.js';
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
  isEngageKitError,
  isHttpError,
} from './core/errors.js';
export type { ErrorCode, ErrorName } from './core/errors.js';
