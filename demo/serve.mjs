// Serves the demo and the built bundles. No dependencies beyond the package's
// own: node:http, and the reference server of dist/mock-node.js behind /api.
//
//   /                     the demo: demo/public/index.html; the reference server runs in the page
//   /csp.html             the same page under a strict Content-Security-Policy with Trusted Types
//   /visitor.html         the visitor's page alone, on the local reference server (/api)
//   /operator.html        the operator console alone, on the same local reference server
//   /loader.html          the async loader snippet: calls queued before the bundle loads
//   /<file>               demo/public/<file> (the demo's scripts, styles, mockServiceWorker.js)
//   /dist/<file>          the built SDK (npm run build)
//   /api/…                the local reference server (startMockServer), HTTP and the command stream's
//                         WebSocket, passed through to it on the loopback: one port for every window
//   /demo/engagement      GET: the engagement the two windows share; POST /demo/reset: a new one
//   /demo/network         POST {"drop": true} or {"blockWebSockets": bool}: the console's network faults
//   /demo/activity        text/event-stream: a line per request the local server answered, and resets
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/** Where the demo's pages take their reference server from: `<body data-server="…">`. */
const IN_PAGE = 'data-server="in-page"';

/**
 * Pages served from another file, with their own headers. /visitor.html is
 * the visitor's half of index.html, on the local server: one markup for the
 * visitor's site, whichever server it talks to.
 */
const ROUTES = {
  '/': { file: 'demo/public/index.html' },
  '/csp.html': { file: 'demo/public/index.html', headers: { 'Content-Security-Policy': STRICT_CSP } },
  '/visitor.html': { file: 'demo/public/index.html', server: 'local' },
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

const API = '/api';
const json = (res, status, body) =>
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));

function readJson(req) {
  return new Promise((done) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (text.length < 10_000 ? (text += chunk) : undefined));
    req.on('end', () => {
      try {
        done(JSON.parse(text || '{}'));
      } catch {
        done(undefined);
      }
    });
  });
}

/**
 * The local reference server (engagekit/mock/node) on a free loopback port,
 * and what the demo's two windows need around it: one shared engagement, a
 * reset, the network faults and a feed of what happened (the operator's
 * window refreshes on it, as the in-page console does on msw's events).
 */
async function startReferenceServer() {
  const entry = join(root, 'dist/mock-node.js');
  if (!existsSync(entry)) return { unavailable: 'dist/mock-node.js is not built: run `npm start`, which builds first' };
  let mock;
  try {
    const { startMockServer } = await import(pathToFileURL(entry).href);
    mock = await startMockServer({ port: 0, host: '127.0.0.1', logger: { warn() {}, error: console.error } });
  } catch (error) {
    return { unavailable: `the local reference server did not start: ${error?.message ?? error}` };
  }
  const { backend } = mock;
  const port = Number(new URL(mock.url).port);
  const feeds = new Set();
  let current = backend.createEngagement();
  const tell = (event, data) => {
    for (const feed of feeds) feed.write(`event: ${event}\ndata: ${data}\n\n`);
  };
  /** The shared engagement; a new one if something else (the admin endpoint) reset the server. */
  const engagement = () => {
    try {
      backend.getMeta(current.engagementId);
    } catch {
      current = backend.createEngagement();
    }
    return current;
  };
  return {
    port,
    backend,
    feeds,
    engagement,
    answered: (method, path, status) => tell('request', `${method} ${path} ${status}`),
    reset() {
      backend.reset();
      current = backend.createEngagement();
      tell('reset', current.engagementId);
      return current;
    },
    close: () => mock.close(),
  };
}

/** `/api/…` to the local server: the request as it came, the path without `/api`. */
function proxy(api, req, res, path) {
  const upstream = httpRequest(
    { host: '127.0.0.1', port: api.port, method: req.method, path, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => api.answered(req.method, path.split('?')[0], answer.statusCode));
    },
  );
  // A visitor that goes away releases what its request holds at the server (a held poll), and the reverse.
  res.on('close', () => res.writableFinished || upstream.destroy());
  upstream.on('error', () => (res.headersSent ? res.destroy() : json(res, 502, { message: 'Bad gateway', debug_message: 'The local reference server did not answer' })));
  req.pipe(upstream);
}

