/**
 * The script-tag build of the reference server, `dist/engagekit-mock.global.js`:
 * installs `window.EngageKitMock`, msw included. For a static site without
 * a bundler: next to `dist/engagekit.global.js`, with msw's worker script
 * at the site's root (the package ships the matching one as
 * `dist/mockServiceWorker.js`).
 *
 *   EngageKitMock.start({ engagement: { engagementId: 'demo' } }).then(({ backend, engagement }) => {
 *     // Only now: the worker answers, and WebSocket is patched.
 *     EngageKit.createVisitor({ baseUrl: backend.baseUrl, engagementId: engagement.engagementId, token: engagement.visitorToken });
 *   });
 *
 * Loaded twice, the first copy stays and the second only warns.
 */
import { setupWorker, type SetupWorker } from 'msw/browser';
import { createMockBackend, createMockServerCore, type MockBackend, type MockBackendOptions } from './mock/create-mock-backend.js';
import type { EngagementCredentials } from './mock/store.js';

export interface StartOptions extends MockBackendOptions {
  /**
   * Where the site serves msw's worker script.
   * @default '/mockServiceWorker.js'
   */
  serviceWorkerUrl?: string;
  /**
   * The engagement to open: fixed ids and tokens may be given. With
   * `persist`, an engagement of that id restored from storage is reused.
   * @default a new engagement
   */
  engagement?: Partial<EngagementCredentials>;
}

export interface StartedMock {
  backend: MockBackend;
  worker: SetupWorker;
  /** The engagement `engagement` asked for, or a new one. */
  engagement: EngagementCredentials;
  /** Stops the worker: requests go to the network again. */
  stop(): void;
}

/**
 * Creates the backend and starts msw's worker with its handlers; resolves
 * once the worker answers. Create the visitor only after that: before it,
 * its requests would reach the network, and its WebSocket is not yet msw's.
 * `baseUrl` defaults to this page's origin + `/api`, so that no request is
 * cross-origin.
 */
async function start(options: StartOptions = {}): Promise<StartedMock> {
  const { serviceWorkerUrl = '/mockServiceWorker.js', engagement: wanted, ...backendOptions } = options;
  const core = createMockServerCore({ baseUrl: `${location.origin}/api`, ...backendOptions });
  const { backend } = core;
  const restored = wanted?.engagementId === undefined ? undefined : core.engagement(wanted.engagementId);
  const engagement = restored ?? backend.createEngagement(wanted);
  const worker = setupWorker(...backend.handlers);
  await worker.start({ quiet: true, onUnhandledRequest: 'bypass', serviceWorker: { url: serviceWorkerUrl } });
  return { backend, worker, engagement, stop: () => worker.stop() };
}

const root = globalThis as { EngageKitMock?: unknown };
if (root.EngageKitMock) {
  console.warn('EngageKitMock: loaded twice; remove the extra <script> tag');
} else {
  root.EngageKitMock = { createMockBackend, start };
}
