import type { HttpClient } from '../http/client.js';
import { backoffDelay, type BackoffOptions } from '../http/retry-policy.js';
import { tokenFailure, type TokenProvider } from '../http/token.js';
import { closeAction } from '../protocol/wire.js';
import { httpErrorFor, isEngageKitError, NetworkError, type EngageKitError } from '../shared/errors.js';
import type { PageSignals } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { Timers } from '../shared/timers.js';
import { startPolling } from './polling.js';
import type { AttemptEnd, AttemptHandlers, TransportAttempt, TransportKind } from './transport.js';
import { openWebSocket, type WebSocketConstructor } from './websocket.js';

/** The realtime connection, one state at a time. */
export type ConnectionState =
  /** Created, not started (`connect: false`, or server-side rendering). */
  | { status: 'idle' }
  /** Another tab of this visitor holds the connection and runs the commands; this tab takes over when it goes. */
  | { status: 'standby' }
  /** Opening: a socket handshake or the first poll. `attempt` counts from 1. */
  | { status: 'connecting'; transport: TransportKind; attempt: number }
  /** Commands flow. */
  | { status: 'open'; transport: TransportKind }
  /** Lost; the next attempt starts in `delay` ms (at once when the browser goes `online`). */
  | { status: 'reconnecting'; transport: TransportKind; attempt: number; delay: number; reason: string }
  /** Stopped: by `close()` (or the page leaving), or for good because the server refused us (`error`). */
  | { status: 'closed'; reason: string; error?: EngageKitError };

export interface ConnectionChange {
  previous: ConnectionState;
  current: ConnectionState;
}

export interface RealtimeOptions {
  /**
   * `'auto'` opens a WebSocket and falls back to HTTP polling after
   * `fallbackAfter` failed attempts in a row (at once where there is no
   * WebSocket at all), trying the socket again every `websocketRetryInterval`.
   * @default 'auto'
   */
  transport: 'auto' | 'websocket' | 'polling';
  /** @default 3 */
  fallbackAfter: number;
  /** @default 3000 (ms) */
  pollInterval: number;
  /** @default 60000 (ms) */
  websocketRetryInterval: number;
  /** A `ping` after this long without a frame. @default 25000 (ms) */
  heartbeatInterval: number;
  /** The socket is taken for dead this long after an unanswered ping. @default 10000 (ms) */
  heartbeatTimeout: number;
  /** Reconnect delays. @default { initialDelay: 1000, maxDelay: 30000, factor: 2, jitter: 0.5 } */
  backoff: BackoffOptions;
}

/** Resolves when this tab may connect; false if it never will. `release()` gives the turn back. */
export interface Turn {
  readonly acquired: Promise<boolean>;
  release(): void;
}

export interface ConnectionDeps {
  /** `wss://.../engagements/{id}/stream` */
  streamUrl: string;
  /** `/engagements/{id}/custom_commands` */
  pollPath: string;
  getWebSocket: () => WebSocketConstructor | undefined;
  token: TokenProvider;
  http: HttpClient;
  options: RealtimeOptions;
  timers: Timers;
  logger: Logger;
  /** `online`: reconnect at once instead of after the backoff. */
  signals: PageSignals;
  /** The resume position, read at every (re)connect and poll. */
  position: () => number;
  /**
   * The server's newest position is below ours: our stored position is from
   * another server (or a reset one). The receiver resets it; the connection
   * then asks again from there.
   */
  onUnknownPosition: (serverLastSeq: number) => void;
  /** One command's payload, not yet validated. */
  onCommand: (seq: unknown, command: unknown) => void;
  /** The engagement's metadata and properties (a `meta` frame, or a poll's `meta`), not yet validated. */
  onMeta: (state: unknown) => void;
  /** A `typing` frame: the operator started or stopped typing; not yet validated. */
  onTyping: (frame: unknown) => void;
  onChange: (change: ConnectionChange) => void;
  /** Waits for this tab's turn (it leads the tabs of this visitor). Absent: connect at once. */
  waitForTurn?: () => Turn;
}

