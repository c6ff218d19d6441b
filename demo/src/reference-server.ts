import { setupWorker, type SetupWorker } from 'msw/browser';
import { createMockBackend, type MockBackend } from '../../src/mock.js';
import { allowMockServiceWorker, WORKER_PATH } from './trusted-types.js';

export interface ReferenceServer {
  backend: MockBackend;
  worker: SetupWorker;
  /** `location.origin + '/api'`: same origin, never reaches the network. */
  baseUrl: string;
}

/**
 * The reference server (`engagekit/mock`) in this page: MSW answers HTTP
 * through its service worker and the command stream's WebSocket in the page
 * (`ws.link` patches `globalThis.WebSocket` once started). No request for
 * `/api` leaves the browser.
 *
 * The SDK reads `globalThis.WebSocket` when it connects, so a visitor must be
 * created, or connected, only after this has resolved.
 */
export function createReferenceServer(): Omit<ReferenceServer, 'worker'> & { start(): Promise<ReferenceServer> } {
  const baseUrl = `${location.origin}/api`;
  const backend = createMockBackend({ baseUrl });
  return {
    backend,
    baseUrl,
    async start() {
      allowMockServiceWorker();
      const worker = setupWorker(...backend.handlers);
      await worker.start({
        serviceWorker: { url: WORKER_PATH },
        // The page's own files (scripts, styles) go to the demo server as usual.
        onUnhandledRequest: 'bypass',
        quiet: true,
      });
      return { backend, worker, baseUrl };
    },
  };
}
