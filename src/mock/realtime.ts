import { ws, type WebSocketHandler, type WebSocketHandlerConnection } from 'msw';
import type { WebSocketData } from 'msw';
import type { Deliver } from './command-log.js';
import type { EngagementRecord, Store, StoredCommand } from './store.js';
import { checkHello, parseFrame, Refusal } from './stream-hello.js';
import type { FaultInjector } from './faults.js';
import type { ServerFrame } from '../protocol/wire.js';

/**
 * The command stream (docs/protocol.md, "WebSocket"): `ws.link` on
 * `{realtimeUrl}/engagements/:engagementId/stream`. Only msw and standard
 * APIs (JSON, queueMicrotask): it runs under `setupServer` and `setupWorker`.
 *
 * We keep our own registry of sockets instead of `ws.link().clients`: in a
 * browser that set is shared with other tabs through IndexedDB, and it does
 * not know which engagement or phase a socket is in.
 */

/** Close code of the test-made network failures: not one of the protocol's refusals, so clients reconnect. */
export const DROP_CODE = 4000;

type Client = WebSocketHandlerConnection['client'];

interface StreamSocket {
  client: Client;
  /** From the URL; not checked until the hello (it may not exist). */
  engagementId: string;
  /** `hello` until a valid hello frame, `open` once commands flow, `closed` once the server closed it. */
  phase: 'hello' | 'open' | 'closed';
}

export interface Realtime {
  /** `baseUrl` with `http` → `ws`, `https` → `wss`. */
  readonly url: string;
  readonly handler: WebSocketHandler;
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

export function toRealtimeUrl(baseUrl: string): string {
  return baseUrl.replace(/^http(s?):/i, (_, s: string) => `ws${s.toLowerCase()}:`);
}

/**
 * `greet` gives the frames that follow `ready` before the backlog: the
 * engagement's state a client that was away has missed (meta, typing).
 */
export function createRealtime(
  baseUrl: string,
  store: Store,
  faults?: FaultInjector,
  greet: (record: EngagementRecord) => ServerFrame[] = () => [],
): Realtime {
  const url = toRealtimeUrl(baseUrl);
  const sockets = new Set<StreamSocket>();
  let blocked = false;

  const send = (socket: StreamSocket, frame: ServerFrame) => socket.client.send(JSON.stringify(frame));
  const commandFrame = ({ seq, command }: StoredCommand): ServerFrame => ({ type: 'command', seq, command });

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
      socket.phase = 'closed';
      sockets.delete(socket);
      // After the frames queued above have gone out (msw sends them in a microtask).
      queueMicrotask(() => socket.client.close(DROP_CODE, 'dropped by fault injection'));
    }
  };

  const shut = (socket: StreamSocket, code: number, reason: string) => {
    socket.phase = 'closed';
    sockets.delete(socket);
    socket.client.close(code, reason);
  };

  const refuse = (socket: StreamSocket, refusal: Refusal) => {
    send(socket, { type: 'error', status: refusal.status, ...refusal.body });
    socket.phase = 'closed';
    sockets.delete(socket);
    // msw queues a send in a microtask and drops it if the socket is closing by
    // then: closing in the next microtask lets the error frame out first.
    queueMicrotask(() => socket.client.close(refusal.code, refusal.body.message));
  };

  const onFrame = (socket: StreamSocket, data: WebSocketData) => {
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

  const handler = ws
    .link(`${url}/engagements/:engagementId/stream`)
    .addEventListener('connection', ({ client, params }) => {
      if (blocked) {
        client.close(DROP_CODE, 'blocked');
        return;
      }
      const engagementId = Array.isArray(params.engagementId) ? params.engagementId.join('/') : String(params.engagementId);
      const socket: StreamSocket = { client, engagementId, phase: 'hello' };
      sockets.add(socket);
      client.addEventListener('message', (event) => onFrame(socket, event.data));
      client.addEventListener('close', () => {
        socket.phase = 'closed';
        sockets.delete(socket);
      });
    });

  const matching = (engagementId?: string) =>
    [...sockets].filter((socket) => engagementId === undefined || socket.engagementId === engagementId);

  return {
    url,
    handler,
    deliver(engagementId, entry) {
      for (const socket of matching(engagementId)) if (socket.phase === 'open') sendCommand(socket, entry);
    },
    broadcast(engagementId, frame) {
      for (const socket of matching(engagementId)) if (socket.phase === 'open') send(socket, frame);
    },
    close(code, reason, engagementId) {
      for (const socket of matching(engagementId)) shut(socket, code, reason);
    },
    setBlocked(value) {
      blocked = value;
    },
    count: (engagementId) => matching(engagementId).length,
  };
}
