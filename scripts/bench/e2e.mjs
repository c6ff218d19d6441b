// End-to-end figures in real Chromium (playwright-core), against a page that
// runs the in-browser reference server. What the page must provide is in
// docs/performance.md, "The hook"; in short:
//
//   - it loads dist/engagekit.global.js with a <script> tag and creates its
//     visitor with window.EngageKit.createVisitor (the bench wraps that
//     function from an init script, so it sees the visitor and its connection);
//   - once ready it sets
//       window.__engagekitBench = {
//         visitor?,                                  // defaults to the first visitor created
//         sendCommand({ properties, content? }),     // the operator's PUT, as the page's console sends it; returns a promise
//       }
//
// Every time is read with performance.now() inside the page (one clock).
import { existsSync } from 'node:fs';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * Runs before any script of every page load: records when EngageKit appears,
 * when the first visitor is created, and when its connection first opens.
 */
function instrument() {
  const marks = { defined: undefined, created: undefined, open: undefined, visitors: [], options: undefined, states: [], frameAt: 0 };
  /**
   * A WebSocket constructor that delegates to the page's (or the page's own
   * option), read at each connect as the SDK does, and stamps when each
   * message arrives before passing it on.
   */
  const tapWebSocket = (given) =>
    class TapWebSocket {
      constructor(url) {
        const Real = given ?? window.WebSocket;
        this.real = new Real(url);
        this.listener = null;
        this.real.onmessage = (event) => {
          marks.frameAt = performance.now();
          this.listener?.(event);
        };
      }
      get readyState() {
        return this.real.readyState;
      }
      send(data) {
        this.real.send(data);
      }
      close(code, reason) {
        this.real.close(code, reason);
      }
      get onmessage() {
        return this.listener;
      }
      set onmessage(listener) {
        this.listener = listener;
      }
      get onopen() {
        return this.real.onopen;
      }
      set onopen(listener) {
        this.real.onopen = listener;
      }
      get onclose() {
        return this.real.onclose;
      }
      set onclose(listener) {
        this.real.onclose = listener;
      }
      get onerror() {
        return this.real.onerror;
      }
      set onerror(listener) {
        this.real.onerror = listener;
      }
    };
  Object.defineProperty(window, '__engagekitBenchMarks', { value: marks, configurable: true });
  let api;
  Object.defineProperty(window, 'EngageKit', {
    configurable: true,
    enumerable: true,
    get: () => api,
    set(value) {
      if (marks.defined === undefined) marks.defined = performance.now();
      if (!value || typeof value.createVisitor !== 'function') {
        api = value;
        return;
      }
      const original = value.createVisitor;
      const wrapped = Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value));
      Object.defineProperty(wrapped, 'createVisitor', {
        configurable: true,
        enumerable: true,
        writable: true,
        value: function createVisitor(options, ...rest) {
          const first = marks.created === undefined;
          if (first) {
            marks.created = performance.now();
            marks.options = options;
            // The floor of command latency: when a frame reaches the visitor's socket, before the SDK sees it.
            if (options && typeof options === 'object') options = { ...options, WebSocket: tapWebSocket(options.WebSocket) };
          }
          const visitor = original.call(this, options, ...rest);
          marks.visitors.push(visitor);
          if (first) {
            visitor.on('connection', ({ current }) => {
              marks.states.push(current.status);
              if (current.status === 'open' && marks.open === undefined) marks.open = performance.now();
            });
          }
          return visitor;
        },
      });
      api = wrapped;
    },
  });
  // When the script-tag bundle was fully received: a blocking script is evaluated right then.
  marks.scriptArrival = () => {
    const explicit = window.__engagekitScriptStart;
    if (typeof explicit === 'number') return { at: explicit, how: 'window.__engagekitScriptStart' };
    const entry = performance.getEntriesByType('resource').find((e) => /engagekit\.global\.js(\?|$)/.test(e.name));
    return entry ? { at: entry.responseEnd, how: 'resource timing responseEnd' } : { at: 0, how: 'navigation start' };
  };
  // The stream URL and token the visitor uses, for a bare socket beside it (the floors).
  marks.stream = async () => {
    const { options } = marks;
    if (!options) throw new Error('no visitor options seen');
    const base = new URL(options.baseUrl, location.href).href.replace(/\/+$/, '');
    const url = options.realtimeUrl ?? `${base.replace(/^http/, 'ws')}/engagements/${encodeURIComponent(options.engagementId)}/stream`;
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    return { url, token };
  };
}

/**
 * In the page. The floor of the startup: a bare WebSocket (the page's, i.e.
 * MSW's in-browser one) from its constructor to the server's `ready`.
 */
async function bareHandshakes({ count }) {
  const { url, token } = await window.__engagekitBenchMarks.stream();
  const times = [];
  for (let i = 0; i < count; i++) {
    times.push(
      await new Promise((resolve, reject) => {
        const t0 = performance.now();
        const ws = new WebSocket(url);
        const timer = setTimeout(() => reject(new Error('bare socket: no ready within 5 s')), 5000);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token, after: 1e9 }));
        ws.onmessage = (event) => {
          if (JSON.parse(event.data).type !== 'ready') return;
          clearTimeout(timer);
          resolve(performance.now() - t0);
          ws.close();
        };
        ws.onclose = (event) => reject(new Error(`bare socket closed: ${event.code} ${event.reason}`));
      }),
    );
  }
  return times;
}

