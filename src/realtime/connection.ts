import { httpErrorFor, isHttpError, NetworkError, type EngageKitError } from '../core/errors.js';
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
  onMeta?: (state: unknown) => void;
  /** A `typing` frame: the operator started or stopped typing; not yet validated. */
  onTyping?: (frame: unknown) => void;
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
  last_seq?: unknown;
  meta?: unknown;
}

/** Close codes after which reconnecting cannot help (docs/protocol.md). */
const FATAL_CLOSE: Record<number, number> = { 4401: 401, 4403: 403, 4404: 404 };

/**
 * The connection manager: one `setState()`, every timer behind `deps.timers`,
 * and a `generation` counter so that callbacks of a socket or poll we have
 * given up on can never act on the current one.
 */
export function createConnection(deps: ConnectionDeps): Connection {
  let state: ConnectionState = { status: 'idle' };
  let socket: WebSocketLike | undefined;
  let generation = 0;
  let mode: TransportKind = deps.transport === 'polling' ? 'polling' : 'websocket';
  /** Failed attempts in a row of the current transport: drives the backoff. */
  let attempt = 0;
  /** Socket attempts in a row that never reached `ready`: drives the fallback. */
  let socketFailures = 0;
  let refreshedToken = false;
  let stopped = false;
  let listening = false;
  let turn: ReturnType<NonNullable<ConnectionDeps['waitForTurn']>> | undefined;

  const setState = (current: ConnectionState) => {
    const previous = state;
    state = current;
    deps.onChange({ previous, current });
  };

  const onOnline = () => {
    if (state.status === 'reconnecting') {
      deps.logger.debug('back online: reconnecting now');
      start();
    }
  };
  const listen = (on: boolean) => {
    const target = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
    if (on === listening || typeof target.addEventListener !== 'function') return;
    listening = on;
    if (on) target.addEventListener('online', onOnline);
    else target.removeEventListener?.('online', onOnline);
  };

  const start = () => {
    deps.timers.clear('reconnect');
    if (mode === 'websocket') void openSocket();
    else void poll();
  };

  const detachSocket = (code = 1000, reason = 'client closed') => {
    const current = socket;
    socket = undefined;
    deps.timers.clear('heartbeat');
    if (!current) return;
    current.onopen = current.onmessage = current.onclose = current.onerror = null;
    try {
      current.close(code, reason);
    } catch {
      // Closing a socket that never opened may throw in some engines; it is gone either way.
    }
  };

  const fail = (error: EngageKitError) => {
    generation++;
    detachSocket();
    deps.timers.clearAll();
    deps.logger.error(`connection refused for good: ${error.message}`);
    setState({ status: 'closed', reason: error.message, error });
  };

  const retryLater = (reason: string) => {
    attempt++;
    const delay = backoffDelay(attempt, deps.backoff);
    setState({ status: 'reconnecting', transport: mode, attempt, delay, reason });
    deps.timers.set('reconnect', start, delay);
  };

  const fallBackToPolling = () => {
    deps.logger.warn(`WebSocket failed ${socketFailures} times in a row: polling every ${deps.pollInterval} ms`);
    mode = 'polling';
    attempt = 0;
    deps.timers.set('websocket-retry', retrySocket, deps.websocketRetryInterval);
    void poll();
  };

  const retrySocket = () => {
    if (mode !== 'polling' || stopped) return;
    deps.timers.clear('poll');
    mode = 'websocket';
    attempt = 0;
    // One more failure sends us straight back to polling.
    socketFailures = deps.fallbackAfter - 1;
    void openSocket();
  };

  /**
   * Detects a half-open socket (laptop lid closed, proxy gone) that would
   * otherwise look open forever. Frames only stamp `lastFrameAt`: a burst of
   * commands costs no timer churn.
   */
  let lastFrameAt = 0;
  const heartbeat = (ws: WebSocketLike, gen: number) => {
    const tick = () => {
      if (gen !== generation) return;
      const quiet = Date.now() - lastFrameAt;
      if (quiet < deps.heartbeatInterval) {
        deps.timers.set('heartbeat', tick, deps.heartbeatInterval - quiet);
        return;
      }
      const pingedAt = Date.now();
      try {
        ws.send('{"type":"ping"}');
      } catch {
        // A send on a dying socket: its close event follows.
      }
      deps.timers.set(
        'heartbeat',
        () => {
          if (gen !== generation) return;
          if (lastFrameAt >= pingedAt) return tick();
          generation++;
          detachSocket(4000, 'heartbeat timeout');
          socketClosed(true, 'no answer to ping');
        },
        deps.heartbeatTimeout,
      );
    };
    deps.timers.set('heartbeat', tick, deps.heartbeatInterval);
  };

  const socketClosed = (wasReady: boolean, reason: string) => {
    if (stopped) return;
    if (!wasReady) socketFailures++;
    if (deps.transport === 'auto' && socketFailures >= deps.fallbackAfter) fallBackToPolling();
    else retryLater(reason);
  };

  const openSocket = async () => {
    const gen = ++generation;
    setState({ status: 'connecting', transport: 'websocket', attempt: attempt + 1 });
    let token: string;
    try {
      token = await deps.token.get();
    } catch (error) {
      if (gen === generation) fail(error as EngageKitError);
      return;
    }
    if (gen !== generation || stopped) return;
    const WebSocketImpl = deps.getWebSocket();
    if (!WebSocketImpl) {
      if (deps.transport === 'websocket') {
        fail(new NetworkError('GET', deps.streamUrl, new Error('no WebSocket in this environment; pass option "WebSocket"')));
        return;
      }
      deps.logger.warn('no WebSocket in this environment: polling');
      socketFailures = deps.fallbackAfter;
      fallBackToPolling();
      return;
    }
    let ws: WebSocketLike;
    try {
      ws = new WebSocketImpl(deps.streamUrl);
    } catch (error) {
      socketClosed(false, `WebSocket constructor threw: ${(error as Error)?.message}`);
      return;
    }
    socket = ws;
    let ready = false;
    let refusal: { status?: unknown; message?: unknown; debug_message?: unknown } | undefined;
    ws.onopen = () => {
      if (gen !== generation) return;
      ws.send(JSON.stringify({ type: 'hello', token, after: deps.lastSeq() }));
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (gen !== generation) return;
      let frame: ({ type?: unknown; seq?: unknown; command?: unknown } & NonNullable<typeof refusal>) | undefined;
      try {
        frame = typeof event.data === 'string' ? JSON.parse(event.data) : undefined;
      } catch {
        frame = undefined;
      }
      if (!frame || typeof frame !== 'object') {
        deps.logger.warn('ignored a frame that is not a JSON object');
        return;
      }
      lastFrameAt = Date.now();
      switch (frame.type) {
        case 'command':
          if (ready) deps.onCommand(frame.seq, frame.command);
          break;
        case 'meta':
          if (ready) deps.onMeta?.(frame);
          break;
        case 'typing':
          if (ready) deps.onTyping?.(frame);
          break;
        case 'ready':
          ready = true;
          attempt = 0;
          socketFailures = 0;
          refreshedToken = false;
          deps.timers.clear('websocket-retry');
          setState({ status: 'open', transport: 'websocket' });
          heartbeat(ws, gen);
          break;
        case 'error':
          refusal = frame;
          break;
        case 'pong':
          break;
        default:
          deps.logger.debug('ignored a frame of unknown type', frame.type);
      }
    };
    ws.onclose = (event: { code: number; reason: string }) => {
      if (gen !== generation) return;
      socket = undefined;
      deps.timers.clear('heartbeat');
      const status = FATAL_CLOSE[event.code];
      if (status === undefined) {
        socketClosed(ready, `socket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`);
        return;
      }
      const error = httpErrorFor({
        status,
        method: 'GET',
        url: deps.streamUrl,
        serverMessage: typeof refusal?.message === 'string' ? refusal.message : event.reason,
        debugMessage: typeof refusal?.debug_message === 'string' && refusal.debug_message ? refusal.debug_message : undefined,
      });
      if (status === 401 && !refreshedToken) {
        refreshedToken = true;
        void deps.token.refresh(token).then(
          (fresh) => {
            if (gen !== generation || stopped) return;
            if (fresh === undefined) fail(error);
            else void openSocket();
          },
          (refreshError: EngageKitError) => gen === generation && fail(refreshError),
        );
        return;
      }
      fail(error);
    };
    ws.onerror = () => {
      // Always followed by a close event, which decides what happens next.
    };
  };

  const poll = async () => {
    const gen = ++generation;
    if (state.status !== 'open' || state.transport !== 'polling') {
      setState({ status: 'connecting', transport: 'polling', attempt: attempt + 1 });
    }
    const before = deps.lastSeq();
    let page: PollPage;
    try {
      page = (await deps.http.send<PollPage>({ method: 'GET', path: `${deps.pollPath}?after=${before}` })) ?? {};
    } catch (error) {
      if (gen !== generation || stopped) return;
      if (isHttpError(error) && (error.status === 401 || error.status === 403 || error.status === 404)) fail(error);
      else retryLater((error as Error).message);
      return;
    }
    if (gen !== generation || stopped) return;
    attempt = 0;
    if (state.status !== 'open') setState({ status: 'open', transport: 'polling' });
    if (page.meta) deps.onMeta?.(page.meta);
    for (const entry of Array.isArray(page.commands) ? page.commands : []) {
      deps.onCommand(entry?.seq, entry?.command);
    }
    // More waiting than one page holds: fetch the rest now, but only while we
    // make progress, so a page of unusable frames cannot spin us.
    const behind = typeof page.last_seq === 'number' && page.last_seq > deps.lastSeq() && deps.lastSeq() > before;
    deps.timers.set('poll', () => void poll(), behind ? 0 : deps.pollInterval);
  };

  return {
    get state() {
      return state;
    },
    connect() {
      if (stopped || state.status !== 'idle' && state.status !== 'closed') return;
      listen(true);
      attempt = 0;
      refreshedToken = false;
      if (!deps.waitForTurn || turn) return start();
      turn = deps.waitForTurn();
      setState({ status: 'standby' });
      void turn.acquired.then((granted) => {
        if (granted && !stopped && state.status === 'standby') start();
      });
    },
    close(reason = 'closed by the client') {
      if (stopped) return;
      stopped = true;
      generation++;
      detachSocket();
      deps.timers.clearAll();
      listen(false);
      turn?.release();
      setState({ status: 'closed', reason });
    },
  };
}
