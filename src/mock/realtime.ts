import type { Deliver } from './command-log.js';
import type { EngagementRecord, Store, StoredCommand } from './store.js';
import { checkHello, parseFrame, Refusal } from './stream-hello.js';
import type { FaultInjector } from './faults.js';
import { toRealtimeUrl, type ServerFrame } from '../protocol/wire.js';

/**
 * The command stream (docs/protocol.md, "WebSocket"): the hub that knows the
 * sockets of each engagement, checks the hello, sends `ready` and the
 * backlog, delivers and broadcasts, injects the stream faults, and drops,
 * blocks, counts and resets. It works on `StreamConnection`, so that one
 * hub serves both carriers: msw's `ws.link` in a page or under `setupServer`
 * (./stream-msw.ts), and the `ws` package behind the local server
 * (src/mock-node/). No carrier code here: it runs wherever msw runs.
 *
 * We keep our own registry of sockets instead of `ws.link().clients`: in a
 * browser that set is shared with other tabs through IndexedDB, and it does
 * not know which engagement or phase a socket is in.
 */

/** Close code of the test-made network failures: not one of the protocol's refusals, so clients reconnect. */
export const DROP_CODE = 4000;

/** Close code when the server itself failed on a frame (RFC 6455 "internal error"): the client reconnects. */
export const SERVER_ERROR_CODE = 1011;

/**
 * One accepted stream socket, as the hub sees it, whatever carries it. The
 * carrier calls `onMessage` listeners with a string for a text frame and any
 * other value for a binary one, and `onClose` listeners once, however it closed.
 */
export interface StreamConnection {
  send(data: string): void;
  close(code: number, reason: string): void;
  onMessage(listener: (data: unknown) => void): void;
  onClose(listener: () => void): void;
}

interface StreamSocket {
  connection: StreamConnection;
  /** From the URL; not checked until the hello (it may not exist). */
  engagementId: string;
  /** `hello` until a valid hello frame, `open` once commands flow, `closed` once the server closed it. */
  phase: 'hello' | 'open' | 'closed';
}

export interface Realtime {
  /** `baseUrl` with `http` → `ws`, `https` → `wss`. */
  readonly url: string;
  /** Takes a new socket on `{url}/engagements/{engagementId}/stream`, from any carrier. */
  accept(connection: StreamConnection, engagementId: string): void;
  /** Sends a newly accepted command to the engagement's authenticated sockets. */
  deliver: Deliver;
  /** Sends any other frame (meta, typing) to the engagement's authenticated sockets. */
  broadcast(engagementId: string, frame: ServerFrame): void;
  /** Closes the open sockets (of one engagement, or all) from the server side. */
  close(code: number, reason: string, engagementId?: string): void;
  /** While blocked, new sockets are closed before their first frame. */
  setBlocked(blocked: boolean): void;
  /** Open sockets, authenticated or not. */
  count(engagementId?: string): number;
}

export interface RealtimeDeps {
  baseUrl: string;
  store: Store;
  faults?: FaultInjector;
  /**
   * The frames that follow `ready` before the backlog: the engagement's state
   * a client that was away has missed (meta, typing).
   */
  greet?: (record: EngagementRecord) => ServerFrame[];
  /** Told about a failure of the hub itself (a bug): the socket is closed with 1011, the server goes on. */
  onError?: (error: unknown) => void;
}

