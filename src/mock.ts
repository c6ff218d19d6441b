/**
 * `engagekit/mock`: the reference server, as MSW handlers. Runs under
 * `setupServer` (Node) and `setupWorker` (browser) alike.
 */
export { createMockBackend } from './mock/create-mock-backend.js';
export type { MockBackend, MockBackendOptions, MockCommandEntry, MockLogger, MockPersistOptions } from './mock/create-mock-backend.js';
export type { StorageLike } from './shared/storage.js';
export type { EngagementCredentials, StoredCommand } from './mock/store.js';
export type {
  CommandResult,
  CommandStatus,
  CustomCommand,
  EngagementEvent,
  EngagementMeta,
  EngagementProperties,
  MetaChange,
  ReadReceipt,
  TypingStatus,
  TypingView,
  LongPollPage,
  AdminEngagement,
  AdminEngagementInit,
  AdminCommandEntry,
} from './protocol/wire.js';
export { MAX_POLL_WAIT } from './protocol/wire.js';
export { MAX_JSON_DEPTH, TOO_DEEP_MESSAGE, NUMBER_RANGE_MESSAGE } from './mock/json-limits.js';
export { ADMIN_PREFIX } from './mock/admin.js';
/** @deprecated Use `CommandStatus` (the same type). */
export type { CommandStatus as CommandResultStatus } from './protocol/wire.js';
export { MAX_BODY_BYTES, TOO_LARGE_MESSAGE, INVALID_SIGNATURE_MESSAGE } from './mock/limits.js';
export { TYPING_TOO_MANY, TYPING_LIMIT, TYPING_WINDOW_MS, TYPING_TTL_MS } from './mock/typing.js';
export { AUTH_MISSING, AUTH_INVALID } from './mock/respond.js';
export { EVENTS_FORBIDDEN } from './mock/events.js';
export type { MockFaults, FaultCounts, HttpFaultKind } from './mock/faults.js';
