import type { EngagementCredentials, MockBackend } from '../../src/mock.js';
import type { StartedMock, StartOptions } from '../../src/mock-global.js';
import { adminReads, DEMO_PREFIX, forgetEngagement, type ServerLink } from './server-link.js';
import { allowMockServiceWorker, WORKER_PATH } from './trusted-types.js';

declare global {
  interface Window {
    /** The package's script-tag build of the reference server (dist/engagekit-mock.global.js), loaded before the demo's script. */
    EngageKitMock: { start(options?: StartOptions): Promise<StartedMock> };
  }
}

export interface ReferenceServer {
  backend: MockBackend;
  worker: StartedMock['worker'];
  /** `location.origin + '/api'`: same origin, never reaches the network. */
  baseUrl: string;
}

/**
 * The reference server (`engagekit/mock`) in this page, from the package's
 * script-tag build of it, as a static site without a bundler uses it (so the
 * demo's own scripts do not bundle msw again): MSW answers HTTP through its
 * service worker and the command stream's WebSocket in the page (`ws.link`
 * patches `globalThis.WebSocket` once started). No request for `/api` leaves
 * the browser.
 *
 * The SDK reads `globalThis.WebSocket` when it connects, so a visitor must be
 * created, or connected, only after this has resolved.
 */
export function startMock(options: StartOptions = {}): Promise<StartedMock> {
  allowMockServiceWorker();
  return window.EngageKitMock.start({ serviceWorkerUrl: WORKER_PATH, ...options });
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
  const baseUrl = `${location.origin}/api`;
  const kept = storedEngagement();
  // The kept engagement, restored with the rest of the state; one the restored state lacks is opened again with its ids.
  const { backend, worker, engagement: credentials } = await startMock({
    persist: true,
    engagement: kept && typeof kept.engagementId === 'string' ? kept : undefined,
  });
  keepEngagement(credentials);

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