/** The command stream's WebSocket upgrade, passed through byte for byte. */
function proxyUpgrade(api, req, socket, head, tracked) {
  const upstream = connect(api.port, '127.0.0.1', () => {
    const lines = [`${req.method} ${req.url.slice(API.length)} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    socket.pipe(upstream).pipe(socket);
  });
  tracked.add(socket);
  const end = () => {
    tracked.delete(socket);
    socket.destroy();
    upstream.destroy();
  };
  upstream.on('error', end).on('close', end);
  socket.on('error', end).on('close', end);
}

async function demoEndpoint(api, req, res, pathname) {
  if (!api.backend) return json(res, 503, { message: 'No local reference server', debug_message: api.unavailable });
  if (pathname === '/demo/engagement' && req.method === 'GET') return json(res, 200, api.engagement());
  if (pathname === '/demo/reset' && req.method === 'POST') return json(res, 200, api.reset());
  if (pathname === '/demo/network' && req.method === 'POST') {
    const body = await readJson(req);
    if (body?.drop === true) api.backend.dropConnections(api.engagement().engagementId);
    else if (typeof body?.blockWebSockets === 'boolean') {
      api.backend.blockWebSockets(body.blockWebSockets);
      if (body.blockWebSockets) api.backend.dropConnections(api.engagement().engagementId);
    } else return json(res, 400, { message: 'Expected {"drop": true} or {"blockWebSockets": true|false}' });
    return json(res, 200, { connected: api.backend.connectedClients() });
  }
  if (pathname === '/demo/activity' && req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
    res.write(': the local reference server\'s answers, one line each\n\n');
    api.feeds.add(res);
    res.on('close', () => api.feeds.delete(res));
    return undefined;
  }
  return json(res, 404, { message: 'Not found' });
}

/**
 * Serves the demo on `host:port` (port 0: any free port) and, behind /api, a
 * local reference server (`api: false`: none). The returned server's close()
 * also stops the reference server and ends the sockets passed through to it.
 */
export async function startDemoServer({ port = Number(process.env.PORT ?? 5173), host = '127.0.0.1', headers = {}, api: withApi = true } = {}) {
  const api = withApi ? await startReferenceServer() : { unavailable: 'started without it (api: false)' };
  const upgraded = new Set();
  const server = createServer((req, res) => {
    let pathname;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '';
    }
    if (pathname === API || pathname.startsWith(`${API}/`)) {
      if (!api.backend) return json(res, 503, { message: 'No local reference server', debug_message: api.unavailable });
      return proxy(api, req, res, req.url.slice(API.length) || '/');
    }
    if (pathname.startsWith('/demo/')) return void demoEndpoint(api, req, res, pathname);
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
    else if (route?.server) res.end(readFileSync(file, 'utf8').replace(IN_PAGE, `data-server="${route.server}"`));
    else createReadStream(file).pipe(res);
  });
  server.on('upgrade', (req, socket, head) => {
    if (api.backend && (req.url ?? '').startsWith(`${API}/`)) proxyUpgrade(api, req, socket, head, upgraded);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  // close() waits for every connection to end: end the long-lived ones (streams, the activity feeds) first.
  const close = server.close.bind(server);
  server.close = (callback) => {
    for (const socket of upgraded) socket.destroy();
    for (const feed of api.feeds ?? []) feed.end();
    void api.close?.();
    server.closeIdleConnections?.();
    return close(callback);
  };
  await new Promise((ready, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ready();
    });
  }).catch(async (error) => {
    await api.close?.();
    throw error;
  });
  if (api.unavailable && withApi) console.warn(`EngageKit demo: no /api (${api.unavailable}); /visitor.html and /operator.html need it`);
  return server;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const missing = ['dist/engagekit.global.js', 'dist/mock-node.js', 'demo/public/demo-app.js', 'demo/public/mockServiceWorker.js'].filter(
    (file) => !existsSync(join(root, file)),
  );
  if (missing.length > 0) {
    console.error(`Not built yet (${missing.join(', ')} missing): run \`npm start\`, which builds first.`);
    process.exit(1);
  }
  const host = process.env.HOST || '127.0.0.1';
  try {
    const server = await startDemoServer({ host });
    const { port } = server.address();
    const url = `http://localhost:${port}/`;
    const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text);
    console.log(`
  EngageKit demo: ${bold(url)}

  Visitor and operator in two windows (the local reference server, /api):
    the visitor's page:  ${url}visitor.html
    the operator:        ${url}operator.html
  The same page under a strict CSP with Trusted Types: ${url}csp.html
  The async loader snippet:                            ${url}loader.html
${
  LOOPBACK.has(host)
    ? '\n  Only this machine can reach it; HOST=0.0.0.0 npm start serves your network too.\n'
    : `\n  Listening on ${host}: anyone on your network can open these pages, and reset or\n  read the reference server (it has no authentication). Use it on a network you trust.\n`
}
  Serving until you press Ctrl+C.
`);
  } catch (error) {
    if (error?.code !== 'EADDRINUSE') throw error;
    console.error(`Port ${error.port} is in use: try PORT=${error.port + 1} npm start`);
    process.exit(1);
  }
}
