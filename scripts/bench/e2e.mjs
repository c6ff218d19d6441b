// The figures taken in real Chromium (playwright-core, Debian's /usr/bin/chromium,
// never a downloaded browser) against the reference server over real HTTP and
// WebSocket on 127.0.0.1 (`startMockServer`, dist/mock-node.js):
//
// - operator PUT → handler called, for the SDK's visitor (its transcript mounted)
//   and for a bare WebSocket on the same page, to the same server, receiving the
//   same kind of commands, rounds interleaved;
// - evaluating dist/engagekit.global.js, against the same bytes parsed but not run.
//
// Every time is read with performance.now() inside the page (one clock; the page
// is cross-origin isolated, so its steps are 5 µs, not 100 µs).
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { interleave, median, percentile, spread } from './lib.mjs';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Launches Chromium; resolves with the browser, or `{ skipped }` saying why not. */
export async function launchChromium(executablePath) {
  if (!existsSync(executablePath)) return { skipped: `no Chromium at ${executablePath}` };
  try {
    const { chromium } = await import('playwright-core');
    return { browser: await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS }) };
  } catch (error) {
    return { skipped: `Chromium did not start (${String(error.message).split('\n')[0]})` };
  }
}

/** Cross-origin isolation: performance.now() then has 5 µs steps instead of 100 µs. */
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** A chat-sized scroll area, as a site would give the transcript (README's suggested style). */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EngageKit bench</title>
<style>
  #chat { height: 300px; overflow-y: auto; border: 1px solid #ccc; font: 14px/1.4 sans-serif; }
  .engagekit-transcript { list-style: none; margin: 0; padding: 0; }
  .engagekit-entry { padding: 6px 10px; margin-bottom: 6px; }
</style></head>
<body><div id="chat"></div><script src="/engagekit.global.js"></script></body></html>
`;

/**
 * Serves the bench's pages on 127.0.0.1: `/` (the SDK's script tag and a
 * transcript area), `/blank`, `/engagekit.global.js`, and `/eval/sdk` and `/eval/floor`
 * (the bundle inline, run or only parsed; `?n=` makes each load's source new,
 * so that no compilation cache serves it).
 */
export async function startPages(dist) {
  const bundle = readFileSync(join(dist, 'engagekit.global.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  if (/<\/script/i.test(bundle)) throw new Error('bench: the bundle contains "</script": it cannot be inlined');
  const evalPage = (kind, nonce) => {
    // The floor: the same bytes inside a function that is never called: fetched with the page, parsed (V8 pre-parses it), not run.
    const body = kind === 'sdk' ? `${bundle}\n//${nonce}` : `function engagekitBenchNotRun() {\n${bundle}\n}\n//${nonce}`;
    return `<!doctype html><meta charset="utf-8"><script>window.__t0 = performance.now()</script><script>${body}</script><script>window.__t1 = performance.now()</script>`;
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let type = 'text/html; charset=utf-8';
    let body;
    if (url.pathname === '/') body = PAGE;
    else if (url.pathname === '/blank') body = '<!doctype html><meta charset="utf-8"><title>bench</title><body></body>';
    else if (url.pathname === '/engagekit.global.js') {
      type = 'text/javascript; charset=utf-8';
      body = bundle;
    } else if (url.pathname === '/eval/sdk' || url.pathname === '/eval/floor') body = evalPage(url.pathname.slice(6), url.searchParams.get('n'));
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', ...ISOLATED }).end(body);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((done) => server.close(done)) };
}

/**
 * Evaluating dist/engagekit.global.js (an inline copy: no network on the
 * clock), against the floor (the same bytes parsed, not run), page loads
 * interleaved. ms.
 */
export async function benchEval({ browser, dist, rounds, warmup = 2 }) {
  const pages = await startPages(dist);
  const context = await browser.newContext();
  const page = await context.newPage();
  let nonce = 0;
  const load = (kind) => async () => {
    await page.goto(`${pages.url}/eval/${kind}?n=${++nonce}`);
    const { t, defined } = await page.evaluate(() => ({ t: window.__t1 - window.__t0, defined: typeof window.EngageKit?.createVisitor === 'function' }));
    if (defined !== (kind === 'sdk')) throw new Error(`bench: eval page ${kind}: window.EngageKit ${defined ? 'defined' : 'missing'}`);
    return t;
  };
  try {
    return await interleave({ subjects: { sdk: load('sdk'), floor: load('floor') }, rounds, warmup });
  } finally {
    await context.close();
    await pages.close();
  }
}

// ---- page code of the latency rounds (serialised by page.evaluate: no closures)

/**
 * In the page: the SDK's visitors (one with the transcript mounted on #chat,
 * one without) and a bare WebSocket, each on its own engagement of the same
 * server, so that no side receives another's commands. Each stamps
 * `performance.now()` where the page's own code gets the command: the SDK's
 * handler; the bare socket's onmessage after JSON.parse.
 */
