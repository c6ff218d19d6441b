import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StreamConnection } from '../mock/realtime.js';

/**
 * The local server's stream carrier: the `ws` package takes the upgrade of
 * `/engagements/{engagementId}/stream` and hands each socket to the same hub
 * a page's msw uses (src/mock/realtime.ts), through the same
 * `StreamConnection` interface.
 */

/** Frames are a hello, pings and nothing else: a megabyte is far beyond any of them. */
const MAX_FRAME_BYTES = 1024 * 1024;

const STREAM_PATH = /^\/engagements\/([^/]+)\/stream$/;

export interface StreamCarrierDeps {
  baseUrl: string;
  accept: (connection: StreamConnection, engagementId: string) => void;
}

export interface StreamCarrier {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

function connectionOf(socket: WebSocket): StreamConnection {
  // The `ws` package throws an 'error' nobody listens to; the close that follows is what counts.
  socket.on('error', () => {});
  return {
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason),
    onMessage: (listener) => socket.on('message', (data, isBinary) => listener(isBinary ? data : data.toString())),
    onClose: (listener) => socket.on('close', () => listener()),
  };
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function streamCarrier({ baseUrl, accept }: StreamCarrierDeps): StreamCarrier {
  const server = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  return {
    upgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      let engagementId: string | undefined;
      try {
        const match = STREAM_PATH.exec(new URL(req.url ?? '/', baseUrl).pathname);
        engagementId = match ? decodeURIComponent(match[1]!) : undefined;
      } catch {
        // A malformed %-escape: no such stream.
      }
      if (engagementId === undefined) return refuseUpgrade(socket, '404 Not Found');
      const id = engagementId;
      server.handleUpgrade(req, socket, head, (ws) => accept(connectionOf(ws), id));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
