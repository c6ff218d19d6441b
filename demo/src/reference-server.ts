import { setupWorker, type SetupWorker } from 'msw/browser';
import { createMockBackend, type EngagementCredentials, type MockBackend } from '../../src/mock.js';
import { adminReads, DEMO_PREFIX, forgetEngagement, type ServerLink } from './server-link.js';
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
 * created, or connected, only after `start()` has resolved.
 */
export function createReferenceServer(options: { persist?: boolean } = {}): Omit<ReferenceServer, 'worker'> & { start(): Promise<ReferenceServer> } {
  const baseUrl = `${location.origin}/api`;
  const backend = createMockBackend({ baseUrl, persist: options.persist ?? false });
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

/** The engagement this browser's page uses, kept so that a reload finds it again in the restored state. */
const ENGAGEMENT_KEY = `${DEMO_PREFIX}engagement`;

function storedEngagement(): EngagementCredentials | undefined {
  try {
    return JSON.parse(localStorage.getItem(ENGAGEMENT_KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

function keepEngagement(credentials: EngagementCredentials): void {
  try {
    localStorage.setItem(ENGAGEMENT_KEY, JSON.stringify(credentials));
  } catch {
    // Site data blocked: the next load starts a new engagement.
  }
}

/**
 * The demo's reference server in the page (`/`, `/csp.html`), its state kept
 * across reloads: `persist: true` keeps engagements, commands with their
 * results and read times, events and metadata in localStorage
 * (`engagekit-mock:state`), and the engagement's credentials are kept beside
 * it, so the reloaded page takes up the same engagement. The SDK keeps its
 * own side (executed command ids, the stream position, waiting events), so
 * no command runs twice. `link.reset()` clears both and reloads.
 */
export async function startReferenceServer(): Promise<ReferenceServer & { link: ServerLink }> {
  const server = createReferenceServer({ persist: true });
  const { backend, baseUrl } = server;
  const credentials = resume(backend) ?? backend.createEngagement();
  keepEngagement(credentials);
  const { worker } = await server.start();

  const link: ServerLink = {
    kind: 'in-page',
    baseUrl,
    credentials,
    ...adminReads(baseUrl, credentials.engagementId),
    onRequest(listener) {
      worker.events.on('response:mocked', ({ request }) => {
        const path = new URL(request.url).pathname;
        if (path.startsWith('/api/')) listener(request.method, path.slice('/api'.length));
      });
    },
    dropConnections: async () => backend.dropConnections(credentials.engagementId),
    blockWebSockets: async (blocked) => {
      backend.blockWebSockets(blocked);
      if (blocked) backend.dropConnections(credentials.engagementId);
    },
    async reset() {
      backend.reset();
      forgetEngagement(credentials.engagementId);
      keepEngagement(backend.createEngagement());
      location.reload();
    },
  };
  return { backend, worker, baseUrl, link };
}

/** The kept engagement, when the restored state still has it (a state it could not use starts empty). */
function resume(backend: MockBackend): EngagementCredentials | undefined {
  const kept = storedEngagement();
  if (!kept || typeof kept.engagementId !== 'string') return undefined;
  try {
    backend.getMeta(kept.engagementId);
    return kept;
  } catch {
    forgetEngagement(kept.engagementId);
    return undefined;
  }
}