export interface Connection {
  readonly state: ConnectionState;
  /** Starts, or restarts after the server refused us or `close()`; a no-op while running. */
  connect(): void;
  /** Stops: every socket, timer and listener released. */
  close(reason?: string): void;
}

const NO_WEBSOCKET = 'there is no WebSocket here (no global WebSocket and no "WebSocket" option)';

/**
 * The connection manager, a state machine over two transport strategies
 * (./websocket.ts, ./polling.ts). One `setState()`; every timer is one of its
 * own handles; each attempt is a `TransportAttempt` whose `close()` silences
 * it, and a `generation` counter keeps the answer of a token or a refresh we
 * have given up on from acting on the current attempt. What a close means is
 * the protocol's pure `closeAction`.
 */
export function createConnection(deps: ConnectionDeps): Connection {
  const { options, timers, logger, token, streamUrl, signals } = deps;
  const { transport } = options;
  let state: ConnectionState = { status: 'idle' };
  let current: TransportAttempt | undefined;
  let generation = 0;
  let mode: TransportKind = transport === 'polling' ? 'polling' : 'websocket';
  /** Failed attempts in a row of the current transport: drives the backoff. */
  let attempt = 0;
  /** Socket attempts in a row that never got to `ready`: drives the fallback. */
  let failures = 0;
  /** A fresh token was tried since the last open: a second refusal is final. */
  let refreshed = false;
  let warnedNoWebSocket = false;
  let turn: Turn | undefined;
  let offOnline: (() => void) | undefined;
  const step = timers.timer(); // the next reconnect
  const socketRetry = timers.timer(); // while polling: the next try of the socket
  const attemptTimer = timers.timer(); // the running attempt's own (heartbeat, next poll)

  const setState = (next: ConnectionState) => deps.onChange({ previous: state, current: (state = next) });
  const enter = (status: 'connecting' | 'open' | 'reconnecting', details?: object) =>
    setState({ status, transport: mode, ...details } as ConnectionState);

  /** Ends the running attempt and the pending step: whatever was under way can no longer act. */
  const drop = () => {
    generation++;
    step.clear();
    current?.close();
    current = undefined;
  };

  const stop = (closed: { reason: string; error?: EngageKitError }) => {
    drop();
    socketRetry.clear();
    offOnline?.();
    offOnline = undefined;
    turn?.release();
    turn = undefined;
    setState({ status: 'closed', ...closed });
  };

  const fail = (error: EngageKitError) => {
    logger.error('connection refused', error);
    stop({ reason: error.message, error });
  };

  /** The token function threw (its endpoint down, offline): try again later; one that returned no token is a configuration error. */
  const tokenFailed = (error: unknown) => {
    const failure = tokenFailure(error, 'GET', streamUrl);
    if (isEngageKitError(failure, 'ERR_NETWORK')) retry(failure.message);
    else fail(failure);
  };

  const retry = (reason: string) => {
    const delay = backoffDelay(++attempt, options.backoff);
    enter('reconnecting', { attempt, delay, reason });
    step.set(start, delay);
  };

  /** To polling, trying the socket again every `websocketRetryInterval`; `reason` (when not said before) is logged. */
  const fallBack = (reason: string | false, again = 'trying the socket again') => {
    mode = 'polling';
    attempt = 0;
    socketRetry.set(() => {
      mode = 'websocket';
      attempt = 0;
      // One more failure sends us straight back to polling.
      failures = options.fallbackAfter - 1;
      start();
    }, options.websocketRetryInterval);
    if (reason) logger.warn(`WebSocket ${reason}: using HTTP polling, ${again} every ${options.websocketRetryInterval / 1000} s`);
    start();
  };

  /** A transient loss: back off, or fall back to polling when the socket keeps failing. */
  const lost = (reason: string, worked: boolean) => {
    if (mode === 'websocket' && !worked && ++failures >= options.fallbackAfter && transport === 'auto') {
      return fallBack(`failed ${failures} times (${reason})`);
    }
    retry(reason);
  };

  const handlersFor = (gen: number, kind: TransportKind, tok?: string): AttemptHandlers => {
    let worked = false;
    const live = <A extends unknown[]>(f: (...args: A) => void) => (...args: A) => {
      if (gen === generation) f(...args);
    };
    return {
      onOpen: live((lastSeq: unknown) => {
        if (typeof lastSeq === 'number' && lastSeq < deps.position()) {
          // Our position is from another server: reset it and ask again from there.
          deps.onUnknownPosition(lastSeq);
          return start();
        }
        worked = true;
        refreshed = false;
        attempt = 0;
        if (kind === 'websocket') failures = 0;
        if (state.status !== 'open') enter('open');
      }),
      onCommand: live(deps.onCommand),
      onMeta: live(deps.onMeta),
      onTyping: live(deps.onTyping),
      onEnd: live((end: AttemptEnd) => {
        current = undefined;
        attemptTimer.clear();
        const action = end.code === undefined ? 'reconnect' : closeAction(end.code);
        if (action === 'reconnect') return lost(end.reason, worked);
        const error =
          end.error ??
          httpErrorFor({
            status: end.code! - 4000,
            method: 'GET',
            url: streamUrl,
            serverMessage: end.refusal?.message ?? end.reason,
            debugMessage: end.refusal?.debug_message,
          });
        // The HTTP client has tried a fresh token after a poll's 401 already.
        if (action === 'refuse' || refreshed || kind === 'polling' || tok === undefined) return fail(error);
        refreshed = true;
        token.refresh(tok).then(
          live((fresh: string | undefined) => (fresh ? start() : fail(error))),
          live(tokenFailed),
        );
      }),
    };
  };

  /** One attempt of the current transport: a socket, or polling. */
  const start = () => {
    drop();
    const gen = generation;
    enter('connecting', { attempt: attempt + 1 });
    if (mode === 'polling') {
      current = startPolling(
        { http: deps.http, path: deps.pollPath, position: deps.position, interval: options.pollInterval, timer: attemptTimer },
        handlersFor(gen, 'polling'),
      );
      return;
    }
    token.get().then(
      (tok) => {
        if (gen !== generation) return;
        const WebSocket = deps.getWebSocket();
        if (!WebSocket) {
          if (transport === 'websocket') return fail(new NetworkError('GET', streamUrl, NO_WEBSOCKET));
          // Said once: the next tries of the socket find the same.
          const said = warnedNoWebSocket;
          warnedNoWebSocket = true;
          // One may appear later (msw's interceptor, a polyfill): hence "looking for one again".
          return fallBack(!said && `unavailable: ${NO_WEBSOCKET}`, 'looking for one again');
        }
        current = openWebSocket(
          {
            url: streamUrl,
            WebSocket,
            token: tok,
            after: deps.position(),
            heartbeatInterval: options.heartbeatInterval,
            heartbeatTimeout: options.heartbeatTimeout,
            timer: attemptTimer,
            logger,
          },
          handlersFor(gen, 'websocket', tok),
        );
      },
      (error: unknown) => gen === generation && tokenFailed(error),
    );
  };

  return {
    get state() {
      return state;
    },
    connect() {
      // Idle, or closed (by close(), or because the server refused us).
      if (state.status !== 'idle' && state.status !== 'closed') return;
      offOnline ??= signals.on('online', () => state.status === 'reconnecting' && start());
      attempt = 0;
      refreshed = false;
      if (!deps.waitForTurn) return start();
      const mine = (turn = deps.waitForTurn());
      setState({ status: 'standby' });
      void mine.acquired.then((granted) => granted && turn === mine && state.status === 'standby' && start());
    },
    close(reason = 'close()') {
      if (state.status === 'closed' && !state.error) return;
      stop({ reason });
    },
  };
}
