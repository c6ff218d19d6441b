/**
 * The demo pages' own code (demo/public/demo-app.js, built by rollup): finds
 * the reference server, tells the visitor's site what it needs, and mounts
 * the operator console. The visitor side is not here: it is
 * demo/public/site.js, plain JavaScript on the script-tag bundle, as a site
 * would write it.
 *
 * Which page this is, `<body data-server data-page>`:
 * - `/`, `/csp.html` (`in-page`): the reference server runs in this page
 *   (reference-server.ts), its state kept across reloads; both panes.
 * - `/visitor.html` (`local`): the visitor's pane alone, on the local
 *   reference server that demo/serve.mjs runs behind /api (local-server.ts).
 * - `/operator.html` (`local`, `data-page="operator"`): the console alone, on
 *   that same server: a second window, or a second device.
 *
 * `window.EngageKitDemo.ready` resolves, once the reference server answers,
 * with what the visitor's site needs (`DemoSession`).
 */
import type { MockBackend } from '../../src/mock.js';
import type { Transcript } from '../../src/index.js';
import { byId, h, replace } from './dom.js';
import { readEarlier, rememberOrder, type EarlierEntry } from './history.js';
import { connectLocalServer } from './local-server.js';
import { mountOperatorConsole, showConsoleProblem } from './operator-console.js';
import { startReferenceServer } from './reference-server.js';
import { forgetLeftovers, type ServerLink } from './server-link.js';

export interface DemoSession {
  baseUrl: string;
  engagementId: string;
  visitorToken: string;
  /** The transcript before this page loaded (history.ts): the site shows it above the live one. */
  earlier: EarlierEntry[];
  /** Keeps the order of the entries this page shows, for the next load. */
  rememberOrder(transcript: Transcript): void;
}

declare global {
  interface Window {
    EngageKitDemo: {
      ready: Promise<DemoSession>;
      /** The in-page pages': the reference server in this page, for poking around and for tests. */
      backend?: MockBackend;
      credentials?: ServerLink['credentials'];
    };
  }
}

forgetLeftovers();
const page = document.body.dataset.page === 'operator' ? 'operator' : 'visitor';
const started: Promise<ServerLink> =
  document.body.dataset.server === 'local'
    ? connectLocalServer()
    : startReferenceServer().then(({ backend, link }) => {
        window.EngageKitDemo.backend = backend;
        return link;
      });

window.EngageKitDemo = {
  ready: started.then(async (link) => {
    const { baseUrl, credentials } = link;
    const earlier = await readEarlier(link).catch((error: unknown) => {
      console.warn('EngageKit demo: could not read the earlier transcript', error);
      return [];
    });
    return {
      baseUrl,
      engagementId: credentials.engagementId,
      visitorToken: credentials.visitorToken,
      earlier,
      rememberOrder: (transcript: Transcript) => rememberOrder(credentials.engagementId, earlier, transcript),
    };
  }),
};
if (page === 'operator') void window.EngageKitDemo.ready.catch(() => {}); // no visitor on this page: nobody else waits for it

started.then(
  (link) => {
    const { credentials } = link;
    window.EngageKitDemo.credentials = credentials;
    showEngagement(link);
    // /visitor.html has the console's place too (it is index.html), hidden: its operator is in another window.
    const root = page === 'operator' || link.kind === 'in-page' ? document.getElementById('operator') : null;
    if (root) mountOperatorConsole({ root, link });
  },
  (error: unknown) => {
    console.error('EngageKit demo: the reference server did not start', error);
    const root = document.getElementById('operator');
    if (root) showConsoleProblem(root, error);
  },
);

void showPolicy();

/** The header's engagement, and its Reset: a new engagement, everything before it forgotten. */
function showEngagement(link: ServerLink): void {
  const id = link.credentials.engagementId;
  const code = byId('demo-engagement');
  replace(code, id.slice(0, 8));
  code.title = id;
  const reset = byId<HTMLButtonElement>('reset');
  reset.disabled = false;
  reset.addEventListener('click', () => {
    reset.disabled = true;
    link.reset().catch((error: unknown) => {
      console.error('EngageKit demo: reset failed', error);
      reset.disabled = false;
    });
  });
}

/** Shows the Content-Security-Policy this page was served with (/csp.html has the strict one). */
async function showPolicy(): Promise<void> {
  const note = document.getElementById('policy');
  if (!note) return;
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
