/**
 * The plumbing of /loader.html (demo/public/loader-app.js): the reference
 * server for the engagement the page's code picked, then the script-tag
 * bundle, loaded late on purpose so that the page's calls are queued by the
 * stub first. Query: `?delay=<ms>` (default 1500) before the bundle loads,
 * `?copies=2` to load the bundle twice.
 *
 * The reference server is the package's script-tag build of it
 * (dist/engagekit-mock.global.js, loaded by the page before this script), as a
 * static site without a bundler would use it.
 */
import type { MockBackend } from '../../src/mock.js';
import { byId, h, replace } from './dom.js';
import { startMock } from './reference-server.js';

declare global {
  interface Window {
    /** Set by demo/public/loader-site.js before this script runs. */
    loaderSession: { baseUrl: string; engagementId: string; visitorToken: string };
    EngageKitLoaderDemo: { readonly backend: MockBackend; bundleLoaded: Promise<void> };
  }
}

const BUNDLE = '/dist/engagekit.global.js';
const params = new URLSearchParams(location.search);
const delay = Number(params.get('delay') ?? 1500);
const copies = Number(params.get('copies') ?? 1);

const session = window.loaderSession;
const started = startMock({ engagement: { engagementId: session.engagementId, visitorToken: session.visitorToken } });
let backend: MockBackend | undefined;

const state = byId('bundle-state');
const send = byId<HTMLButtonElement>('send-command');
send.addEventListener('click', () => {
  backend?.sendCustomCommand(session.engagementId, {
    content: 'Your agent says hello.',
    properties: { name: 'greet', text: 'Hello from the operator' },
  });
});

const bundleLoaded = (async () => {
  ({ backend } = await started);
  replace(state, `reference server running; loading the bundle in ${delay} ms…`);
  await new Promise((resolve) => setTimeout(resolve, delay));
  for (let copy = 1; copy <= copies; copy++) {
    await new Promise<void>((resolve, reject) => {
      const script = h('script', { src: BUNDLE, async: true });
      script.addEventListener('load', () => resolve());
      script.addEventListener('error', () => reject(new Error(`could not load ${BUNDLE}`)));
      document.head.appendChild(script);
    });
  }
  replace(state, copies > 1 ? `loaded ${copies} times` : 'loaded');
  state.setAttribute('data-status', 'open');
  send.disabled = false;
})();
bundleLoaded.catch((error: unknown) => {
  console.error('EngageKit loader demo:', error);
  replace(state, 'failed to start');
  state.setAttribute('data-status', 'closed');
});

window.EngageKitLoaderDemo = {
  // Set once the reference server has started (bundleLoaded resolves after that).
  get backend() {
    if (!backend) throw new Error('demo: the reference server has not started yet');
    return backend;
  },
  bundleLoaded,
};
