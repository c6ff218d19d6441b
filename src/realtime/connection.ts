import { httpErrorFor, NetworkError, type EngageKitError, type HttpError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Timers } from '../core/timers.js';
import type { TokenProvider } from '../core/token.js';
import type { HttpTransport } from '../transport/http.js';
import { backoffDelay, type BackoffOptions } from '../transport/retry-policy.js';

/**
 * The part of the WebSocket API the SDK uses; inject any constructor with it
 * (the browser's, MSW's, the `ws` package's). The event parameters are `any`
 * because each of those types its events differently; the SDK reads only
 * `data` of a message and `code`/`reason` of a close.
 */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onopen: ((event: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onmessage: ((event: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onclose: ((event: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onerror: ((event: any) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type TransportKind = 'websocket' | 'polling';

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
  /** Stopped: by `close()`, or for good because the server refused us (`error`). */
  | { status: 'closed'; reason: string; error?: EngageKitError };

export interface ConnectionChange {
  previous: ConnectionState;
  current: ConnectionState;
}

export interface RealtimeOptions {
  /**
   * `'auto'` opens a WebSocket and falls back to HTTP polling after
   * `fallbackAfter` failed attempts in a row, trying the socket again every
   * `websocketRetryInterval`.
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

export interface ConnectionDeps extends RealtimeOptions {
  /** `wss://.../engagements/{id}/stream` */
  streamUrl: string;
  /** `/engagements/{id}/custom_commands` */
  pollPath: string;
  getWebSocket: () => WebSocketConstructor | undefined;
  token: TokenProvider;
  http: HttpTransport;
  timers: Timers;
  logger: Logger;
  /** The resume position, read at every (re)connect and poll. */
  lastSeq: () => number;
  /** One command frame's payload, not yet validated. */
  onCommand: (seq: unknown, command: unknown) => void;
  /** The engagement's metadata and properties (a `meta` frame, or a poll's `meta`), not yet validated. */
  onMeta: (state: unknown) => void;
  /** A `typing` frame: the operator started or stopped typing; not yet validated. */
  onTyping: (frame: unknown) => void;
  onChange: (change: ConnectionChange) => void;
  /**
   * Resolves when this tab may connect (it leads the tabs of this visitor),
   * false if it never will. Absent: connect at once.
   */
  waitForTurn?: () => { acquired: Promise<boolean>; release(): void };
}

export interface Connection {
  readonly state: ConnectionState;
  /** Starts, or restarts after the server refused us; a no-op while connecting or open. */
  connect(): void;
  /** Stops for good: every socket, timer and listener released. */
  close(reason?: string): void;
}

interface PollPage {
  commands?: Array<{ seq?: unknown; command?: unknown }>;
  /** Not checked: anything but a number compares false, and the progress check below stops a spin. */
  last_seq?: number;
  meta?: unknown;
}

/** A frame of the stream, as parsed; the receivers validate what they use. */
interface Frame {
  type?: unknown;
  seq?: unknown;
  command?: unknown;
  message?: string;
  debug_message?: string;
}

/**
 * The timer of the current step: the next reconnect, the next poll or the
 * heartbeat. They never run at the same time, so one key serves them all and
 * `drop()` cancels whichever is pending.
 */
const STEP = 'realtime';
/** While polling: the next try of the socket. */
const RETRY = 'realtime:ws';
/** Statuses (HTTP, and close codes 4000 + status) after which reconnecting cannot help (docs/protocol.md). */
const FATAL = [401, 403, 404];
const POLLING = 'polling';
const WEBSOCKET = 'websocket';
const NO_WEBSOCKET = 'no WebSocket; pass option "WebSocket"';

/**
 * The connection manager: one `setState()`, every timer behind `timers`, and
 * a `generation` counter so that the answer of a token, a poll or a refresh
 * we have given up on can never act on the current attempt (a dropped socket
 * loses its handlers instead).
 */
export function createConnection(deps: ConnectionDeps): Connection {
  const { timers, logger, token, transport, fallbackAfter, streamUrl, lastSeq, onCommand, onMeta, heartbeatInterval } = deps;
  const global = globalThis;
  let state: ConnectionState = { status: 'idle' };
  let socket: WebSocketLike | undefined;
  let generation = 0;
  let mode: TransportKind = transport == POLLING ? transport : WEBSOCKET;
  /** Failed attempts in a row of the current transport: drives the backoff. */
  let attempt = 0;
  /**
   * Socket attempts in a row that never reached `ready`: drives the fallback.
   * A ready socket sets -1, so that its own close counts as no failure.
   */
  let failures = 0;
  let refreshed = false;
  let turn: ReturnType<NonNullable<ConnectionDeps['waitForTurn']>> | undefined;

  const setState = (current: ConnectionState) => deps.onChange({ previous: state, current: (state = current) });
  /** A state of the current transport. */
  const enter = (status: 'connecting' | 'open' | 'reconnecting', details?: object) =>
    setState({ status, transport: mode, ...details } as ConnectionState);

  const onOnline = () => state.status == 'reconnecting' && start();

  /** Forgets the socket and the pending step; whatever was under way can no longer act. */
  const drop = () => {
    generation++;
    timers.clear(STEP);
    try {
      // onerror stays a no-op: the `ws` package throws on an error nobody listens to.
      socket!.onopen = socket!.onmessage = socket!.onclose = null;
      socket!.close();
    } catch {
      // No socket; or closing one that never opened threw (some engines do): it is gone either way.
    }
  };

  const stop = (closed: { reason: string; error?: EngageKitError }) => {
    drop();
    timers.clear(RETRY);
    setState({ status: 'closed', ...closed });
  };

  const fail = (error: EngageKitError) => {
    logger.error('connection refused', error);
    stop({ reason: error.message, error });
  };

  const retry = (reason: string) => {
    const delay = backoffDelay(++attempt, deps.backoff);
    enter('reconnecting', { attempt, delay, reason });
    timers.set(STEP, start, delay);
  };

  /** A socket attempt failed, or an open socket was lost. */
  const lost = (reason: string) => {
    if (++failures < fallbackAfter || transport != 'auto') return retry(reason);
    logger.warn(`WebSocket failed ${failures} times (${reason}): polling`);
    mode = POLLING;
    attempt = 0;
    timers.set(
      RETRY,
      () => {
        mode = WEBSOCKET;
        attempt = 0;
        // One more failure sends us straight back to polling.
        failures = fallbackAfter - 1;
        start();
      },
      deps.websocketRetryInterval,
    );
    start();
  };

  const opened = () => {
    attempt = 0;
    if (state.status != 'open') enter('open');
  };

  /** One attempt of the current transport: a socket, or polling. */
  const start = () => {
    drop();
    const gen = generation;
    /** `f`, unless this attempt was given up meanwhile. */
    const live =
      <T>(f: (value: T) => unknown) =>
      (value: T) =>
        gen == generation && f(value);
    enter('connecting', { attempt: attempt + 1 });
    if (mode == POLLING) {
      const poll = () => {
        const before = lastSeq();
        deps.http.send<PollPage | undefined>({ method: 'GET', path: `${deps.pollPath}?after=${before}` }).then(
          live((page) => {
            const { meta, commands, last_seq } = page ?? {};
            opened();
            if (meta) onMeta(meta);
            if (Array.isArray(commands)) for (const entry of commands) onCommand(entry?.seq, entry?.command);
            // More waiting than one page holds: fetch the rest now, but only while we
            // make progress, so a page of unusable frames cannot spin us.
            const after = lastSeq();
            timers.set(STEP, poll, last_seq! > after && after > before ? 0 : deps.pollInterval);
          }),
          live((error: HttpError) => (FATAL.includes(error.status) ? fail(error) : retry(error.message))),
        );
      };
      return poll();
    }
    token.get().then(
      live((tok: string) => {
        const WebSocketImpl = deps.getWebSocket();
        if (!WebSocketImpl) {
          if (transport == WEBSOCKET) return fail(new NetworkError('GET', streamUrl, NO_WEBSOCKET));
          failures = fallbackAfter;
          return lost(NO_WEBSOCKET);
        }
        let ws: WebSocketLike;
        try {
          ws = socket = new WebSocketImpl(streamUrl);
        } catch (error) {
          return lost(`${error}`);
        }
        let refusal: Frame | undefined;
        let lastFrameAt = 0;
        /** When the unanswered ping went (at the latest); a frame at or after it answers it. */
        let pingedAt = 0;
        /**
         * Detects a half-open socket (laptop lid closed, proxy gone) that would
         * otherwise look open forever: a `ping` after `heartbeatInterval` without
         * a frame, dead when no frame came `heartbeatTimeout` after it. Frames
         * only stamp `lastFrameAt`: a burst of commands costs no timer churn.
         */
        const beat = (wait = lastFrameAt + heartbeatInterval - Date.now()) => {
          if (lastFrameAt < pingedAt) {
            drop();
            lost('no answer to ping');
          } else if (wait > 0) timers.set(STEP, beat, wait);
          else {
            timers.set(STEP, beat, deps.heartbeatTimeout);
            // Not later than now: any frame from here on answers the ping.
            pingedAt = lastFrameAt + heartbeatInterval;
            ws.send('{"type":"ping"}');
          }
        };
        ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token: tok, after: lastSeq() }));
        // The server sends nothing but `ready` or `error` before `ready` (docs/protocol.md).
        ws.onmessage = ({ data }: { data: string }) => {
          let frame: Frame | undefined;
          try {
            frame = JSON.parse(data);
          } catch {
            // Logged below.
          }
          lastFrameAt = Date.now();
          const type = frame?.type;
          if (type == 'ready') {
            refreshed = false;
            // Working: the loss of this socket is not a failed attempt (counts as 0).
            failures = -1;
            opened();
            beat();
          } else if (type == 'error') refusal = frame;
          else if (type == 'command') onCommand(frame!.seq, frame!.command);
          else if (type == 'meta') onMeta(frame);
          else if (type == 'typing') deps.onTyping(frame);
          else if (type != 'pong') logger.debug('ignored a frame', data);
        };
        ws.onclose = ({ code, reason }: { code: number; reason: string }) => {
          timers.clear(STEP);
          const status = code - 4000;
          if (!FATAL.includes(status)) return lost(`socket closed ${code} ${reason}`);
          const error = httpErrorFor({
            status,
            method: 'GET',
            url: streamUrl,
            serverMessage: refusal?.message ?? reason,
            debugMessage: refusal?.debug_message,
          });
          if (status != 401 || refreshed) return fail(error);
          refreshed = true;
          token.refresh(tok).then(
            live((fresh) => (fresh ? start() : fail(error))),
            live(fail),
          );
        };
        ws.onerror = () => {
          // Always followed by a close event, which decides what happens next.
        };
      }),
      live(fail),
    );
  };

  return {
    get state() {
      return state;
    },
    connect() {
      // Idle, or closed because the server refused us (not by close()).
      if (state.status != 'idle' && !(state as { error?: unknown }).error) return;
      global.addEventListener?.('online', onOnline);
      attempt = 0;
      refreshed = false;
      if (!deps.waitForTurn || turn) return start();
      turn = deps.waitForTurn();
      setState({ status: 'standby' });
      turn.acquired.then((granted) => granted && state.status == 'standby' && start());
    },
    close(reason = 'close()') {
      if (state.status == 'closed' && !state.error) return;
      global.removeEventListener?.('online', onOnline);
      turn?.release();
      stop({ reason });
    },
  };
}
