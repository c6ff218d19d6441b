import type { EngageKitError } from '../shared/errors.js';

/**
 * What a transport strategy (./websocket.ts, ./polling.ts) tells the
 * connection's state machine (./connection.ts) about one attempt.
 */

/** How an attempt ended. */
export interface AttemptEnd {
  reason: string;
  /** The socket's close code, or 4000 + the HTTP status of a failed poll; absent for a network failure. */
  code?: number;
  /** The server's `error` frame, when a socket was refused. */
  refusal?: { message?: string; debug_message?: string };
  /** The failed poll's error (the HTTP client has already tried a fresh token after a 401). */
  error?: EngageKitError;
}

export interface AttemptHandlers {
  /**
   * Commands flow (the socket's `ready`, a poll's answer). `lastSeq`: the
   * server's newest position, to tell a stored position it does not know.
   */
  onOpen(lastSeq: unknown): void;
  /** One command, not yet validated. */
  onCommand(seq: unknown, command: unknown): void;
  /** The engagement's state, not yet validated. */
  onMeta(state: unknown): void;
  /** A `typing` frame, not yet validated. */
  onTyping(frame: unknown): void;
  /** The attempt is over; the connection decides what comes next. */
  onEnd(end: AttemptEnd): void;
}

/** One running attempt of a transport. */
export interface TransportAttempt {
  /** Stops it and releases everything it holds; no handler is called afterwards. */
  close(): void;
}

export type TransportKind = 'websocket' | 'polling';
