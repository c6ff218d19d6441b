import { ws, type WebSocketHandler } from 'msw';
import type { Realtime, StreamConnection } from './realtime.js';

type Link = ReturnType<typeof ws.link>;

/**
 * One msw link per stream URL for the life of the module. Each `ws.link()`
 * makes a client manager that adds a "message" listener to msw's one shared
 * BroadcastChannel and never removes it, so a test suite creating a backend per
 * test kept every one of them alive and, at the eleventh, Node printed
 * "MaxListenersExceededWarning: Possible EventTarget memory leak detected".
 * Backends on the same URL share the link; each still gets its own handler
 * (`addEventListener`), so only the server that uses a backend's handlers
 * hands it connections.
 */
const links = new Map<string, Link>();

function linkFor(url: string): Link {
  let link = links.get(url);
  if (link === undefined) {
    link = ws.link(url);
    links.set(url, link);
  }
  return link;
}

/**
 * The command stream's in-page carrier: msw's `ws.link` on
 * `{realtimeUrl}/engagements/:engagementId/stream`, under `setupServer` and
 * `setupWorker` alike. It only adapts msw's client connection to the hub's
 * `StreamConnection`; everything the stream does is the hub's (./realtime.ts).
 */
export function mswStreamHandler(realtime: Realtime): WebSocketHandler {
  return linkFor(`${realtime.url}/engagements/:engagementId/stream`).addEventListener('connection', ({ client, params }) => {
    const engagementId = Array.isArray(params.engagementId) ? params.engagementId.join('/') : String(params.engagementId);
    const connection: StreamConnection = {
      send: (data) => client.send(data),
      close: (code, reason) => client.close(code, reason),
      onMessage: (listener) => client.addEventListener('message', (event) => listener(event.data)),
      onClose: (listener) => client.addEventListener('close', () => listener()),
    };
    realtime.accept(connection, engagementId);
  });
}