/**
 * In the page. For each command: the operator's PUT (the hook) → the
 * visitor's handler (registered by the bench). The floor: the same command's
 * frame reaching the visitor's socket (stamped by the tap, just before the SDK
 * parses it), so result − floor is the SDK's own share.
 */
async function commandLatencies({ count, warmup }) {
  const bench = window.__engagekitBench;
  const marks = window.__engagekitBenchMarks;
  const visitor = bench.visitor ?? marks.visitors[0];
  if (!visitor) throw new Error('no visitor: pass __engagekitBench.visitor or create it with EngageKit.createVisitor');
  const NAME = 'engagekit-bench';
  const seen = new Map();
  let wake = () => {};
  visitor.commands.register(NAME, (properties) => {
    seen.set(properties.i, { handler: performance.now(), frame: marks.frameAt });
    wake();
  });
  const results = { handler: [], floor: [], put: [] };
  try {
    for (let i = 0; i < warmup + count; i++) {
      const handled = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`command ${i}: handler not called within 5 s`)), 5000);
        wake = () => seen.has(i) && (clearTimeout(timer), resolve());
      });
      const t0 = performance.now();
      const put = Promise.resolve(bench.sendCommand({ properties: { name: NAME, i }, content: `bench command ${i}` })).then(() => performance.now());
      const [putAt] = await Promise.all([put, handled]);
      if (i < warmup) continue;
      const { handler, frame } = seen.get(i);
      results.handler.push(handler - t0);
      // Not stamped when the visitor got the command otherwise (polling): no floor for it.
      results.floor.push(frame >= t0 ? frame - t0 : null);
      results.put.push(putAt - t0);
    }
  } finally {
    visitor.commands.unregister(NAME);
  }
  return { ...results, crossOriginIsolated: window.crossOriginIsolated === true };
}

/**
 * Measures `url` in Chromium. Resolves with `{ loads, handshakes, commands }`
 * (milliseconds) or `{ skipped: reason }`; never rejects for a missing page,
 * hook or browser.
 */
export async function runE2E({ url, executablePath = '/usr/bin/chromium', loads = 10, commands = 200, warmup = 20, timeout = 20_000 }) {
  if (!existsSync(executablePath)) return { skipped: `no Chromium at ${executablePath}` };
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    return { skipped: `playwright-core not installed (${error.message})` };
  }
  let browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: ARGS });
  } catch (error) {
    return { skipped: `Chromium did not start (${error.message.split('\n')[0]})` };
  }
  const errors = [];
  try {
    const context = await browser.newContext();
    await context.addInitScript(instrument);
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));

    // Load 0 installs the service worker (a first visit); loads 1..n are measured.
    const samples = [];
    for (let i = 0; i <= loads; i++) {
      let response;
      try {
        response = await page.goto(url, { waitUntil: 'load', timeout });
      } catch (error) {
        return { skipped: `could not load ${url} (${error.message.split('\n')[0]})` };
      }
      if (!response || !response.ok()) return { skipped: `${url} answered ${response?.status() ?? 'nothing'}` };
      try {
        await page.waitForFunction(() => window.__engagekitBenchMarks?.open !== undefined, null, { timeout });
      } catch {
        const marks = await page.evaluate(() => {
          const m = window.__engagekitBenchMarks;
          return { defined: m?.defined !== undefined, created: m?.created !== undefined, states: m?.states ?? [] };
        });
        const why = !marks.defined
          ? 'the page did not load dist/engagekit.global.js (window.EngageKit never set)'
          : !marks.created
            ? 'the page created no visitor with window.EngageKit.createVisitor'
            : `the visitor's connection did not open within ${timeout / 1000} s (states: ${marks.states.join(' → ') || 'none'})`;
        return { skipped: `${why}${errors.length ? `; page errors: ${errors.slice(0, 3).join(' | ')}` : ''}` };
      }
      const sample = await page.evaluate(() => {
        const m = window.__engagekitBenchMarks;
        const s = m.scriptArrival();
        return { script: s.at, how: s.how, defined: m.defined, created: m.created, open: m.open };
      });
      if (i > 0) samples.push(sample);
    }

    const hook = await page
      .waitForFunction(() => typeof window.__engagekitBench?.sendCommand === 'function', null, { timeout: 5_000 })
      .then(() => true, () => false);
    const handshakes = await page.evaluate(bareHandshakes, { count: 20 }).catch((error) => ({ error: error.message }));
    if (!hook) {
      return { loads: samples, handshakes, commandsSkipped: 'the page exposes no window.__engagekitBench.sendCommand (docs/performance.md, "The hook")' };
    }
    const latencies = await page
      .evaluate(commandLatencies, { count: commands, warmup })
      .catch((error) => ({ error: error.message }));
    return { loads: samples, handshakes, commands: latencies, errors };
  } finally {
    await browser.close();
  }
}
