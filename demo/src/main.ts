/**
 * The demo page's own code (demo/public/demo-app.js, built by rollup): starts
 * the reference server in this page and mounts the operator console. The
 * visitor side is not here: it is demo/public/site.js, plain JavaScript on the
 * script-tag bundle, as a site would write it.
 *
 * `window.EngageKitDemo.ready` resolves, once the reference server answers,
 * with what the visitor's site needs: `{ baseUrl, engagementId, visitorToken }`.
 */
import type { EngagementCredentials, MockBackend } from '../../src/mock.js';
import { createOperator } from '../../src/operator.js';
import { byId, h, replace } from './dom.js';
import { mountOperatorConsole } from './operator-console.js';
import { createReferenceServer } from './reference-server.js';

export interface DemoSession {
  baseUrl: string;
  engagementId: string;
  visitorToken: string;
}

declare global {
  interface Window {
    EngageKitDemo: { ready: Promise<DemoSession>; backend: MockBackend; credentials: EngagementCredentials };
    __engagekitBench?: { sendCommand(command: { properties: Record<string, unknown>; content?: string }): Promise<unknown> };
  }
}

const server = createReferenceServer();
// A new engagement on every load: the reference server lives in memory, and a
// reload starts it afresh.
const credentials = server.backend.createEngagement();
const started = server.start();

window.EngageKitDemo = {
  ready: started.then(({ baseUrl }) => ({ baseUrl, engagementId: credentials.engagementId, visitorToken: credentials.visitorToken })),
  backend: server.backend,
  credentials,
};
started.then(
  ({ baseUrl }) => {
    // The benchmark's hook (docs/performance.md, "The hook"): the operator's PUT, as the console sends it.
    const operator = createOperator({ baseUrl, token: credentials.operatorToken });
    window.__engagekitBench = {
      sendCommand: ({ properties, content }) => operator.sendCustomCommand({ engagementId: credentials.engagementId, properties, content }),
    };
  },
  (error: unknown) => console.error('EngageKit demo: the reference server did not start', error),
);

mountOperatorConsole({
  root: byId('operator'),
  backend: server.backend,
  baseUrl: server.baseUrl,
  credentials,
  ready: started,
});

void showPolicy();

/** Shows the Content-Security-Policy this page was served with (/csp.html has the strict one). */
async function showPolicy(): Promise<void> {
  const note = byId('policy');
  try {
    const response = await fetch(location.href, { method: 'HEAD', cache: 'no-store' });
    const policy = response.headers.get('content-security-policy');
    if (policy) {
      note.setAttribute('data-csp', 'strict');
      replace(note, 'Served with ', h('code', {}, `Content-Security-Policy: ${policy}`), ' · ', h('a', { href: '/' }, 'without'));
    } else {
      replace(note, 'Served without a Content-Security-Policy · ', h('a', { href: '/csp.html' }, 'the same page under a strict CSP and Trusted Types'));
    }
  } catch {
    // Only a note.
  }
}
