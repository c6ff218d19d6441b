import { ws, type WebSocketHandler } from 'msw';
import type { Realtime, StreamConnection } from './realtime.js';

/**
 * The command stream's in-page carrier: msw's `ws.link` on
 * `{realtimeUrl}/engagements/:engagementId/stream`, under `setupServer` and
 * `setupWorker` alike. It only adapts msw's client connection to the hub's
 * `StreamConnection`; everything the stream does is the hub's (./realtime.ts).
 */
export function mswStreamHandler(realtime: Realtime): WebSocketHandler {
  return ws.link(`${realtime.url}/engagements/:engagementId/stream`).addEventListener('connection', ({ client, params }) => {
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