async function setupPage({ api, ws, sides }) {
  // (sides other than 'bare' are SDK visitors; 'sdk' gets the transcript mounted, 'noreport' a fetch that answers its result reports itself)
  const bench = (window.__bench = { seen: new Map(), wake: () => {}, sides: {}, errors: [] });
  const stamp = (i) => {
    bench.seen.set(i, performance.now());
    bench.wake();
  };
  const NAME = 'engagekit-bench';
  const opened = [];
  for (const [side, credentials] of Object.entries(sides)) {
    bench.sides[side] = credentials;
    if (side === 'bare') {
      opened.push(
        new Promise((resolve, reject) => {
          const socket = new WebSocket(`${ws}/engagements/${encodeURIComponent(credentials.engagementId)}/stream`);
          socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', token: credentials.visitorToken, after: 0 }));
          socket.onmessage = (event) => {
            const frame = JSON.parse(event.data);
            if (frame.type === 'command' && frame.command.properties.name === NAME) stamp(frame.command.properties.i);
            else if (frame.type === 'ready') resolve();
          };
          socket.onclose = (event) => reject(new Error(`bare socket closed: ${event.code} ${event.reason}`));
          bench.socket = socket;
        }),
      );
      continue;
    }
    const visitor = window.EngageKit.createVisitor({
      baseUrl: api,
      engagementId: credentials.engagementId,
      token: credentials.visitorToken,
      handlers: { [NAME]: (properties) => stamp(properties.i) },
      // A diagnosis, not a configuration to use: the result reports answered in the page, so that none reaches the network.
      ...(side === 'noreport' && {
        fetch: (url, init) =>
          String(url).endsWith('/results') ? Promise.resolve(new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } })) : fetch(url, init),
      }),
    });
    visitor.on('connection:refused', ({ error }) => bench.errors.push(error.message));
    if (side === 'sdk') window.EngageKit.mountTranscript(document.getElementById('chat'), visitor.transcript);
    bench[side] = visitor;
    opened.push(
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${side}: the connection did not open within 10 s`)), 10_000);
        const check = () => visitor.connection.status === 'open' && (clearTimeout(timer), resolve());
        visitor.on('connection:changed', check);
        check();
      }),
    );
  }
  await Promise.all(opened);
  return { crossOriginIsolated: window.crossOriginIsolated === true };
}

/**
 * In the page: `count` commands to `side`, one at a time, as an operator
 * console sends them: the PUT (fetch, as createOperator's request) → the
 * side's stamp; the next command once both the stamp and the PUT's answer came
 * (and `gap` ms more, when given).
 * Returns the latencies (ms) and the PUTs' round trips.
 */
async function commandRound({ api, side, from, count, gap }) {
  const bench = window.__bench;
  const { engagementId, operatorToken } = bench.sides[side];
  const latencies = [];
  const puts = [];
  for (let i = from; i < from + count; i++) {
    const handled = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${side}: command ${i} not handled within 5 s`)), 5_000);
      bench.wake = () => bench.seen.has(i) && (clearTimeout(timer), resolve());
    });
    const id = crypto.randomUUID();
    const t0 = performance.now();
    const put = fetch(`${api}/engagements/${encodeURIComponent(engagementId)}/custom_commands/${id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json', Accept: 'application/vnd.salemove.v1+json' },
      body: JSON.stringify({ content: `bench command ${i}`, properties: { name: 'engagekit-bench', i } }),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`${side}: PUT answered ${response.status} ${await response.text()}`);
      return performance.now();
    });
    const [answered] = await Promise.all([put, handled]);
    latencies.push(bench.seen.get(i) - t0);
    puts.push(answered - t0);
    if (gap) await new Promise((resolve) => setTimeout(resolve, gap));
  }
  return { latencies, puts };
}

/**
 * PUT → handler, interleaved rounds of `perRound` commands for each of
 * `sides`: `sdk` (the script-tag SDK, transcript mounted), `bare` (a plain
 * WebSocket: the floor), `unmounted` (the SDK without a transcript on the
 * page, to tell rendering from the rest) and `noreport` (that, with its
 * result reports answered in the page: what the reports' requests cost).
 * `gap`: ms between commands (0: back to back). ms.
 */
export async function benchLatency({ browser, dist, rounds, perRound, warmup = 1, sides = ['sdk', 'bare', 'unmounted'], gap = 0 }) {
  const { startMockServer } = await import(pathToFileURL(join(dist, 'mock-node.js')).href);
  const mock = await startMockServer({ port: 0, logger: { error() {}, warn() {}, info() {}, log() {}, debug() {} } });
  const pages = await startPages(dist);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  try {
    await page.goto(`${pages.url}/`);
    const names = sides;
    const credentials = Object.fromEntries(names.map((name) => [name, mock.backend.createEngagement()]));
    const { crossOriginIsolated } = await page.evaluate(setupPage, { api: mock.url, ws: mock.wsUrl, sides: credentials });
    let next = 0;
    const all = Object.fromEntries(names.map((name) => [name, []]));
    const puts = [];
    const side = (name) => async (warm) => {
      const r = await page.evaluate(commandRound, { api: mock.url, side: name, from: next, count: perRound, gap });
      next += perRound;
      if (!warm) {
        all[name].push(...r.latencies);
        puts.push(...r.puts);
      }
      return median(r.latencies);
    };
    const result = await interleave({ subjects: Object.fromEntries(names.map((name) => [name, side(name)])), rounds, warmup });
    const stats = (values) => ({ median: median(values), p99: percentile(values, 99), n: values.length });
    return {
      ...result,
      all: Object.fromEntries(names.map((name) => [name, stats(all[name])])),
      put: spread(puts),
      crossOriginIsolated,
      errors,
    };
  } finally {
    await context.close();
    await pages.close();
    await mock.close();
  }
}
