import type { Logger } from '../shared/logger.js';
import type { Timer } from '../shared/timers.js';
import type { ClientFrame } from '../protocol/wire.js';
import { createHeartbeat } from './heartbeat.js';
import type { AttemptHandlers, TransportAttempt } from './transport.js';

/**
 * The part of the WebSocket API the SDK uses; inject any constructor with it
 * (the browser's, MSW's, the `ws` package's). The event parameters are `any`
 * because each of those types its events differently; the SDK reads only
 * `data` of a message and `code`/`reason` of a close.
 */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null; // eslint-disable-line @typescript-eslint/no-explicit-any
  onmessage: ((event: any) => void) | null; // eslint-disable-line @typescript-eslint/no-explicit-any
  onclose: ((event: any) => void) | null; // eslint-disable-line @typescript-eslint/no-explicit-any
  onerror: ((event: any) => void) | null; // eslint-disable-line @typescript-eslint/no-explicit-any
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A frame of the stream, as parsed; the receivers validate what they use. */
interface Frame {
  type?: unknown;
  seq?: unknown;
  command?: unknown;
  last_seq?: unknown;
  status?: unknown;
  message?: string;
  debug_message?: string;
}

// Shared, not a closure per socket: a socket the SDK let go keeps nothing of it alive.
// onerror is never null: the `ws` package throws on an error nobody listens to.
const ignore = () => {};

export interface WebSocketAttemptDeps {
  url: string;
  WebSocket: WebSocketConstructor;
  token: string;
  /** The resume position sent in the hello. */
  after: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  /** The heartbeat's timer: this attempt's own handle. */
  timer: Timer;
  logger: Logger;
}

/**
 * One socket: hello with the token and position, then frames until it
 * closes. What the close means (reconnect, refresh the token, stop) is the
 * connection's to decide (protocol's `closeAction`).
 */
export function openWebSocket(deps: WebSocketAttemptDeps, handlers: AttemptHandlers): TransportAttempt {
  const { url, token, after, timer, logger } = deps;
  let socket: WebSocketLike | undefined;
  let refusal: Frame | undefined;
  const send = (frame: ClientFrame) => socket?.send(JSON.stringify(frame));
  const release = () => {
    heartbeat.stop();
    const ws = socket;
    socket = undefined;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.onerror = ignore;
    try {
      ws.close();
    } catch {
      // Closing one that never opened threw (some engines do): it is gone either way.
    }
  };
  const end = (reason: string, code?: number) => {
    release();
    handlers.onEnd({ reason, code, refusal });
  };
  const heartbeat = createHeartbeat({
    interval: deps.heartbeatInterval,
    timeout: deps.heartbeatTimeout,
    timer,
    ping: () => send({ type: 'ping' }),
    dead: () => end('no answer to ping'),
  });

  try {
    socket = new deps.WebSocket(url);
  } catch (error) {
    // Reported after the caller has the attempt in hand, as a failed connect would be.
    let given = false;
    queueMicrotask(() => given || handlers.onEnd({ reason: String(error) }));
    return { close: () => (given = true) };
  }
  socket.onerror = ignore; // always followed by a close event, which decides
  socket.onopen = () => send({ type: 'hello', token, after });
  // The server sends nothing but `ready` or `error` before `ready` (docs/protocol.md).
  socket.onmessage = ({ data }: { data: string }) => {
    let frame: Frame | undefined;
    try {
      frame = JSON.parse(data) as Frame;
    } catch {
      // Logged below as an ignored frame.
    }
    heartbeat.frame();
    const type = frame?.type;
    if (type === 'command') handlers.onCommand(frame!.seq, frame!.command);
    else if (type === 'ready') {
      // First: onOpen may end this attempt (a position the server does not know), and its release stops the heartbeat.
      heartbeat.start();
      handlers.onOpen(frame!.last_seq);
    } else if (type === 'error') refusal = frame;
    else if (type === 'meta') handlers.onMeta(frame);
    else if (type === 'typing') handlers.onTyping(frame);
    else if (type !== 'pong') logger.debug('ignored a frame', data);
  };
  socket.onclose = ({ code, reason }: { code: number; reason: string }) => end(`socket closed ${code} ${reason}`, code);
  return { close: release };
}
