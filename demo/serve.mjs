// Serves the demo and the built bundles on localhost. No dependencies: node:http only.
//
//   /                     the demo: demo/public/index.html
//   /csp.html             the same page under a strict Content-Security-Policy with Trusted Types
//   /loader.html          the async loader snippet: calls queued before the bundle loads
//   /<file>               demo/public/<file> (the demo's scripts, styles, mockServiceWorker.js)
//   /dist/<file>          the built SDK (npm run build)
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * The policy of /csp.html: scripts and styles only from this origin, as
 * files (no 'unsafe-inline', no 'unsafe-eval'), and Trusted Types enforced
 * for every script sink. `trusted-types default` lets the page create one
 * policy, `default`: the demo's, which admits only /mockServiceWorker.js
 * (demo/src/trusted-types.ts); without createHTML or createScript, innerHTML
 * and eval still throw.
 */
export const STRICT_CSP = [
  "script-src 'self'",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types default',
].join('; ');

/** Pages served from another file, with their own headers. */
const ROUTES = {
  '/': { file: 'demo/public/index.html' },
  '/csp.html': { file: 'demo/public/index.html', headers: { 'Content-Security-Policy': STRICT_CSP } },
};

/** URL path → file on disk; only below demo/public/ and dist/. */
function fileFor(pathname) {
  const clean = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  const candidates = [
    join(root, 'demo/public', clean),
    clean.startsWith('/dist/') ? join(root, clean) : undefined,
  ];
  const allowed = [join(root, 'demo/public') + '/', join(root, 'dist') + '/'];
  return candidates.find(
    (file) => file && allowed.some((dir) => file.startsWith(dir)) && existsSync(file) && statSync(file).isFile(),
  );
}

export function startDemoServer({ port = Number(process.env.PORT ?? 5173), host = '127.0.0.1', headers = {} } = {}) {
  const server = createServer((req, res) => {
    let pathname;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '';
    }
    const route = ROUTES[pathname];
    let file;
    try {
      file = route ? join(root, route.file) : fileFor(pathname);
    } catch {
      file = undefined; // a malformed %-escape
    }
    if (!file || !existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...route?.headers,
      ...headers,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ready, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ready(server);
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const missing = ['dist/engagekit.global.js', 'demo/public/demo-app.js', 'demo/public/mockServiceWorker.js'].filter(
    (file) => !existsSync(join(root, file)),
  );
  if (missing.length > 0) {
    console.error(`Not built yet (${missing.join(', ')} missing): run \`npm start\`, which builds first.`);
    process.exit(1);
  }
  try {
    const server = await startDemoServer();
    const { port } = server.address();
    const url = `http://localhost:${port}/`;
    const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text);
    console.log(`
  EngageKit demo: ${bold(url)}

  The same page under a strict CSP with Trusted Types: ${url}csp.html
  The async loader snippet:                            ${url}loader.html

  Serving until you press Ctrl+C.
`);
  } catch (error) {
    if (error?.code !== 'EADDRINUSE') throw error;
    console.error(`Port ${error.port} is in use: try PORT=${error.port + 1} npm start`);
    process.exit(1);
  }
}
