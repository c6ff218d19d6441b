// A stand-in for the demo page, for the end-to-end figures while the demo does
// not expose the bench hook yet (docs/performance.md, "The hook"). It is the
// smallest page the hook describes: the script-tag bundle, the in-browser
// reference server (MSW service worker + engagekit/mock) and the operator
// client, on one localhost origin. Nothing here is shipped.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>EngageKit bench stand-in</title></head>
<body>
  <div id="chat"></div>
  <script src="/dist/engagekit.global.js"></script>
  <script src="/standin.js"></script>
</body>
</html>
`;

// The page's own code: start the reference server, create the visitor with the
// script-tag API, expose the hook. Bundled with msw/browser by rollup below.
const ENTRY = (mock, operator) => `
import { setupWorker } from 'msw/browser';
import { createMockBackend } from ${JSON.stringify(mock)};
import { createOperator } from ${JSON.stringify(operator)};

const backend = createMockBackend({ baseUrl: location.origin + '/api' });
const worker = setupWorker(...backend.handlers);
worker
  .start({ quiet: true, onUnhandledRequest: 'bypass', serviceWorker: { url: '/mockServiceWorker.js' } })
  .then(() => {
    const { engagementId, visitorToken, operatorToken } = backend.createEngagement();
    const visitor = window.EngageKit.createVisitor({ baseUrl: backend.baseUrl, engagementId, token: visitorToken });
    window.EngageKit.mountTranscript(document.getElementById('chat'), visitor.transcript);
    const operator = createOperator({ baseUrl: backend.baseUrl, token: operatorToken });
    window.__engagekitBench = {
      visitor,
      sendCommand: ({ properties, content }) => operator.sendCustomCommand({ engagementId, properties, content }),
    };
  });
`;

/**
 * Cross-origin isolation: Chromium then gives performance.now() 5 µs steps
 * instead of 100 µs. Everything on the page is same-origin, so nothing breaks.
 */
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

async function bundlePage() {
  const [{ rollup }, { nodeResolve }, commonjs] = await Promise.all([
    import('rollup'),
    import('@rollup/plugin-node-resolve'),
    import('@rollup/plugin-commonjs').then((m) => m.default),
  ]);
  const id = '\0standin-entry';
  const code = ENTRY(join(root, 'dist/mock.js'), join(root, 'dist/operator.js'));
  const bundle = await rollup({
    input: id,
    plugins: [
      { name: 'standin-entry', resolveId: (x) => (x === id ? x : null), load: (x) => (x === id ? code : null) },
      nodeResolve({ browser: true, exportConditions: ['browser'] }),
      commonjs(),
    ],
    onwarn() {},
  });
  try {
    const { output } = await bundle.generate({ format: 'iife' });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

/** Builds the page's bundle and serves the stand-in on 127.0.0.1; resolves with its URL and a close(). */
export async function startStandin() {
  const worker = join(root, 'node_modules/msw/lib/mockServiceWorker.js');
  for (const file of [join(root, 'dist/engagekit.global.js'), join(root, 'dist/mock.js'), worker]) {
    if (!existsSync(file)) throw new Error(`${file} is missing`);
  }
  const script = await bundlePage();
  const files = {
    '/': ['text/html; charset=utf-8', PAGE],
    '/standin.js': ['text/javascript; charset=utf-8', script],
    '/mockServiceWorker.js': ['text/javascript; charset=utf-8', readFileSync(worker)],
    '/dist/engagekit.global.js': ['text/javascript; charset=utf-8', readFileSync(join(root, 'dist/engagekit.global.js'))],
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = files[path];
    if (!file) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'Content-Type': file[0], 'Cache-Control': 'no-store', ...ISOLATED }).end(file[1]);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((done) => server.close(done)),
  };
}