export function createRealtime({ baseUrl, store, faults, greet = () => [], onError = () => {} }: RealtimeDeps): Realtime {
  const url = toRealtimeUrl(baseUrl);
  const sockets = new Set<StreamSocket>();
  let blocked = false;

  /** A carrier that fails to send or close (a socket gone meanwhile) must not take the hub down with it. */
  const attempt = (action: () => void) => {
    try {
      action();
    } catch (error) {
      onError(error);
    }
  };
  const send = (socket: StreamSocket, frame: ServerFrame) => attempt(() => socket.connection.send(JSON.stringify(frame)));
  const commandFrame = ({ seq, command }: StoredCommand): ServerFrame => ({ type: 'command', seq, command });

  const forget = (socket: StreamSocket) => {
    socket.phase = 'closed';
    sockets.delete(socket);
  };
  /**
   * Closes after the frames sent in this turn: msw queues a send in a
   * microtask and drops it if the socket is closing by then.
   */
  const closeSoon = (socket: StreamSocket, code: number, reason: string) => {
    forget(socket);
    queueMicrotask(() => attempt(() => socket.connection.close(code, reason)));
  };

  /** Frames held back by the reorder fault, per socket. */
  const held = new WeakMap<StreamSocket, ServerFrame>();
  const sendCommand = (socket: StreamSocket, entry: StoredCommand) => {
    const frame = commandFrame(entry);
    if (!faults) return send(socket, frame);
    if (!held.has(socket) && faults.chance('wsReorderRate')) {
      faults.counts.wsReorders++;
      held.set(socket, frame);
      // Sent after the next frame, or shortly anyway if none comes.
      setTimeout(() => {
        const late = held.get(socket);
        held.delete(socket);
        if (late && socket.phase === 'open') send(socket, late);
      }, 5);
      return;
    }
    send(socket, frame);
    const late = held.get(socket);
    if (late) {
      held.delete(socket);
      send(socket, late);
    }
    if (faults.chance('wsDuplicateRate')) {
      faults.counts.wsDuplicates++;
      send(socket, frame);
    }
    if (faults.chance('wsDropRate')) {
      faults.counts.wsDrops++;
      closeSoon(socket, DROP_CODE, 'dropped by fault injection');
    }
  };

  const refuse = (socket: StreamSocket, refusal: Refusal) => {
    send(socket, { type: 'error', status: refusal.status, ...refusal.body });
    closeSoon(socket, refusal.code, refusal.body.message);
  };

  const onFrame = (socket: StreamSocket, data: unknown) => {
    if (socket.phase === 'closed') return;
    if (socket.phase === 'hello') {
      const welcome = checkHello(data, socket.engagementId, store);
      if (welcome instanceof Refusal) return refuse(socket, welcome);
      const { record, after } = welcome;
      // Ready, backlog and the switch to live happen in one turn: a command
      // accepted meanwhile can be neither missed nor sent twice.
      send(socket, { type: 'ready', last_seq: record.commands.length });
      for (const frame of greet(record)) send(socket, frame);
      socket.phase = 'open';
      for (const entry of record.commands.slice(after)) if (socket.phase === 'open') sendCommand(socket, entry);
      return;
    }
    // After the hello only pings mean something; anything else is ignored, not fatal.
    const frame = parseFrame(data);
    if (!(frame instanceof Refusal) && frame.type === 'ping') send(socket, { type: 'pong' });
  };

  const matching = (engagementId?: string) =>
    [...sockets].filter((socket) => engagementId === undefined || socket.engagementId === engagementId);

  return {
    url,
    accept(connection, engagementId) {
      if (blocked) {
        attempt(() => connection.close(DROP_CODE, 'blocked'));
        return;
      }
      const socket: StreamSocket = { connection, engagementId, phase: 'hello' };
      sockets.add(socket);
      connection.onMessage((data) => {
        try {
          onFrame(socket, data);
        } catch (error) {
          // A bug of ours must cost this socket, never the page or the Node process hosting us.
          onError(error);
          if (socket.phase !== 'closed') closeSoon(socket, SERVER_ERROR_CODE, 'Internal server error');
        }
      });
      connection.onClose(() => forget(socket));
    },
    deliver(engagementId, entry) {
      for (const socket of matching(engagementId)) if (socket.phase === 'open') sendCommand(socket, entry);
    },
    broadcast(engagementId, frame) {
      for (const socket of matching(engagementId)) if (socket.phase === 'open') send(socket, frame);
    },
    close(code, reason, engagementId) {
      for (const socket of matching(engagementId)) {
        forget(socket);
        attempt(() => socket.connection.close(code, reason));
      }
    },
    setBlocked(value) {
      blocked = value;
    },
    count: (engagementId) => matching(engagementId).length,
  };
}
